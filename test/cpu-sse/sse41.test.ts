/**
 * SSE4.1 (and PCMPGTQ): sign/zero extension, min/max, multiplies, qword
 * compares, PHMINPOSUW, PTEST flags, MPSADBW, blends, inserts/extracts,
 * ROUNDPS/PD/SS/SD and the dot products.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DATA, SseEnv, mem, rr } from "./env.js";
import { Rng } from "./gen.js";
import { join, lanes, randomBytes } from "./lanes.js";

const rng = new Rng(4141);
const rand = (n: number) => randomBytes(() => rng.u32(), n);
const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800; // prettier-ignore

test("PMOVSX/PMOVZX from registers and unaligned memory", () => {
  const e = new SseEnv();
  const forms: [number, number, number][] = [
    [0x20, 1, 2], [0x21, 1, 4], [0x22, 1, 8], [0x23, 2, 4], [0x24, 2, 8], [0x25, 4, 8],
  ]; // prettier-ignore
  for (const [opcode, from, to] of forms) {
    for (const signed of [true, false]) {
      const src = rand(16);
      const count = 16 / to;
      const want = join(lanes(src, from, signed).slice(0, count), to);
      e.setBytes(2, src);
      e.exec([0x66, 0x0f, 0x38, signed ? opcode : opcode + 0x10, ...rr(1, 2)]);
      assert.deepEqual(e.bytes(1), want, `pmov${signed ? "sx" : "zx"} ${from}→${to}`);
      e.poke(DATA + 5, src.slice(0, from * count));
      e.exec([0x66, 0x0f, 0x38, signed ? opcode : opcode + 0x10, ...mem(3, DATA + 5)]);
      assert.deepEqual(e.bytes(3), want, "memory source");
    }
  }
});

test("PMIN/PMAX, PMULLD, PMULDQ, PCMPEQQ, PCMPGTQ", () => {
  const e = new SseEnv();
  const ops: [number, number, boolean, (x: bigint, y: bigint) => bigint][] = [
    [0x38, 1, true, (x, y) => (x < y ? x : y)],
    [0x39, 4, true, (x, y) => (x < y ? x : y)],
    [0x3a, 2, false, (x, y) => (x < y ? x : y)],
    [0x3b, 4, false, (x, y) => (x < y ? x : y)],
    [0x3c, 1, true, (x, y) => (x > y ? x : y)],
    [0x3d, 4, true, (x, y) => (x > y ? x : y)],
    [0x3e, 2, false, (x, y) => (x > y ? x : y)],
    [0x3f, 4, false, (x, y) => (x > y ? x : y)],
    [0x40, 4, true, (x, y) => x * y],
    [0x29, 8, false, (x, y) => (x === y ? -1n : 0n)],
    [0x37, 8, true, (x, y) => (x > y ? -1n : 0n)],
  ];
  for (const [opcode, width, signed, f] of ops) {
    for (let k = 0; k < 30; k++) {
      const a = rand(16);
      const b = k % 5 === 0 ? a.slice() : rand(16);
      if (k % 7 === 1) b[width - 1] ^= 0x80; // same low bytes, different sign
      e.setBytes(1, a);
      e.setBytes(2, b);
      e.exec([0x66, 0x0f, 0x38, opcode, ...rr(1, 2)]);
      const x = lanes(a, width, signed);
      const y = lanes(b, width, signed);
      assert.deepEqual(
        e.bytes(1),
        join(
          x.map((v, i) => f(v, y[i])),
          width,
        ),
        `0F 38 ${opcode}`,
      );
    }
  }
  const a = rand(16);
  const b = rand(16);
  e.setBytes(1, a);
  e.setBytes(2, b);
  e.exec([0x66, 0x0f, 0x38, 0x28, ...rr(1, 2)]); // pmuldq
  const x = lanes(a, 4, true);
  const y = lanes(b, 4, true);
  assert.deepEqual(e.bytes(1), join([x[0] * y[0], x[2] * y[2]], 8));
});

test("PHMINPOSUW, PTEST, MPSADBW", () => {
  const e = new SseEnv();
  for (let k = 0; k < 30; k++) {
    const s = rand(16);
    if (k % 3 === 0) s.splice(4, 2, s[10], s[11]); // a tie: the lower index wins
    e.setBytes(2, s);
    e.setBytes(1, rand(16));
    e.exec([0x66, 0x0f, 0x38, 0x41, ...rr(1, 2)]);
    const w = lanes(s, 2, false);
    let best = 0;
    for (let i = 1; i < 8; i++) if (w[i] < w[best]) best = i;
    assert.deepEqual(e.bytes(1), join([w[best], BigInt(best), 0n, 0n, 0n, 0n, 0n, 0n], 2));
  }
  const ptest = (a: number[], b: number[]) => {
    e.setU32(1, a);
    e.setU32(2, b);
    e.h.eflags = 0x2 | CF | ZF | PF | AF | SF | OF;
    e.exec([0x66, 0x0f, 0x38, 0x17, ...rr(1, 2)]);
    return e.h.eflags & (CF | ZF | PF | AF | SF | OF);
  };
  assert.equal(ptest([1, 0, 0, 0], [2, 0, 0, 0]), ZF);
  assert.equal(ptest([0xffffffff, 1, 1, 1], [1, 0, 0, 0]), CF);
  assert.equal(ptest([0, 0, 0, 0], [0, 0, 0, 0]), ZF | CF);
  assert.equal(ptest([0, 0, 0, 3], [0, 0, 0, 6]), 0);
  for (const imm of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const a = rand(16);
    const b = rand(16);
    e.setBytes(1, a);
    e.setBytes(2, b);
    e.exec([0x66, 0x0f, 0x3a, 0x42, ...rr(1, 2), imm]);
    const d0 = (imm >> 2) * 4;
    const s0 = (imm & 3) * 4;
    const want: bigint[] = [];
    for (let i = 0; i < 8; i++) {
      let sum = 0;
      for (let j = 0; j < 4; j++) sum += Math.abs(a[d0 + i + j] - b[s0 + j]);
      want.push(BigInt(sum));
    }
    assert.deepEqual(e.bytes(1), join(want, 2), `mpsadbw ${imm}`);
  }
});

test("BLENDPS/PD, PBLENDW with imm8; BLENDVPS/PD, PBLENDVB with XMM0", () => {
  const e = new SseEnv();
  const pick = (a: number[], b: number[], size: number, on: (i: number) => boolean) =>
    a.map((v, i) => (on(Math.floor(i / size)) ? b[i] : v));
  for (const imm of [0x00, 0xff, 0x5a, rng.int(256)]) {
    for (const [opcode, size] of [
      [0x0c, 4],
      [0x0d, 8],
      [0x0e, 2],
    ] as const) {
      const a = rand(16);
      const b = rand(16);
      e.setBytes(1, a);
      e.setBytes(2, b);
      e.exec([0x66, 0x0f, 0x3a, opcode, ...rr(1, 2), imm]);
      assert.deepEqual(
        e.bytes(1),
        pick(a, b, size, (i) => ((imm >> i) & 1) === 1),
      );
    }
  }
  for (const [opcode, size] of [
    [0x14, 4],
    [0x15, 8],
    [0x10, 1],
  ] as const) {
    const a = rand(16);
    const b = rand(16);
    const m = rand(16);
    e.setBytes(0, m);
    e.setBytes(1, a);
    e.setBytes(2, b);
    e.exec([0x66, 0x0f, 0x38, opcode, ...rr(1, 2)]);
    assert.deepEqual(
      e.bytes(1),
      pick(a, b, size, (i) => m[i * size + size - 1] >= 0x80),
    );
  }
});

test("PEXTRB/W/D, EXTRACTPS, PINSRB/D, INSERTPS", () => {
  const e = new SseEnv();
  const s = rand(16);
  e.setBytes(3, s);
  e.h.ebx = 0xffffffff;
  e.exec([0x66, 0x0f, 0x3a, 0x14, ...rr(3, 3), 13]); // pextrb ebx, xmm3, 13
  assert.equal(e.h.ebx, s[13]);
  e.exec([0x66, 0x0f, 0x3a, 0x15, ...rr(3, 3), 6]); // pextrw ebx, xmm3, 6
  assert.equal(e.h.ebx, s[12] | (s[13] << 8));
  e.exec([0x66, 0x0f, 0x3a, 0x16, ...rr(3, 3), 3]); // pextrd ebx, xmm3, 3
  assert.equal(e.h.ebx, Number(lanes(s, 4, false)[3]));
  e.poke(DATA, [0, 0, 0, 0, 0]);
  e.exec([0x66, 0x0f, 0x3a, 0x14, ...mem(3, DATA), 1]);
  e.exec([0x66, 0x0f, 0x3a, 0x15, ...mem(3, DATA + 1), 1]);
  assert.deepEqual(e.peek(DATA, 4), [s[1], s[2], s[3], 0]);
  e.exec([0x66, 0x0f, 0x3a, 0x17, ...mem(3, DATA), 2]); // extractps [DATA], xmm3, 2
  assert.equal(e.read32(DATA), Number(lanes(s, 4, false)[2]));
  e.h.eax = 0x1234;
  e.exec([0x66, 0x0f, 0x3a, 0x20, ...rr(3, 0), 0x1f]); // pinsrb xmm3, eax, 15
  assert.equal(e.bytes(3)[15], 0x34);
  e.h.edx = 0xdeadbeef;
  e.exec([0x66, 0x0f, 0x3a, 0x22, ...rr(3, 2), 1]); // pinsrd xmm3, edx, 1
  assert.equal(e.u32(3)[1], 0xdeadbeef);
  // INSERTPS: source lane 2 → destination lane 1, zero lane 3.
  e.setU32(1, [1, 2, 3, 4]);
  e.setU32(2, [5, 6, 7, 8]);
  e.exec([0x66, 0x0f, 0x3a, 0x21, ...rr(1, 2), (2 << 6) | (1 << 4) | 0b1000]);
  assert.deepEqual(e.u32(1), [1, 7, 3, 0]);
  e.write32(DATA, 99);
  e.exec([0x66, 0x0f, 0x3a, 0x21, ...mem(1, DATA), (3 << 6) | (3 << 4) | 0b0001]);
  assert.deepEqual(e.u32(1), [0, 7, 3, 99], "memory source ignores imm[7:6]");
});

test("ROUNDPS/PD/SS/SD: modes from imm8 or MXCSR, PE suppression, NaNs", () => {
  const e = new SseEnv();
  const xs = [2.5, -2.5, 0.3, -0.7, 1e30, -0.2];
  const ref = (x: number, mode: number) =>
    [
      x - Math.floor(x) === 0.5
        ? Math.floor(x) % 2 === 0
          ? Math.floor(x)
          : Math.ceil(x)
        : Math.round(x),
      Math.floor(x),
      Math.ceil(x),
      Math.trunc(x),
    ][mode];
  for (const mode of [0, 1, 2, 3]) {
    for (let i = 0; i < xs.length; i += 2) {
      e.setF64(2, [xs[i], xs[i + 1]]);
      e.mxcsr = 0x1f80;
      e.exec([0x66, 0x0f, 0x3a, 0x09, ...rr(1, 2), mode]);
      const want = [ref(xs[i], mode), ref(xs[i + 1], mode)];
      assert.ok(
        e.f64(1).every((v, k) => Object.is(v, want[k]) || (v === 0 && want[k] === 0)),
        `roundpd ${mode} ${xs[i]} ${xs[i + 1]} → ${e.f64(1)}`,
      );
      assert.equal(e.mxcsr & 0x20, 0x20, "inexact");
    }
  }
  // Signed zeros: -0.2 rounds to -0 toward +∞.
  e.setF32(2, [-0.2, 0.7, -1.5, 8]);
  e.mxcsr = 0x1f80 | (2 << 13);
  e.exec([0x66, 0x0f, 0x3a, 0x08, ...rr(1, 2), 4 | 8]); // MXCSR.RC (up), PE suppressed
  assert.ok(Object.is(e.f32(1)[0], -0));
  assert.deepEqual(e.f32(1).slice(1), [1, -1, 8]);
  assert.equal(e.mxcsr & 0x3f, 0);
  // ROUNDSS/ROUNDSD change lane 0 only; an SNaN is quieted with IE.
  e.setU32(1, [0, 5, 6, 7]);
  e.setU32(2, [0x7f800001, 0, 0, 0]);
  e.exec([0x66, 0x0f, 0x3a, 0x0a, ...rr(1, 2), 0]);
  assert.deepEqual(e.u32(1), [0x7fc00001, 5, 6, 7]);
  assert.equal(e.mxcsr & 1, 1);
  e.setF64(1, [0, 42]);
  e.setF64(2, [-3.5, 0]);
  e.exec([0x66, 0x0f, 0x3a, 0x0b, ...rr(1, 2), 0]);
  assert.deepEqual(e.f64(1), [-4, 42]);
});

test("DPPS/DPPD: selected products, pairwise sums, broadcast mask", () => {
  const e = new SseEnv();
  const f = Math.fround;
  e.mxcsr = 0x1f80;
  const a = [1.5, -2, 3.25, 4].map(f);
  const b = [2, 0.5, -1, 8].map(f);
  for (const imm of [0xff, 0xf1, 0x3c, 0xa5, 0x00]) {
    e.setF32(1, a);
    e.setF32(2, b);
    e.exec([0x66, 0x0f, 0x3a, 0x40, ...rr(1, 2), imm]);
    const p = a.map((x, i) => ((imm >> (4 + i)) & 1 ? f(x * b[i]) : 0));
    const sum = f(f(p[0] + p[1]) + f(p[2] + p[3]));
    assert.deepEqual(
      e.f32(1),
      [0, 1, 2, 3].map((i) => ((imm >> i) & 1 ? sum : 0)),
      `dpps ${imm}`,
    );
  }
  e.setF64(3, [0.1, 0.2]);
  e.setF64(4, [3, 7]);
  e.exec([0x66, 0x0f, 0x3a, 0x41, ...rr(3, 4), 0x32]);
  assert.deepEqual(e.f64(3), [0, 0.1 * 3 + 0.2 * 7]);
});
