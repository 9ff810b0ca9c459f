/**
 * One-operand integer instructions: INC/DEC (40-4F, FE /0-1, FF /0-1),
 * NOT/NEG (F6/F7 /2-3) and TEST Ev,I (F6/F7 /0, and /1, the undocumented
 * alias real processors decode the same way). SDM vol. 2, INC, DEC, NOT,
 * NEG, TEST.
 *
 * INC/DEC keep CF (flags.ts setLazyInc/Dec); NOT changes no flag; NEG sets
 * the flags of 0 - operand, so CF = (operand != 0).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import {
  setLazyDec,
  setLazyDec64,
  setLazyInc,
  setLazyInc64,
  setLazyLogic,
  setLazyLogic64,
  setLazySub,
  setLazySub64,
} from "../flags.js";
import { hi64, neg64 } from "../int64.js";
import { defineGroup, defineOpRange, IMM_B, IMM_Z } from "../ops.js";

// ---- 40-47 INC r16/r32, 48-4F DEC r16/r32 (register in the opcode's low bits; REX in 64-bit mode) ----

function incReg(cpu: Cpu, d: Decoded): void {
  const n = d.rm;
  if (d.opSize === 16) {
    const a = cpu.r16[n << 2];
    const r = (a + 1) & 0xffff;
    cpu.r16[n << 2] = r;
    setLazyInc(cpu, r, a, 16);
  } else {
    const a = cpu.r32[n << 1];
    const r = (a + 1) | 0;
    cpu.setReg32(n, r);
    setLazyInc(cpu, r, a, 32);
  }
}

function decReg(cpu: Cpu, d: Decoded): void {
  const n = d.rm;
  if (d.opSize === 16) {
    const a = cpu.r16[n << 2];
    const r = (a - 1) & 0xffff;
    cpu.r16[n << 2] = r;
    setLazyDec(cpu, r, a, 16);
  } else {
    const a = cpu.r32[n << 1];
    const r = (a - 1) | 0;
    cpu.setReg32(n, r);
    setLazyDec(cpu, r, a, 32);
  }
}

// ---- FE /0-1, FF /0-1 ----

function incEb(cpu: Cpu, d: Decoded): void {
  const a = cpu.readModrmRmw8(d);
  const r = (a + 1) & 0xff;
  cpu.writeModrmRmw8(d, r);
  setLazyInc(cpu, r, a, 8);
}

function decEb(cpu: Cpu, d: Decoded): void {
  const a = cpu.readModrmRmw8(d);
  const r = (a - 1) & 0xff;
  cpu.writeModrmRmw8(d, r);
  setLazyDec(cpu, r, a, 8);
}

function incEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    const a = cpu.readModrmRmw64(d);
    const aHi = cpu.valueHi;
    const r = (a + 1) | 0;
    const rHi = r === 0 ? (aHi + 1) | 0 : aHi;
    cpu.writeModrmRmw64(d, r, rHi);
    setLazyInc64(cpu, r, rHi, a, aHi);
  } else if (d.opSize === 16) {
    const a = cpu.readModrmRmw16(d);
    const r = (a + 1) & 0xffff;
    cpu.writeModrmRmw16(d, r);
    setLazyInc(cpu, r, a, 16);
  } else {
    const a = cpu.readModrmRmw32(d);
    const r = (a + 1) | 0;
    cpu.writeModrmRmw32(d, r);
    setLazyInc(cpu, r, a, 32);
  }
}

function decEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    const a = cpu.readModrmRmw64(d);
    const aHi = cpu.valueHi;
    const r = (a - 1) | 0;
    const rHi = a === 0 ? (aHi - 1) | 0 : aHi;
    cpu.writeModrmRmw64(d, r, rHi);
    setLazyDec64(cpu, r, rHi, a, aHi);
  } else if (d.opSize === 16) {
    const a = cpu.readModrmRmw16(d);
    const r = (a - 1) & 0xffff;
    cpu.writeModrmRmw16(d, r);
    setLazyDec(cpu, r, a, 16);
  } else {
    const a = cpu.readModrmRmw32(d);
    const r = (a - 1) | 0;
    cpu.writeModrmRmw32(d, r);
    setLazyDec(cpu, r, a, 32);
  }
}

// ---- F6/F7 /0-3 ----

function testEbIb(cpu: Cpu, d: Decoded): void {
  setLazyLogic(cpu, cpu.readModrm8(d) & d.imm, 8);
}

function testEvIz(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) setLazyLogic(cpu, cpu.readModrm16(d) & d.imm, 16);
  else if (d.opSize === 32) setLazyLogic(cpu, cpu.readModrm32(d) & d.imm, 32);
  else {
    const lo = cpu.readModrm64(d);
    setLazyLogic64(cpu, lo & d.imm, cpu.valueHi & d.immHi);
  }
}

function notEb(cpu: Cpu, d: Decoded): void {
  cpu.writeModrmRmw8(d, ~cpu.readModrmRmw8(d));
}

function notEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) cpu.writeModrmRmw16(d, ~cpu.readModrmRmw16(d));
  else if (d.opSize === 32) cpu.writeModrmRmw32(d, ~cpu.readModrmRmw32(d));
  else {
    const lo = cpu.readModrmRmw64(d);
    cpu.writeModrmRmw64(d, ~lo, ~cpu.valueHi);
  }
}

function negEb(cpu: Cpu, d: Decoded): void {
  const a = cpu.readModrmRmw8(d);
  const r = -a & 0xff;
  cpu.writeModrmRmw8(d, r);
  setLazySub(cpu, r, 0, a, 8);
}

function negEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    const a = cpu.readModrmRmw64(d);
    const aHi = cpu.valueHi;
    const r = neg64(a, aHi);
    const rHi = hi64[0];
    cpu.writeModrmRmw64(d, r, rHi);
    setLazySub64(cpu, r, rHi, 0, 0, a, aHi);
  } else if (d.opSize === 16) {
    const a = cpu.readModrmRmw16(d);
    const r = -a & 0xffff;
    cpu.writeModrmRmw16(d, r);
    setLazySub(cpu, r, 0, a, 16);
  } else {
    const a = cpu.readModrmRmw32(d);
    const r = -a | 0;
    cpu.writeModrmRmw32(d, r);
    setLazySub(cpu, r, 0, a, 32);
  }
}

defineOpRange(0x40, 8, {}, incReg);
defineOpRange(0x48, 8, {}, decReg);
defineGroup(0xfe, 0, { lockable: true }, incEb);
defineGroup(0xfe, 1, { lockable: true }, decEb);
defineGroup(0xff, 0, { lockable: true }, incEv);
defineGroup(0xff, 1, { lockable: true }, decEv);
defineGroup(0xf6, 0, { imm: IMM_B }, testEbIb);
defineGroup(0xf6, 1, { imm: IMM_B }, testEbIb);
defineGroup(0xf7, 0, { imm: IMM_Z }, testEvIz);
defineGroup(0xf7, 1, { imm: IMM_Z }, testEvIz);
defineGroup(0xf6, 2, { lockable: true }, notEb);
defineGroup(0xf6, 3, { lockable: true }, negEb);
defineGroup(0xf7, 2, { lockable: true }, notEv);
defineGroup(0xf7, 3, { lockable: true }, negEv);
