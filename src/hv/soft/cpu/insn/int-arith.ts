/**
 * ADD OR ADC SBB AND SUB XOR CMP in all their forms — 00-3D (Eb,Gb / Ev,Gv /
 * Gb,Eb / Gv,Ev / AL,Ib / eAX,Iz) and group 1 (80, 81, 82, 83) — and TEST
 * (84, 85, A8, A9). SDM vol. 2, the instructions' pages and appendix A.
 *
 * The operation comes from the opcode (bits 5:3) or ModRM.reg; int-alu.ts
 * computes it. CMP and TEST never write, so their memory operands are read
 * with a plain read (no write-permission check) by separate handlers.
 * LOCK is accepted (ops.ts F_LOCKABLE) only on the memory-destination forms
 * of the seven writing operations (SDM vol. 2, LOCK). With REX.W the
 * operands are 64-bit (alu64); immediates are sign-extended imm32/imm8.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { setLazyLogic, setLazyLogic64 } from "../flags.js";
import { hi64 } from "../int64.js";
import { defineGroup, defineOp, IMM_B, IMM_BS, IMM_Z, invalidIn64 } from "../ops.js";
import { alu, ALU_CMP, alu64 } from "./int-alu.js";

function opOf(d: Decoded): number {
  return (d.opcode >> 3) & 7;
}

// ---- r/m destination: 00, 01 (and 08, 09, ... 30, 31) ----

function aluEbGb(cpu: Cpu, d: Decoded): void {
  const a = cpu.readModrmRmw8(d);
  cpu.writeModrmRmw8(d, alu(cpu, opOf(d), a, cpu.r8[d.reg8], 8));
}

function aluEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) {
    const a = cpu.readModrmRmw32(d);
    cpu.writeModrmRmw32(d, alu(cpu, opOf(d), a, cpu.r32[d.reg << 1], 32));
  } else if (d.opSize === 16) {
    const a = cpu.readModrmRmw16(d);
    cpu.writeModrmRmw16(d, alu(cpu, opOf(d), a, cpu.r16[d.reg << 2], 16));
  } else {
    const aLo = cpu.readModrmRmw64(d);
    const aHi = cpu.valueHi;
    const r = d.reg << 1;
    const lo = alu64(cpu, opOf(d), aLo, aHi, cpu.r32[r], cpu.r32[r + 1]);
    cpu.writeModrmRmw64(d, lo, hi64[0]);
  }
}

function cmpEbGb(cpu: Cpu, d: Decoded): void {
  alu(cpu, ALU_CMP, cpu.readModrm8(d), cpu.r8[d.reg8], 8);
}

function cmpEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) alu(cpu, ALU_CMP, cpu.readModrm32(d), cpu.r32[d.reg << 1], 32);
  else if (d.opSize === 16) alu(cpu, ALU_CMP, cpu.readModrm16(d), cpu.r16[d.reg << 2], 16);
  else {
    const aLo = cpu.readModrm64(d);
    const r = d.reg << 1;
    alu64(cpu, ALU_CMP, aLo, cpu.valueHi, cpu.r32[r], cpu.r32[r + 1]);
  }
}

// ---- register destination: 02, 03 ... (CMP 3A, 3B only compares) ----

function aluGbEb(cpu: Cpu, d: Decoded): void {
  const b = cpu.readModrm8(d);
  const at = d.reg8;
  cpu.r8[at] = alu(cpu, opOf(d), cpu.r8[at], b, 8);
}

function aluGvEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) {
    const b = cpu.readModrm32(d);
    cpu.setReg32(d.reg, alu(cpu, opOf(d), cpu.r32[d.reg << 1], b, 32));
  } else if (d.opSize === 16) {
    const b = cpu.readModrm16(d);
    cpu.r16[d.reg << 2] = alu(cpu, opOf(d), cpu.r16[d.reg << 2], b, 16);
  } else {
    const bLo = cpu.readModrm64(d);
    const bHi = cpu.valueHi;
    const r = d.reg << 1;
    cpu.r32[r] = alu64(cpu, opOf(d), cpu.r32[r], cpu.r32[r + 1], bLo, bHi);
    cpu.r32[r + 1] = hi64[0];
  }
}

function cmpGbEb(cpu: Cpu, d: Decoded): void {
  const b = cpu.readModrm8(d);
  alu(cpu, ALU_CMP, cpu.r8[d.reg8], b, 8);
}

function cmpGvEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) {
    const b = cpu.readModrm32(d);
    alu(cpu, ALU_CMP, cpu.r32[d.reg << 1], b, 32);
  } else if (d.opSize === 16) {
    const b = cpu.readModrm16(d);
    alu(cpu, ALU_CMP, cpu.r16[d.reg << 2], b, 16);
  } else {
    const bLo = cpu.readModrm64(d);
    const r = d.reg << 1;
    alu64(cpu, ALU_CMP, cpu.r32[r], cpu.r32[r + 1], bLo, cpu.valueHi);
  }
}

// ---- accumulator, immediate: 04, 05 ... ----

function aluAlIb(cpu: Cpu, d: Decoded): void {
  cpu.r8[0] = alu(cpu, opOf(d), cpu.r8[0], d.imm, 8);
}

function aluEaxIz(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) cpu.setReg32(0, alu(cpu, opOf(d), cpu.r32[0], d.imm, 32));
  else if (d.opSize === 16) cpu.r16[0] = alu(cpu, opOf(d), cpu.r16[0], d.imm, 16);
  else {
    cpu.r32[0] = alu64(cpu, opOf(d), cpu.r32[0], cpu.r32[1], d.imm, d.immHi);
    cpu.r32[1] = hi64[0];
  }
}

function cmpAlIb(cpu: Cpu, d: Decoded): void {
  alu(cpu, ALU_CMP, cpu.r8[0], d.imm, 8);
}

function cmpEaxIz(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) alu(cpu, ALU_CMP, cpu.r32[0], d.imm, 32);
  else if (d.opSize === 16) alu(cpu, ALU_CMP, cpu.r16[0], d.imm, 16);
  else alu64(cpu, ALU_CMP, cpu.r32[0], cpu.r32[1], d.imm, d.immHi);
}

// ---- group 1: 80/82 Eb,Ib; 81 Ev,Iz; 83 Ev,Ib (sign-extended) ----

function grp1EbIb(cpu: Cpu, d: Decoded): void {
  const a = cpu.readModrmRmw8(d);
  cpu.writeModrmRmw8(d, alu(cpu, d.reg, a, d.imm, 8));
}

/** 81 and 83: the decoder already sized or sign-extended the immediate (immHi too). */
function grp1EvI(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) {
    const a = cpu.readModrmRmw32(d);
    cpu.writeModrmRmw32(d, alu(cpu, d.reg, a, d.imm, 32));
  } else if (d.opSize === 16) {
    const a = cpu.readModrmRmw16(d);
    cpu.writeModrmRmw16(d, alu(cpu, d.reg, a, d.imm, 16));
  } else {
    const aLo = cpu.readModrmRmw64(d);
    const lo = alu64(cpu, d.reg, aLo, cpu.valueHi, d.imm, d.immHi);
    cpu.writeModrmRmw64(d, lo, hi64[0]);
  }
}

function cmpEbIb(cpu: Cpu, d: Decoded): void {
  alu(cpu, ALU_CMP, cpu.readModrm8(d), d.imm, 8);
}

function cmpEvI(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) alu(cpu, ALU_CMP, cpu.readModrm32(d), d.imm, 32);
  else if (d.opSize === 16) alu(cpu, ALU_CMP, cpu.readModrm16(d), d.imm, 16);
  else {
    const aLo = cpu.readModrm64(d);
    alu64(cpu, ALU_CMP, aLo, cpu.valueHi, d.imm, d.immHi);
  }
}

// ---- TEST: AND without storing (84, 85, A8, A9; F6/F7 /0 are in int-unary.ts) ----

function testEbGb(cpu: Cpu, d: Decoded): void {
  setLazyLogic(cpu, cpu.readModrm8(d) & cpu.r8[d.reg8], 8);
}

function testEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) setLazyLogic(cpu, cpu.readModrm32(d) & cpu.r32[d.reg << 1], 32);
  else if (d.opSize === 16) setLazyLogic(cpu, cpu.readModrm16(d) & cpu.r16[d.reg << 2], 16);
  else {
    const lo = cpu.readModrm64(d);
    const r = d.reg << 1;
    setLazyLogic64(cpu, lo & cpu.r32[r], cpu.valueHi & cpu.r32[r + 1]);
  }
}

function testAlIb(cpu: Cpu, d: Decoded): void {
  setLazyLogic(cpu, cpu.r8[0] & d.imm, 8);
}

function testEaxIz(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) setLazyLogic(cpu, cpu.r32[0] & d.imm, 32);
  else if (d.opSize === 16) setLazyLogic(cpu, cpu.r16[0] & d.imm & 0xffff, 16);
  else setLazyLogic64(cpu, cpu.r32[0] & d.imm, cpu.r32[1] & d.immHi);
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
invalidIn64(0x82);

defineOp(0x84, { modrm: true }, testEbGb);
defineOp(0x85, { modrm: true }, testEvGv);
defineOp(0xa8, { imm: IMM_B }, testAlIb);
defineOp(0xa9, { imm: IMM_Z }, testEaxIz);
