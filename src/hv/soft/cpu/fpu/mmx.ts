/**
 * MMX technology (SDM vol. 1, ch. 9; the Pentium MMX instruction set): eight
 * 64-bit registers aliased onto the x87 significands. Every MMX instruction
 * sets TOP = 0 and all tags valid (EMMS: all empty); a written MMX register gets the
 * exponent field 0xFFFF (SDM vol. 1, 9.5). CR0.EM → #UD, CR0.TS → #NM, a
 * pending x87 exception → #MF (SDM vol. 3, table 2-2 and 12.2).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { CR0_EM, CR0_NE, CR0_TS, VEC_MF } from "../constants.js";
import { raiseFault, raiseNM, raiseUD } from "../fault.js";
import { defineGroup0F, defineOp0F } from "../ops.js";
import { SW_ES } from "./x87-state.js";

// Operand A (destination) and B (source) as lanes of every width.
const bufA = new ArrayBuffer(8);
const bufB = new ArrayBuffer(8);
export const a8 = new Int8Array(bufA);
export const au8 = new Uint8Array(bufA);
export const a16 = new Int16Array(bufA);
export const au16 = new Uint16Array(bufA);
export const a32 = new Int32Array(bufA);
export const b8 = new Int8Array(bufB);
export const bu8 = new Uint8Array(bufB);
export const b16 = new Int16Array(bufB);
export const bu16 = new Uint16Array(bufB);
export const b32 = new Int32Array(bufB);

/** The checks every MMX instruction makes before touching anything. */
export function mmxCheck(cpu: Cpu): void {
  const cr0 = cpu.cr0;
  if ((cr0 & CR0_EM) !== 0) raiseUD(cpu);
  if ((cr0 & CR0_TS) !== 0) raiseNM(cpu);
  if ((cpu.fpu.sw & SW_ES) !== 0 && (cr0 & CR0_NE) !== 0) raiseFault(cpu, VEC_MF, false, 0);
}

/** The x87 side effect of an executed MMX instruction: TOP = 0, all registers valid. */
function enterMmx(cpu: Cpu): void {
  const f = cpu.fpu;
  f.top = 0;
  f.emptyMask = 0;
}

/** A ← MMX register n. */
function loadA(cpu: Cpu, n: number): void {
  const r = cpu.fpu.regs[n];
  a32[0] = r.lo;
  a32[1] = r.hi;
}

/** B ← the ModRM source: MMX register or m64 (m32 when `half`). */
function loadB(cpu: Cpu, d: Decoded, half: boolean): void {
  if (d.mod === 3) {
    const r = cpu.fpu.regs[d.rm & 7];
    b32[0] = r.lo;
    b32[1] = r.hi;
  } else if (half) {
    b32[0] = cpu.read32(cpu.eaRead(d, 4));
    b32[1] = 0;
  } else {
    const lin = cpu.eaRead(d, 8);
    b32[0] = cpu.read32(lin);
    b32[1] = cpu.read32(lin + 4);
  }
}

/** MMX register n ← (lo, hi), exponent field all ones. */
export function writeMmx(cpu: Cpu, n: number, lo: number, hi: number): void {
  const r = cpu.fpu.regs[n];
  r.lo = lo >>> 0;
  r.hi = hi >>> 0;
  r.se = 0xffff;
}

/**
 * Registers `0F opcode` as mm ← op(mm, mm/m64): `op` works on the lane views
 * A (destination, result) and B (source). `half` reads only 32 bits of a
 * memory source (the PUNPCKL* forms).
 */
export function defineMmxBinary(opcode: number, op: () => void, half = false): void {
  defineOp0F(opcode, { modrm: true }, (cpu, d) => {
    mmxCheck(cpu);
    loadB(cpu, d, half);
    loadA(cpu, d.reg & 7);
    op();
    writeMmx(cpu, d.reg & 7, a32[0], a32[1]);
    enterMmx(cpu);
  });
}

/** Registers a shift-by-immediate group form 0F opcode /reg ib on mm (ModRM.rm). */
export function defineMmxShiftImm(opcode: number, reg: number, op: (count: number) => void): void {
  defineGroup0F(opcode, reg, { mod: "reg", imm: 1 }, (cpu, d) => {
    mmxCheck(cpu);
    loadA(cpu, d.rm & 7);
    op(d.imm & 0xff);
    writeMmx(cpu, d.rm & 7, a32[0], a32[1]);
    enterMmx(cpu);
  });
}

/** Shift count of a register/memory shift: the whole 64-bit source, saturated. */
export function shiftCount(): number {
  return b32[1] !== 0 || b32[0] < 0 || b32[0] > 64 ? 64 : b32[0];
}

// ---- Data movement ----

// MOVD mm, r/m32 (0F 6E): zero-extends. With REX.W: MOVQ mm, r/m64.
defineOp0F(0x6e, { modrm: true }, (cpu, d) => {
  mmxCheck(cpu);
  if (d.opSize === 64) {
    const lo = cpu.readModrm64(d);
    writeMmx(cpu, d.reg & 7, lo, cpu.valueHi);
  } else {
    writeMmx(cpu, d.reg & 7, cpu.readModrm32(d), 0);
  }
  enterMmx(cpu);
});
// MOVD r/m32, mm (0F 7E). With REX.W: MOVQ r/m64, mm.
defineOp0F(0x7e, { modrm: true }, (cpu, d) => {
  mmxCheck(cpu);
  const r = cpu.fpu.regs[d.reg & 7];
  if (d.opSize === 64) cpu.writeModrm64(d, r.lo | 0, r.hi | 0);
  else cpu.writeModrm32(d, r.lo | 0);
  enterMmx(cpu);
});
// MOVQ mm, mm/m64 (0F 6F).
defineOp0F(0x6f, { modrm: true }, (cpu, d) => {
  mmxCheck(cpu);
  loadB(cpu, d, false);
  writeMmx(cpu, d.reg & 7, b32[0], b32[1]);
  enterMmx(cpu);
});
// MOVQ mm/m64, mm (0F 7F).
defineOp0F(0x7f, { modrm: true }, (cpu, d) => {
  mmxCheck(cpu);
  const r = cpu.fpu.regs[d.reg & 7];
  if (d.mod === 3) {
    writeMmx(cpu, d.rm & 7, r.lo, r.hi);
  } else {
    const lin = cpu.eaWrite(d, 8);
    cpu.checkWritable(lin, 8);
    cpu.write32(lin, r.lo);
    cpu.write32(lin + 4, r.hi);
  }
  enterMmx(cpu);
});
// EMMS (0F 77): all tags empty, and TOP = 0 like every MMX instruction (SDM vol. 3, 12.2,
// table 12-2: "Each time an MMX instruction is executed, the TOS value is set to 000B").
defineOp0F(0x77, {}, (cpu) => {
  mmxCheck(cpu);
  cpu.fpu.top = 0;
  cpu.fpu.emptyMask = 0xff;
});
