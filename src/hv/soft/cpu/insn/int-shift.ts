/**
 * Group 2: ROL ROR RCL RCR SHL SHR SAL SAR by 1 (D0/D1), CL (D2/D3) and imm8
 * (C0/C1), selected by ModRM.reg (/6 is an undocumented alias of SHL that
 * real processors execute). SDM vol. 2, "RCL/RCR/ROL/ROR" and "SAL/SAR/SHL/SHR".
 *
 * The count is masked to 5 bits; a masked count of 0 changes nothing (not
 * even flags) and the operand is not written back. Flag choices where the
 * SDM says "undefined" (Intel P6+ behaviour as modelled by Bochs and QEMU):
 *   - OF after a shift or rotate by more than 1 uses the count-1 formula:
 *     SHL: MSB(result) XOR CF; SHR: 0 (MSB of the original for count 1);
 *     SAR: 0; ROL/RCL: MSB(result) XOR CF; ROR/RCR: XOR of the two MSBs.
 *   - AF after a shift (count != 0) is 0; rotates leave SF/ZF/AF/PF alone.
 *   - 8/16-bit SHL/SHR with a count at or above the width: result 0 and CF
 *     is the last bit shifted out (0 once the count exceeds the width).
 *   - ROL/ROR of 8/16 bits by a non-zero multiple of the width leave the
 *     operand unchanged but still set CF and OF from it.
 *   - RCL/RCR of 8/16 bits rotate by count mod 9 / mod 17; when that is 0
 *     nothing changes.
 * With a 64-bit operand (REX.W) the count is masked to 6 bits and the
 * same rules apply to the 64-bit value (shiftValue64).
 */
import type { Cpu } from "../cpu.js";
import { CF, ECX, OF } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { getCF, setFlagsDirect, setLazyResult, setLazyResult64 } from "../flags.js";
import { bit64, hi64, sar64, shl64, shr64 } from "../int64.js";
import { defineGroup, IMM_B } from "../ops.js";

const SHIFT_ROL = 0;
const SHIFT_ROR = 1;
const SHIFT_RCL = 2;
const SHIFT_RCR = 3;
const SHIFT_SHL = 4;
const SHIFT_SHR = 5;
const SHIFT_SAL = 6;

/**
 * Shifts or rotates the `size`-bit value `v` (zero-extended for 8/16, any
 * int32 form for 32) by `count` (1-31, already masked and non-zero) with
 * operation `op` (ModRM.reg); sets the flags; returns the new value.
 */
export function shiftValue(cpu: Cpu, op: number, v: number, count: number, size: number): number {
  const top = size - 1;
  const m = size === 32 ? -1 : (1 << size) - 1;
  switch (op) {
    case SHIFT_ROL: {
      const n = count & top;
      const r = n === 0 ? v & m : ((v << n) | ((v & m) >>> (size - n))) & m;
      const cf = r & 1;
      setFlagsDirect(cpu, CF | OF, cf | ((((r >>> top) & 1) ^ cf) << 11));
      return r;
    }
    case SHIFT_ROR: {
      const n = count & top;
      const r = n === 0 ? v & m : (((v & m) >>> n) | (v << (size - n))) & m;
      const cf = (r >>> top) & 1;
      setFlagsDirect(cpu, CF | OF, cf | ((cf ^ ((r >>> (top - 1)) & 1)) << 11));
      return r;
    }
    case SHIFT_RCL:
      return rcl(cpu, v & m, count, size);
    case SHIFT_RCR:
      return rcr(cpu, v & m, count, size);
    case SHIFT_SHL:
    case SHIFT_SAL: {
      const wide = v << count; // bit `size` of the unmasked shift is the last bit out
      const r = wide & m;
      const cf = size === 32 ? (v >>> (32 - count)) & 1 : (wide >>> size) & 1;
      setLazyResult(cpu, r, size, cf | ((((r >>> top) & 1) ^ cf) << 11));
      return r;
    }
    case SHIFT_SHR: {
      const u = v & m;
      const r = (u >>> count) & m;
      const cf = (u >>> (count - 1)) & 1;
      const of = count === 1 ? (u >>> top) & 1 : 0;
      setLazyResult(cpu, r, size, cf | (of << 11));
      return r;
    }
    default: {
      // SAR: shift the sign-extended value; counts past the width give all sign bits.
      const s = (v << (32 - size)) >> (32 - size);
      const r = (s >> count) & m;
      setLazyResult(cpu, r, size, (s >> (count - 1)) & 1);
      return r;
    }
  }
}

/** RCL: rotate the (size+1)-bit value CF:v left by `count`. */
function rcl(cpu: Cpu, v: number, count: number, size: number): number {
  const top = size - 1;
  const n = size === 32 ? count : count % (size + 1);
  if (n === 0) return v;
  const cfIn = getCF(cpu);
  let r: number;
  let cf: number;
  if (size === 32) {
    cf = (v >>> (32 - n)) & 1;
    r = n === 1 ? (v << 1) | cfIn : (v << n) | (cfIn << (n - 1)) | (v >>> (33 - n));
  } else {
    const w = size + 1;
    const x = (cfIn << size) | v;
    const rot = ((x << n) | (x >>> (w - n))) & ((1 << w) - 1);
    r = rot & ((1 << size) - 1);
    cf = rot >>> size;
  }
  setFlagsDirect(cpu, CF | OF, cf | ((((r >>> top) & 1) ^ cf) << 11));
  return r;
}

/** RCR: rotate the (size+1)-bit value CF:v right by `count`. */
function rcr(cpu: Cpu, v: number, count: number, size: number): number {
  const top = size - 1;
  const n = size === 32 ? count : count % (size + 1);
  if (n === 0) return v;
  const cfIn = getCF(cpu);
  let r: number;
  let cf: number;
  if (size === 32) {
    cf = (v >>> (n - 1)) & 1;
    r = n === 1 ? (v >>> 1) | (cfIn << 31) : (v >>> n) | (cfIn << (32 - n)) | (v << (33 - n));
  } else {
    const w = size + 1;
    const x = (cfIn << size) | v;
    const rot = ((x >>> n) | (x << (w - n))) & ((1 << w) - 1);
    r = rot & ((1 << size) - 1);
    cf = rot >>> size;
  }
  const of = ((r >>> top) ^ (r >>> (top - 1))) & 1;
  setFlagsDirect(cpu, CF | OF, cf | (of << 11));
  return r;
}

/**
 * `shiftValue` for a 64-bit operand (lo, hi) by `count` (1-63): sets the
 * flags, returns the low dword of the result, the high one in hi64[0].
 */
export function shiftValue64(cpu: Cpu, op: number, lo: number, hi: number, count: number): number {
  let rLo: number;
  let rHi: number;
  switch (op) {
    case SHIFT_ROL: {
      const a = shl64(lo, hi, count);
      const aHi = hi64[0];
      rLo = a | shr64(lo, hi, 64 - count);
      rHi = aHi | hi64[0];
      const cf = rLo & 1;
      setFlagsDirect(cpu, CF | OF, cf | (((rHi >>> 31) ^ cf) << 11));
      break;
    }
    case SHIFT_ROR: {
      const a = shr64(lo, hi, count);
      const aHi = hi64[0];
      rLo = a | shl64(lo, hi, 64 - count);
      rHi = aHi | hi64[0];
      const cf = rHi >>> 31;
      setFlagsDirect(cpu, CF | OF, cf | ((cf ^ ((rHi >>> 30) & 1)) << 11));
      break;
    }
    case SHIFT_RCL: {
      // 65-bit rotate of CF:value (count < 64, so no modulo is needed).
      const cfIn = getCF(cpu);
      const a = shl64(lo, hi, count);
      const aHi = hi64[0];
      const c = shl64(cfIn, 0, count - 1);
      const cHi = hi64[0];
      const b = shr64(lo, hi, 65 - count);
      rLo = a | b | c;
      rHi = aHi | hi64[0] | cHi;
      const cf = bit64(lo, hi, 64 - count);
      setFlagsDirect(cpu, CF | OF, cf | (((rHi >>> 31) ^ cf) << 11));
      break;
    }
    case SHIFT_RCR: {
      const cfIn = getCF(cpu);
      const a = shr64(lo, hi, count);
      const aHi = hi64[0];
      const c = shl64(cfIn, 0, 64 - count);
      const cHi = hi64[0];
      const b = shl64(lo, hi, 65 - count);
      rLo = a | b | c;
      rHi = aHi | hi64[0] | cHi;
      const cf = bit64(lo, hi, count - 1);
      setFlagsDirect(cpu, CF | OF, cf | ((((rHi >>> 31) ^ (rHi >>> 30)) & 1) << 11));
      break;
    }
    case SHIFT_SHL:
    case SHIFT_SAL: {
      rLo = shl64(lo, hi, count);
      rHi = hi64[0];
      const cf = bit64(lo, hi, 64 - count);
      setLazyResult64(cpu, rLo, rHi, cf | (((rHi >>> 31) ^ cf) << 11));
      break;
    }
    case SHIFT_SHR: {
      rLo = shr64(lo, hi, count);
      rHi = hi64[0];
      const cf = bit64(lo, hi, count - 1);
      const of = count === 1 ? hi >>> 31 : 0;
      setLazyResult64(cpu, rLo, rHi, cf | (of << 11));
      break;
    }
    default: {
      rLo = sar64(lo, hi, count);
      rHi = hi64[0];
      setLazyResult64(cpu, rLo, rHi, bit64(lo, hi, count - 1));
      break;
    }
  }
  hi64[0] = rHi;
  return rLo;
}

// ---- Operand forms: Eb / Ev by 1, CL, imm8 ----

function shiftEb(cpu: Cpu, d: Decoded, count: number): void {
  const v = cpu.readModrmRmw8(d);
  if (count === 0) return;
  cpu.writeModrmRmw8(d, shiftValue(cpu, d.reg, v, count, 8));
}

/** `count` is the raw count (imm8 or CL): masked here to 5 bits, or 6 for 64-bit operands. */
function shiftEv(cpu: Cpu, d: Decoded, count: number): void {
  if (d.opSize === 64) {
    const lo = cpu.readModrmRmw64(d);
    const n = count & 0x3f;
    if (n === 0) return;
    const r = shiftValue64(cpu, d.reg, lo, cpu.valueHi, n);
    cpu.writeModrmRmw64(d, r, hi64[0]);
    return;
  }
  count &= 0x1f;
  if (d.opSize === 16) {
    const v = cpu.readModrmRmw16(d);
    if (count === 0) return;
    cpu.writeModrmRmw16(d, shiftValue(cpu, d.reg, v, count, 16));
  } else {
    const v = cpu.readModrmRmw32(d);
    // A count of 0 changes nothing, but a 32-bit register is still written (zero-extended).
    if (count === 0) {
      if (d.mod === 3) cpu.setReg32(d.rm, v);
      return;
    }
    cpu.writeModrmRmw32(d, shiftValue(cpu, d.reg, v, count, 32));
  }
}

function shiftEb1(cpu: Cpu, d: Decoded): void {
  shiftEb(cpu, d, 1);
}
function shiftEbCl(cpu: Cpu, d: Decoded): void {
  shiftEb(cpu, d, cpu.r8[ECX << 3] & 0x1f);
}
function shiftEbIb(cpu: Cpu, d: Decoded): void {
  shiftEb(cpu, d, d.imm & 0x1f);
}
function shiftEv1(cpu: Cpu, d: Decoded): void {
  shiftEv(cpu, d, 1);
}
function shiftEvCl(cpu: Cpu, d: Decoded): void {
  shiftEv(cpu, d, cpu.r8[ECX << 3]);
}
function shiftEvIb(cpu: Cpu, d: Decoded): void {
  shiftEv(cpu, d, d.imm);
}

for (let op = 0; op < 8; op++) {
  defineGroup(0xc0, op, { imm: IMM_B }, shiftEbIb);
  defineGroup(0xc1, op, { imm: IMM_B }, shiftEvIb);
  defineGroup(0xd0, op, {}, shiftEb1);
  defineGroup(0xd1, op, {}, shiftEv1);
  defineGroup(0xd2, op, {}, shiftEbCl);
  defineGroup(0xd3, op, {}, shiftEvCl);
}
