/**
 * SSE3 arithmetic (ADDSUB, HADD, HSUB) and SSSE3 (PSHUFB, PHADD/PHSUB,
 * PHADDSW/PHSUBSW, PMADDUBSW, PSIGN, PMULHRSW, PABS, PALIGNR) in their XMM
 * and MMX forms, against element-wise references.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SseEnv, rr } from "./env.js";
import { Rng } from "./gen.js";
import { join, lanes, randomBytes, saturate } from "./lanes.js";

const rng = new Rng(2024);
const rand = (n: number) => randomBytes(() => rng.u32(), n);

test("ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD", () => {
  const e = new SseEnv();
  const f = Math.fround;
  for (let k = 0; k < 50; k++) {
    const a = [0, 1, 2, 3].map(() => f((rng.u32() / 7) * (rng.int(2) ? 1 : -1)));
    const b = [0, 1, 2, 3].map(() => f((rng.u32() / 3) * (rng.int(2) ? 1 : -1)));
    e.mxcsr = 0x1f80;
    e.setF32(1, a);
    e.setF32(2, b);
    e.exec([0xf2, 0x0f, 0xd0, ...rr(1, 2)]);
    assert.deepEqual(e.f32(1), [f(a[0] - b[0]), f(a[1] + b[1]), f(a[2] - b[2]), f(a[3] + b[3])]);
    e.setF32(1, a);
    e.exec([0xf2, 0x0f, 0x7c, ...rr(1, 2)]);
    assert.deepEqual(e.f32(1), [f(a[0] + a[1]), f(a[2] + a[3]), f(b[0] + b[1]), f(b[2] + b[3])]);
    e.setF32(1, a);
    e.exec([0xf2, 0x0f, 0x7d, ...rr(1, 2)]);
    assert.deepEqual(e.f32(1), [f(a[0] - a[1]), f(a[2] - a[3]), f(b[0] - b[1]), f(b[2] - b[3])]);
    e.setF64(3, [a[0] / 3, a[1] / 7]);
    e.setF64(4, [b[0] / 3, b[1] / 7]);
    const [x0, x1] = e.f64(3);
    const [y0, y1] = e.f64(4);
    e.exec([0x66, 0x0f, 0xd0, ...rr(3, 4)]);
    assert.deepEqual(e.f64(3), [x0 - y0, x1 + y1]);
    e.setF64(3, [x0, x1]);
    e.exec([0x66, 0x0f, 0x7c, ...rr(3, 4)]);
    assert.deepEqual(e.f64(3), [x0 + x1, y0 + y1]);
    e.setF64(3, [x0, x1]);
    e.exec([0x66, 0x0f, 0x7d, ...rr(3, 4)]);
    assert.deepEqual(e.f64(3), [x0 - x1, y0 - y1]);
  }
});

type Ref = (a: number[], b: number[], n: number) => number[];

function horizontal(width: number, f: (x: bigint, y: bigint) => bigint): Ref {
  return (a, b) => {
    const x = lanes(a, width, true);
    const y = lanes(b, width, true);
    const out: bigint[] = [];
    for (const v of [x, y]) for (let i = 0; i < v.length; i += 2) out.push(f(v[i], v[i + 1]));
    return join(out, width);
  };
}
function elementwise(width: number, f: (x: bigint, y: bigint) => bigint): Ref {
  return (a, b) => {
    const x = lanes(a, width, true);
    const y = lanes(b, width, true);
    return join(
      x.map((v, i) => f(v, y[i])),
      width,
    );
  };
}
const sign = (x: bigint, y: bigint) => (y < 0n ? -x : y === 0n ? 0n : x);
const abs = (_x: bigint, y: bigint) => (y < 0n ? -y : y);

const ssse3: [string, number, Ref][] = [
  ["pshufb", 0x00, (a, b, n) => b.map((c) => (c & 0x80 ? 0 : a[c & (n - 1)]))],
  ["phaddw", 0x01, horizontal(2, (x, y) => x + y)],
  ["phaddd", 0x02, horizontal(4, (x, y) => x + y)],
  ["phaddsw", 0x03, horizontal(2, (x, y) => saturate(x + y, 2, true))],
  [
    "pmaddubsw",
    0x04,
    (a, b) => {
      const out: bigint[] = [];
      for (let i = 0; i < a.length; i += 2) {
        const s = a[i] * ((b[i] << 24) >> 24) + a[i + 1] * ((b[i + 1] << 24) >> 24);
        out.push(saturate(BigInt(s), 2, true));
      }
      return join(out, 2);
    },
  ],
  ["phsubw", 0x05, horizontal(2, (x, y) => x - y)],
  ["phsubd", 0x06, horizontal(4, (x, y) => x - y)],
  ["phsubsw", 0x07, horizontal(2, (x, y) => saturate(x - y, 2, true))],
  ["psignb", 0x08, elementwise(1, sign)],
  ["psignw", 0x09, elementwise(2, sign)],
  ["psignd", 0x0a, elementwise(4, sign)],
  ["pmulhrsw", 0x0b, elementwise(2, (x, y) => (((x * y) >> 14n) + 1n) >> 1n)],
  ["pabsb", 0x1c, elementwise(1, abs)],
  ["pabsw", 0x1d, elementwise(2, abs)],
  ["pabsd", 0x1e, elementwise(4, abs)],
];

function edgy(n: number): number[] {
  const b = rand(n);
  for (let i = 0; i < n; i++) if (rng.int(4) === 0) b[i] = rng.pick([0, 0x80, 0x7f, 0xff]);
  return b;
}

test("SSSE3 on XMM and MMX registers", () => {
  const e = new SseEnv();
  const r = e.cpu.fpu.regs;
  for (const [name, opcode, ref] of ssse3) {
    for (let k = 0; k < 25; k++) {
      const a = edgy(16);
      const b = edgy(16);
      e.setBytes(1, a);
      e.setBytes(2, b);
      e.exec([0x66, 0x0f, 0x38, opcode, ...rr(1, 2)]);
      assert.deepEqual(e.bytes(1), ref(a, b, 16), `${name} xmm`);
      const ma = a.slice(0, 8);
      const mb = b.slice(0, 8);
      const la = lanes(ma, 4, false);
      const lb = lanes(mb, 4, false);
      r[3].lo = Number(la[0]);
      r[3].hi = Number(la[1]);
      r[4].lo = Number(lb[0]);
      r[4].hi = Number(lb[1]);
      e.exec([0x0f, 0x38, opcode, ...rr(3, 4)]);
      assert.deepEqual(join([BigInt(r[3].lo), BigInt(r[3].hi)], 4), ref(ma, mb, 8), `${name} mm`);
    }
  }
});

test("PALIGNR on XMM and MMX registers", () => {
  const e = new SseEnv();
  for (const count of [0, 1, 7, 8, 15, 16, 17, 31, 32, 255]) {
    const a = rand(16);
    const b = rand(16);
    e.setBytes(1, a);
    e.setBytes(2, b);
    e.exec([0x66, 0x0f, 0x3a, 0x0f, ...rr(1, 2), count]);
    const cat = [...b, ...a]; // source low, destination high
    assert.deepEqual(
      e.bytes(1),
      Array.from({ length: 16 }, (_, i) => cat[i + count] ?? 0),
      `palignr xmm ${count}`,
    );
    const r = e.cpu.fpu.regs;
    r[1].lo = 0x03020100;
    r[1].hi = 0x07060504;
    r[2].lo = 0x13121110;
    r[2].hi = 0x17161514;
    e.exec([0x0f, 0x3a, 0x0f, ...rr(1, 2), count]);
    const mcat = [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0, 1, 2, 3, 4, 5, 6, 7];
    const want = Array.from({ length: 8 }, (_, i) => mcat[i + count] ?? 0);
    assert.deepEqual(join([BigInt(r[1].lo), BigInt(r[1].hi)], 4), want, `palignr mm ${count}`);
  }
});
