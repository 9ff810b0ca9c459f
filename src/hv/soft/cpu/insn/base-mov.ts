/**
 * Data movement: MOV (all forms), MOV Sreg, LEA, XCHG, LDS/LES/LSS/LFS/LGS
 * (SDM vol. 2: MOV, LEA, XCHG, LDS/LES/LFS/LGS/LSS), with their 64-bit
 * forms (REX.W; MOV r64, imm64; moffs64). 32-bit register writes zero the
 * high dword (`setReg32`).
 */
import { SHADOW_MOV_SS } from "../../../registers.js";
import { EAX, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { raiseUD } from "../fault.js";
import {
  defineGroup,
  defineOp,
  defineOp0F,
  defineOpRange,
  IMM_B,
  IMM_MOFFS,
  IMM_V,
  IMM_Z,
  invalidIn64,
} from "../ops.js";

// ---- MOV r/m, r and MOV r, r/m ----

function movEbGb(cpu: Cpu, d: Decoded): void {
  cpu.writeModrm8(d, cpu.r8[d.reg8]);
}
function movEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) cpu.writeModrm32(d, cpu.r32[d.reg << 1]);
  else if (d.opSize === 16) cpu.writeModrm16(d, cpu.r16[d.reg << 2]);
  else cpu.writeModrm64(d, cpu.r32[d.reg << 1], cpu.r32[(d.reg << 1) | 1]);
}
function movGbEb(cpu: Cpu, d: Decoded): void {
  cpu.r8[d.reg8] = cpu.readModrm8(d);
}
function movGvEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) cpu.setReg32(d.reg, cpu.readModrm32(d));
  else if (d.opSize === 16) cpu.r16[d.reg << 2] = cpu.readModrm16(d);
  else {
    const lo = cpu.readModrm64(d);
    cpu.setReg64(d.reg, lo, cpu.valueHi);
  }
}
defineOp(0x88, { modrm: true }, movEbGb);
defineOp(0x89, { modrm: true }, movEvGv);
defineOp(0x8a, { modrm: true }, movGbEb);
defineOp(0x8b, { modrm: true }, movGvEv);

// ---- MOV with immediates (B0+r, B8+r: the register is in `rm`, REX.B included) ----

function movRbIb(cpu: Cpu, d: Decoded): void {
  cpu.r8[d.rm8] = d.imm;
}
function movRvIv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) cpu.setReg32(d.rm, d.imm);
  else if (d.opSize === 16) cpu.r16[d.rm << 2] = d.imm;
  else cpu.setReg64(d.rm, d.imm, d.immHi); // MOV r64, imm64
}
function movEbIb(cpu: Cpu, d: Decoded): void {
  cpu.writeModrm8(d, d.imm);
}
function movEvIz(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) cpu.writeModrm32(d, d.imm);
  else if (d.opSize === 16) cpu.writeModrm16(d, d.imm);
  else cpu.writeModrm64(d, d.imm, d.immHi); // imm32 sign-extended
}
defineOpRange(0xb0, 8, { imm: IMM_B }, movRbIb);
defineOpRange(0xb8, 8, { imm: IMM_V }, movRvIv);
defineGroup(0xc6, 0, { imm: IMM_B }, movEbIb);
defineGroup(0xc7, 0, { imm: IMM_Z }, movEvIz);

// ---- MOV AL/eAX <-> moffs (the offset is the operand's disp) ----

function movAlOb(cpu: Cpu, d: Decoded): void {
  cpu.r8[0] = cpu.read8(cpu.eaRead(d, 1));
}
function movAxOv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) cpu.setReg32(EAX, cpu.read32(cpu.eaRead(d, 4)));
  else if (d.opSize === 16) cpu.r16[0] = cpu.read16(cpu.eaRead(d, 2));
  else {
    const lo = cpu.read64(cpu.eaRead(d, 8));
    cpu.setReg64(EAX, lo, cpu.valueHi);
  }
}
function movObAl(cpu: Cpu, d: Decoded): void {
  cpu.write8(cpu.eaWrite(d, 1), cpu.r8[0]);
}
function movOvAx(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) cpu.write32(cpu.eaWrite(d, 4), cpu.r32[0]);
  else if (d.opSize === 16) cpu.write16(cpu.eaWrite(d, 2), cpu.r16[0]);
  else cpu.write64(cpu.eaWrite(d, 8), cpu.r32[0], cpu.r32[1]);
}
defineOp(0xa0, { imm: IMM_MOFFS }, movAlOb);
defineOp(0xa1, { imm: IMM_MOFFS }, movAxOv);
defineOp(0xa2, { imm: IMM_MOFFS }, movObAl);
defineOp(0xa3, { imm: IMM_MOFFS }, movOvAx);

// ---- Segment registers ----

/** MOV r/m16, Sreg. A 32/64-bit register destination is zero-extended (P6 and later). */
function movEwSw(cpu: Cpu, d: Decoded): void {
  if (d.reg > 5) raiseUD(cpu);
  const sel = cpu.segSel[d.reg];
  if (d.mod === 3 && d.opSize !== 16) cpu.setReg32(d.rm, sel);
  else cpu.writeModrm16(d, sel);
}

/** MOV Sreg, r/m16. CS is not a valid destination; loading SS inhibits interrupts for one instruction. */
function movSwEw(cpu: Cpu, d: Decoded): void {
  if (d.reg > 5 || d.reg === SEG_CS) raiseUD(cpu);
  const sel = cpu.readModrm16(d);
  cpu.loadSegment(d.reg, sel);
  if (d.reg === SEG_SS) {
    cpu.shadow |= SHADOW_MOV_SS;
    cpu.blockStop = 1;
  }
}
defineOp(0x8c, { modrm: true }, movEwSw);
defineOp(0x8e, { modrm: true }, movSwEw);

// ---- LEA ----

function lea(cpu: Cpu, d: Decoded): void {
  const off = cpu.eaOffset(d);
  if (d.opSize === 32) cpu.setReg32(d.reg, off);
  else if (d.opSize === 16) cpu.r16[d.reg << 2] = off;
  else cpu.setReg64(d.reg, off, cpu.eaHi); // eaOffset is eaOffset64 in 64-bit mode
}
defineOp(0x8d, { modrm: true, mod: "mem" }, lea);

// ---- XCHG (with memory it is always locked; LOCK is allowed) ----

function xchgEbGb(cpu: Cpu, d: Decoded): void {
  const old = cpu.readModrmRmw8(d);
  cpu.writeModrmRmw8(d, cpu.r8[d.reg8]);
  cpu.r8[d.reg8] = old;
}
function xchgEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) {
    const old = cpu.readModrmRmw32(d);
    cpu.writeModrmRmw32(d, cpu.r32[d.reg << 1]);
    cpu.setReg32(d.reg, old);
  } else if (d.opSize === 16) {
    const old = cpu.readModrmRmw16(d);
    cpu.writeModrmRmw16(d, cpu.r16[d.reg << 2]);
    cpu.r16[d.reg << 2] = old;
  } else {
    const lo = cpu.readModrmRmw64(d);
    const hi = cpu.valueHi;
    cpu.writeModrmRmw64(d, cpu.r32[d.reg << 1], cpu.r32[(d.reg << 1) | 1]);
    cpu.setReg64(d.reg, lo, hi);
  }
}
/** XCHG eAX, r (90+r; the register is `rm`, REX.B included). */
function xchgAxRv(cpu: Cpu, d: Decoded): void {
  const r = d.rm;
  if (d.opSize === 32) {
    const t = cpu.r32[EAX << 1];
    cpu.setReg32(EAX, cpu.r32[r << 1]);
    cpu.setReg32(r, t);
  } else if (d.opSize === 16) {
    const t = cpu.r16[EAX << 2];
    cpu.r16[EAX << 2] = cpu.r16[r << 2];
    cpu.r16[r << 2] = t;
  } else {
    const lo = cpu.r32[0];
    const hi = cpu.r32[1];
    cpu.setReg64(EAX, cpu.r32[r << 1], cpu.r32[(r << 1) | 1]);
    cpu.setReg64(r, lo, hi);
  }
}
/** 90: NOP (and PAUSE with F3); with REX.B it is XCHG R8, rAX. */
function nopOrXchg(cpu: Cpu, d: Decoded): void {
  if (d.rm !== 0) xchgAxRv(cpu, d);
}
defineOp(0x86, { modrm: true, lockable: true }, xchgEbGb);
defineOp(0x87, { modrm: true, lockable: true }, xchgEvGv);
defineOp(0x90, {}, nopOrXchg);
defineOpRange(0x91, 7, {}, xchgAxRv);

// ---- Far pointer loads: LDS LES LSS LFS LGS ----

function loadFarPointer(cpu: Cpu, d: Decoded, seg: number): void {
  if (d.opSize === 32) {
    const lin = cpu.eaRead(d, 6);
    const off = cpu.read32(lin);
    const sel = cpu.read16(lin + 4);
    cpu.loadSegment(seg, sel);
    cpu.setReg32(d.reg, off);
  } else if (d.opSize === 16) {
    const lin = cpu.eaRead(d, 4);
    const off = cpu.read16(lin);
    const sel = cpu.read16(lin + 2);
    cpu.loadSegment(seg, sel);
    cpu.r16[d.reg << 2] = off;
  } else {
    // m16:64 (REX.W LSS/LFS/LGS).
    const lin = cpu.eaRead(d, 10);
    const lo = cpu.read64(lin);
    const hi = cpu.valueHi;
    const sel = cpu.read16(lin + 8);
    cpu.loadSegment(seg, sel);
    cpu.setReg64(d.reg, lo, hi);
  }
  // Unlike MOV SS / POP SS, LSS sets no interrupt shadow.
}
defineOp(0xc4, { modrm: true, mod: "mem" }, (cpu, d) => loadFarPointer(cpu, d, SEG_ES));
defineOp(0xc5, { modrm: true, mod: "mem" }, (cpu, d) => loadFarPointer(cpu, d, SEG_DS));
// C4/C5 are the VEX prefixes in 64-bit mode; no AVX here.
invalidIn64(0xc4, 0xc5);
defineOp0F(0xb2, { modrm: true, mod: "mem" }, (cpu, d) => loadFarPointer(cpu, d, SEG_SS));
defineOp0F(0xb4, { modrm: true, mod: "mem" }, (cpu, d) => loadFarPointer(cpu, d, SEG_FS));
defineOp0F(0xb5, { modrm: true, mod: "mem" }, (cpu, d) => loadFarPointer(cpu, d, SEG_GS));
