/**
 * SSE in 64-bit mode (CpuHarness.long64): REX.R/B reach XMM8-15, REX.W
 * selects the 64-bit forms (MOVQ r64, CVTSI2SD/CVTTSD2SI r64, PINSRQ,
 * PEXTRQ, POPCNT r64, CRC32 r64), RIP-relative operands with a trailing
 * imm8, and FXSAVE/XSAVE/XRSTOR covering XMM8-15.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CpuHarness } from "../cpu/harness.js";
import { CR4_OSFXSR, CR4_OSXMMEXCPT, CR4_OSXSAVE } from "../../src/hv/soft/cpu/constants.js";
import { le32 } from "./env.js";

const CODE = 0x10000;
const DATA = 0x20000; // 64-byte aligned

function long64(): CpuHarness {
  const h = CpuHarness.long64({ ramSize: 4 << 20 });
  h.cpu.cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
  return h;
}

function run(h: CpuHarness, code: number[]): void {
  h.load(CODE, [...code, 0xf4]);
  assert.equal(h.run(1000).kind, "hlt");
}

test("REX reaches XMM8-15 and the 64-bit GPR forms", () => {
  const h = long64();
  const u = h.cpu.sse.u32;
  h.setReg64(10, 0x1122334455667788n);
  h.setReg64(12, -3n);
  run(h, [
    0x66, 0x4d, 0x0f, 0x6e, 0xca, // movq xmm9, r10
    0x66, 0x4d, 0x0f, 0x7e, 0xcb, // movq r11, xmm9
    0x66, 0x45, 0x0f, 0xd4, 0xcc, // paddq xmm9, xmm12
    0xf2, 0x4d, 0x0f, 0x2a, 0xd4, // cvtsi2sd xmm10, r12
    0xf2, 0x4d, 0x0f, 0x2c, 0xea, // cvttsd2si r13, xmm10
  ]); // prettier-ignore
  assert.deepEqual(Array.from(u.subarray(36, 40)), [0x55667788, 0x11223344, 0, 0]);
  assert.equal(h.reg64(11), 0x1122334455667788n);
  assert.equal(h.cpu.sse.f64[20], -3);
  assert.equal(h.reg64(13), BigInt.asUintN(64, -3n));
  h.setReg64(15, 0xf0f0f0f0f0f0f0f0n);
  h.setReg64(3, 0xdeadbeefcafef00dn);
  u.set([1, 2, 3, 4], 36);
  run(h, [
    0xf3, 0x4d, 0x0f, 0xb8, 0xf7, // popcnt r14, r15
    0x66, 0x4c, 0x0f, 0x3a, 0x16, 0xc8, 1, // pextrq rax, xmm9, 1
    0x66, 0x4c, 0x0f, 0x3a, 0x22, 0xfb, 0, // pinsrq xmm15, rbx, 0
    0xf3, 0x4c, 0x0f, 0xbd, 0xc8, // lzcnt r9, rax
  ]); // prettier-ignore
  assert.equal(h.reg64(14), 32n);
  assert.equal(h.reg64(0), 0x0000000400000003n);
  assert.deepEqual(Array.from(u.subarray(60, 62)), [0xcafef00d, 0xdeadbeef]);
  assert.equal(h.reg64(9), 29n);
  // 32-bit results zero-extend into the 64-bit register.
  h.setReg64(2, -1n);
  run(h, [0x66, 0x0f, 0x7e, 0xca]); // movd edx, xmm1
  assert.equal(h.reg64(2) >> 32n, 0n);
});

test("RIP-relative operands account for the imm8 after the displacement", () => {
  const h = long64();
  const target = DATA;
  h.poke(target, [...le32(10), ...le32(20), ...le32(30), ...le32(40)]);
  const insnEnd = CODE + 9; // 66 0F 70 modrm disp32 imm8 = 9 bytes
  const disp = target - insnEnd;
  run(h, [0x66, 0x0f, 0x70, 0x0d, ...le32(disp), 0x1b]); // pshufd xmm1, [rip+disp], 0x1b
  assert.deepEqual(Array.from(h.cpu.sse.u32.subarray(4, 8)), [40, 30, 20, 10]);
});

test("FXSAVE, XSAVE and XRSTOR cover XMM8-15 in 64-bit mode", () => {
  const h = long64();
  const u = h.cpu.sse.u32;
  for (let i = 0; i < 64; i++) u[i] = 0x01010101 * ((i % 200) + 1);
  h.cpu.xcr0 = 3;
  h.cpu.r32[0] = 3; // EAX: RFBM
  h.cpu.r32[4] = 0; // EDX
  run(h, [0x0f, 0xae, 0x04, 0x25, ...le32(DATA)]); // fxsave [DATA]
  const bytes = h.memory.bytes;
  const xmm15 = Array.from(bytes.subarray(DATA + 160 + 15 * 16, DATA + 160 + 16 * 16));
  assert.deepEqual(xmm15, Array.from(new Uint8Array(u.buffer, 15 * 16, 16)));
  run(h, [0x0f, 0xae, 0x24, 0x25, ...le32(DATA + 0x400)]); // xsave [DATA+0x400]
  assert.deepEqual(
    Array.from(bytes.subarray(DATA + 0x400 + 288, DATA + 0x400 + 416)),
    Array.from(bytes.subarray(DATA + 288, DATA + 416)),
  );
  const saved = Array.from(u.subarray(32, 64));
  u.fill(0, 0, 64);
  run(h, [0x0f, 0xae, 0x2c, 0x25, ...le32(DATA + 0x400)]); // xrstor [DATA+0x400]
  assert.deepEqual(Array.from(u.subarray(32, 64)), saved, "XMM8-15 restored");
  u.fill(0, 0, 64);
  run(h, [0x0f, 0xae, 0x0c, 0x25, ...le32(DATA)]); // fxrstor [DATA]
  assert.deepEqual(Array.from(u.subarray(32, 64)), saved);
});
