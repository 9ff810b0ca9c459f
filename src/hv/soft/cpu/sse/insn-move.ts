/**
 * SSE/SSE2/SSE3/SSE4.1 data movement (SDM vol. 2): MOVUPS/UPD/APS/APD,
 * MOVDQA/MOVDQU/LDDQU/MOVNTDQA, MOVSS/MOVSD (a register source moves one
 * lane; a memory source zeroes the rest), MOVLPS/MOVHPS/MOVLPD/MOVHPD,
 * MOVHLPS/MOVLHPS, MOVSLDUP/MOVSHDUP/MOVDDUP, the non-temporal stores
 * (MOVNTPS/PD, MOVNTDQ, MOVNTQ, MOVNTI: ordinary stores here), MOVMSKPS/PD.
 * Aligned forms raise #GP(0) for a misaligned 16-byte operand.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp0F, defineOpInMap, MAP_0F38 } from "../ops.js";
import { enterMmx, mmxCheck, sseCheck } from "./check.js";
import { srcXmm, srcXmm64, storeDword, storeQword, storeXmm, writeLinear } from "./operands.js";

type Handler = (cpu: Cpu, d: Decoded) => void;

/** xmm(reg) ← xmm/m128. */
function load(aligned: boolean): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    cpu.sse.copy(d.reg, srcXmm(cpu, d, aligned));
  };
}
/** xmm/m128 ← xmm(reg). */
function store(aligned: boolean): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    if (d.mod === 3) cpu.sse.copy(d.rm, d.reg);
    else storeXmm(cpu, d, d.reg, aligned);
  };
}

defineOp0F(0x10, { modrm: true }, load(false)); // MOVUPS
defineOp0F(0x10, { modrm: true, prefix: 0x66 }, load(false)); // MOVUPD
defineOp0F(0x11, { modrm: true }, store(false));
defineOp0F(0x11, { modrm: true, prefix: 0x66 }, store(false));
defineOp0F(0x28, { modrm: true }, load(true)); // MOVAPS
defineOp0F(0x28, { modrm: true, prefix: 0x66 }, load(true)); // MOVAPD
defineOp0F(0x29, { modrm: true }, store(true));
defineOp0F(0x29, { modrm: true, prefix: 0x66 }, store(true));
defineOp0F(0x6f, { modrm: true, prefix: 0x66 }, load(true)); // MOVDQA
defineOp0F(0x6f, { modrm: true, prefix: 0xf3 }, load(false)); // MOVDQU
defineOp0F(0x7f, { modrm: true, prefix: 0x66 }, store(true));
defineOp0F(0x7f, { modrm: true, prefix: 0xf3 }, store(false));
defineOp0F(0xf0, { modrm: true, mod: "mem", prefix: 0xf2 }, load(false)); // LDDQU
defineOpInMap(MAP_0F38, 0x2a, -1, { modrm: true, mod: "mem", prefix: 0x66 }, load(true)); // MOVNTDQA
defineOp0F(0x2b, { modrm: true, mod: "mem" }, store(true)); // MOVNTPS
defineOp0F(0x2b, { modrm: true, mod: "mem", prefix: 0x66 }, store(true)); // MOVNTPD
defineOp0F(0xe7, { modrm: true, mod: "mem", prefix: 0x66 }, store(true)); // MOVNTDQ

// MOVNTQ m64, mm (MMX rules).
defineOp0F(0xe7, { modrm: true, mod: "mem" }, (cpu, d) => {
  mmxCheck(cpu);
  const r = cpu.fpu.regs[d.reg & 7];
  const lin = writeLinear(cpu, d, 8, false);
  cpu.write32(lin, r.lo);
  cpu.write32(lin + 4, r.hi);
  enterMmx(cpu);
});

// MOVNTI m32/m64, r32/r64: an integer store, no SSE state involved.
defineOp0F(0xc3, { modrm: true, mod: "mem" }, (cpu, d) => {
  if (d.opSize === 64) {
    const lin = writeLinear(cpu, d, 8, false);
    cpu.write32(lin, cpu.r32[d.reg << 1]);
    cpu.write32(lin + 4, cpu.r32[(d.reg << 1) + 1]);
  } else {
    cpu.write32(cpu.eaWrite(d, 4), cpu.getReg32(d.reg));
  }
});

// ---- MOVSS / MOVSD ----
defineOp0F(0x10, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  if (d.mod === 3) {
    u[d.reg * 4] = u[d.rm * 4];
    return;
  }
  const v = cpu.read32(cpu.eaRead(d, 4));
  cpu.sse.zero(d.reg);
  u[d.reg * 4] = v;
});
defineOp0F(0x11, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  if (d.mod === 3) u[d.rm * 4] = u[d.reg * 4];
  else storeDword(cpu, d, d.reg, 0);
});
defineOp0F(0x10, { modrm: true, prefix: 0xf2 }, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  const s = srcXmm64(cpu, d);
  const lo = u[s * 4];
  const hi = u[s * 4 + 1];
  if (d.mod !== 3) cpu.sse.zero(d.reg);
  u[d.reg * 4] = lo;
  u[d.reg * 4 + 1] = hi;
});
defineOp0F(0x11, { modrm: true, prefix: 0xf2 }, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  if (d.mod === 3) {
    u[d.rm * 4] = u[d.reg * 4];
    u[d.rm * 4 + 1] = u[d.reg * 4 + 1];
  } else {
    storeQword(cpu, d, d.reg, 0);
  }
});

// ---- Half moves ----

/** Qword `q` of xmm(reg) ← m64 (MOVLPS/MOVLPD q = 0, MOVHPS/MOVHPD q = 1). */
function loadHalf(q: number): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const s = srcXmm64(cpu, d);
    const u = cpu.sse.u32;
    u[d.reg * 4 + 2 * q] = u[s * 4];
    u[d.reg * 4 + 2 * q + 1] = u[s * 4 + 1];
  };
}
/** m64 ← qword `q` of xmm(reg). */
function storeHalf(q: number): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    storeQword(cpu, d, d.reg, q);
  };
}
/** Register form: qword `to` of xmm(reg) ← qword `from` of xmm(rm) (MOVHLPS, MOVLHPS). */
function moveHalf(to: number, from: number): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const u = cpu.sse.u32;
    const lo = u[d.rm * 4 + 2 * from];
    const hi = u[d.rm * 4 + 2 * from + 1];
    u[d.reg * 4 + 2 * to] = lo;
    u[d.reg * 4 + 2 * to + 1] = hi;
  };
}
defineOp0F(0x12, { modrm: true, mod: "mem" }, loadHalf(0)); // MOVLPS
defineOp0F(0x12, { modrm: true, mod: "reg" }, moveHalf(0, 1)); // MOVHLPS
defineOp0F(0x12, { modrm: true, mod: "mem", prefix: 0x66 }, loadHalf(0)); // MOVLPD
defineOp0F(0x13, { modrm: true, mod: "mem" }, storeHalf(0));
defineOp0F(0x13, { modrm: true, mod: "mem", prefix: 0x66 }, storeHalf(0));
defineOp0F(0x16, { modrm: true, mod: "mem" }, loadHalf(1)); // MOVHPS
defineOp0F(0x16, { modrm: true, mod: "reg" }, moveHalf(1, 0)); // MOVLHPS
defineOp0F(0x16, { modrm: true, mod: "mem", prefix: 0x66 }, loadHalf(1)); // MOVHPD
defineOp0F(0x17, { modrm: true, mod: "mem" }, storeHalf(1));
defineOp0F(0x17, { modrm: true, mod: "mem", prefix: 0x66 }, storeHalf(1));

// ---- SSE3 duplicating moves ----

/** MOVSLDUP (odd = 0) / MOVSHDUP (odd = 1): dwords 2k and 2k+1 ← source dword 2k + odd. */
function dupDwords(odd: number): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const s = srcXmm(cpu, d);
    const u = cpu.sse.u32;
    const a = u[s * 4 + odd];
    const b = u[s * 4 + 2 + odd];
    u[d.reg * 4] = u[d.reg * 4 + 1] = a;
    u[d.reg * 4 + 2] = u[d.reg * 4 + 3] = b;
  };
}
defineOp0F(0x12, { modrm: true, prefix: 0xf3 }, dupDwords(0));
defineOp0F(0x16, { modrm: true, prefix: 0xf3 }, dupDwords(1));
// MOVDDUP xmm, xmm/m64: both qwords ← the source's low qword.
defineOp0F(0x12, { modrm: true, prefix: 0xf2 }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm64(cpu, d);
  const u = cpu.sse.u32;
  const lo = u[s * 4];
  const hi = u[s * 4 + 1];
  u[d.reg * 4] = u[d.reg * 4 + 2] = lo;
  u[d.reg * 4 + 1] = u[d.reg * 4 + 3] = hi;
});

// ---- Sign masks ----
defineOp0F(0x50, { modrm: true, mod: "reg" }, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  let m = 0;
  for (let i = 0; i < 4; i++) m |= (u[d.rm * 4 + i] >>> 31) << i;
  cpu.setReg32(d.reg, m);
});
defineOp0F(0x50, { modrm: true, mod: "reg", prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  cpu.setReg32(d.reg, (u[d.rm * 4 + 1] >>> 31) | ((u[d.rm * 4 + 3] >>> 31) << 1));
});
