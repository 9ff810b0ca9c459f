/**
 * Independent reference arithmetic for the FPU tests: values as exact bigint
 * rationals, rounded by a straightforward (slow) implementation of IEEE 754
 * rounding with x87 precision control, extended exponent range, denormals,
 * tininess after rounding and the masked overflow response. Shares no code
 * with the library under test.
 */
import { F80 } from "../../src/hv/soft/cpu/fpu/f80.js";

export const IE = 1;
export const DE = 2;
export const ZE = 4;
export const OE = 8;
export const UE = 0x10;
export const PE = 0x20;

/** A deterministic PRNG (xorshift32) so failures reproduce. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** An exact value: (-1)^sign · (q + (sticky ? ε : 0)) · 2^s, q > 0 or zero. */
export interface Exact {
  sign: number;
  q: bigint;
  s: number;
  sticky: boolean;
}

export interface Expected {
  se: number;
  sig: bigint;
  flags: number;
  c1: number;
}

/** Exact value of a finite F80 as sign, integer significand and exponent. */
export function exactOf(a: F80): Exact {
  const e = a.se & 0x7fff;
  const sig = (BigInt(a.hi) << 32n) | BigInt(a.lo);
  return { sign: a.se >>> 15, q: sig, s: (e === 0 ? 1 : e) - 16383 - 63, sticky: false };
}

/** num/den (den > 0, num ≥ 0) with at least `bits` bits of quotient plus sticky. */
export function fromRatio(sign: number, num: bigint, den: bigint, bits = 200): Exact {
  if (num === 0n) return { sign, q: 0n, s: 0, sticky: false };
  const shift = bits - (bitLength(num) - bitLength(den));
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  const q = n / d;
  return { sign, q, s: -shift, sticky: q * d !== n };
}

/**
 * Rounds `x` to `p` significant bits with exponent range [eMin, eMax]
 * (unbiased) under rounding control `rc` (0 nearest, 1 down, 2 up, 3 zero),
 * the masked responses, and encodes it as an x87 register value when
 * `extEncoding` (denormals with exponent field 0) or as a normalized F80.
 */
export function refRound(
  x: Exact,
  p: number,
  rc: number,
  eMin = -16382,
  eMax = 16383,
  extEncoding = true,
): Expected {
  if (x.q === 0n && !x.sticky) return { se: x.sign << 15, sig: 0n, flags: 0, c1: 0 };
  const e = bitLength(x.q) - 1 + x.s;
  const roundAtQuantum = (qe: number): { kept: bigint; inexact: boolean; up: boolean } => {
    const shift = qe - x.s;
    if (shift <= 0) {
      if (x.sticky) throw new Error("reference needs more bits");
      return { kept: x.q << BigInt(-shift), inexact: false, up: false };
    }
    const sh = BigInt(shift);
    const kept = x.q >> sh;
    const rem = x.q - (kept << sh);
    const half = 1n << (sh - 1n);
    const inexact = rem !== 0n || x.sticky;
    let up = false;
    if (inexact) {
      if (rc === 0) up = rem > half || (rem === half && (x.sticky || (kept & 1n) === 1n));
      else if (rc === 1) up = x.sign === 1;
      else if (rc === 2) up = x.sign === 0;
    }
    return { kept: up ? kept + 1n : kept, inexact, up };
  };
  // Tininess after rounding with unbounded exponent.
  const unb = roundAtQuantum(e - (p - 1));
  const eUnb = unb.kept >> BigInt(p) !== 0n ? e + 1 : e;
  const tiny = eUnb < eMin;
  let flags = 0;
  if (e < eMin) {
    const r = roundAtQuantum(eMin - (p - 1));
    if (r.inexact) flags |= PE | (tiny ? UE : 0);
    const c1 = r.up ? 1 : 0;
    if (r.kept === 0n) return { se: x.sign << 15, sig: 0n, flags, c1 };
    if (extEncoding) {
      const sig = r.kept << BigInt(64 - p);
      const normal = sig >> 63n !== 0n;
      return { se: (x.sign << 15) | (normal ? 1 : 0), sig, flags, c1 };
    }
    // Normalized F80 of the rounded value kept·2^(eMin-(p-1)).
    const bl = bitLength(r.kept);
    return {
      se: (x.sign << 15) | (eMin - (p - 1) + bl - 1 + 16383),
      sig: r.kept << BigInt(64 - bl),
      flags,
      c1,
    };
  }
  let eR = eUnb;
  let kept = unb.kept;
  if (kept >> BigInt(p) !== 0n) kept >>= 1n;
  if (unb.inexact) flags |= PE;
  let c1 = unb.up ? 1 : 0;
  if (eR > eMax) {
    flags |= OE | PE;
    const toInf = rc === 0 || (rc === 2 && x.sign === 0) || (rc === 1 && x.sign === 1);
    if (toInf) return { se: (x.sign << 15) | 0x7fff, sig: 1n << 63n, flags, c1: 1 };
    eR = eMax;
    kept = (1n << BigInt(p)) - 1n;
    c1 = 0;
  }
  return { se: (x.sign << 15) | (eR + 16383), sig: kept << BigInt(64 - p), flags, c1 };
}

export function f80(se: number, sig: bigint): F80 {
  return new F80(se, Number(sig >> 32n), Number(sig & 0xffffffffn));
}

export function sigOf(a: F80): bigint {
  return (BigInt(a.hi) << 32n) | BigInt(a.lo);
}

export function show(se: number, sig: bigint): string {
  return `${se.toString(16).padStart(4, "0")}:${sig.toString(16).padStart(16, "0")}`;
}

/** A random finite operand: mostly normals near 1, some extremes and denormals. */
export function randomOperand(rng: Rng, wide: boolean): F80 {
  const kind = rng.int(20);
  const sign = rng.int(2);
  let hi = rng.u32();
  let lo = rng.u32();
  // Sparse and dense bit patterns exercise carries and ties.
  const pattern = rng.int(4);
  if (pattern === 0) lo = 0;
  else if (pattern === 1) {
    hi |= 0x7fffffff;
    lo = 0xffffffff;
  } else if (pattern === 2) lo &= 0xfffff800;
  let exp: number;
  if (kind === 0) {
    return new F80(sign << 15, hi & 0x7fffffff, lo); // denormal (or zero)
  } else if (kind === 1) {
    exp = 1 + rng.int(70);
  } else if (kind === 2) {
    exp = 0x7ffe - rng.int(70);
  } else if (wide && kind === 3) {
    exp = 1 + rng.int(0x7ffd);
  } else {
    exp = 16383 - 40 + rng.int(80);
  }
  return new F80((sign << 15) | exp, (hi | 0x80000000) >>> 0, lo);
}
