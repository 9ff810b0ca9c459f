/**
 * SHLD / SHRD (0F A4/A5, 0F AC/AD): double-precision shifts, count from an
 * imm8 or CL, masked to 5 bits. SDM vol. 2, SHLD and SHRD.
 *
 * A masked count of 0 changes nothing. CF is the last bit shifted out of the
 * destination; SF/ZF/PF follow the result; AF = 0 (undefined in the SDM).
 * OF (defined for count 1 only) uses the count-1 formula for every count:
 * SHLD: MSB(result) XOR CF; SHRD: XOR of the result's two top bits.
 * 16-bit counts above 16 (undefined in the SDM) follow Intel P6+ hardware
 * as documented by QEMU: the 48-bit value dest:src:dest is shifted, which for
 * a count n > 16 equals a 16-bit double shift by n - 16 with the two
 * operands' roles swapped.
 */
import type { Cpu } from "../cpu.js";
import { ECX } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { setLazyResult, setLazyResult64 } from "../flags.js";
import { bit64, hi64, shl64, shr64 } from "../int64.js";
import { defineOp0F, IMM_B } from "../ops.js";

/** SHLD of 32 bits, `n` in 1..31. */
function shld32(cpu: Cpu, dest: number, src: number, n: number): number {
  const r = (dest << n) | (src >>> (32 - n));
  const cf = (dest >>> (32 - n)) & 1;
  setLazyResult(cpu, r, 32, cf | (((r >>> 31) ^ cf) << 11));
  return r;
}

/** SHRD of 32 bits, `n` in 1..31. */
function shrd32(cpu: Cpu, dest: number, src: number, n: number): number {
  const r = (dest >>> n) | (src << (32 - n));
  const cf = (dest >>> (n - 1)) & 1;
  setLazyResult(cpu, r, 32, cf | ((((r >>> 31) ^ (r >>> 30)) & 1) << 11));
  return r;
}

/** SHLD of 16 bits, `n` in 1..31 (dest and src zero-extended). */
function shld16(cpu: Cpu, dest: number, src: number, n: number): number {
  // Beyond 16, the window of dest:src:dest slides into src:dest.
  let hi = dest;
  let lo = src;
  if (n > 16) {
    hi = src;
    lo = dest;
    n -= 16;
  }
  const r = ((hi << n) | (lo >>> (16 - n))) & 0xffff;
  const cf = (hi >>> (16 - n)) & 1;
  setLazyResult(cpu, r, 16, cf | (((r >>> 15) ^ cf) << 11));
  return r;
}

/** SHRD of 16 bits, `n` in 1..31. */
function shrd16(cpu: Cpu, dest: number, src: number, n: number): number {
  let lo = dest;
  let hi = src;
  if (n > 16) {
    lo = src;
    hi = dest;
    n -= 16;
  }
  const r = ((lo >>> n) | (hi << (16 - n))) & 0xffff;
  const cf = (lo >>> (n - 1)) & 1;
  setLazyResult(cpu, r, 16, cf | ((((r >>> 15) ^ (r >>> 14)) & 1) << 11));
  return r;
}

/** SHLD/SHRD of 64 bits, `n` in 1..63: returns lo, high dword in hi64[0]. */
function shiftDouble64(
  cpu: Cpu,
  dLo: number,
  dHi: number,
  sLo: number,
  sHi: number,
  n: number,
  left: boolean,
): number {
  let rLo: number;
  let rHi: number;
  let cf: number;
  let of: number;
  if (left) {
    const a = shl64(dLo, dHi, n);
    const aHi = hi64[0];
    rLo = a | shr64(sLo, sHi, 64 - n);
    rHi = aHi | hi64[0];
    cf = bit64(dLo, dHi, 64 - n);
    of = (rHi >>> 31) ^ cf;
  } else {
    const a = shr64(dLo, dHi, n);
    const aHi = hi64[0];
    rLo = a | shl64(sLo, sHi, 64 - n);
    rHi = aHi | hi64[0];
    cf = bit64(dLo, dHi, n - 1);
    of = ((rHi >>> 31) ^ (rHi >>> 30)) & 1;
  }
  setLazyResult64(cpu, rLo, rHi, cf | (of << 11));
  hi64[0] = rHi;
  return rLo;
}

function shiftDouble(cpu: Cpu, d: Decoded, count: number, left: boolean): void {
  if (d.opSize === 64) {
    const dLo = cpu.readModrmRmw64(d);
    const dHi = cpu.valueHi;
    const n64 = count & 0x3f;
    if (n64 === 0) return;
    const r = d.reg << 1;
    const lo = shiftDouble64(cpu, dLo, dHi, cpu.r32[r], cpu.r32[r + 1], n64, left);
    cpu.writeModrmRmw64(d, lo, hi64[0]);
    return;
  }
  const n = count & 0x1f;
  if (d.opSize === 16) {
    const dest = cpu.readModrmRmw16(d);
    if (n === 0) return;
    const src = cpu.r16[d.reg << 2];
    cpu.writeModrmRmw16(d, left ? shld16(cpu, dest, src, n) : shrd16(cpu, dest, src, n));
  } else {
    const dest = cpu.readModrmRmw32(d);
    if (n === 0) {
      if (d.mod === 3) cpu.setReg32(d.rm, dest); // still written, zero-extended
      return;
    }
    const src = cpu.r32[d.reg << 1];
    cpu.writeModrmRmw32(d, left ? shld32(cpu, dest, src, n) : shrd32(cpu, dest, src, n));
  }
}

function shldIb(cpu: Cpu, d: Decoded): void {
  shiftDouble(cpu, d, d.imm, true);
}
function shldCl(cpu: Cpu, d: Decoded): void {
  shiftDouble(cpu, d, cpu.r8[ECX << 3], true);
}
function shrdIb(cpu: Cpu, d: Decoded): void {
  shiftDouble(cpu, d, d.imm, false);
}
function shrdCl(cpu: Cpu, d: Decoded): void {
  shiftDouble(cpu, d, cpu.r8[ECX << 3], false);
}

defineOp0F(0xa4, { modrm: true, imm: IMM_B }, shldIb);
defineOp0F(0xa5, { modrm: true }, shldCl);
defineOp0F(0xac, { modrm: true, imm: IMM_B }, shrdIb);
defineOp0F(0xad, { modrm: true }, shrdCl);
