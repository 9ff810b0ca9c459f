/**
 * Bit instructions: BT/BTS/BTR/BTC (0F A3/AB/B3/BB with a register offset,
 * 0F BA /4-7 with an imm8 offset), BSF/BSR (0F BC/BD), BSWAP (0F C8+r).
 * SDM vol. 2, BT/BTS/BTR/BTC, BSF/BSR, BSWAP.
 *
 * BT*: with a register bit offset and a memory operand the offset is a
 * signed 16/32-bit number that may address far outside the operand: the
 * word/dword at EA + 2 * (offset >> 4) (or 4 * (offset >> 5)) is accessed,
 * the EA wrapping at the address size (SDM vol. 2, BT, "bit base"). Only CF
 * is changed (the SDM leaves OF/SF/AF/PF undefined and keeps ZF; tsvm keeps
 * them all, like Bochs).
 *
 * BSF/BSR with a zero source set ZF and leave the destination unchanged
 * (what Intel and AMD hardware do); other flags are then unchanged. With a
 * non-zero source: ZF = 0, CF = OF = AF = SF = 0, PF = parity of the index
 * (flags of a logical result, as Bochs computes them).
 *
 * BSWAP with a 16-bit operand (undefined) clears the low word, as Intel
 * hardware and Bochs do.
 *
 * 64-bit operands (REX.W): bit offsets modulo 64 in registers, a signed
 * 64-bit offset selecting the qword at EA + 8 * (offset >> 6) in memory.
 */
import type { Cpu } from "../cpu.js";
import { CF, ARITH_FLAGS, PF, ZF } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { setFlagsDirect } from "../flags.js";
import { TWO32 } from "../int64.js";
import { defineGroup0F, defineOp0F, defineOpRange, IMM_B, MAP_0F } from "../ops.js";
import { SEG_ACCESS_READ, SEG_ACCESS_WRITE } from "../state.js";

const BT = 0;
const BTS = 1;
const BTR = 2;
const BTC = 3;

/** Applies BT* `kind` to `v` at bit `bit`; sets CF; returns the new value. */
function bitOp(cpu: Cpu, kind: number, v: number, bit: number): number {
  const m = 1 << bit;
  setFlagsDirect(cpu, CF, (v >>> bit) & 1);
  switch (kind) {
    case BTS:
      return v | m;
    case BTR:
      return v & ~m;
    case BTC:
      return v ^ m;
    default:
      return v;
  }
}

/** Offset in the segment of the operand holding bit `offset` (signed) of a memory bit string. */
function bitBase(cpu: Cpu, d: Decoded, byteDisplacement: number): number {
  if (cpu.mode64) {
    const off = cpu.eaNumber(d) + byteDisplacement;
    return d.addrSize === 32 ? off >>> 0 : off;
  }
  const off = cpu.eaOffset(d) + byteDisplacement;
  return d.addrSize === 16 ? off & 0xffff : off >>> 0;
}

/** BT* on a 64-bit value hi:lo at `bit` (0-63): sets CF; writes the new halves to `bitPair`. */
const bitPair = new Int32Array(2);
function bitOp64(cpu: Cpu, kind: number, lo: number, hi: number, bit: number): void {
  if (bit < 32) {
    bitPair[0] = bitOp(cpu, kind, lo, bit);
    bitPair[1] = hi;
  } else {
    bitPair[0] = lo;
    bitPair[1] = bitOp(cpu, kind, hi, bit - 32);
  }
}

/** BT* Ev,Gv with a 64-bit operand. */
function btEvGv64(cpu: Cpu, d: Decoded, kind: number): void {
  const oLo = cpu.r32[d.reg << 1];
  const oHi = cpu.r32[(d.reg << 1) | 1];
  const bit = oLo & 63;
  if (d.mod === 3) {
    const r = d.rm << 1;
    bitOp64(cpu, kind, cpu.r32[r], cpu.r32[r + 1], bit);
    if (kind !== BT) {
      cpu.r32[r] = bitPair[0];
      cpu.r32[r + 1] = bitPair[1];
    }
    return;
  }
  // The qword holding the bit: EA + 8 * floor(offset / 64), offset a signed 64-bit value.
  const offset = oHi * TWO32 + (oLo >>> 0);
  const off = bitBase(cpu, d, Math.floor(offset / 64) * 8);
  if (kind === BT) {
    const lo = cpu.read64(cpu.segLinear(d.seg, off, 8, SEG_ACCESS_READ));
    bitOp64(cpu, BT, lo, cpu.valueHi, bit);
    return;
  }
  const lin = cpu.segLinear(d.seg, off, 8, SEG_ACCESS_WRITE);
  const lo = cpu.readForWrite64(lin);
  bitOp64(cpu, kind, lo, cpu.valueHi, bit);
  cpu.write64(lin, bitPair[0], bitPair[1]);
}

/** BT* Ev,Gv (kind from the opcode: A3 BT, AB BTS, B3 BTR, BB BTC). */
function btEvGv(cpu: Cpu, d: Decoded): void {
  const kind = (d.opcode >> 3) & 3;
  if (d.opSize === 64) {
    btEvGv64(cpu, d, kind);
    return;
  }
  if (d.opSize === 16) {
    const offset = (cpu.r16[d.reg << 2] << 16) >> 16;
    const bit = offset & 15;
    if (d.mod === 3) {
      const r = bitOp(cpu, kind, cpu.r16[d.rm << 2], bit);
      if (kind !== BT) cpu.r16[d.rm << 2] = r;
      return;
    }
    const off = bitBase(cpu, d, (offset >> 4) * 2);
    if (kind === BT) {
      bitOp(cpu, BT, cpu.read16(cpu.segLinear(d.seg, off, 2, SEG_ACCESS_READ)), bit);
      return;
    }
    const lin = cpu.segLinear(d.seg, off, 2, SEG_ACCESS_WRITE);
    cpu.write16(lin, bitOp(cpu, kind, cpu.readForWrite16(lin), bit));
    return;
  }
  const offset = cpu.r32[d.reg << 1];
  const bit = offset & 31;
  if (d.mod === 3) {
    const r = bitOp(cpu, kind, cpu.r32[d.rm << 1], bit);
    if (kind !== BT) cpu.setReg32(d.rm, r);
    return;
  }
  const off = bitBase(cpu, d, (offset >> 5) * 4);
  if (kind === BT) {
    bitOp(cpu, BT, cpu.read32(cpu.segLinear(d.seg, off, 4, SEG_ACCESS_READ)), bit);
    return;
  }
  const lin = cpu.segLinear(d.seg, off, 4, SEG_ACCESS_WRITE);
  cpu.write32(lin, bitOp(cpu, kind, cpu.readForWrite32(lin), bit));
}

/** 0F BA /4-7: BT* Ev,Ib (the offset is taken modulo the operand size, no displacement). */
function btEvIb(cpu: Cpu, d: Decoded): void {
  const kind = d.reg - 4;
  if (d.opSize === 64) {
    const lo = kind === BT ? cpu.readModrm64(d) : cpu.readModrmRmw64(d);
    bitOp64(cpu, kind, lo, cpu.valueHi, d.imm & 63);
    if (kind !== BT) cpu.writeModrmRmw64(d, bitPair[0], bitPair[1]);
    return;
  }
  if (d.opSize === 16) {
    const bit = d.imm & 15;
    if (kind === BT) bitOp(cpu, BT, cpu.readModrm16(d), bit);
    else cpu.writeModrmRmw16(d, bitOp(cpu, kind, cpu.readModrmRmw16(d), bit));
  } else {
    const bit = d.imm & 31;
    if (kind === BT) bitOp(cpu, BT, cpu.readModrm32(d), bit);
    else cpu.writeModrmRmw32(d, bitOp(cpu, kind, cpu.readModrmRmw32(d), bit));
  }
}

/** PF of the small values a bit scan produces (0-31). */
function parityFlag(v: number): number {
  v ^= v >> 4;
  v ^= v >> 2;
  v ^= v >> 1;
  return (v & 1) === 0 ? PF : 0;
}

/** Flags after a bit scan: ZF only for a zero source, else the index's logical flags. */
function scanned(cpu: Cpu, index: number): void {
  setFlagsDirect(cpu, ARITH_FLAGS, parityFlag(index));
}

/** BSF/BSR r64: index of the lowest/highest set bit of hi:lo, or -1 for zero. */
function scan64(lo: number, hi: number, forward: boolean): number {
  if ((lo | hi) === 0) return -1;
  if (forward) return lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(hi & -hi);
  return hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
}

function bitScan64(cpu: Cpu, d: Decoded, forward: boolean): void {
  const lo = cpu.readModrm64(d);
  const index = scan64(lo, cpu.valueHi, forward);
  if (index < 0) return setFlagsDirect(cpu, ZF, ZF);
  cpu.r32[d.reg << 1] = index;
  cpu.r32[(d.reg << 1) | 1] = 0;
  scanned(cpu, index);
}

function bsf(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) return bitScan64(cpu, d, true);
  if (d.opSize === 16) {
    const v = cpu.readModrm16(d);
    if (v === 0) return setFlagsDirect(cpu, ZF, ZF);
    const index = 31 - Math.clz32(v & -v);
    cpu.r16[d.reg << 2] = index;
    scanned(cpu, index);
  } else {
    const v = cpu.readModrm32(d);
    if (v === 0) return setFlagsDirect(cpu, ZF, ZF);
    const index = 31 - Math.clz32(v & -v);
    cpu.setReg32(d.reg, index);
    scanned(cpu, index);
  }
}

function bsr(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) return bitScan64(cpu, d, false);
  const v = d.opSize === 16 ? cpu.readModrm16(d) : cpu.readModrm32(d);
  if (v === 0) return setFlagsDirect(cpu, ZF, ZF);
  const index = 31 - Math.clz32(v);
  if (d.opSize === 16) cpu.r16[d.reg << 2] = index;
  else cpu.setReg32(d.reg, index);
  scanned(cpu, index);
}

function swap32(v: number): number {
  return (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** BSWAP r32/r64 (the register is in the opcode, REX.B extends it). */
function bswap(cpu: Cpu, d: Decoded): void {
  const n = d.rm;
  if (d.opSize === 16) {
    cpu.r16[n << 2] = 0;
    return;
  }
  if (d.opSize === 64) {
    const lo = cpu.r32[n << 1];
    cpu.r32[n << 1] = swap32(cpu.r32[(n << 1) | 1]);
    cpu.r32[(n << 1) | 1] = swap32(lo);
    return;
  }
  cpu.setReg32(n, swap32(cpu.r32[n << 1]));
}

defineOp0F(0xa3, { modrm: true }, btEvGv);
defineOp0F(0xab, { modrm: true, lockable: true }, btEvGv);
defineOp0F(0xb3, { modrm: true, lockable: true }, btEvGv);
defineOp0F(0xbb, { modrm: true, lockable: true }, btEvGv);
defineGroup0F(0xba, 4, { imm: IMM_B }, btEvIb);
defineGroup0F(0xba, 5, { imm: IMM_B, lockable: true }, btEvIb);
defineGroup0F(0xba, 6, { imm: IMM_B, lockable: true }, btEvIb);
defineGroup0F(0xba, 7, { imm: IMM_B, lockable: true }, btEvIb);
defineOp0F(0xbc, { modrm: true }, bsf);
defineOp0F(0xbd, { modrm: true }, bsr);
defineOpRange(0xc8, 8, {}, bswap, MAP_0F);
