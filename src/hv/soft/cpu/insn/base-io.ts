/**
 * Port I/O: IN and OUT with an immediate port or DX (SDM vol. 2, IN/OUT).
 * The permission check (IOPL, TSS bitmap) is in `Cpu.portIn/portOut`.
 * REX.W does not widen them: a 64-bit operand size acts as 32 (EAX, zero-extended).
 */
import { EAX, EDX } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp, IMM_B } from "../ops.js";

/** Port operand: the immediate for E4-E7, DX for EC-EF. */
function port(cpu: Cpu, d: Decoded): number {
  return (d.opcode & 0x08) !== 0 ? cpu.r16[EDX << 2] : d.imm;
}

function inAl(cpu: Cpu, d: Decoded): void {
  cpu.r8[0] = cpu.portIn(port(cpu, d), 1);
}
function inAx(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) cpu.r16[EAX << 2] = cpu.portIn(port(cpu, d), 2);
  else cpu.setReg32(EAX, cpu.portIn(port(cpu, d), 4));
}
function outAl(cpu: Cpu, d: Decoded): void {
  cpu.portOut(port(cpu, d), 1, cpu.r8[0]);
}
function outAx(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) cpu.portOut(port(cpu, d), 2, cpu.r16[EAX << 2]);
  else cpu.portOut(port(cpu, d), 4, cpu.r32[EAX << 1]);
}
defineOp(0xe4, { imm: IMM_B }, inAl);
defineOp(0xe5, { imm: IMM_B }, inAx);
defineOp(0xe6, { imm: IMM_B }, outAl);
defineOp(0xe7, { imm: IMM_B }, outAx);
defineOp(0xec, {}, inAl);
defineOp(0xed, {}, inAx);
defineOp(0xee, {}, outAl);
defineOp(0xef, {}, outAx);
