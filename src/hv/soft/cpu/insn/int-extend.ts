/**
 * MOVZX (0F B6 Gv,Eb; 0F B7 Gv,Ew), MOVSX (0F BE Gv,Eb; 0F BF Gv,Ew) and,
 * in 64-bit mode, MOVSXD (63 Gv,Ed). No flags. With a 16-bit operand size,
 * 0F B7/BF simply copy a word. SDM vol. 2, MOVZX, MOVSX/MOVSXD.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp0F, defineOp64 } from "../ops.js";

/** Stores a zero- or sign-extended value (an int32 or smaller) in Gv. */
function storeExtended(cpu: Cpu, d: Decoded, v: number, signed: boolean): void {
  if (d.opSize === 16) cpu.r16[d.reg << 2] = v;
  else if (d.opSize === 32) cpu.setReg32(d.reg, v);
  else cpu.setReg64(d.reg, v, signed ? v >> 31 : 0);
}

function movzxGvEb(cpu: Cpu, d: Decoded): void {
  storeExtended(cpu, d, cpu.readModrm8(d), false);
}

function movzxGvEw(cpu: Cpu, d: Decoded): void {
  storeExtended(cpu, d, cpu.readModrm16(d), false);
}

function movsxGvEb(cpu: Cpu, d: Decoded): void {
  storeExtended(cpu, d, (cpu.readModrm8(d) << 24) >> 24, true);
}

function movsxGvEw(cpu: Cpu, d: Decoded): void {
  storeExtended(cpu, d, (cpu.readModrm16(d) << 16) >> 16, true);
}

/**
 * MOVSXD Gv, Ed (63 in 64-bit mode, ARPL elsewhere): sign-extends a dword
 * with REX.W; without it the dword (or word) is simply moved.
 */
function movsxd(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) cpu.r16[d.reg << 2] = cpu.readModrm16(d);
  else storeExtended(cpu, d, cpu.readModrm32(d), true);
}

defineOp0F(0xb6, { modrm: true }, movzxGvEb);
defineOp0F(0xb7, { modrm: true }, movzxGvEw);
defineOp0F(0xbe, { modrm: true }, movsxGvEb);
defineOp0F(0xbf, { modrm: true }, movsxGvEw);
defineOp64(0x63, { modrm: true }, movsxd);
