/**
 * The x87 transcendental instructions with their special-operand tables
 * (SDM vol. 2: FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1).
 * Values are computed in big-float arithmetic (trans-math.ts) and rounded once
 * to extended precision under RC; precision control does not apply.
 *
 * Intel reduces trigonometric arguments with a 66-bit π, so for large
 * arguments real hardware is less accurate than this exact reduction.
 */
import { BIAS, classify, Cls, F80, setInf, setOne, setZero } from "./f80.js";
import { Exc, FpEnv } from "./env.js";
import { BF, bfDiv, bfFromF80, bfMul, bfNeg, bfShift, bfSub, bfToF80, top } from "./bigfloat.js";
import { LN2, PI } from "./consts.js";
import { atanPos, exp2m1, ln1p, log2, sinCos } from "./trans-math.js";
import { invalid, specialOperand, specialOperands } from "./operand.js";
import { FMT_EXT } from "./round.js";

/** True if |a| < 2^63, the range FSIN/FCOS/FSINCOS/FPTAN accept (else C2 = 1). */
function inTrigRange(a: F80): boolean {
  return (a.se & 0x7fff) < BIAS + 63;
}

/**
 * Common front of the trig instructions. Returns "done" when `out` (and
 * `out2` if given) hold the result, "range" when the operand is out of range
 * (nothing written, C2 = 1), or "compute".
 */
function trigFront(env: FpEnv, a: F80, out: F80, out2: F80 | null): "done" | "range" | "compute" {
  const c = classify(a);
  if (c === Cls.INF) {
    invalid(env, out);
    if (out2) out2.copy(out);
    return "done";
  }
  if (specialOperand(env, a, c, out)) {
    if (out2) out2.copy(out);
    return "done";
  }
  if (c === Cls.DENORMAL) env.flags |= Exc.DE;
  if (!inTrigRange(a)) return "range";
  return "compute";
}

/** FSIN. Returns false when the operand is out of range (C2 = 1, ST0 unchanged). */
export function f80Sin(env: FpEnv, a: F80, out: F80): boolean {
  const r = trigFront(env, a, out, null);
  if (r !== "compute") return r === "done";
  if (classify(a) === Cls.ZERO) {
    out.copy(a);
    return true;
  }
  bfToF80(env, FMT_EXT, sinCos(bfFromF80(a))[0], out);
  return true;
}

/** FCOS. */
export function f80Cos(env: FpEnv, a: F80, out: F80): boolean {
  const r = trigFront(env, a, out, null);
  if (r !== "compute") return r === "done";
  if (classify(a) === Cls.ZERO) {
    setOne(out);
    return true;
  }
  bfToF80(env, FMT_EXT, sinCos(bfFromF80(a))[1], out);
  return true;
}

/** FSINCOS: both results (flags of the two roundings are merged; C1 is the sine's). */
export function f80SinCos(env: FpEnv, a: F80, sin: F80, cos: F80): boolean {
  const r = trigFront(env, a, sin, cos);
  if (r !== "compute") return r === "done";
  if (classify(a) === Cls.ZERO) {
    sin.copy(a);
    setOne(cos);
    return true;
  }
  const [s, c] = sinCos(bfFromF80(a));
  bfToF80(env, FMT_EXT, c, cos);
  bfToF80(env, FMT_EXT, s, sin);
  return true;
}

/** FPTAN's tangent (the instruction then pushes 1.0). */
export function f80Tan(env: FpEnv, a: F80, out: F80): boolean {
  const r = trigFront(env, a, out, null);
  if (r !== "compute") return r === "done";
  if (classify(a) === Cls.ZERO) {
    out.copy(a);
    return true;
  }
  const [s, c] = sinCos(bfFromF80(a));
  bfToF80(env, FMT_EXT, bfDiv(s, c), out);
  return true;
}

/** FPATAN: out = atan2(y, x) with y = ST1, x = ST0 (C99 atan2 special cases). */
export function f80Atan(env: FpEnv, y: F80, x: F80, out: F80): void {
  const cy = classify(y);
  const cx = classify(x);
  if (specialOperands(env, y, cy, x, cx, out)) return;
  if (cy === Cls.DENORMAL || cx === Cls.DENORMAL) env.flags |= Exc.DE;
  const sy = y.se >>> 15;
  const sx = x.se >>> 15;
  let v: BF;
  if (cy === Cls.ZERO) {
    if (sx === 0) return void setZero(out, sy);
    v = PI;
  } else if (cy === Cls.INF) {
    if (cx === Cls.INF) v = sx ? bfShift(bfMul(PI, new BF(3n, 0)), -2) : bfShift(PI, -2);
    else v = bfShift(PI, -1);
  } else if (cx === Cls.ZERO) {
    v = bfShift(PI, -1);
  } else if (cx === Cls.INF) {
    if (sx === 0) return void setZero(out, sy);
    v = PI;
  } else {
    const ay = bfFromF80(y);
    const ax = bfFromF80(x);
    const py = ay.m < 0n ? bfNeg(ay) : ay;
    const px = ax.m < 0n ? bfNeg(ax) : ax;
    // atan(|y|/|x|), computed as π/2 - atan(|x|/|y|) when |y| > |x|.
    v = top(py) > top(px) ? bfSub(bfShift(PI, -1), atanPos(bfDiv(px, py))) : atanPos(bfDiv(py, px));
    if (sx) v = bfSub(PI, v);
  }
  bfToF80(env, FMT_EXT, sy ? bfNeg(v) : v, out);
}

/** F2XM1: out = 2^a - 1 (defined for -1 ≤ a ≤ 1; larger |a| still give 2^a - 1). */
export function f80Exp2m1(env: FpEnv, a: F80, out: F80): void {
  const c = classify(a);
  if (specialOperand(env, a, c, out)) return;
  const s = a.se >>> 15;
  if (c === Cls.ZERO) return void out.copy(a);
  if (c === Cls.INF) {
    if (s) setOne(out, 1);
    else setInf(out, 0);
    return;
  }
  if (c === Cls.DENORMAL) env.flags |= Exc.DE;
  if ((a.se & 0x7fff) >= BIAS + 16) {
    // |a| ≥ 2^16: overflow to +∞, or -1 + (something tiny) rounded under RC.
    const v = s ? new BF(1n - (1n << 300n), -300) : new BF(1n, 1 << 20);
    bfToF80(env, FMT_EXT, v, out);
    return;
  }
  bfToF80(env, FMT_EXT, exp2m1(bfFromF80(a)), out);
}

/** FYL2X: out = y·log2(x), with x = ST0 and y = ST1. */
export function f80Yl2x(env: FpEnv, x: F80, y: F80, out: F80): void {
  const cx = classify(x);
  const cy = classify(y);
  if (specialOperands(env, x, cx, y, cy, out)) return;
  const sx = x.se >>> 15;
  const sy = y.se >>> 15;
  if (sx && cx !== Cls.ZERO) return invalid(env, out);
  if (cx === Cls.DENORMAL || cy === Cls.DENORMAL) env.flags |= Exc.DE;
  if (cx === Cls.ZERO) {
    if (cy === Cls.ZERO) return invalid(env, out);
    if (cy !== Cls.INF) env.flags |= Exc.ZE;
    return void setInf(out, sy ^ 1);
  }
  if (cx === Cls.INF) {
    if (cy === Cls.ZERO) return invalid(env, out);
    return void setInf(out, sy);
  }
  const lx = bfFromF80(x);
  const isOne = (x.se & 0x7fff) === BIAS && x.hi === 0x80000000 && x.lo === 0;
  if (isOne) {
    if (cy === Cls.INF) return invalid(env, out);
    return void setZero(out, sy);
  }
  const below1 = (x.se & 0x7fff) < BIAS ? 1 : 0;
  if (cy === Cls.ZERO) return void setZero(out, sy ^ below1);
  if (cy === Cls.INF) return void setInf(out, sy ^ below1);
  const log2x = log2(lx);
  bfToF80(env, FMT_EXT, bfMul(bfFromF80(y), log2x), out);
}

/** FYL2XP1: out = y·log2(x + 1), with x = ST0 and y = ST1. */
export function f80Yl2xp1(env: FpEnv, x: F80, y: F80, out: F80): void {
  const cx = classify(x);
  const cy = classify(y);
  if (specialOperands(env, x, cx, y, cy, out)) return;
  const sx = x.se >>> 15;
  const sy = y.se >>> 15;
  // x ≤ -1 is outside the domain.
  if (sx && (cx === Cls.INF || (x.se & 0x7fff) >= BIAS)) return invalid(env, out);
  if (cx === Cls.DENORMAL || cy === Cls.DENORMAL) env.flags |= Exc.DE;
  if (cx === Cls.ZERO) {
    if (cy === Cls.INF) return invalid(env, out);
    return void setZero(out, sx ^ sy);
  }
  if (cx === Cls.INF) {
    if (cy === Cls.ZERO) return invalid(env, out);
    return void setInf(out, sy);
  }
  if (cy === Cls.ZERO) return void setZero(out, sy ^ sx);
  if (cy === Cls.INF) return void setInf(out, sy ^ sx);
  const l = bfDiv(ln1p(bfFromF80(x)), LN2);
  bfToF80(env, FMT_EXT, bfMul(bfFromF80(y), l), out);
}
