/**
 * Data movement: aligned/unaligned loads and stores (#GP(0) for a
 * misaligned aligned form), MOVSS/MOVSD register versus memory semantics,
 * half moves, SSE3 duplicating moves, non-temporal stores, MOVD/MOVQ with
 * GPRs, memory and MMX registers, and the masked byte stores.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DATA, NO_FAULT, SseEnv, le32, mem, rr } from "./env.js";

const A = [0x11111111, 0x22222222, 0x33333333, 0x44444444];
const B = [0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc, 0xdddddddd];
const bytesOf = (dw: number[]) => dw.flatMap((v) => le32(v));
const GP = 13;

test("128-bit loads and stores; aligned forms fault on misaligned operands", () => {
  const e = new SseEnv();
  const loads: [number[], boolean][] = [
    [[0x0f, 0x10], false], // MOVUPS
    [[0x66, 0x0f, 0x10], false], // MOVUPD
    [[0x0f, 0x28], true], // MOVAPS
    [[0x66, 0x0f, 0x28], true], // MOVAPD
    [[0x66, 0x0f, 0x6f], true], // MOVDQA
    [[0xf3, 0x0f, 0x6f], false], // MOVDQU
    [[0xf2, 0x0f, 0xf0], false], // LDDQU
    [[0x66, 0x0f, 0x38, 0x2a], true], // MOVNTDQA
  ];
  for (const [op, aligned] of loads) {
    for (const off of [0, 4, 8]) {
      e.poke(DATA + off, bytesOf(A));
      e.setU32(5, B);
      const v = e.run([...op, ...mem(5, DATA + off)]);
      if (aligned && off !== 0) {
        assert.equal(v, GP, `${op.join(" ")} misaligned`);
        assert.deepEqual(e.u32(5), B, "destination unchanged");
      } else {
        assert.equal(v, NO_FAULT, op.join(" "));
        assert.deepEqual(e.u32(5), A, op.join(" "));
      }
    }
  }
  const stores: [number[], boolean][] = [
    [[0x0f, 0x11], false],
    [[0x66, 0x0f, 0x11], false],
    [[0x0f, 0x29], true],
    [[0x66, 0x0f, 0x29], true],
    [[0x66, 0x0f, 0x7f], true],
    [[0xf3, 0x0f, 0x7f], false],
    [[0x0f, 0x2b], true], // MOVNTPS
    [[0x66, 0x0f, 0x2b], true], // MOVNTPD
    [[0x66, 0x0f, 0xe7], true], // MOVNTDQ
  ];
  for (const [op, aligned] of stores) {
    for (const off of [0, 8]) {
      e.poke(DATA, new Array(32).fill(0));
      e.setU32(6, A);
      const v = e.run([...op, ...mem(6, DATA + off)]);
      if (aligned && off !== 0) {
        assert.equal(v, GP);
        assert.deepEqual(e.peek(DATA, 32), new Array(32).fill(0), "nothing stored");
      } else {
        assert.equal(v, NO_FAULT);
        assert.deepEqual(e.peek(DATA + off, 16), bytesOf(A));
      }
    }
  }
  // Register-to-register forms.
  e.setU32(1, A);
  e.exec([0x0f, 0x28, ...rr(2, 1)]);
  assert.deepEqual(e.u32(2), A);
  e.setU32(3, B);
  e.exec([0x66, 0x0f, 0x7f, ...rr(3, 4)]); // movdqa xmm4, xmm3 (store form)
  assert.deepEqual(e.u32(4), B);
});

test("MOVSS/MOVSD: a register source moves one lane, a memory source zeroes the rest", () => {
  const e = new SseEnv();
  e.setU32(1, A);
  e.setU32(2, B);
  e.exec([0xf3, 0x0f, 0x10, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1), [B[0], A[1], A[2], A[3]]);
  e.setU32(1, A);
  e.exec([0xf2, 0x0f, 0x10, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1), [B[0], B[1], A[2], A[3]]);
  e.poke(DATA + 2, bytesOf(B));
  e.setU32(1, A);
  e.exec([0xf3, 0x0f, 0x10, ...mem(1, DATA + 2)]);
  assert.deepEqual(e.u32(1), [B[0], 0, 0, 0]);
  e.setU32(1, A);
  e.exec([0xf2, 0x0f, 0x10, ...mem(1, DATA + 2)]);
  assert.deepEqual(e.u32(1), [B[0], B[1], 0, 0]);
  // Stores: 4 or 8 bytes only.
  e.poke(DATA, new Array(16).fill(0xee));
  e.setU32(3, A);
  e.exec([0xf3, 0x0f, 0x11, ...mem(3, DATA + 1)]);
  assert.deepEqual(e.peek(DATA, 8), [0xee, ...le32(A[0]), 0xee, 0xee, 0xee]);
  e.exec([0xf2, 0x0f, 0x11, ...mem(3, DATA + 4)]);
  assert.deepEqual(e.peek(DATA + 4, 12), [...le32(A[0]), ...le32(A[1]), 0xee, 0xee, 0xee, 0xee]);
  e.setU32(4, B);
  e.exec([0xf3, 0x0f, 0x11, ...rr(3, 4)]); // movss xmm4, xmm3 (store form, register)
  assert.deepEqual(e.u32(4), [A[0], B[1], B[2], B[3]]);
});

test("half moves, MOVHLPS/MOVLHPS, MOVSLDUP/MOVSHDUP/MOVDDUP", () => {
  const e = new SseEnv();
  e.poke(DATA, bytesOf(B));
  const cases: [number[], number[]][] = [
    [
      [0x0f, 0x12],
      [B[0], B[1], A[2], A[3]],
    ], // MOVLPS xmm, m64
    [
      [0x66, 0x0f, 0x12],
      [B[0], B[1], A[2], A[3]],
    ], // MOVLPD
    [
      [0x0f, 0x16],
      [A[0], A[1], B[0], B[1]],
    ], // MOVHPS
    [
      [0x66, 0x0f, 0x16],
      [A[0], A[1], B[0], B[1]],
    ], // MOVHPD
    [
      [0xf3, 0x0f, 0x12],
      [B[0], B[0], B[2], B[2]],
    ], // MOVSLDUP
    [
      [0xf3, 0x0f, 0x16],
      [B[1], B[1], B[3], B[3]],
    ], // MOVSHDUP
    [
      [0xf2, 0x0f, 0x12],
      [B[0], B[1], B[0], B[1]],
    ], // MOVDDUP
  ];
  for (const [op, want] of cases) {
    e.setU32(1, A);
    e.exec([...op, ...mem(1, DATA)]);
    assert.deepEqual(e.u32(1), want, op.join(" "));
  }
  e.setU32(1, A);
  e.setU32(2, B);
  e.exec([0x0f, 0x12, ...rr(1, 2)]); // MOVHLPS
  assert.deepEqual(e.u32(1), [B[2], B[3], A[2], A[3]]);
  e.setU32(1, A);
  e.exec([0x0f, 0x16, ...rr(1, 2)]); // MOVLHPS
  assert.deepEqual(e.u32(1), [A[0], A[1], B[0], B[1]]);
  e.setU32(3, A);
  e.poke(DATA, new Array(16).fill(0));
  e.exec([0x0f, 0x17, ...mem(3, DATA + 1)]); // MOVHPS m64, xmm (unaligned is fine)
  assert.deepEqual(e.peek(DATA + 1, 8), bytesOf([A[2], A[3]]));
  e.exec([0x66, 0x0f, 0x13, ...mem(3, DATA + 1)]); // MOVLPD m64, xmm
  assert.deepEqual(e.peek(DATA + 1, 8), bytesOf([A[0], A[1]]));
  // The register forms of 0F 13/17 do not exist.
  assert.equal(e.run([0x0f, 0x13, ...rr(1, 2)]), 6);
});

test("MOVD/MOVQ with general registers, memory and MMX registers", () => {
  const e = new SseEnv();
  e.setU32(1, B);
  e.h.ebx = 0x87654321;
  e.exec([0x66, 0x0f, 0x6e, ...rr(1, 3)]); // movd xmm1, ebx
  assert.deepEqual(e.u32(1), [0x87654321, 0, 0, 0]);
  e.setU32(2, A);
  e.exec([0x66, 0x0f, 0x7e, ...rr(2, 6)]); // movd esi, xmm2
  assert.equal(e.h.esi, A[0]);
  e.exec([0x66, 0x0f, 0x7e, ...mem(2, DATA)]);
  assert.equal(e.read32(DATA), A[0]);
  e.poke(DATA, bytesOf(B));
  e.setU32(3, A);
  e.exec([0xf3, 0x0f, 0x7e, ...mem(3, DATA)]); // movq xmm3, m64
  assert.deepEqual(e.u32(3), [B[0], B[1], 0, 0]);
  e.setU32(3, A);
  e.setU32(4, B);
  e.exec([0x66, 0x0f, 0xd6, ...rr(3, 4)]); // movq xmm4, xmm3
  assert.deepEqual(e.u32(4), [A[0], A[1], 0, 0]);
  e.exec([0x66, 0x0f, 0xd6, ...mem(3, DATA + 3)]);
  assert.deepEqual(e.peek(DATA + 3, 8), bytesOf([A[0], A[1]]));
  // MOVQ2DQ / MOVDQ2Q: the MMX transition happens.
  const r = e.cpu.fpu.regs;
  r[5].lo = 0x01020304;
  r[5].hi = 0x05060708;
  e.cpu.fpu.top = 4;
  e.setU32(6, A);
  e.exec([0xf3, 0x0f, 0xd6, ...rr(6, 5)]);
  assert.deepEqual(e.u32(6), [0x01020304, 0x05060708, 0, 0]);
  assert.equal(e.cpu.fpu.top, 0);
  e.exec([0xf2, 0x0f, 0xd6, ...rr(2, 4)]); // movdq2q mm2, xmm4
  assert.deepEqual([r[2].lo, r[2].hi, r[2].se], [A[0], A[1], 0xffff]);
  // MOVNTI and MOVNTQ are plain stores.
  e.h.ecx = 0xcafef00d;
  e.exec([0x0f, 0xc3, ...mem(1, DATA + 1)]);
  assert.equal(e.read32(DATA + 1), 0xcafef00d);
  e.exec([0x0f, 0xe7, ...mem(5, DATA + 8)]);
  assert.deepEqual(e.peek(DATA + 8, 8), bytesOf([0x01020304, 0x05060708]));
});

test("MASKMOVDQU and MASKMOVQ store the selected bytes at DS:EDI", () => {
  const e = new SseEnv();
  const data = Array.from({ length: 16 }, (_, i) => 0x10 + i);
  const mask = Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? 0x80 : 0x7f));
  e.setBytes(1, data);
  e.setBytes(2, mask);
  e.poke(DATA, new Array(16).fill(0xee));
  e.h.edi = DATA;
  e.exec([0x66, 0x0f, 0xf7, ...rr(1, 2)]);
  assert.deepEqual(
    e.peek(DATA, 16),
    data.map((b, i) => (i % 3 === 0 ? b : 0xee)),
  );
  const r = e.cpu.fpu.regs;
  r[1].lo = 0x44332211;
  r[1].hi = 0x88776655;
  r[2].lo = 0x00800080;
  r[2].hi = 0x80000000;
  e.poke(DATA, new Array(8).fill(0));
  e.exec([0x0f, 0xf7, ...rr(1, 2)]);
  assert.deepEqual(e.peek(DATA, 8), [0x11, 0, 0x33, 0, 0, 0, 0, 0x88]);
});
