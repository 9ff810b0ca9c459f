/**
 * Availability and control: #UD without CR4.OSFXSR or with CR0.EM, #NM
 * with CR0.TS, MMX forms under the x87 rules (#MF for a pending x87
 * exception), LDMXCSR/STMXCSR (#GP(0) on reserved bits), the fences, the
 * CPUID feature bits the SSE module implements, and RCPPS/RSQRTPS
 * accuracy (relative error at most 1.5 × 2^-12).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DATA, NO_FAULT, SseEnv, mem, rr } from "./env.js";
import { Rng } from "./gen.js";
import { CR0_EM, CR0_NE, CR0_TS, CR4_OSFXSR } from "../../src/hv/soft/cpu/constants.js";

const UD = 6;
const NM = 7;
const MF = 16;
const GP = 13;

test("CR4.OSFXSR, CR0.EM and CR0.TS gate SSE instructions", () => {
  const e = new SseEnv();
  const addps = [0x0f, 0x58, ...rr(1, 2)];
  const paddb = [0x66, 0x0f, 0xfc, ...rr(1, 2)];
  const ldmxcsr = [0x0f, 0xae, ...mem(2, DATA)];
  e.write32(DATA, 0x1f80);
  for (const code of [addps, paddb, ldmxcsr]) assert.equal(e.run(code), NO_FAULT);
  e.cpu.cr4 &= ~CR4_OSFXSR;
  for (const code of [addps, paddb, ldmxcsr]) assert.equal(e.run(code), UD);
  e.cpu.cr4 |= CR4_OSFXSR;
  e.cpu.cr0 |= CR0_EM;
  assert.equal(e.run(addps), UD);
  e.cpu.cr0 = (e.cpu.cr0 & ~CR0_EM) | CR0_TS;
  assert.equal(e.run(addps), NM);
  assert.equal(e.run(paddb), NM);
  // Integer-only instructions and fences ignore these bits.
  for (const code of [
    [0xf3, 0x0f, 0xb8, ...rr(0, 3)], // popcnt
    [0xf2, 0x0f, 0x38, 0xf1, ...rr(0, 3)], // crc32
    [0x0f, 0xae, 0xe8], // lfence
    [0x0f, 0xae, 0xf0], // mfence
    [0x0f, 0xae, 0xf8], // sfence
    [0x0f, 0xc3, ...mem(0, DATA)], // movnti
  ]) {
    assert.equal(e.run(code), NO_FAULT, code.join(" "));
  }
  e.cpu.cr0 &= ~CR0_TS;
});

test("MMX forms: #UD with EM (even with OSFXSR clear they work), #MF for pending x87 errors", () => {
  const e = new SseEnv();
  const pavgb = [0x0f, 0xe0, ...rr(1, 2)];
  e.cpu.cr4 &= ~CR4_OSFXSR;
  assert.equal(e.run(pavgb), NO_FAULT, "SSE's MMX forms do not need OSFXSR");
  assert.equal(e.run([0x0f, 0x38, 0x00, ...rr(1, 2)]), UD, "SSSE3's MMX forms do (PSHUFB mm)");
  assert.equal(e.run([0x0f, 0x3a, 0x0f, ...rr(1, 2), 3]), UD, "PALIGNR mm");
  e.cpu.cr4 |= CR4_OSFXSR;
  e.cpu.cr0 |= CR0_EM;
  assert.equal(e.run(pavgb), UD);
  e.cpu.cr0 = (e.cpu.cr0 & ~CR0_EM) | CR0_NE;
  e.cpu.fpu.sw |= 0x80; // ES: an unmasked x87 exception is pending
  assert.equal(e.run(pavgb), MF);
  assert.equal(e.run([0xf3, 0x0f, 0xd6, ...rr(1, 2)]), MF, "MOVQ2DQ");
  assert.equal(e.run([0x66, 0x0f, 0xe0, ...rr(1, 2)]), NO_FAULT, "XMM forms ignore x87 state");
  e.cpu.fpu.sw &= ~0x80;
});

test("LDMXCSR/STMXCSR; reserved bits raise #GP(0); RC/FTZ/DAZ take effect", () => {
  const e = new SseEnv();
  e.write32(DATA, 0x12345);
  assert.equal(e.run([0x0f, 0xae, ...mem(2, DATA)]), GP);
  e.write32(DATA, 0xffff);
  e.exec([0x0f, 0xae, ...mem(2, DATA)]);
  assert.equal(e.mxcsr, 0xffff);
  e.write32(DATA + 4, 0);
  e.exec([0x0f, 0xae, ...mem(3, DATA + 4)]);
  assert.equal(e.read32(DATA + 4), 0xffff);
  // Loading set flags with unmasked exceptions raises nothing by itself.
  e.write32(DATA, 0x003f);
  e.exec([0x0f, 0xae, ...mem(2, DATA)]);
  assert.equal(e.mxcsr, 0x3f);
  // Round toward zero through LDMXCSR.
  e.write32(DATA, 0x7f80);
  e.exec([0x0f, 0xae, ...mem(2, DATA)]);
  e.setF32(1, [1, 0, 0, 0]);
  e.setF32(2, [3, 0, 0, 0]);
  e.exec([0xf3, 0x0f, 0x5e, ...rr(1, 2)]);
  assert.equal(e.f32(1)[0], 0.3333333134651184, "the single just below 1/3");
  assert.ok(Math.fround(1 / 3) > 1 / 3, "(round to nearest would have gone up)");
});

test("CPUID advertises exactly the SSE features implemented", () => {
  const e = new SseEnv();
  const out = new Uint32Array(4);
  const q = (leaf: number, sub = 0) => {
    e.cpu.sys.cpuid.query(leaf, sub, out);
    return Array.from(out);
  };
  const [, , ecx1, edx1] = q(1);
  assert.equal(edx1 & (3 << 25), 3 << 25, "SSE, SSE2");
  const ecxBits = [0, 9, 19, 20, 23, 26]; // SSE3 SSSE3 SSE4.1 SSE4.2 POPCNT XSAVE
  for (const b of ecxBits) assert.equal((ecx1 >>> b) & 1, 1, `CPUID.1:ECX[${b}]`);
  for (const b of [1, 3, 12, 22, 25, 28, 29]) {
    assert.equal(
      (ecx1 >>> b) & 1,
      0,
      `CPUID.1:ECX[${b}] (PCLMULQDQ MONITOR FMA MOVBE AES AVX F16C)`,
    );
  }
  assert.equal((q(7)[1] >>> 3) & 1, 0, "no BMI1");
  assert.equal((q(0x80000001)[2] >>> 5) & 1, 1, "LZCNT");
  assert.ok(q(0)[0] >= 0xd, "leaf 0Dh reachable");
  assert.deepEqual(q(0xd, 0), [3, 576, 576, 0]);
  assert.deepEqual(q(0xd, 1), [3, 576, 0, 0]);
  assert.deepEqual(q(0xd, 2), [0, 0, 0, 0]);
});

test("RCPPS/RCPSS/RSQRTPS/RSQRTSS: relative error within 1.5 × 2^-12, special values", () => {
  const e = new SseEnv();
  const rng = new Rng(3);
  const bound = 1.5 * 2 ** -12;
  const dv = new DataView(new ArrayBuffer(4));
  for (let k = 0; k < 500; k++) {
    const xs = [0, 1, 2, 3].map(() => {
      dv.setUint32(0, (rng.u32() & 0x007fffff) | ((1 + rng.int(254)) << 23)); // positive normals
      return dv.getFloat32(0);
    });
    const bounded = xs.map((x) => (x > 2 ** 126 ? 1 : x)); // keep 1/x normal
    e.setF32(2, bounded);
    e.exec([0x0f, 0x53, ...rr(1, 2)]);
    e.f32(1).forEach((r, i) => {
      const exact = 1 / bounded[i];
      assert.ok(Math.abs(r - exact) / exact <= bound, `rcp(${bounded[i]}) = ${r}`);
    });
    e.exec([0x0f, 0x52, ...rr(1, 2)]);
    e.f32(1).forEach((r, i) => {
      const exact = 1 / Math.sqrt(bounded[i]);
      assert.ok(Math.abs(r - exact) / exact <= bound, `rsqrt(${bounded[i]}) = ${r}`);
    });
  }
  e.mxcsr = 0x1f80;
  e.setU32(2, [0x00000000, 0x80000001, 0x7f800000, 0xff812345]); // +0, -denormal, +inf, SNaN
  e.exec([0x0f, 0x53, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1), [0x7f800000, 0xff800000, 0, 0xffc12345]);
  e.exec([0x0f, 0x52, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1), [0x7f800000, 0xff800000, 0, 0xffc12345]);
  e.setU32(2, [0xbf800000, 0x7f000000, 0, 0]); // -1, 2^127
  e.exec([0x0f, 0x52, ...rr(1, 2)]);
  assert.equal(e.u32(1)[0], 0xffc00000, "rsqrt(-1) is the default NaN");
  e.exec([0x0f, 0x53, ...rr(1, 2)]);
  assert.equal(e.u32(1)[1], 0, "rcp(2^127) is tiny: flushed to zero");
  e.setU32(1, [1, 2, 3, 4]);
  e.exec([0xf3, 0x0f, 0x53, ...rr(1, 2)]); // rcpss: lane 0 only
  assert.deepEqual(e.u32(1).slice(1), [2, 3, 4]);
  assert.equal(e.mxcsr & 0x3f, 0, "no flags");
});
