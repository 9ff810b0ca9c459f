/**
 * The CVT* instructions of SSE and SSE2 (SDM vol. 2): between single and
 * double, between floating point and 32/64-bit integers in general
 * registers, XMM lanes and MMX registers, with MXCSR rounding or truncation
 * (CVTT*). Lane semantics are in fp-convert.ts; results are committed only
 * after the exception check (fp-env.ts).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp0F } from "../ops.js";
import { enterMmx, pendingX87Check, sseCheck } from "./check.js";
import { fpBegin, fpCommit } from "./fp-env.js";
import {
  double2int,
  double2single,
  int2float,
  resultHi,
  single2double,
  single2int,
} from "./fp-convert.js";
import { F32, F64 } from "./fp-format.js";
import { slotToMm, srcMm, srcXmm, srcXmm32, srcXmm64 } from "./operands.js";
import { SLOT_RES, type SseState } from "./state.js";

type Handler = (cpu: Cpu, d: Decoded) => void;
const pair = new Int32Array(2);

/** The integer source of CVTSI2SS/SD: r/m32 (sign-extended) or r/m64. */
function intSource(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    pair[0] = cpu.readModrm64(d);
    pair[1] = cpu.valueHi;
  } else {
    pair[0] = cpu.readModrm32(d);
    pair[1] = pair[0] >> 31;
  }
}

// CVTSI2SS xmm, r/m32|64; CVTSI2SD xmm, r/m32|64.
defineOp0F(0x2a, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  sseCheck(cpu);
  intSource(cpu, d);
  fpBegin(cpu.fpu.mxcsr);
  const bits = int2float(pair[0], pair[1], F32);
  fpCommit(cpu);
  cpu.sse.u32[d.reg * 4] = bits;
});
defineOp0F(0x2a, { modrm: true, prefix: 0xf2 }, (cpu, d) => {
  sseCheck(cpu);
  intSource(cpu, d);
  fpBegin(cpu.fpu.mxcsr);
  const lo = int2float(pair[0], pair[1], F64);
  const hi = resultHi;
  fpCommit(cpu);
  cpu.sse.u32[d.reg * 4] = lo;
  cpu.sse.u32[d.reg * 4 + 1] = hi;
});

/** The MMX/m64 source of CVTPI2PS/PD: a register source is an MMX instruction too. */
function mmSource(cpu: Cpu, d: Decoded): number {
  sseCheck(cpu);
  if (d.mod === 3) {
    pendingX87Check(cpu);
    enterMmx(cpu);
  }
  return srcMm(cpu, d);
}
// CVTPI2PS xmm, mm/m64: dwords 0-1 converted, 2-3 unchanged.
defineOp0F(0x2a, { modrm: true }, (cpu, d) => {
  const s = mmSource(cpu, d);
  const i = cpu.sse.i32;
  const u = cpu.sse.u32;
  fpBegin(cpu.fpu.mxcsr);
  const a = int2float(i[s * 4], i[s * 4] >> 31, F32);
  const b = int2float(i[s * 4 + 1], i[s * 4 + 1] >> 31, F32);
  fpCommit(cpu);
  u[d.reg * 4] = a;
  u[d.reg * 4 + 1] = b;
});
// CVTPI2PD xmm, mm/m64: exact.
defineOp0F(0x2a, { modrm: true, prefix: 0x66 }, (cpu, d) => {
  const s = mmSource(cpu, d);
  const x = cpu.sse;
  const a = x.i32[s * 4];
  const b = x.i32[s * 4 + 1];
  x.f64[d.reg * 2] = a;
  x.f64[d.reg * 2 + 1] = b;
});

/** Writes a 32- or 64-bit integer result to GPR `n`. */
function setIntResult(cpu: Cpu, n: number, lo: number, hi: number, bits: number): void {
  cpu.setReg64(n, lo, bits === 64 ? hi : 0);
}

// CVT(T)SS2SI r, xmm/m32 and CVT(T)SD2SI r, xmm/m64.
function toGpr(wide: boolean, truncate: boolean): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const s = wide ? srcXmm64(cpu, d) : srcXmm32(cpu, d);
    const u = cpu.sse.u32;
    const bits = d.opSize === 64 ? 64 : 32;
    fpBegin(cpu.fpu.mxcsr);
    const lo = wide
      ? double2int(u[s * 4], u[s * 4 + 1], truncate, bits)
      : single2int(u[s * 4], truncate, bits);
    const hi = resultHi;
    fpCommit(cpu);
    setIntResult(cpu, d.reg, lo, hi, bits);
  };
}
defineOp0F(0x2d, { modrm: true, prefix: 0xf3 }, toGpr(false, false));
defineOp0F(0x2c, { modrm: true, prefix: 0xf3 }, toGpr(false, true));
defineOp0F(0x2d, { modrm: true, prefix: 0xf2 }, toGpr(true, false));
defineOp0F(0x2c, { modrm: true, prefix: 0xf2 }, toGpr(true, true));

/** `lanes` float lanes of slot s → int32 lanes of SLOT_RES. */
function floatsToInts(x: SseState, s: number, wide: boolean, lanes: number, truncate: boolean) {
  const u = x.u32;
  for (let i = 0; i < lanes; i++) {
    u[SLOT_RES * 4 + i] = wide
      ? double2int(u[s * 4 + 2 * i], u[s * 4 + 2 * i + 1], truncate, 32)
      : single2int(u[s * 4 + i], truncate, 32);
  }
}

// CVT(T)PS2PI mm, xmm/m64 and CVT(T)PD2PI mm, xmm/m128: the destination is an MMX register.
function toMmx(wide: boolean, truncate: boolean): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    pendingX87Check(cpu);
    const s = wide ? srcXmm(cpu, d) : srcXmm64(cpu, d);
    fpBegin(cpu.fpu.mxcsr);
    floatsToInts(cpu.sse, s, wide, 2, truncate);
    fpCommit(cpu);
    slotToMm(cpu, SLOT_RES, d.reg);
    enterMmx(cpu);
  };
}
defineOp0F(0x2d, { modrm: true }, toMmx(false, false));
defineOp0F(0x2c, { modrm: true }, toMmx(false, true));
defineOp0F(0x2d, { modrm: true, prefix: 0x66 }, toMmx(true, false));
defineOp0F(0x2c, { modrm: true, prefix: 0x66 }, toMmx(true, true));

// CVTPS2DQ / CVTTPS2DQ xmm, xmm/m128 (4 lanes); CVTPD2DQ / CVTTPD2DQ (2 lanes, upper zeroed).
function toInts(wide: boolean, truncate: boolean): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const s = srcXmm(cpu, d);
    const lanes = wide ? 2 : 4;
    const u = cpu.sse.u32;
    fpBegin(cpu.fpu.mxcsr);
    floatsToInts(cpu.sse, s, wide, lanes, truncate);
    fpCommit(cpu);
    for (let i = 0; i < 4; i++) u[d.reg * 4 + i] = i < lanes ? u[SLOT_RES * 4 + i] : 0;
  };
}
defineOp0F(0x5b, { modrm: true, prefix: 0x66 }, toInts(false, false));
defineOp0F(0x5b, { modrm: true, prefix: 0xf3 }, toInts(false, true));
defineOp0F(0xe6, { modrm: true, prefix: 0xf2 }, toInts(true, false));
defineOp0F(0xe6, { modrm: true, prefix: 0x66 }, toInts(true, true));

// CVTDQ2PS xmm, xmm/m128 (rounded); CVTDQ2PD xmm, xmm/m64 (exact).
defineOp0F(0x5b, { modrm: true }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const x = cpu.sse;
  fpBegin(cpu.fpu.mxcsr);
  for (let i = 0; i < 4; i++) {
    const v = x.i32[s * 4 + i];
    x.u32[SLOT_RES * 4 + i] = int2float(v, v >> 31, F32);
  }
  fpCommit(cpu);
  x.copy(d.reg, SLOT_RES);
});
defineOp0F(0xe6, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm64(cpu, d);
  const x = cpu.sse;
  const a = x.i32[s * 4];
  const b = x.i32[s * 4 + 1];
  x.f64[d.reg * 2] = a;
  x.f64[d.reg * 2 + 1] = b;
});

// CVTPS2PD xmm, xmm/m64; CVTPD2PS xmm, xmm/m128 (upper half zeroed).
defineOp0F(0x5a, { modrm: true }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm64(cpu, d);
  const u = cpu.sse.u32;
  fpBegin(cpu.fpu.mxcsr);
  for (let i = 0; i < 2; i++) {
    u[SLOT_RES * 4 + 2 * i] = single2double(u[s * 4 + i]);
    u[SLOT_RES * 4 + 2 * i + 1] = resultHi;
  }
  fpCommit(cpu);
  cpu.sse.copy(d.reg, SLOT_RES);
});
defineOp0F(0x5a, { modrm: true, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const u = cpu.sse.u32;
  fpBegin(cpu.fpu.mxcsr);
  for (let i = 0; i < 2; i++)
    u[SLOT_RES * 4 + i] = double2single(u[s * 4 + 2 * i], u[s * 4 + 2 * i + 1]);
  fpCommit(cpu);
  u[d.reg * 4] = u[SLOT_RES * 4];
  u[d.reg * 4 + 1] = u[SLOT_RES * 4 + 1];
  u[d.reg * 4 + 2] = u[d.reg * 4 + 3] = 0;
});
// CVTSS2SD xmm, xmm/m32; CVTSD2SS xmm, xmm/m64: lane 0 only.
defineOp0F(0x5a, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm32(cpu, d);
  const u = cpu.sse.u32;
  fpBegin(cpu.fpu.mxcsr);
  const lo = single2double(u[s * 4]);
  const hi = resultHi;
  fpCommit(cpu);
  u[d.reg * 4] = lo;
  u[d.reg * 4 + 1] = hi;
});
defineOp0F(0x5a, { modrm: true, prefix: 0xf2 }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm64(cpu, d);
  const u = cpu.sse.u32;
  fpBegin(cpu.fpu.mxcsr);
  const r = double2single(u[s * 4], u[s * 4 + 1]);
  fpCommit(cpu);
  u[d.reg * 4] = r;
});
