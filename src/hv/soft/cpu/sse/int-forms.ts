/**
 * Registration helpers for packed integer instructions that exist as an
 * XMM form (66 0F xx, 16 bytes, m128 aligned) and possibly an MMX form
 * (0F xx, 8 bytes: the SSE/SSE2 additions to MMX such as PAVGB mm, PADDQ mm,
 * and every SSSE3 instruction).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOpInMap, MAP_0F, type OpSpec } from "../ops.js";
import { enterMmx, mmxCheck, requireOsfxsr, sseCheck } from "./check.js";
import type { IntOp } from "./int-ops.js";
import { mmToSlot, slotToMm, srcMm, srcXmm } from "./operands.js";
import { SLOT_MM } from "./state.js";

/** XMM form: xmm(reg) ← op(xmm(reg), xmm/m128). */
export function xmmHandler(op: IntOp): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    sseCheck(cpu);
    const src = srcXmm(cpu, d);
    op(cpu.sse, d.reg, src, 16);
  };
}

/**
 * MMX form: mm(reg) ← op(mm(reg), mm/m64). `osfxsr`: the instruction also
 * needs CR4.OSFXSR (SSSE3's MMX forms are "exception type 4"; the SSE/SSE2
 * additions to MMX follow the plain MMX rules).
 */
export function mmxHandler(op: IntOp, osfxsr = false): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    if (osfxsr) requireOsfxsr(cpu);
    mmxCheck(cpu);
    const src = srcMm(cpu, d);
    mmToSlot(cpu, d.reg, SLOT_MM);
    op(cpu.sse, SLOT_MM, src, 8);
    slotToMm(cpu, SLOT_MM, d.reg);
    enterMmx(cpu);
  };
}

/**
 * Registers `op` in `map` (MAP_0F, MAP_0F38, MAP_0F3A) at `opcode`: the 66
 * XMM form, and with `mmx` the unprefixed MMX form too. `spec` adds decode
 * details (an immediate).
 */
export function defineInt(
  map: number,
  opcode: number,
  op: IntOp,
  mmx: boolean,
  spec: OpSpec = {},
): void {
  defineOpInMap(map, opcode, -1, { ...spec, modrm: true, prefix: 0x66 }, xmmHandler(op));
  if (mmx) {
    const handler = mmxHandler(op, map !== MAP_0F);
    defineOpInMap(map, opcode, -1, { ...spec, modrm: true }, handler);
  }
}
