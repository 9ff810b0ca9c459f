/**
 * Random floating-point operands and x87 state for the FPU groups, biased
 * to the classes where x87 behaviour branches: zeros, denormals and
 * pseudo-denormals, normals near 1 and near the single/double limits,
 * infinities, quiet and signalling NaNs, the indefinite, unnormals and
 * pseudo-NaN/pseudo-infinity encodings (SDM vol. 1, 8.2.2 and table 8-3).
 */
import type { CaseBuilder } from "../builder.js";
import {
  FSW_B,
  FSW_ES,
  FSW_TOP_SHIFT,
  FX_FCW,
  FX_FSW,
  FX_FTW,
  FX_ST,
  writeU16,
} from "../fxsave.js";
import type { Rng } from "../rng.js";

/** An 80-bit extended value as 10 little-endian bytes (significand, then sign+exponent). */
export function randomF80(rng: Rng): Uint8Array {
  const b = new Uint8Array(10);
  const sign = rng.chance(0.5) ? 0x8000 : 0;
  let exp: number;
  let hi = rng.u32() | 0x80000000; // integer bit set
  let lo = rng.u32();
  switch (rng.int(16)) {
    case 0: // zero
      exp = 0;
      hi = 0;
      lo = 0;
      break;
    case 1: // denormal
      exp = 0;
      hi &= 0x7fffffff;
      break;
    case 2: // pseudo-denormal (exponent 0, integer bit 1)
      exp = 0;
      break;
    case 3: // infinity
      exp = 0x7fff;
      hi = 0x80000000;
      lo = 0;
      break;
    case 4: // QNaN, SNaN or the indefinite
      exp = 0x7fff;
      hi = rng.pick([0xc0000000, hi | 0x40000000, (hi & ~0x40000000) | 1]) >>> 0;
      if (hi === 0xc0000000) lo = 0;
      break;
    case 5: // unnormal, pseudo-NaN/infinity (integer bit clear): invalid operands
      exp = rng.chance(0.5) ? 0x7fff : rng.range(1, 0x7ffe);
      hi &= 0x7fffffff;
      break;
    case 6: // small integers and simple fractions, exactly
      return f80FromNumber(rng.pick([1, 2, 3, 0.5, 0.25, 10, 100, -1, 1.5, 1e6]) * (sign ? -1 : 1));
    case 7: // near the limits of single and double
      exp = rng.pick([
        0x3fff - 126,
        0x3fff + 127,
        0x3fff - 1022,
        0x3fff + 1023,
        0x3fff - 149,
        0x3fff - 1074,
      ]);
      exp += rng.range(-2, 2);
      break;
    case 8: // near the ends of the extended range
      exp = rng.pick([1, 2, 0x7ffe, 0x7ffd]);
      break;
    case 9: // few significand bits (exact in single/double, integers)
      lo = 0;
      hi = (hi & 0xfff00000) >>> 0;
      exp = 0x3fff + rng.range(-4, 40);
      break;
    default: // normal near 1
      exp = 0x3fff + rng.range(-70, 70);
      break;
  }
  b[0] = lo;
  b[1] = lo >>> 8;
  b[2] = lo >>> 16;
  b[3] = lo >>> 24;
  b[4] = hi;
  b[5] = hi >>> 8;
  b[6] = hi >>> 16;
  b[7] = hi >>> 24;
  writeU16(b, 8, sign | exp);
  return b;
}

/** The extended encoding of a finite double (exact). */
export function f80FromNumber(x: number): Uint8Array {
  const b = new Uint8Array(10);
  if (x === 0) {
    writeU16(b, 8, Object.is(x, -0) ? 0x8000 : 0);
    return b;
  }
  const sign = x < 0 ? 0x8000 : 0;
  let v = Math.abs(x);
  let e = 0;
  while (v >= 2) {
    v /= 2;
    e++;
  }
  while (v < 1) {
    v *= 2;
    e--;
  }
  // v in [1, 2): 64-bit significand with the integer bit.
  const sig = BigInt(Math.round(v * 2 ** 52)) << 11n;
  for (let i = 0; i < 8; i++) b[i] = Number((sig >> BigInt(8 * i)) & 0xffn);
  writeU16(b, 8, sign | (0x3fff + e));
  return b;
}

/** A float32 bit pattern (edge-biased): zeros, denormals, infinities, NaNs, normals. */
export function randomF32(rng: Rng): number {
  const sign = rng.chance(0.5) ? 0x80000000 : 0;
  switch (rng.int(8)) {
    case 0:
      return sign >>> 0;
    case 1:
      return (sign | (rng.u32() & 0x7fffff) | 1) >>> 0; // denormal
    case 2:
      return (sign | 0x7f800000) >>> 0; // infinity
    case 3:
      return (sign | 0x7f800000 | (rng.u32() & 0x7fffff) | 1) >>> 0; // NaN
    default: {
      const exp = rng.chance(0.7) ? 127 + rng.range(-30, 30) : rng.range(1, 254);
      return (sign | (exp << 23) | (rng.u32() & 0x7fffff)) >>> 0;
    }
  }
}

/** A float64 bit pattern as [low, high] dwords. */
export function randomF64(rng: Rng): [number, number] {
  const sign = rng.chance(0.5) ? 0x80000000 : 0;
  const lo = rng.u32();
  switch (rng.int(8)) {
    case 0:
      return [0, sign >>> 0];
    case 1:
      return [lo | 1, (sign | (rng.u32() & 0xfffff)) >>> 0]; // denormal
    case 2:
      return [0, (sign | 0x7ff00000) >>> 0];
    case 3:
      return [lo | 1, (sign | 0x7ff00000 | (rng.u32() & 0xfffff)) >>> 0];
    default: {
      const exp = rng.chance(0.7) ? 1023 + rng.range(-60, 60) : rng.range(1, 2046);
      return [lo, (sign | (exp << 20) | (rng.u32() & 0xfffff)) >>> 0];
    }
  }
}

/** Packed BCD (10 bytes): 18 digits and a sign byte; sometimes invalid nibbles. */
export function randomBcd(rng: Rng): Uint8Array {
  const b = new Uint8Array(10);
  const digits = rng.pick([1, 2, 5, 18, rng.range(0, 18)]);
  for (let i = 0; i < 9; i++) {
    const lo = 2 * i < digits ? rng.int(10) : 0;
    const hi = 2 * i + 1 < digits ? rng.int(10) : 0;
    b[i] = (hi << 4) | lo;
  }
  if (rng.chance(0.1)) b[rng.int(9)] |= 0xa0; // an invalid digit
  b[9] = rng.chance(0.5) ? 0x80 : 0;
  return b;
}

/** Options for `randomX87State`. */
export interface X87StateOptions {
  /** Non-empty registers from ST(0) up; random (biased to 1-3) when absent. */
  readonly depth?: number;
  /**
   * Allow unmasked exceptions (default false). What an x87 instruction does
   * when an exception is unmasked differs between vendors (AMD hosts load a
   * denormal under an unmasked #D, set the compare flags under an unmasked
   * #IA...; the SDM says they do not), so only the x87-unmasked group uses it.
   */
  readonly exceptions?: boolean;
}

/**
 * A random x87 state in the case's FXSAVE image: TOP, the first `depth`
 * stack registers valid with random values, control word (rounding,
 * precision, sometimes unmasked exceptions), and status flags.
 */
export function randomX87State(b: CaseBuilder, options: X87StateOptions = {}): void {
  const rng = b.rng;
  const fx = b.fxsave;
  const top = rng.chance(0.5) ? 0 : rng.int(8);
  const depth = options.depth ?? rng.pick([0, 1, 2, 2, 2, 3, 3, 4, 8, rng.int(9)]);
  let tags = 0;
  for (let i = 0; i < 8; i++) {
    fx.set(randomF80(rng), FX_ST + 16 * i);
    if (i < depth) tags |= 1 << ((top + i) & 7);
  }
  fx[FX_FTW] = tags;
  let fcw = 0x037f;
  if (rng.chance(0.4)) {
    const rc = rng.int(4);
    const pc = rng.pick([0, 2, 3]);
    fcw = 0x0040 | 0x3f | (pc << 8) | (rc << 10);
  }
  const unmask = options.exceptions === true && rng.chance(0.5);
  if (unmask) fcw &= ~(1 << rng.int(6)) & ~(rng.chance(0.3) ? 0x3f : 0);
  writeU16(fx, FX_FCW, fcw);
  let fsw = (top << FSW_TOP_SHIFT) | (rng.chance(0.3) ? rng.u32() & 0x4700 : 0);
  if (rng.chance(0.15)) fsw |= rng.u32() & 0x3f; // sticky exception flags
  if ((fsw & ~fcw & 0x3f) !== 0) fsw |= FSW_ES | FSW_B; // pending unmasked exception
  writeU16(fx, FX_FSW, fsw);
}
