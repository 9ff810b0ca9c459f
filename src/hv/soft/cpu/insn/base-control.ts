/**
 * Near control transfers: Jcc, JMP, CALL, RET, LOOP/LOOPE/LOOPNE, JCXZ
 * (SDM vol. 2). Relative targets are computed from `cpu.eip`, which already
 * points at the next instruction, and truncated to the operand size.
 * The target is checked against the CS limit *before* anything is pushed
 * or popped, so a #GP leaves the stack untouched. In 64-bit mode near
 * branches always have a 64-bit operand size ("f64"), RIP is a signed
 * number and the check is the canonical one; LOOP/JrCXZ count in RCX (ECX
 * with 67h).
 */
import { CANONICAL_LIMIT, ECX, SEG_CS } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { raiseGP } from "../fault.js";
import { getZF, testCondition } from "../flags.js";
import { TWO32 } from "../int64.js";
import { defineGroup, defineOp, defineOpRange, IMM_BS, IMM_W, IMM_Z, MAP_0F } from "../ops.js";

const BRANCH = { endsBlock: true, force64: true } as const;

/** Truncates a near target to the operand size and checks it against the CS limit (canonical in 64-bit mode). */
function checkedTarget(cpu: Cpu, target: number, opSize: number): number {
  if (opSize === 64) {
    if (target < -CANONICAL_LIMIT || target >= CANONICAL_LIMIT) raiseGP(cpu, 0);
    return target;
  }
  const t = opSize === 16 ? target & 0xffff : target >>> 0;
  if (t > cpu.segLimit[SEG_CS] && !cpu.mode64) raiseGP(cpu, 0);
  return t;
}

/** The near target in r/m (FF /2, FF /4): a 64-bit operand becomes a signed number. */
function targetEv(cpu: Cpu, d: Decoded): number {
  if (d.opSize === 64) {
    const lo = cpu.readModrm64(d);
    return cpu.valueHi * TWO32 + (lo >>> 0);
  }
  return d.opSize === 16 ? cpu.readModrm16(d) : cpu.readModrm32(d);
}

// ---- Jcc / JMP ----

function jcc(cpu: Cpu, d: Decoded): void {
  if (testCondition(cpu, d.opcode & 0xf)) cpu.jumpNear(cpu.eip + d.imm, d.opSize);
}
defineOpRange(0x70, 16, { imm: IMM_BS, ...BRANCH }, jcc);
defineOpRange(0x80, 16, { imm: IMM_Z, ...BRANCH }, jcc, MAP_0F);

function jmpRel(cpu: Cpu, d: Decoded): void {
  cpu.jumpNear(cpu.eip + d.imm, d.opSize);
}
defineOp(0xeb, { imm: IMM_BS, ...BRANCH }, jmpRel);
defineOp(0xe9, { imm: IMM_Z, ...BRANCH }, jmpRel);

/** JMP r/m (FF /4). */
function jmpEv(cpu: Cpu, d: Decoded): void {
  cpu.jumpNear(targetEv(cpu, d), d.opSize);
}
defineGroup(0xff, 4, BRANCH, jmpEv);

// ---- CALL / RET ----

function callRel(cpu: Cpu, d: Decoded): void {
  const t = checkedTarget(cpu, cpu.eip + d.imm, d.opSize);
  cpu.pushOp(d.opSize, cpu.eip);
  cpu.eip = t;
}
defineOp(0xe8, { imm: IMM_Z, ...BRANCH }, callRel);

/** CALL r/m (FF /2). */
function callEv(cpu: Cpu, d: Decoded): void {
  const t = checkedTarget(cpu, targetEv(cpu, d), d.opSize);
  cpu.pushOp(d.opSize, cpu.eip);
  cpu.eip = t;
}
defineGroup(0xff, 2, BRANCH, callEv);

function retNear(cpu: Cpu, d: Decoded): void {
  const size = d.opSize >> 3;
  let target: number;
  if (size === 8) {
    const lo = cpu.stackRead64(0);
    target = cpu.valueHi * TWO32 + (lo >>> 0);
  } else {
    target = size === 2 ? cpu.stackRead16(0) : cpu.stackRead32(0);
  }
  const t = checkedTarget(cpu, target, d.opSize);
  cpu.adjustSp(size + d.imm);
  cpu.eip = t;
}
defineOp(0xc3, BRANCH, retNear);
defineOp(0xc2, { imm: IMM_W, ...BRANCH }, retNear);

// ---- LOOP family and JCXZ (count register by address size) ----

/** Decrements CX/ECX/RCX (by address size). */
function decCount(cpu: Cpu, d: Decoded): void {
  if (d.addrSize === 16) {
    cpu.r16[ECX << 2] = (cpu.r16[ECX << 2] - 1) & 0xffff;
  } else if (d.addrSize === 32) {
    cpu.setReg32(ECX, (cpu.r32[ECX << 1] - 1) | 0);
  } else {
    const lo = cpu.r32[ECX << 1];
    cpu.r32[ECX << 1] = (lo - 1) | 0;
    if (lo === 0) cpu.r32[(ECX << 1) | 1] = (cpu.r32[(ECX << 1) | 1] - 1) | 0;
  }
}

/** Whether the count register (by address size) is 1, i.e. becomes 0 when decremented. */
function countIsOne(cpu: Cpu, d: Decoded): boolean {
  if (d.addrSize === 16) return cpu.r16[ECX << 2] === 1;
  if (d.addrSize === 32) return cpu.r32[ECX << 1] === 1;
  return cpu.r32[ECX << 1] === 1 && cpu.r32[(ECX << 1) | 1] === 0;
}

/**
 * E0 LOOPNE, E1 LOOPE, E2 LOOP. The target is checked before the count is
 * written back, so a #GP restarts the instruction with the count intact.
 */
function loop(cpu: Cpu, d: Decoded): void {
  let taken = !countIsOne(cpu, d);
  if (d.opcode === 0xe0) taken = taken && getZF(cpu) === 0;
  else if (d.opcode === 0xe1) taken = taken && getZF(cpu) !== 0;
  const t = taken ? checkedTarget(cpu, cpu.eip + d.imm, d.opSize) : 0;
  decCount(cpu, d);
  if (taken) cpu.eip = t;
}
defineOpRange(0xe0, 3, { imm: IMM_BS, ...BRANCH }, loop);

/** JCXZ / JECXZ / JRCXZ. */
function jcxz(cpu: Cpu, d: Decoded): void {
  let zero: boolean;
  if (d.addrSize === 16) zero = cpu.r16[ECX << 2] === 0;
  else if (d.addrSize === 32) zero = cpu.r32[ECX << 1] === 0;
  else zero = (cpu.r32[ECX << 1] | cpu.r32[(ECX << 1) | 1]) === 0;
  if (zero) cpu.jumpNear(cpu.eip + d.imm, d.opSize);
}
defineOp(0xe3, { imm: IMM_BS, ...BRANCH }, jcxz);
