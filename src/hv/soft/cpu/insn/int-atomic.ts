/**
 * The read-modify-write exchange instructions: CMPXCHG (0F B0/B1), XADD
 * (0F C0/C1), CMPXCHG8B and, with REX.W, CMPXCHG16B (0F C7 /1, memory only).
 * All are lockable with a memory destination. SDM vol. 2, CMPXCHG, XADD,
 * CMPXCHG8B/CMPXCHG16B.
 *
 * A memory destination is always written — with its old value when the
 * comparison fails — as the processor does ("the destination operand is
 * written back if the comparison fails"), so a read-only page faults either
 * way. The write permission is checked before anything changes.
 */
import type { Cpu } from "../cpu.js";
import { EAX, EBX, ECX, EDX, ZF } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { raiseGP } from "../fault.js";
import { setFlagsDirect, setLazyAdd, setLazyAdd64, setLazySub, setLazySub64 } from "../flags.js";
import { add64, hi64, sub64 } from "../int64.js";
import { defineGroup0F, defineOp0F } from "../ops.js";

/** CMPXCHG Eb,Gb: compare AL with the destination; equal → dest = Gb, else AL = dest. */
function cmpxchgEbGb(cpu: Cpu, d: Decoded): void {
  const dest = cpu.readModrmRmw8(d);
  const acc = cpu.r8[0];
  setLazySub(cpu, (acc - dest) & 0xff, acc, dest, 8);
  if (acc === dest) {
    cpu.writeModrmRmw8(d, cpu.r8[d.reg8]);
  } else {
    cpu.writeModrmRmw8(d, dest);
    cpu.r8[0] = dest;
  }
}

function cmpxchgEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    const lo = cpu.readModrmRmw64(d);
    const hi = cpu.valueHi;
    const r32 = cpu.r32;
    const aLo = r32[EAX << 1];
    const aHi = r32[(EAX << 1) | 1];
    setLazySub64(cpu, sub64(aLo, aHi, lo, hi), hi64[0], aLo, aHi, lo, hi);
    if (aLo === lo && aHi === hi) {
      cpu.writeModrmRmw64(d, r32[d.reg << 1], r32[(d.reg << 1) | 1]);
    } else {
      cpu.writeModrmRmw64(d, lo, hi);
      r32[EAX << 1] = lo;
      r32[(EAX << 1) | 1] = hi;
    }
  } else if (d.opSize === 16) {
    const dest = cpu.readModrmRmw16(d);
    const acc = cpu.r16[EAX << 2];
    setLazySub(cpu, (acc - dest) & 0xffff, acc, dest, 16);
    if (acc === dest) {
      cpu.writeModrmRmw16(d, cpu.r16[d.reg << 2]);
    } else {
      cpu.writeModrmRmw16(d, dest);
      cpu.r16[EAX << 2] = dest;
    }
  } else {
    const dest = cpu.readModrmRmw32(d);
    const acc = cpu.r32[EAX << 1];
    setLazySub(cpu, (acc - dest) | 0, acc, dest, 32);
    if (acc === dest) {
      cpu.writeModrmRmw32(d, cpu.r32[d.reg << 1]);
    } else {
      cpu.writeModrmRmw32(d, dest);
      cpu.setReg32(EAX, dest);
    }
  }
}

/**
 * XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (that order, so
 * `XADD r, r` with one register leaves the sum). Flags of the addition.
 */
function xaddEbGb(cpu: Cpu, d: Decoded): void {
  const dest = cpu.readModrmRmw8(d);
  const at = d.reg8;
  const src = cpu.r8[at];
  const sum = (dest + src) & 0xff;
  cpu.r8[at] = dest;
  cpu.writeModrmRmw8(d, sum);
  setLazyAdd(cpu, sum, dest, src, 8);
}

function xaddEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    const lo = cpu.readModrmRmw64(d);
    const hi = cpu.valueHi;
    const r = d.reg << 1;
    const sLo = cpu.r32[r];
    const sHi = cpu.r32[r + 1];
    const sum = add64(lo, hi, sLo, sHi);
    const sumHi = hi64[0];
    cpu.r32[r] = lo;
    cpu.r32[r + 1] = hi;
    cpu.writeModrmRmw64(d, sum, sumHi);
    setLazyAdd64(cpu, sum, sumHi, lo, hi, sLo, sHi);
  } else if (d.opSize === 16) {
    const dest = cpu.readModrmRmw16(d);
    const src = cpu.r16[d.reg << 2];
    const sum = (dest + src) & 0xffff;
    cpu.r16[d.reg << 2] = dest;
    cpu.writeModrmRmw16(d, sum);
    setLazyAdd(cpu, sum, dest, src, 16);
  } else {
    const dest = cpu.readModrmRmw32(d);
    const src = cpu.r32[d.reg << 1];
    const sum = (dest + src) | 0;
    cpu.setReg32(d.reg, dest);
    cpu.writeModrmRmw32(d, sum);
    setLazyAdd(cpu, sum, dest, src, 32);
  }
}

/**
 * CMPXCHG8B m64: EDX:EAX == m64 → ZF = 1, m64 = ECX:EBX; else ZF = 0,
 * EDX:EAX = m64 (and m64 is rewritten unchanged). Only ZF changes. The
 * 8-byte operand may cross a page: both pages are checked first.
 */
function cmpxchg8b(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    cmpxchg16b(cpu, d);
    return;
  }
  const lin = cpu.eaWrite(d, 8);
  cpu.checkWritable(lin, 8);
  const low = cpu.read32(lin);
  const high = cpu.read32(lin + 4);
  if (low === cpu.r32[EAX << 1] && high === cpu.r32[EDX << 1]) {
    cpu.write32(lin, cpu.r32[EBX << 1]);
    cpu.write32(lin + 4, cpu.r32[ECX << 1]);
    setFlagsDirect(cpu, ZF, ZF);
  } else {
    cpu.write32(lin, low);
    cpu.write32(lin + 4, high);
    cpu.setReg32(EAX, low);
    cpu.setReg32(EDX, high);
    setFlagsDirect(cpu, ZF, 0);
  }
}

/**
 * CMPXCHG16B m128 (REX.W): RDX:RAX == m128 → ZF = 1, m128 = RCX:RBX; else
 * ZF = 0, RDX:RAX = m128 (rewritten unchanged). #GP(0) unless 16-byte aligned.
 */
function cmpxchg16b(cpu: Cpu, d: Decoded): void {
  const lin = cpu.eaWrite(d, 16);
  if (lin % 16 !== 0) raiseGP(cpu, 0);
  cpu.checkWritable(lin, 16);
  const r32 = cpu.r32;
  const w0 = cpu.read64(lin);
  const w1 = cpu.valueHi;
  const w2 = cpu.read64(lin + 8);
  const w3 = cpu.valueHi;
  const equal =
    w0 === r32[EAX << 1] &&
    w1 === r32[(EAX << 1) | 1] &&
    w2 === r32[EDX << 1] &&
    w3 === r32[(EDX << 1) | 1];
  if (equal) {
    cpu.write64(lin, r32[EBX << 1], r32[(EBX << 1) | 1]);
    cpu.write64(lin + 8, r32[ECX << 1], r32[(ECX << 1) | 1]);
    setFlagsDirect(cpu, ZF, ZF);
  } else {
    cpu.write64(lin, w0, w1);
    cpu.write64(lin + 8, w2, w3);
    r32[EAX << 1] = w0;
    r32[(EAX << 1) | 1] = w1;
    r32[EDX << 1] = w2;
    r32[(EDX << 1) | 1] = w3;
    setFlagsDirect(cpu, ZF, 0);
  }
}

defineOp0F(0xb0, { modrm: true, lockable: true }, cmpxchgEbGb);
defineOp0F(0xb1, { modrm: true, lockable: true }, cmpxchgEvGv);
defineOp0F(0xc0, { modrm: true, lockable: true }, xaddEbGb);
defineOp0F(0xc1, { modrm: true, lockable: true }, xaddEvGv);
defineGroup0F(0xc7, 1, { mod: "mem", lockable: true }, cmpxchg8b);
