/**
 * ADD OR ADC SBB AND SUB XOR CMP in all their forms — 00-3D (Eb,Gb / Ev,Gv /
 * Gb,Eb / Gv,Ev / AL,Ib / eAX,Iz) and group 1 (80, 81, 82, 83) — and TEST
 * (84, 85, A8, A9). SDM vol. 2, the instructions' pages and appendix A.
 *
 * The operation comes from the opcode (bits 5:3) or ModRM.reg; int-alu.ts
 * computes it. CMP and TEST never write, so their memory operands are read
 * with a plain read (no write-permission check) by separate handlers.
 * LOCK is accepted (ops.ts F_LOCKABLE) only on the memory-destination forms
 * of the seven writing operations (SDM vol. 2, LOCK).
 */
import type { Cpu } from "../cpu.js";
import { REG8_OFFSET } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { setLazyLogic } from "../flags.js";
import { defineGroup, defineOp, IMM_B, IMM_BS, IMM_Z } from "../ops.js";
import { alu, ALU_CMP } from "./int-alu.js";

function opOf(d: Decoded): number {
  return (d.opcode >> 3) & 7;
}

// ---- r/m destination: 00, 01 (and 08, 09, ... 30, 31) ----

function aluEbGb(cpu: Cpu, d: Decoded): void {
  const a = cpu.readModrmRmw8(d);
  cpu.writeModrmRmw8(d, alu(cpu, opOf(d), a, cpu.r8[REG8_OFFSET[d.reg]], 8));
}

function aluEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) {
    const a = cpu.readModrmRmw16(d);
    cpu.writeModrmRmw16(d, alu(cpu, opOf(d), a, cpu.r16[d.reg << 2], 16));
  } else {
    const a = cpu.readModrmRmw32(d);
    cpu.writeModrmRmw32(d, alu(cpu, opOf(d), a, cpu.r32[d.reg << 1], 32));
  }
}

function cmpEbGb(cpu: Cpu, d: Decoded): void {
  alu(cpu, ALU_CMP, cpu.readModrm8(d), cpu.r8[REG8_OFFSET[d.reg]], 8);
}

function cmpEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) alu(cpu, ALU_CMP, cpu.readModrm16(d), cpu.r16[d.reg << 2], 16);
  else alu(cpu, ALU_CMP, cpu.readModrm32(d), cpu.r32[d.reg << 1], 32);
}

// ---- register destination: 02, 03 ... (CMP 3A, 3B only compares) ----

function aluGbEb(cpu: Cpu, d: Decoded): void {
  const b = cpu.readModrm8(d);
  const at = REG8_OFFSET[d.reg];
  cpu.r8[at] = alu(cpu, opOf(d), cpu.r8[at], b, 8);
}

function aluGvEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) {
    const b = cpu.readModrm16(d);
    cpu.r16[d.reg << 2] = alu(cpu, opOf(d), cpu.r16[d.reg << 2], b, 16);
  } else {
    const b = cpu.readModrm32(d);
    cpu.r32[d.reg << 1] = alu(cpu, opOf(d), cpu.r32[d.reg << 1], b, 32);
  }
}

function cmpGbEb(cpu: Cpu, d: Decoded): void {
  const b = cpu.readModrm8(d);
  alu(cpu, ALU_CMP, cpu.r8[REG8_OFFSET[d.reg]], b, 8);
}

function cmpGvEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) {
    const b = cpu.readModrm16(d);
    alu(cpu, ALU_CMP, cpu.r16[d.reg << 2], b, 16);
  } else {
    const b = cpu.readModrm32(d);
    alu(cpu, ALU_CMP, cpu.r32[d.reg << 1], b, 32);
  }
}

// ---- accumulator, immediate: 04, 05 ... ----

function aluAlIb(cpu: Cpu, d: Decoded): void {
  cpu.r8[0] = alu(cpu, opOf(d), cpu.r8[0], d.imm, 8);
}

function aluEaxIz(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) cpu.r16[0] = alu(cpu, opOf(d), cpu.r16[0], d.imm, 16);
  else cpu.r32[0] = alu(cpu, opOf(d), cpu.r32[0], d.imm, 32);
}

function cmpAlIb(cpu: Cpu, d: Decoded): void {
  alu(cpu, ALU_CMP, cpu.r8[0], d.imm, 8);
}

function cmpEaxIz(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) alu(cpu, ALU_CMP, cpu.r16[0], d.imm, 16);
  else alu(cpu, ALU_CMP, cpu.r32[0], d.imm, 32);
}

// ---- group 1: 80/82 Eb,Ib; 81 Ev,Iz; 83 Ev,Ib (sign-extended) ----

function grp1EbIb(cpu: Cpu, d: Decoded): void {
  const a = cpu.readModrmRmw8(d);
  cpu.writeModrmRmw8(d, alu(cpu, d.reg, a, d.imm, 8));
}

/** 81 and 83: the decoder already sized or sign-extended the immediate. */
function grp1EvI(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) {
    const a = cpu.readModrmRmw16(d);
    cpu.writeModrmRmw16(d, alu(cpu, d.reg, a, d.imm, 16));
  } else {
    const a = cpu.readModrmRmw32(d);
    cpu.writeModrmRmw32(d, alu(cpu, d.reg, a, d.imm, 32));
  }
}

function cmpEbIb(cpu: Cpu, d: Decoded): void {
  alu(cpu, ALU_CMP, cpu.readModrm8(d), d.imm, 8);
}

function cmpEvI(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) alu(cpu, ALU_CMP, cpu.readModrm16(d), d.imm, 16);
  else alu(cpu, ALU_CMP, cpu.readModrm32(d), d.imm, 32);
}

// ---- TEST: AND without storing (84, 85, A8, A9; F6/F7 /0 are in int-unary.ts) ----

function testEbGb(cpu: Cpu, d: Decoded): void {
  setLazyLogic(cpu, cpu.readModrm8(d) & cpu.r8[REG8_OFFSET[d.reg]], 8);
}

function testEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) setLazyLogic(cpu, cpu.readModrm16(d) & cpu.r16[d.reg << 2], 16);
  else setLazyLogic(cpu, cpu.readModrm32(d) & cpu.r32[d.reg << 1], 32);
}

function testAlIb(cpu: Cpu, d: Decoded): void {
  setLazyLogic(cpu, cpu.r8[0] & d.imm, 8);
}

function testEaxIz(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) setLazyLogic(cpu, cpu.r16[0] & d.imm & 0xffff, 16);
  else setLazyLogic(cpu, cpu.r32[0] & d.imm, 32);
}

// ---- registration ----

for (let op = 0; op < 8; op++) {
  const base = op << 3;
  const writes = op !== ALU_CMP;
  defineOp(base, { modrm: true, lockable: writes }, writes ? aluEbGb : cmpEbGb);
  defineOp(base + 1, { modrm: true, lockable: writes }, writes ? aluEvGv : cmpEvGv);
  defineOp(base + 2, { modrm: true }, writes ? aluGbEb : cmpGbEb);
  defineOp(base + 3, { modrm: true }, writes ? aluGvEv : cmpGvEv);
  defineOp(base + 4, { imm: IMM_B }, writes ? aluAlIb : cmpAlIb);
  defineOp(base + 5, { imm: IMM_Z }, writes ? aluEaxIz : cmpEaxIz);

  // 82 is an alias of 80 outside 64-bit mode (SDM vol. 2, table A-6).
  defineGroup(0x80, op, { imm: IMM_B, lockable: writes }, writes ? grp1EbIb : cmpEbIb);
  defineGroup(0x82, op, { imm: IMM_B, lockable: writes }, writes ? grp1EbIb : cmpEbIb);
  defineGroup(0x81, op, { imm: IMM_Z, lockable: writes }, writes ? grp1EvI : cmpEvI);
  defineGroup(0x83, op, { imm: IMM_BS, lockable: writes }, writes ? grp1EvI : cmpEvI);
}

defineOp(0x84, { modrm: true }, testEbGb);
defineOp(0x85, { modrm: true }, testEvGv);
defineOp(0xa8, { imm: IMM_B }, testAlIb);
defineOp(0xa9, { imm: IMM_Z }, testEaxIz);
