/**
 * Stack instructions: PUSH/POP (registers, immediates, r/m, segment
 * registers), PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE (SDM vol. 2).
 * Every handler reads/writes memory before it commits ESP, so a fault
 * restarts the instruction with the stack pointer unchanged. In 64-bit mode
 * they default to 64-bit operands ("d64": 66h gives 16) and PUSH/POP of
 * ES/CS/SS/DS and PUSHA/POPA do not exist.
 */
import { SHADOW_MOV_SS } from "../../../registers.js";
import {
  AC,
  ARITH_FLAGS,
  DF,
  EBP,
  ESP,
  ID,
  IF,
  IOPL_MASK,
  NT,
  RF,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_SS,
  TF,
  VM,
} from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { raiseGP } from "../fault.js";
import {
  defineGroup,
  defineOp,
  defineOp0F,
  defineOpRange,
  IMM_BS,
  IMM_W_B,
  IMM_Z,
  invalidIn64,
} from "../ops.js";
import { SEG_ACCESS_READ } from "../state.js";

// ---- PUSH / POP general registers and immediates ----

const D64 = { default64: true } as const;

/** PUSH r (50+r; the register is `rm`, REX.B included). */
function pushReg(cpu: Cpu, d: Decoded): void {
  const r = d.rm;
  if (d.opSize === 64) cpu.push64(cpu.r32[r << 1], cpu.r32[(r << 1) | 1]);
  else if (d.opSize === 16) cpu.push16(cpu.r16[r << 2]);
  else cpu.push32(cpu.r32[r << 1]);
}
function popReg(cpu: Cpu, d: Decoded): void {
  const r = d.rm;
  // pop* moves ESP first, so POP ESP ends with the popped value, as specified.
  if (d.opSize === 64) {
    const lo = cpu.pop64();
    cpu.setReg64(r, lo, cpu.valueHi);
  } else if (d.opSize === 16) {
    cpu.r16[r << 2] = cpu.pop16();
  } else {
    cpu.setReg32(r, cpu.pop32());
  }
}
function pushImm(cpu: Cpu, d: Decoded): void {
  cpu.pushOp(d.opSize, d.imm);
}
defineOpRange(0x50, 8, D64, pushReg);
defineOpRange(0x58, 8, D64, popReg);
defineOp(0x68, { imm: IMM_Z, default64: true }, pushImm);
defineOp(0x6a, { imm: IMM_BS, default64: true }, pushImm);

/** PUSH r/m (FF /6). */
function pushEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    const lo = cpu.readModrm64(d);
    cpu.push64(lo, cpu.valueHi);
  } else if (d.opSize === 16) {
    cpu.push16(cpu.readModrm16(d));
  } else {
    cpu.push32(cpu.readModrm32(d));
  }
}
defineGroup(0xff, 6, D64, pushEv);

/**
 * POP r/m (8F /0). A memory destination addressed through ESP uses the
 * value of ESP *after* the pop (SDM vol. 2, POP), and the store must
 * complete before ESP changes for the instruction to be restartable.
 */
function popEv(cpu: Cpu, d: Decoded): void {
  const size = d.opSize >> 3;
  const value =
    size === 2 ? cpu.stackRead16(0) : size === 4 ? cpu.stackRead32(0) : cpu.stackRead64(0);
  const valueHi = cpu.valueHi;
  if (d.mod === 3) {
    cpu.adjustSp(size);
    if (size === 2) cpu.r16[d.rm << 2] = value;
    else if (size === 4) cpu.setReg32(d.rm, value);
    else cpu.setReg64(d.rm, value, valueHi);
    return;
  }
  const oldSp = cpu.getSp();
  cpu.adjustSp(size);
  let lin: number;
  try {
    lin = cpu.eaWrite(d, size);
  } finally {
    cpu.setSp(oldSp);
  }
  if (size === 2) cpu.write16(lin, value);
  else if (size === 4) cpu.write32(lin, value);
  else cpu.write64(lin, value, valueHi);
  cpu.adjustSp(size);
}
defineGroup(0x8f, 0, D64, popEv);

// ---- Segment registers ----

function pushSeg(cpu: Cpu, d: Decoded, seg: number): void {
  cpu.pushOp(d.opSize, cpu.segSel[seg]);
}
function popSeg(cpu: Cpu, d: Decoded, seg: number): void {
  const size = d.opSize >> 3; // 8 in 64-bit mode: the selector is the low word
  const sel = size === 2 ? cpu.stackRead16(0) : cpu.stackRead32(0) & 0xffff;
  cpu.loadSegment(seg, sel);
  cpu.adjustSp(size);
  if (seg === SEG_SS) {
    cpu.shadow |= SHADOW_MOV_SS;
    cpu.blockStop = 1;
  }
}
defineOp(0x06, {}, (cpu, d) => pushSeg(cpu, d, SEG_ES));
defineOp(0x07, {}, (cpu, d) => popSeg(cpu, d, SEG_ES));
defineOp(0x0e, {}, (cpu, d) => pushSeg(cpu, d, SEG_CS));
defineOp(0x16, {}, (cpu, d) => pushSeg(cpu, d, SEG_SS));
defineOp(0x17, { endsBlock: true }, (cpu, d) => popSeg(cpu, d, SEG_SS));
defineOp(0x1e, {}, (cpu, d) => pushSeg(cpu, d, SEG_DS));
defineOp(0x1f, {}, (cpu, d) => popSeg(cpu, d, SEG_DS));
defineOp0F(0xa0, D64, (cpu, d) => pushSeg(cpu, d, SEG_FS));
defineOp0F(0xa1, D64, (cpu, d) => popSeg(cpu, d, SEG_FS));
defineOp0F(0xa8, D64, (cpu, d) => pushSeg(cpu, d, SEG_GS));
defineOp0F(0xa9, D64, (cpu, d) => popSeg(cpu, d, SEG_GS));
invalidIn64(0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f);

// ---- PUSHA / POPA ----

/** PUSHA: AX CX DX BX (original SP) BP SI DI, all written before SP moves. */
function pusha(cpu: Cpu, d: Decoded): void {
  const size = d.opSize >> 3;
  for (let r = 0; r < 8; r++) {
    const delta = -(r + 1) * size;
    if (size === 2) cpu.stackWrite16(delta, cpu.r16[r << 2]);
    else cpu.stackWrite32(delta, cpu.r32[r << 1]);
  }
  cpu.adjustSp(-8 * size);
}
/** POPA: DI SI BP (skip SP) BX DX CX AX, all read before anything changes. */
function popa(cpu: Cpu, d: Decoded): void {
  const size = d.opSize >> 3;
  const values = cpu.popaScratch;
  for (let r = 0; r < 8; r++) {
    const delta = (7 - r) * size;
    values[r] = size === 2 ? cpu.stackRead16(delta) : cpu.stackRead32(delta);
  }
  for (let r = 0; r < 8; r++) {
    if (r === ESP) continue;
    if (size === 2) cpu.r16[r << 2] = values[r];
    else cpu.setReg32(r, values[r]);
  }
  cpu.adjustSp(8 * size);
}
defineOp(0x60, {}, pusha);
defineOp(0x61, {}, popa);
invalidIn64(0x60, 0x61);

// ---- PUSHF / POPF (SDM vol. 2, PUSHF and POPF; vol. 3, 20.2.5 for vm86) ----

function pushf(cpu: Cpu, d: Decoded): void {
  if (cpu.vm86 && cpu.iopl < 3) raiseGP(cpu, 0);
  // The image has VM and RF cleared.
  const flags = cpu.getEflags() & ~(VM | RF);
  cpu.pushOp(d.opSize, flags);
}

function popf(cpu: Cpu, d: Decoded): void {
  if (cpu.vm86 && cpu.iopl < 3) raiseGP(cpu, 0);
  // POPFQ: RFLAGS bits 63:32 are reserved, only the low dword matters.
  const value = d.opSize === 16 ? cpu.stackRead16(0) : cpu.stackRead32(0);
  cpu.adjustSp(d.opSize >> 3);
  // Which bits POPF may change depends on the mode and privilege.
  let changeable = ARITH_FLAGS | TF | IF | DF | IOPL_MASK | NT | AC | ID;
  if (cpu.protectedMode) {
    if (cpu.vm86 || cpu.cpl > 0) changeable &= ~IOPL_MASK;
    if (!cpu.vm86 && cpu.cpl > cpu.iopl) changeable &= ~IF;
  }
  if (d.opSize === 16) changeable &= 0xffff;
  const old = cpu.getEflags();
  cpu.setEflags((old & ~changeable) | (value & changeable));
}
defineOp(0x9c, D64, pushf);
defineOp(0x9d, { endsBlock: true, default64: true }, popf);

// ---- ENTER / LEAVE ----

/** The frame pointer register as the stack size sees it (BP or EBP). */
function getBp(cpu: Cpu): number {
  return cpu.stack32 ? cpu.r32[EBP << 1] >>> 0 : cpu.r16[EBP << 2];
}

/** ENTER imm16, imm8 (SDM vol. 2, ENTER): the frame is built, then EBP/ESP commit. */
function enter(cpu: Cpu, d: Decoded): void {
  if (cpu.mode64 && d.opSize === 64) {
    enter64(cpu, d);
    return;
  }
  const size = d.opSize >> 3;
  const level = d.imm2 & 31;
  const sp = cpu.getSp();
  const bp = getBp(cpu);
  const mask = cpu.stack32 ? 0xffffffff : 0xffff;
  let delta = -size;
  if (size === 2) cpu.stackWrite16(delta, cpu.r16[EBP << 2]);
  else cpu.stackWrite32(delta, cpu.r32[EBP << 1]);
  const frameTemp = (sp + delta) & mask;
  if (level > 0) {
    for (let i = 1; i < level; i++) {
      const from = (bp - i * size) & mask;
      const lin = cpu.segLinear(SEG_SS, from >>> 0, size, SEG_ACCESS_READ);
      const v = size === 2 ? cpu.read16(lin) : cpu.read32(lin);
      delta -= size;
      if (size === 2) cpu.stackWrite16(delta, v);
      else cpu.stackWrite32(delta, v);
    }
    delta -= size;
    if (size === 2) cpu.stackWrite16(delta, frameTemp);
    else cpu.stackWrite32(delta, frameTemp);
  }
  if (size === 2) cpu.r16[EBP << 2] = frameTemp;
  else cpu.setReg32(EBP, frameTemp);
  cpu.setSp((sp + delta - d.imm) & mask);
}

/** ENTER with 64-bit operands: 8-byte frame pointers, RBP/RSP 64-bit. */
function enter64(cpu: Cpu, d: Decoded): void {
  const level = d.imm2 & 31;
  const rbp = cpu.reg64Number(EBP);
  const rbpLo = cpu.r32[EBP << 1];
  const rbpHi = cpu.r32[(EBP << 1) | 1];
  let delta = -8;
  cpu.stackWrite64(delta, rbpLo, rbpHi);
  const frameTemp = cpu.rsp + delta;
  if (level > 0) {
    for (let i = 1; i < level; i++) {
      const lo = cpu.read64(cpu.segLinear(SEG_SS, rbp - i * 8, 8, SEG_ACCESS_READ));
      delta -= 8;
      cpu.stackWrite64(delta, lo, cpu.valueHi);
    }
    delta -= 8;
    cpu.stackWrite64(delta, frameTemp | 0, Math.floor(frameTemp / 4294967296) | 0);
  }
  cpu.setReg64Number(EBP, frameTemp);
  cpu.addRsp(delta - d.imm);
}

/** LEAVE: (E)SP = (E)BP, then pop (E)BP. */
function leave(cpu: Cpu, d: Decoded): void {
  if (cpu.mode64) {
    // RSP = RBP, then pop RBP (16-bit with 66h).
    const rbp = cpu.reg64Number(EBP);
    const lin = cpu.segLinear(SEG_SS, rbp, d.opSize >> 3, SEG_ACCESS_READ);
    if (d.opSize === 16) {
      const v = cpu.read16(lin);
      cpu.setReg64Number(ESP, rbp + 2);
      cpu.r16[EBP << 2] = v;
    } else {
      const lo = cpu.read64(lin);
      const hi = cpu.valueHi;
      cpu.setReg64Number(ESP, rbp + 8);
      cpu.setReg64(EBP, lo, hi);
    }
    return;
  }
  const size = d.opSize >> 3;
  const bp = getBp(cpu);
  const lin = cpu.segLinear(SEG_SS, bp, size, SEG_ACCESS_READ);
  const v = size === 2 ? cpu.read16(lin) : cpu.read32(lin);
  cpu.setSp(bp + size);
  if (size === 2) cpu.r16[EBP << 2] = v;
  else cpu.setReg32(EBP, v);
}
defineOp(0xc8, { imm: IMM_W_B, default64: true }, enter);
defineOp(0xc9, D64, leave);
