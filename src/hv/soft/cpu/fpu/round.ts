/**
 * Rounding of an exact (or sticky-marked) intermediate result to a format:
 * precision, exponent range, denormals, overflow and underflow, with Intel's
 * masked and unmasked responses (SDM vol. 1, 4.8.4, 4.9.1.4-6, 8.5.4-6).
 *
 * Inputs are a sign, a biased exponent (any integer) and a 96-bit significand
 * s2:s1:s0 whose bit 95 has weight 2^(exp - BIAS); `sticky` says nonzero bits
 * lie below s0. roundPack normalizes, but a set sticky bit is only exact when
 * the value needs a left shift of at most 31 bits (true for every caller).
 */
import { BIAS, EXP_MAX, F80 } from "./f80.js";
import { Exc, FpEnv, Pc, Rc } from "./env.js";

/** A destination format for rounding. */
export interface RoundFormat {
  /** Significand bits kept: 24, 53 or 64. */
  readonly bits: number;
  /** Biased (x87 bias) exponent of the smallest normal number. */
  readonly eMin: number;
  /** Biased (x87 bias) exponent of the largest finite number. */
  readonly eMax: number;
  /**
   * True for the register stack: an unmasked OE/UE stores the result with
   * its exponent biased by ∓24576 (SDM vol. 1, 8.5.4/8.5.5); for memory
   * destinations nothing is stored and only the flag is raised.
   */
  readonly stack: boolean;
}

/** Extended precision, the register stack (instructions PC does not affect). */
export const FMT_EXT: RoundFormat = { bits: 64, eMin: 1, eMax: 0x7ffe, stack: true };
/** Register-stack results under PC = double and PC = single: extended exponent range. */
export const FMT_EXT53: RoundFormat = { bits: 53, eMin: 1, eMax: 0x7ffe, stack: true };
export const FMT_EXT24: RoundFormat = { bits: 24, eMin: 1, eMax: 0x7ffe, stack: true };
/** Memory formats (FST m32/m64). */
export const FMT_F64: RoundFormat = {
  bits: 53,
  eMin: BIAS - 1022,
  eMax: BIAS + 1023,
  stack: false,
};
export const FMT_F32: RoundFormat = { bits: 24, eMin: BIAS - 126, eMax: BIAS + 127, stack: false };

/** The stack format selected by the precision-control field. */
export function pcFormat(env: FpEnv): RoundFormat {
  return env.pc === Pc.SINGLE ? FMT_EXT24 : env.pc === Pc.DOUBLE ? FMT_EXT53 : FMT_EXT;
}

/** Exponent adjustment for unmasked overflow/underflow (SDM vol. 1, 8.5.4). */
const BIAS_ADJUST = 24576;
const TWO32 = 4294967296;

// Working significand of the rounding in progress (no allocation per call).
let w2 = 0;
let w1 = 0;
let w0 = 0;
let ws = 0;
/** Set by roundAt: the discarded bits were nonzero. */
let lostBits = false;
/** Set by roundAt: the magnitude was incremented. */
let incremented = false;

/** Shifts w2:w1:w0 right by n, collecting lost bits into ws. */
function shiftRight(n: number): void {
  if (n <= 0) return;
  if (n >= 96) {
    if ((w2 | w1 | w0) !== 0) ws = 1;
    w2 = w1 = w0 = 0;
    return;
  }
  while (n >= 32) {
    if (w0 !== 0) ws = 1;
    w0 = w1;
    w1 = w2;
    w2 = 0;
    n -= 32;
  }
  if (n > 0) {
    if (w0 << (32 - n) !== 0) ws = 1;
    w0 = ((w0 >>> n) | (w1 << (32 - n))) >>> 0;
    w1 = ((w1 >>> n) | (w2 << (32 - n))) >>> 0;
    w2 = w2 >>> n;
  }
}

/**
 * Rounds w2:w1(:w0,ws) to `bits` significant bits of the 64-bit field,
 * clearing w0/ws. Returns true when the significand carried out to 2^64 (the
 * caller renormalizes).
 */
function roundAt(bits: number, rc: number, sign: number): boolean {
  let lsb: number;
  let half: boolean;
  let above: boolean;
  if (bits === 64) {
    lsb = w1 & 1;
    half = w0 === 0x80000000 && ws === 0;
    above = w0 > 0x80000000 || (w0 === 0x80000000 && ws !== 0);
    lostBits = w0 !== 0 || ws !== 0;
  } else if (bits === 53) {
    const r = w1 & 0x7ff;
    const rest = w0 !== 0 || ws !== 0;
    lsb = (w1 >>> 11) & 1;
    half = r === 0x400 && !rest;
    above = r > 0x400 || (r === 0x400 && rest);
    lostBits = r !== 0 || rest;
  } else {
    const r = w2 & 0xff;
    const rest = w1 !== 0 || w0 !== 0 || ws !== 0;
    lsb = (w2 >>> 8) & 1;
    half = r === 0x80 && !rest;
    above = r > 0x80 || (r === 0x80 && rest);
    lostBits = r !== 0 || rest;
  }
  let inc = false;
  if (lostBits) {
    if (rc === Rc.NEAREST) inc = above || (half && lsb !== 0);
    else if (rc === Rc.DOWN) inc = sign !== 0;
    else if (rc === Rc.UP) inc = sign === 0;
  }
  incremented = inc;
  w0 = 0;
  ws = 0;
  let carry = false;
  if (bits === 64) {
    if (inc) {
      w1 = (w1 + 1) >>> 0;
      if (w1 === 0) {
        w2 = (w2 + 1) >>> 0;
        carry = w2 === 0;
      }
    }
  } else if (bits === 53) {
    w1 = (w1 & 0xfffff800) >>> 0;
    if (inc) {
      w1 += 0x800;
      if (w1 >= TWO32) {
        w1 -= TWO32;
        w2 = (w2 + 1) >>> 0;
        carry = w2 === 0;
      }
    }
  } else {
    w1 = 0;
    w2 = (w2 & 0xffffff00) >>> 0;
    if (inc) {
      w2 += 0x100;
      if (w2 >= TWO32) {
        w2 -= TWO32;
        carry = true;
      }
    }
  }
  return carry;
}

/** Largest finite significand with `bits` bits, high word. */
function maxHi(bits: number): number {
  return bits === 24 ? 0xffffff00 : 0xffffffff;
}
function maxLo(bits: number): number {
  return bits === 64 ? 0xffffffff : bits === 53 ? 0xfffff800 : 0;
}

/** Writes the masked overflow response (SDM vol. 1, table 4-10). */
function overflowResult(env: FpEnv, fmt: RoundFormat, sign: number, out: F80): void {
  const rc = env.rc;
  const toInf = rc === Rc.NEAREST || (rc === Rc.UP && sign === 0) || (rc === Rc.DOWN && sign !== 0);
  if (toInf) {
    out.se = (sign << 15) | EXP_MAX;
    out.hi = 0x80000000;
    out.lo = 0;
    env.c1 = 1;
  } else {
    out.se = (sign << 15) | fmt.eMax;
    out.hi = maxHi(fmt.bits);
    out.lo = maxLo(fmt.bits);
    env.c1 = 0;
  }
}

/** Writes w2:w1 as a finite result; an extended-format denormal gets exponent 0. */
function store(fmt: RoundFormat, sign: number, exp: number, out: F80): void {
  if ((w2 | w1) === 0) {
    out.se = sign << 15;
    out.hi = 0;
    out.lo = 0;
    return;
  }
  if (w2 < 0x80000000) {
    if (fmt.eMin === 1) {
      // Extended denormal: the encoding has exponent 0 and J = 0.
      exp = 0;
    } else {
      // Narrower format: keep a normalized extended value of the same magnitude.
      let n = Math.clz32(w2);
      if (w2 === 0) n = 32 + Math.clz32(w1);
      exp -= n;
      if (n >= 32) {
        w2 = w1;
        w1 = 0;
        n -= 32;
      }
      if (n > 0) {
        w2 = ((w2 << n) | (w1 >>> (32 - n))) >>> 0;
        w1 = (w1 << n) >>> 0;
      }
    }
  }
  out.se = (sign << 15) | exp;
  out.hi = w2 >>> 0;
  out.lo = w1 >>> 0;
}

/**
 * Rounds sign × s2:s1:s0(+sticky) × 2^(exp-BIAS-95) to `fmt` under env's
 * rounding control, writes the value to `out` and raises PE/UE/OE (C1 =
 * rounded up). A zero significand gives a zero of `sign`.
 */
export function roundPack(
  env: FpEnv,
  fmt: RoundFormat,
  sign: number,
  exp: number,
  s2: number,
  s1: number,
  s0: number,
  sticky: boolean,
  out: F80,
): void {
  w2 = s2 >>> 0;
  w1 = s1 >>> 0;
  w0 = s0 >>> 0;
  ws = sticky ? 1 : 0;
  // Normalize so that bit 95 is set.
  if (w2 === 0) {
    if (w1 === 0 && w0 === 0) {
      if (ws === 0) {
        out.se = sign << 15;
        out.hi = 0;
        out.lo = 0;
        env.c1 = 0;
        return;
      }
      // Only sticky bits: a value far below anything representable.
      w2 = 0x80000000;
      exp -= 200;
      ws = 0;
    } else {
      while (w2 === 0) {
        w2 = w1;
        w1 = w0;
        w0 = 0;
        exp -= 32;
      }
    }
  }
  const n = Math.clz32(w2);
  if (n > 0) {
    w2 = ((w2 << n) | (w1 >>> (32 - n))) >>> 0;
    w1 = ((w1 << n) | (w0 >>> (32 - n))) >>> 0;
    w0 = (w0 << n) >>> 0;
    exp -= n;
  }
  const rc = env.rc;
  const bits = fmt.bits;
  if (exp < fmt.eMin) {
    // Tiny if the result rounded with unbounded exponent is below 2^eMin
    // (SDM vol. 1, 8.5.5: tininess after rounding, precision control applied).
    let tiny = true;
    if (exp === fmt.eMin - 1) {
      const a = w2,
        b = w1,
        c = w0,
        d = ws;
      tiny = !roundAt(bits, rc, sign);
      w2 = a;
      w1 = b;
      w0 = c;
      ws = d;
    }
    if (tiny && fmt.stack && !env.isMasked(Exc.UE)) {
      // Unmasked underflow to the stack: bias the exponent up and round normally.
      env.flags |= Exc.UE;
      exp += BIAS_ADJUST;
      if (exp < fmt.eMin) return denormalize(env, fmt, sign, exp, out, false);
    } else if (tiny) {
      return denormalize(env, fmt, sign, exp, out, !env.isMasked(Exc.UE));
    }
  }
  if (roundAt(bits, rc, sign)) {
    w2 = 0x80000000;
    exp++;
  }
  if (lostBits) env.flags |= Exc.PE;
  env.c1 = incremented ? 1 : 0;
  if (exp > fmt.eMax) {
    env.flags |= Exc.OE;
    if (fmt.stack && !env.isMasked(Exc.OE)) {
      exp -= BIAS_ADJUST;
      if (exp > fmt.eMax) {
        // Massive overflow even after biasing: a properly signed infinity.
        out.se = (sign << 15) | EXP_MAX;
        out.hi = 0x80000000;
        out.lo = 0;
        return;
      }
    } else {
      env.flags |= Exc.PE;
      overflowResult(env, fmt, sign, out);
      return;
    }
  }
  store(fmt, sign, exp, out);
}

/** Masked (or memory-destination) underflow: a denormal or zero result. */
function denormalize(
  env: FpEnv,
  fmt: RoundFormat,
  sign: number,
  exp: number,
  out: F80,
  alwaysFlag: boolean,
): void {
  shiftRight(fmt.eMin - exp);
  if (roundAt(fmt.bits, env.rc, sign)) w2 = 0x80000000;
  if (lostBits) env.flags |= Exc.PE | Exc.UE;
  else if (alwaysFlag) env.flags |= Exc.UE;
  env.c1 = incremented ? 1 : 0;
  store(fmt, sign, fmt.eMin, out);
}
