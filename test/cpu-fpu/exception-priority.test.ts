/**
 * Which masked exceptions one instruction reports when several apply (SDM
 * vol. 1, 8.7 "x87 FPU Exception Priority": stack fault, unsupported
 * operand, SNaN, then a QNaN operand, then other invalid operations and
 * divide-by-zero, then denormal operand, then overflow/underflow, then
 * precision). A denormal operand is not reported next to a higher-priority
 * outcome; an out-of-range integer or BCD store is an invalid operation, not
 * an inexact one, so it raises IE alone and clears C1 (vol. 2, FIST/FISTP
 * and FBSTP "FPU Flags Affected").
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesOf, C1, DATA, DE, FLAGS, fsw, IE, INDEFINITE, mem, PE } from "./x87-start.js";
import { runX87, SF, st, ZE } from "./x87-start.js";

const ONE = "3fff:8000000000000000";
const DENORMAL = "0000:4000000000000000";
const ZERO = "0000:0000000000000000";
const M32_DENORMAL = bytesOf(1n, 4);
const M64_DENORMAL = bytesOf(1n, 8);

test("divide-by-zero hides a denormal operand (register and memory forms)", () => {
  // FDIV ST(0), ST(1): denormal / +0.
  let h = runX87([0xd8, 0xf1], { st: [DENORMAL, ZERO] });
  assert.equal(fsw(h) & FLAGS, ZE);
  assert.equal(st(h, 0), "7fff:8000000000000000");
  // FDIVR m32fp: m32 denormal / ST(0) = +0.
  h = runX87([0xd8, ...mem(7, DATA)], { st: [ZERO], data: M32_DENORMAL });
  assert.equal(fsw(h) & FLAGS, ZE);
});

test("a NaN or unsupported ST(0) hides a denormal memory operand", () => {
  // FADD m32fp with a QNaN in ST(0): the QNaN comes back, no flag at all.
  let h = runX87([0xd8, ...mem(0, DATA)], { st: ["7fff:c000000000000001"], data: M32_DENORMAL });
  assert.equal(fsw(h) & FLAGS, 0);
  assert.equal(st(h, 0), "7fff:c000000000000001");
  // FSUBR m32fp with an unnormal in ST(0): invalid, indefinite.
  h = runX87([0xd8, ...mem(5, DATA)], { st: ["4000:4000000000000000"], data: M32_DENORMAL });
  assert.equal(fsw(h) & FLAGS, IE);
  assert.equal(st(h, 0), INDEFINITE);
  // FCOM m64fp with an SNaN in ST(0): unordered (C3 C2 C0), IE only.
  h = runX87([0xdc, ...mem(2, DATA)], { st: ["7fff:8000000000000001"], data: M64_DENORMAL });
  assert.equal(fsw(h) & (FLAGS | 0x4700), IE | 0x4500);
});

test("a stack overflow hides the loaded value's denormal", () => {
  const full = Array.from({ length: 8 }, () => ONE);
  const h = runX87([0xdd, ...mem(0, DATA)], { st: full, data: M64_DENORMAL }); // FLD m64fp
  assert.equal(fsw(h) & (FLAGS | C1), IE | SF | C1);
  assert.equal(st(h, 0), INDEFINITE);
});

test("a denormal operand is still reported when nothing ranks above it", () => {
  // FADD m32fp: 1.0 + 2^-149 is inexact at 64 bits and rounds down.
  const h = runX87([0xd8, ...mem(0, DATA)], { st: [ONE], data: M32_DENORMAL });
  assert.equal(fsw(h) & (FLAGS | C1), DE | PE);
});

/** Runs an integer/BCD store of ST(0) to DATA with C1 set beforehand; returns [flags|C1, bytes]. */
function store(opcode: number, reg: number, value: string, size: number): [number, number[]] {
  const h = runX87([opcode, ...mem(reg, DATA)], {
    st: [value],
    fsw: C1,
    data: Array(10).fill(0x55),
  });
  const bytes = Array.from({ length: size }, (_, i) => h.read8(DATA + i));
  return [fsw(h) & (FLAGS | C1), bytes];
}

test("an out-of-range integer store raises IE alone, clears C1, stores the indefinite", () => {
  // 32767.75 rounds to 32768: FIST m16int.
  assert.deepEqual(store(0xdf, 2, "400d:ffff800000000000", 2), [IE, [0x00, 0x80]]);
  // 2^31 - 0.5 rounds (to even) to 2^31: FISTP m32int.
  assert.deepEqual(store(0xdb, 3, "401d:ffffffff00000000", 4), [IE, [0, 0, 0, 0x80]]);
  // 32768.25 truncates to 32768: FISTTP m16int.
  assert.deepEqual(store(0xdf, 1, "400e:8000400000000000", 2), [IE, [0x00, 0x80]]);
  // 2^63 - 0.5 rounds to 2^63: FISTP m64int.
  assert.deepEqual(store(0xdf, 7, "403d:ffffffffffffffff", 8), [IE, [0, 0, 0, 0, 0, 0, 0, 0x80]]);
  // 999999999999999999.5 rounds to 10^18: FBSTP stores the BCD indefinite (SDM vol. 1, 4.7).
  assert.deepEqual(store(0xdf, 6, "403a:de0b6b3a763ffff8", 10), [
    IE,
    [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff],
  ]);
});

test("an in-range inexact integer store raises PE with C1 = round-up", () => {
  assert.deepEqual(store(0xdf, 2, "4000:b000000000000000", 2), [PE | C1, [3, 0]]); // 2.75 → 3
  assert.deepEqual(store(0xdf, 2, "4000:a000000000000000", 2), [PE, [2, 0]]); // 2.5 → 2 (even)
});
