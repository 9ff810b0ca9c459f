/**
 * An independent reference for SSE floating-point results and MXCSR flags,
 * built on exact rationals (bigint numerator/denominator). Rounding is done
 * by *search with a comparison oracle*: the exponent and the truncated
 * significand are found by bisection against the exact value, and the
 * rounding decision compares the value with the midpoint. Square roots use
 * the oracle "compare v² with x²", so no approximation enters anywhere.
 * The flag rules are written from the SDM text (vol. 1, 4.9.1.4-4.9.1.6 and
 * 11.5.2): tininess after rounding with unbounded exponent, masked underflow
 * only when also inexact, FTZ, masked overflow results of table 4-10.
 */

export interface Rat {
  readonly n: bigint; // sign carried here
  readonly d: bigint; // > 0
}

export interface Format {
  readonly p: number;
  readonly emin: number;
  readonly emax: number;
  readonly bits: 32 | 64;
}
export const SINGLE: Format = { p: 24, emin: -126, emax: 127, bits: 32 };
export const DOUBLE: Format = { p: 53, emin: -1022, emax: 1023, bits: 64 };

export const IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32; // prettier-ignore

export function rat(n: bigint, d = 1n): Rat {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  return { n, d };
}
export function add(a: Rat, b: Rat): Rat {
  return rat(a.n * b.d + b.n * a.d, a.d * b.d);
}
export function mul(a: Rat, b: Rat): Rat {
  return rat(a.n * b.n, a.d * b.d);
}
export function div(a: Rat, b: Rat): Rat {
  return rat(a.n * b.d, a.d * b.n);
}
export function neg(a: Rat): Rat {
  return rat(-a.n, a.d);
}
export function cmpRat(a: Rat, b: Rat): number {
  const x = a.n * b.d;
  const y = b.n * a.d;
  return x < y ? -1 : x > y ? 1 : 0;
}
function pow2(k: number): Rat {
  return k >= 0 ? rat(1n << BigInt(k)) : rat(1n, 1n << BigInt(-k));
}

/** The exact value of a finite double (a single's value is a double too). */
export function ratOf(x: number): Rat {
  if (x === 0) return rat(0n);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const field = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  let e: number;
  if (field === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = field - 1075;
  }
  const r = mul(rat(m), pow2(e));
  return x < 0 ? neg(r) : r;
}

/** Environment of a reference operation. */
export interface RefEnv {
  rc: number; // 0 nearest, 1 down, 2 up, 3 zero
  ftz: boolean;
  /** Masked exceptions (flag bit positions). */
  masks: number;
}

export interface RefResult {
  /** The value (NaN never; ±0 distinguished), meaningful only when no unmasked exception. */
  value: number;
  flags: number;
}

/**
 * Rounds the positive magnitude M given by `cmp(x)` = sign(M − x) to
 * `fmt` with sign `negative`. Returns the value and the post-computation flags.
 */
export function roundOracle(
  cmp: (x: Rat) => number,
  negative: boolean,
  fmt: Format,
  env: RefEnv,
): RefResult {
  // Exponent: the E with 2^E ≤ M < 2^(E+1).
  let lo = -2400;
  let hi = 2400;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cmp(pow2(mid)) >= 0) lo = mid;
    else hi = mid;
  }
  const E = lo;
  const up = (exact: boolean, cmid: number, kOdd: boolean): boolean => {
    if (exact) return false;
    switch (env.rc) {
      case 0:
        return cmid > 0 || (cmid === 0 && kOdd);
      case 1:
        return negative;
      case 2:
        return !negative;
      default:
        return false;
    }
  };
  /** Rounds M at quantum 2^qe: returns [k (integer multiple after rounding), exact]. */
  const roundAt = (qe: number): [bigint, boolean] => {
    const q = pow2(qe);
    // Bisection for k = floor(M / q), 0 ≤ k < 2^(E - qe + 1).
    let klo = 0n;
    let khi = 1n << BigInt(Math.max(E - qe + 1, 0) + 1);
    while (khi - klo > 1n) {
      const kmid = (klo + khi) >> 1n;
      if (cmp(mul(rat(kmid), q)) >= 0) klo = kmid;
      else khi = kmid;
    }
    const exact = cmp(mul(rat(klo), q)) === 0;
    const cmid = cmp(mul(rat(2n * klo + 1n), pow2(qe - 1)));
    return [up(exact, cmid, (klo & 1n) === 1n) ? klo + 1n : klo, exact];
  };
  const toNumber = (k: bigint, qe: number): number => {
    let v = Number(k);
    let e = qe;
    while (e < -1000) {
      v /= 2 ** 500;
      e += 500;
    }
    v *= 2 ** e;
    return negative ? -v : v;
  };
  const masked = (f: number) => (env.masks & f) !== 0;
  const [kU, exactU] = roundAt(E - fmt.p + 1);
  const unbounded = mul(rat(kU), pow2(E - fmt.p + 1));
  if (cmpRat(unbounded, pow2(fmt.emax + 1)) >= 0) {
    if (!masked(OE)) return { value: 0, flags: OE | (exactU ? 0 : PE) };
    const toInf = env.rc === 0 || (env.rc === 2 && !negative) || (env.rc === 1 && negative);
    const maxFinite = (2 - 2 ** (1 - fmt.p)) * 2 ** fmt.emax;
    const v = toInf ? Infinity : maxFinite;
    return { value: negative ? -v : v, flags: OE | PE };
  }
  if (cmpRat(unbounded, pow2(fmt.emin)) < 0) {
    if (!masked(UE)) return { value: 0, flags: UE | (exactU ? 0 : PE) };
    if (env.ftz) return { value: negative ? -0 : 0, flags: UE | PE };
    const qe = fmt.emin - fmt.p + 1;
    const [k, exact] = roundAt(qe);
    return { value: toNumber(k, qe), flags: exact ? 0 : UE | PE };
  }
  return { value: toNumber(kU, E - fmt.p + 1), flags: exactU ? 0 : PE };
}

/** Rounds the exact rational `v` (may be zero: then `zeroSign` decides) to `fmt`. */
export function roundRat(v: Rat, fmt: Format, env: RefEnv, zeroNegative = false): RefResult {
  if (v.n === 0n) return { value: zeroNegative ? -0 : 0, flags: 0 };
  const negative = v.n < 0n;
  const m = negative ? neg(v) : v;
  return roundOracle((x) => cmpRat(m, x), negative, fmt, env);
}

/** Rounds √v (v > 0 rational) to `fmt`. */
export function roundSqrt(v: Rat, fmt: Format, env: RefEnv): RefResult {
  return roundOracle((x) => cmpRat(v, mul(x, x)), false, fmt, env);
}

export type RefOp = "add" | "sub" | "mul" | "div" | "sqrt";

/** Whether finite non-zero `x` is a denormal of `fmt`. */
export function isDenormalIn(x: number, fmt: Format): boolean {
  return x !== 0 && Number.isFinite(x) && Math.abs(x) < 2 ** fmt.emin;
}

/**
 * Reference for one lane of ADD/SUB/MUL/DIV/SQRT on non-NaN operands:
 * the value (NaN = the default NaN) and every flag (pre- and post-computation).
 */
export function refArith(
  op: RefOp,
  a0: number,
  b0: number,
  fmt: Format,
  env: RefEnv,
  daz: boolean,
): RefResult {
  let den = false;
  const prep = (x: number): number => {
    if (!isDenormalIn(x, fmt)) return x;
    if (daz) return Object.is(x, -0) || x < 0 ? -0 : 0;
    den = true;
    return x;
  };
  const a = prep(a0);
  const b = op === "sqrt" ? 0 : prep(b0);
  const withDe = (r: RefResult): RefResult => ({
    value: r.value,
    flags: r.flags | (den && (r.flags & (IE | ZE)) === 0 ? DE : 0),
  });
  const inv: RefResult = { value: NaN, flags: IE };
  const inf = (x: number) => !Number.isFinite(x);
  const negZero = (x: number) => Object.is(x, -0);
  switch (op) {
    case "sub":
      return withDe(addRef(a, -b));
    case "add":
      return withDe(addRef(a, b));
    case "mul": {
      if ((a === 0 && inf(b)) || (b === 0 && inf(a))) return inv;
      const s = a < 0 || negZero(a) ? !(b < 0 || negZero(b)) : b < 0 || negZero(b);
      if (inf(a) || inf(b)) return withDe({ value: s ? -Infinity : Infinity, flags: 0 });
      if (a === 0 || b === 0) return withDe({ value: s ? -0 : 0, flags: 0 });
      return withDe(roundRat(mul(ratOf(a), ratOf(b)), fmt, env));
    }
    case "div": {
      if ((a === 0 && b === 0) || (inf(a) && inf(b))) return inv;
      const s = a < 0 || negZero(a) ? !(b < 0 || negZero(b)) : b < 0 || negZero(b);
      if (b === 0 && !inf(a)) return { value: s ? -Infinity : Infinity, flags: ZE };
      if (inf(a) || b === 0) return withDe({ value: s ? -Infinity : Infinity, flags: 0 });
      if (inf(b) || a === 0) return withDe({ value: s ? -0 : 0, flags: 0 });
      return withDe(roundRat(div(ratOf(a), ratOf(b)), fmt, env));
    }
    default: {
      if (a === 0) return { value: a, flags: 0 };
      if (a < 0) return inv;
      if (inf(a)) return withDe({ value: a, flags: 0 });
      return withDe(roundSqrt(ratOf(a), fmt, env));
    }
  }

  function addRef(x: number, y: number): RefResult {
    if (inf(x) && inf(y) && x !== y) return inv;
    if (inf(x)) return { value: x, flags: 0 };
    if (inf(y)) return { value: y, flags: 0 };
    if (x === 0 && y === 0) {
      if (negZero(x) && negZero(y)) return { value: -0, flags: 0 };
      if (!negZero(x) && !negZero(y)) return { value: 0, flags: 0 };
      return { value: env.rc === 1 ? -0 : 0, flags: 0 };
    }
    const sum = add(ratOf(x), ratOf(y));
    return roundRat(sum, fmt, env, env.rc === 1);
  }
}
