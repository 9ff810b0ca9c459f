/**
 * Moves between XMM registers and general registers, memory and MMX
 * registers (SDM vol. 2): MOVD/MOVQ (66 0F 6E/7E; REX.W selects 64 bits),
 * MOVQ xmm, xmm/m64 (F3 0F 7E), MOVQ xmm/m64, xmm (66 0F D6), MOVQ2DQ and
 * MOVDQ2Q (F3/F2 0F D6), and the byte-masked stores MASKMOVDQU/MASKMOVQ to
 * DS:(E/R)DI.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { EDI, SEG_DS } from "../constants.js";
import { defineOp0F } from "../ops.js";
import { enterMmx, mmxCheck, pendingX87Check, sseCheck } from "./check.js";
import { mmToSlot, slotToMm, srcXmm64, storeQword } from "./operands.js";
import { SLOT_MM, SLOT_SRC2, type SseState } from "./state.js";
import { SEG_ACCESS_WRITE } from "../state.js";

/** xmm(n) ← the qword hi:lo, upper qword zeroed. */
function setLowQword(x: SseState, n: number, lo: number, hi: number): void {
  const u = x.u32;
  u[n * 4] = lo;
  u[n * 4 + 1] = hi;
  u[n * 4 + 2] = 0;
  u[n * 4 + 3] = 0;
}

// MOVD xmm, r/m32 / MOVQ xmm, r/m64 (66 0F 6E): zero-extended.
defineOp0F(0x6e, { modrm: true, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  if (d.opSize === 64) {
    const lo = cpu.readModrm64(d);
    setLowQword(cpu.sse, d.reg, lo, cpu.valueHi);
  } else {
    setLowQword(cpu.sse, d.reg, cpu.readModrm32(d), 0);
  }
});
// MOVD r/m32, xmm / MOVQ r/m64, xmm (66 0F 7E).
defineOp0F(0x7e, { modrm: true, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  if (d.opSize === 64) {
    cpu.writeModrm64(d, u[d.reg * 4], u[d.reg * 4 + 1]);
  } else {
    cpu.writeModrm32(d, u[d.reg * 4]);
  }
});
// MOVQ xmm, xmm/m64 (F3 0F 7E): upper qword zeroed.
defineOp0F(0x7e, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm64(cpu, d);
  const u = cpu.sse.u32;
  setLowQword(cpu.sse, d.reg, u[s * 4], u[s * 4 + 1]);
});
// MOVQ xmm/m64, xmm (66 0F D6): a register destination gets its upper qword zeroed.
defineOp0F(0xd6, { modrm: true, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  if (d.mod === 3) setLowQword(cpu.sse, d.rm, u[d.reg * 4], u[d.reg * 4 + 1]);
  else storeQword(cpu, d, d.reg, 0);
});

/** Checks of the mixed MMX/XMM moves: SSE availability, pending x87 exception, MMX transition. */
function mixedCheck(cpu: Cpu): void {
  sseCheck(cpu);
  pendingX87Check(cpu);
}
// MOVQ2DQ xmm, mm (F3 0F D6).
defineOp0F(0xd6, { modrm: true, mod: "reg", prefix: 0xf3 }, (cpu, d) => {
  mixedCheck(cpu);
  mmToSlot(cpu, d.rm, SLOT_MM);
  const u = cpu.sse.u32;
  setLowQword(cpu.sse, d.reg, u[SLOT_MM * 4], u[SLOT_MM * 4 + 1]);
  enterMmx(cpu);
});
// MOVDQ2Q mm, xmm (F2 0F D6).
defineOp0F(0xd6, { modrm: true, mod: "reg", prefix: 0xf2 }, (cpu, d) => {
  mixedCheck(cpu);
  slotToMm(cpu, d.rm, d.reg);
  enterMmx(cpu);
});

/**
 * Linear address of the implicit DS:(E/R)DI operand of MASKMOVDQU/MASKMOVQ
 * (segment override allowed), checked for a `size`-byte write.
 */
function maskMoveLinear(cpu: Cpu, d: Decoded, size: number): number {
  const seg = d.segOverride >= 0 ? d.segOverride : SEG_DS;
  const off =
    d.addrSize === 64
      ? cpu.reg64Number(EDI)
      : d.addrSize === 16
        ? cpu.r16[EDI << 2]
        : cpu.r32[EDI << 1] >>> 0;
  return cpu.segLinear(seg, off, size, SEG_ACCESS_WRITE);
}

/** Stores the bytes of slot `data` whose byte in slot `mask` has its top bit set. */
function maskedStore(cpu: Cpu, d: Decoded, data: number, mask: number, n: number): void {
  const v = cpu.sse.u8;
  let any = false;
  for (let i = 0; i < n; i++) if (v[mask * 16 + i] >= 0x80) any = true;
  const lin = maskMoveLinear(cpu, d, n);
  if (!any) return;
  cpu.checkWritable(lin, n);
  for (let i = 0; i < n; i++) {
    if (v[mask * 16 + i] >= 0x80) cpu.write8(lin + i, v[data * 16 + i]);
  }
}

// MASKMOVDQU xmm1, xmm2 (66 0F F7): xmm2 is the mask.
defineOp0F(0xf7, { modrm: true, mod: "reg", prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  maskedStore(cpu, d, d.reg, d.rm, 16);
});
// MASKMOVQ mm1, mm2 (0F F7).
defineOp0F(0xf7, { modrm: true, mod: "reg" }, (cpu, d) => {
  mmxCheck(cpu);
  mmToSlot(cpu, d.reg, SLOT_MM);
  mmToSlot(cpu, d.rm, SLOT_SRC2);
  maskedStore(cpu, d, SLOT_MM, SLOT_SRC2, 8);
  enterMmx(cpu);
});
