/**
 * Data rearrangement: PUNPCK*, PACK*, PSHUFD/HW/LW/W, PINSRW/PEXTRW,
 * PMOVMSKB, MOVMSKPS/PD, SHUFPS/PD, UNPCKL/HPS/PD and the FP logic ops,
 * against references written per element.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DATA, SseEnv, mem, rr } from "./env.js";
import { Rng } from "./gen.js";
import { join, lanes, randomBytes, saturate } from "./lanes.js";

const rng = new Rng(1234);
const rand = (n: number) => randomBytes(() => rng.u32(), n);

function interleave(a: number[], b: number[], width: number, high: boolean): number[] {
  const x = lanes(a, width, false);
  const y = lanes(b, width, false);
  const half = x.length / 2;
  const out: bigint[] = [];
  for (let i = 0; i < half; i++) out.push(x[(high ? half : 0) + i], y[(high ? half : 0) + i]);
  return join(out, width);
}

test("PUNPCKL/H BW WD DQ QDQ interleave halves", () => {
  const e = new SseEnv();
  const ops: [number, number, boolean][] = [
    [0x60, 1, false], [0x61, 2, false], [0x62, 4, false], [0x6c, 8, false],
    [0x68, 1, true], [0x69, 2, true], [0x6a, 4, true], [0x6d, 8, true],
  ]; // prettier-ignore
  for (const [opcode, width, high] of ops) {
    const a = rand(16);
    const b = rand(16);
    e.setBytes(0, a);
    e.setBytes(1, b);
    e.exec([0x66, 0x0f, opcode, ...rr(0, 1)]);
    assert.deepEqual(e.bytes(0), interleave(a, b, width, high), `66 0F ${opcode.toString(16)}`);
  }
});

test("PACKSSWB, PACKUSWB, PACKSSDW, PACKUSDW saturate destination then source", () => {
  const e = new SseEnv();
  const ops: [number[], number, number, boolean][] = [
    [[0x0f, 0x63], 2, 1, true],
    [[0x0f, 0x67], 2, 1, false],
    [[0x0f, 0x6b], 4, 2, true],
    [[0x0f, 0x38, 0x2b], 4, 2, false],
  ];
  for (const [opcode, from, to, signed] of ops) {
    for (let k = 0; k < 20; k++) {
      const a = rand(16);
      const b = rand(16);
      e.setBytes(2, a);
      e.setBytes(3, b);
      e.exec([0x66, ...opcode, ...rr(2, 3)]);
      const pack = (v: number[]) => lanes(v, from, true).map((x) => saturate(x, to, signed));
      assert.deepEqual(e.bytes(2), join([...pack(a), ...pack(b)], to), opcode.join(" "));
    }
  }
});

test("PSHUFD, PSHUFHW, PSHUFLW, PSHUFW select by imm8 pairs", () => {
  const e = new SseEnv();
  for (const imm of [0x00, 0x1b, 0xe4, 0x4e, 0xb1, rng.int(256)]) {
    const s = rand(16);
    e.setBytes(4, s);
    e.exec([0x66, 0x0f, 0x70, ...rr(1, 4), imm]);
    const d = lanes(s, 4, false);
    assert.deepEqual(
      e.bytes(1),
      join(
        [0, 1, 2, 3].map((i) => d[(imm >> (2 * i)) & 3]),
        4,
      ),
    );
    const w = lanes(s, 2, false);
    e.exec([0xf3, 0x0f, 0x70, ...rr(1, 4), imm]);
    const hw = [...w.slice(0, 4), ...[0, 1, 2, 3].map((i) => w[4 + ((imm >> (2 * i)) & 3)])];
    assert.deepEqual(e.bytes(1), join(hw, 2), "pshufhw");
    e.exec([0xf2, 0x0f, 0x70, ...rr(1, 4), imm]);
    const lw = [...[0, 1, 2, 3].map((i) => w[(imm >> (2 * i)) & 3]), ...w.slice(4)];
    assert.deepEqual(e.bytes(1), join(lw, 2), "pshuflw");
    // PSHUFW mm1, mm2.
    const r = e.cpu.fpu.regs;
    r[2].lo = Number(lanes(s, 4, false)[0]);
    r[2].hi = Number(lanes(s, 4, false)[1]);
    e.exec([0x0f, 0x70, ...rr(1, 2), imm]);
    const mw = join([BigInt(r[1].lo), BigInt(r[1].hi)], 4);
    assert.deepEqual(mw, join(lw.slice(0, 4), 2), "pshufw");
  }
});

test("PINSRW, PEXTRW, PMOVMSKB, MOVMSKPS, MOVMSKPD", () => {
  const e = new SseEnv();
  const s = rand(16);
  e.setBytes(3, s);
  e.h.eax = 0x1234abcd;
  e.exec([0x66, 0x0f, 0xc4, ...rr(3, 0), 13]); // pinsrw xmm3, eax, 13 → word 5
  const w = lanes(s, 2, false);
  w[5] = 0xabcdn;
  assert.deepEqual(e.bytes(3), join(w, 2));
  e.write32(DATA, 0x5678);
  e.exec([0x66, 0x0f, 0xc4, ...mem(3, DATA), 0]);
  w[0] = 0x5678n;
  assert.deepEqual(e.bytes(3), join(w, 2));
  e.h.edx = 0xffffffff;
  e.exec([0x66, 0x0f, 0xc5, ...rr(2, 3), 5]); // pextrw edx, xmm3, 5
  assert.equal(e.h.edx, 0xabcd);
  const bytes = rand(16);
  e.setBytes(6, bytes);
  e.exec([0x66, 0x0f, 0xd7, ...rr(1, 6)]); // pmovmskb ecx, xmm6
  assert.equal(
    e.h.ecx,
    bytes.reduce((m, b, i) => m | ((b >> 7) << i), 0),
  );
  e.setU32(6, [0x80000000, 1, 0xffffffff, 0x7fffffff]);
  e.exec([0x0f, 0x50, ...rr(1, 6)]);
  assert.equal(e.h.ecx, 0b0101);
  e.setU32(6, [0, 1, 0, 0x80000000]); // sign bits of the qwords: 0, 1
  e.exec([0x66, 0x0f, 0x50, ...rr(1, 6)]);
  assert.equal(e.h.ecx, 0b10);
});

test("SHUFPS, SHUFPD, UNPCKL/HPS, UNPCKL/HPD, AND/ANDN/OR/XOR PS/PD", () => {
  const e = new SseEnv();
  const a = [1, 2, 3, 4].map(() => rng.u32());
  const b = [1, 2, 3, 4].map(() => rng.u32());
  const imm = 0x9c;
  e.setU32(1, a);
  e.setU32(2, b);
  e.exec([0x0f, 0xc6, ...rr(1, 2), imm]);
  assert.deepEqual(e.u32(1), [a[imm & 3], a[(imm >> 2) & 3], b[(imm >> 4) & 3], b[imm >> 6]]);
  e.setU32(1, a);
  e.exec([0x66, 0x0f, 0xc6, ...rr(1, 2), 0b01]);
  assert.deepEqual(e.u32(1), [a[2], a[3], b[0], b[1]]);
  e.setU32(1, a);
  e.exec([0x0f, 0x14, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1), [a[0], b[0], a[1], b[1]]);
  e.setU32(1, a);
  e.exec([0x0f, 0x15, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1), [a[2], b[2], a[3], b[3]]);
  e.setU32(1, a);
  e.exec([0x66, 0x0f, 0x14, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1), [a[0], a[1], b[0], b[1]]);
  e.setU32(1, a);
  e.exec([0x66, 0x0f, 0x15, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1), [a[2], a[3], b[2], b[3]]);
  const logic: [number, (x: number, y: number) => number][] = [
    [0x54, (x, y) => x & y],
    [0x55, (x, y) => ~x & y],
    [0x56, (x, y) => x | y],
    [0x57, (x, y) => x ^ y],
  ];
  for (const [opcode, f] of logic) {
    for (const pfx of [[], [0x66]]) {
      e.setU32(1, a);
      e.exec([...pfx, 0x0f, opcode, ...rr(1, 2)]);
      assert.deepEqual(
        e.u32(1),
        a.map((x, i) => f(x, b[i]) >>> 0),
      );
    }
  }
});
