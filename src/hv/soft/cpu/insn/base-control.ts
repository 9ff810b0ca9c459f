/**
 * Near control transfers: Jcc, JMP, CALL, RET, LOOP/LOOPE/LOOPNE, JCXZ
 * (SDM vol. 2). Relative targets are computed from `cpu.eip`, which already
 * points at the next instruction, and truncated to the operand size.
 * The target is checked against the CS limit *before* anything is pushed
 * or popped, so a #GP leaves the stack untouched.
 */
import { ECX, SEG_CS } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { raiseGP } from "../fault.js";
import { getZF, testCondition } from "../flags.js";
import { defineGroup, defineOp, defineOpRange, IMM_BS, IMM_W, IMM_Z, MAP_0F } from "../ops.js";

const BRANCH = { endsBlock: true } as const;

/** Truncates a near target to the operand size and checks it against the CS limit. */
function checkedTarget(cpu: Cpu, target: number, opSize: number): number {
  const t = opSize === 16 ? target & 0xffff : target >>> 0;
  if (t > cpu.segLimit[SEG_CS]) raiseGP(cpu, 0);
  return t;
}

// ---- Jcc / JMP ----

function jcc(cpu: Cpu, d: Decoded): void {
  if (testCondition(cpu, d.opcode & 0xf)) cpu.jumpNear(cpu.eip + d.imm, d.opSize);
}
defineOpRange(0x70, 16, { imm: IMM_BS, endsBlock: true }, jcc);
defineOpRange(0x80, 16, { imm: IMM_Z, endsBlock: true }, jcc, MAP_0F);

function jmpRel(cpu: Cpu, d: Decoded): void {
  cpu.jumpNear(cpu.eip + d.imm, d.opSize);
}
defineOp(0xeb, { imm: IMM_BS, endsBlock: true }, jmpRel);
defineOp(0xe9, { imm: IMM_Z, endsBlock: true }, jmpRel);

/** JMP r/m (FF /4). */
function jmpEv(cpu: Cpu, d: Decoded): void {
  const target = d.opSize === 16 ? cpu.readModrm16(d) : cpu.readModrm32(d);
  cpu.jumpNear(target, d.opSize);
}
defineGroup(0xff, 4, BRANCH, jmpEv);

// ---- CALL / RET ----

function callRel(cpu: Cpu, d: Decoded): void {
  const t = checkedTarget(cpu, cpu.eip + d.imm, d.opSize);
  cpu.pushOp(d.opSize, cpu.eip);
  cpu.eip = t;
}
defineOp(0xe8, { imm: IMM_Z, endsBlock: true }, callRel);

/** CALL r/m (FF /2). */
function callEv(cpu: Cpu, d: Decoded): void {
  const target = d.opSize === 16 ? cpu.readModrm16(d) : cpu.readModrm32(d);
  const t = checkedTarget(cpu, target, d.opSize);
  cpu.pushOp(d.opSize, cpu.eip);
  cpu.eip = t;
}
defineGroup(0xff, 2, BRANCH, callEv);

function retNear(cpu: Cpu, d: Decoded): void {
  const size = d.opSize >> 3;
  const target = size === 2 ? cpu.stackRead16(0) : cpu.stackRead32(0);
  const t = checkedTarget(cpu, target, d.opSize);
  cpu.adjustSp(size + d.imm);
  cpu.eip = t;
}
defineOp(0xc3, BRANCH, retNear);
defineOp(0xc2, { imm: IMM_W, endsBlock: true }, retNear);

// ---- LOOP family and JCXZ (count register by address size) ----

/** Decrements CX/ECX (by address size) and returns the new value. */
function decCount(cpu: Cpu, d: Decoded): number {
  if (d.addrSize === 16) {
    const c = (cpu.r16[ECX << 2] - 1) & 0xffff;
    cpu.r16[ECX << 2] = c;
    return c;
  }
  const c = (cpu.r32[ECX << 1] - 1) | 0;
  cpu.r32[ECX << 1] = c;
  return c;
}

/**
 * E0 LOOPNE, E1 LOOPE, E2 LOOP. The target is checked before the count is
 * written back, so a #GP restarts the instruction with the count intact.
 */
function loop(cpu: Cpu, d: Decoded): void {
  const count = d.addrSize === 16 ? (cpu.r16[ECX << 2] - 1) & 0xffff : (cpu.r32[ECX << 1] - 1) | 0;
  let taken = count !== 0;
  if (d.opcode === 0xe0) taken = taken && getZF(cpu) === 0;
  else if (d.opcode === 0xe1) taken = taken && getZF(cpu) !== 0;
  const t = taken ? checkedTarget(cpu, cpu.eip + d.imm, d.opSize) : 0;
  decCount(cpu, d);
  if (taken) cpu.eip = t;
}
defineOpRange(0xe0, 3, { imm: IMM_BS, endsBlock: true }, loop);

/** JCXZ / JECXZ. */
function jcxz(cpu: Cpu, d: Decoded): void {
  const count = d.addrSize === 16 ? cpu.r16[ECX << 2] : cpu.r32[ECX << 1];
  if (count === 0) cpu.jumpNear(cpu.eip + d.imm, d.opSize);
}
defineOp(0xe3, { imm: IMM_BS, endsBlock: true }, jcxz);
