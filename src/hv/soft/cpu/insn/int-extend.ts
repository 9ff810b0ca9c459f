/**
 * MOVZX (0F B6 Gv,Eb; 0F B7 Gv,Ew) and MOVSX (0F BE Gv,Eb; 0F BF Gv,Ew).
 * No flags. With a 16-bit operand size, 0F B7/BF simply copy a word.
 * SDM vol. 2, MOVZX and MOVSX.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp0F } from "../ops.js";

function movzxGvEb(cpu: Cpu, d: Decoded): void {
  const v = cpu.readModrm8(d);
  if (d.opSize === 16) cpu.r16[d.reg << 2] = v;
  else cpu.r32[d.reg << 1] = v;
}

function movzxGvEw(cpu: Cpu, d: Decoded): void {
  const v = cpu.readModrm16(d);
  if (d.opSize === 16) cpu.r16[d.reg << 2] = v;
  else cpu.r32[d.reg << 1] = v;
}

function movsxGvEb(cpu: Cpu, d: Decoded): void {
  const v = (cpu.readModrm8(d) << 24) >> 24;
  if (d.opSize === 16) cpu.r16[d.reg << 2] = v;
  else cpu.r32[d.reg << 1] = v;
}

function movsxGvEw(cpu: Cpu, d: Decoded): void {
  const v = (cpu.readModrm16(d) << 16) >> 16;
  if (d.opSize === 16) cpu.r16[d.reg << 2] = v;
  else cpu.r32[d.reg << 1] = v;
}

defineOp0F(0xb6, { modrm: true }, movzxGvEb);
defineOp0F(0xb7, { modrm: true }, movzxGvEw);
defineOp0F(0xbe, { modrm: true }, movsxGvEb);
defineOp0F(0xbf, { modrm: true }, movsxGvEw);
