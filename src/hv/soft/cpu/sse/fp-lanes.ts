/**
 * One lane of an SSE floating-point instruction, on the lane views of
 * state.ts: NaN operands (SDM vol. 1, 4.8.3.5 and table 4-7, SSE column:
 * an SNaN raises IE; the result is the first source operand if it is a NaN,
 * else the second, quieted), DAZ and the denormal-operand flag (DE only when
 * no higher-priority IE/ZE arose in the lane, SDM vol. 1, 11.5.2), then the
 * arithmetic of fp-arith.ts. A NaN produced by an invalid operation is the
 * default NaN (negative quiet NaN, `0xFFC00000` / `0xFFF8000000000000`).
 *
 * Indices are lane indices in the views: single lanes in u32/f32 units
 * (register n lane i = n*4 + i), double lanes in f64 units (n*2 + i; the
 * dwords are u32[2j] low and u32[2j+1] high).
 */
import type { SseState } from "./state.js";
import { fp, MX_DE, MX_IE, MX_ZE } from "./fp-env.js";
import {
  DEFAULT_NAN32,
  DEFAULT_NAN64_HI,
  F32,
  F64,
  type FloatFormat,
  QUIET32,
  QUIET64_HI,
  isDenormal32,
  isDenormal64,
  isNan32,
  isNan64,
} from "./fp-format.js";
import { fpSqrt } from "./fp-arith.js";

/** A binary arithmetic operation on non-NaN numbers. */
export type BinaryOp = (a: number, b: number, f: FloatFormat) => number;

/** A denormal operand was seen in the current lane (DAZ off). */
let denormal = false;

/** Single operand `x` (bits `b`) after DAZ; notes a denormal. */
function operand32(b: number, x: number): number {
  if (!isDenormal32(b)) return x;
  if (fp.daz) return b >>> 31 !== 0 ? -0 : 0;
  denormal = true;
  return x;
}

/** Double operand `x` (bits hi:lo) after DAZ; notes a denormal. */
function operand64(lo: number, hi: number, x: number): number {
  if (!isDenormal64(lo, hi)) return x;
  if (fp.daz) return hi >>> 31 !== 0 ? -0 : 0;
  denormal = true;
  return x;
}

/**
 * Lane flags: the caller saves `fp.flags`, clears it, computes, then calls
 * this so that DE yields to an IE or ZE of the same lane.
 */
function mergeLaneFlags(saved: number): void {
  if (denormal && (fp.flags & (MX_IE | MX_ZE)) === 0) fp.flags |= MX_DE;
  fp.flags |= saved;
}

/** The NaN result of two single operands, at least one a NaN (IE for an SNaN). */
export function nanResult32(a: number, b: number): number {
  const aNan = isNan32(a);
  if ((aNan && (a & QUIET32) === 0) || (isNan32(b) && (b & QUIET32) === 0)) fp.flags |= MX_IE;
  return ((aNan ? a : b) | QUIET32) >>> 0;
}

/** Writes the NaN result of two double lanes (at least one a NaN) to lane `io`. */
export function nanResult64(u: Uint32Array, ia: number, ib: number, io: number): void {
  const aNan = isNan64(u[2 * ia], u[2 * ia + 1]);
  const bNan = isNan64(u[2 * ib], u[2 * ib + 1]);
  if (
    (aNan && (u[2 * ia + 1] & QUIET64_HI) === 0) ||
    (bNan && (u[2 * ib + 1] & QUIET64_HI) === 0)
  ) {
    fp.flags |= MX_IE;
  }
  const from = aNan ? ia : ib;
  u[2 * io] = u[2 * from];
  u[2 * io + 1] = u[2 * from + 1] | QUIET64_HI;
}

/** Single lane io ← op(lane ia, lane ib). */
export function lane32(s: SseState, op: BinaryOp, ia: number, ib: number, io: number): void {
  const u = s.u32;
  const ab = u[ia];
  const bb = u[ib];
  if (isNan32(ab) || isNan32(bb)) {
    u[io] = nanResult32(ab, bb);
    return;
  }
  denormal = false;
  const a = operand32(ab, s.f32[ia]);
  const b = operand32(bb, s.f32[ib]);
  const saved = fp.flags;
  fp.flags = 0;
  const r = op(a, b, F32);
  mergeLaneFlags(saved);
  if (r !== r) u[io] = DEFAULT_NAN32;
  else s.f32[io] = r;
}

/** Double lane io ← op(lane ia, lane ib). */
export function lane64(s: SseState, op: BinaryOp, ia: number, ib: number, io: number): void {
  const u = s.u32;
  if (isNan64(u[2 * ia], u[2 * ia + 1]) || isNan64(u[2 * ib], u[2 * ib + 1])) {
    nanResult64(u, ia, ib, io);
    return;
  }
  denormal = false;
  const a = operand64(u[2 * ia], u[2 * ia + 1], s.f64[ia]);
  const b = operand64(u[2 * ib], u[2 * ib + 1], s.f64[ib]);
  const saved = fp.flags;
  fp.flags = 0;
  const r = op(a, b, F64);
  mergeLaneFlags(saved);
  if (r !== r) {
    u[2 * io] = 0;
    u[2 * io + 1] = DEFAULT_NAN64_HI;
  } else {
    s.f64[io] = r;
  }
}

/** Single lane io ← √(lane ia). */
export function sqrtLane32(s: SseState, ia: number, io: number): void {
  const u = s.u32;
  const ab = u[ia];
  if (isNan32(ab)) {
    u[io] = nanResult32(ab, ab);
    return;
  }
  denormal = false;
  const a = operand32(ab, s.f32[ia]);
  const saved = fp.flags;
  fp.flags = 0;
  const r = fpSqrt(a, F32);
  mergeLaneFlags(saved);
  if (r !== r) u[io] = DEFAULT_NAN32;
  else s.f32[io] = r;
}

/** Double lane io ← √(lane ia). */
export function sqrtLane64(s: SseState, ia: number, io: number): void {
  const u = s.u32;
  if (isNan64(u[2 * ia], u[2 * ia + 1])) {
    nanResult64(u, ia, ia, io);
    return;
  }
  denormal = false;
  const a = operand64(u[2 * ia], u[2 * ia + 1], s.f64[ia]);
  const saved = fp.flags;
  fp.flags = 0;
  const r = fpSqrt(a, F64);
  mergeLaneFlags(saved);
  if (r !== r) {
    u[2 * io] = 0;
    u[2 * io + 1] = DEFAULT_NAN64_HI;
  } else {
    s.f64[io] = r;
  }
}

/**
 * MINPS/MAXPS lane: a NaN operand (quiet or signaling) raises IE and the
 * second operand is returned as it is (after DAZ, which hardware applies
 * first); so are equal values and two zeros of either sign (SDM vol. 2,
 * MAXPS/MINPS).
 */
export function minMaxLane32(s: SseState, max: boolean, ia: number, ib: number, io: number): void {
  const u = s.u32;
  const ab = u[ia];
  const bb = u[ib];
  if (isNan32(ab) || isNan32(bb)) {
    fp.flags |= MX_IE;
    u[io] = fp.daz && isDenormal32(bb) ? bb & 0x80000000 : bb; // DAZ applies even here
    return;
  }
  denormal = false;
  const a = operand32(ab, s.f32[ia]);
  const b = operand32(bb, s.f32[ib]);
  if (denormal) fp.flags |= MX_DE;
  s.f32[io] = (max ? a > b : a < b) ? a : b;
}

/** MINPD/MAXPD lane (see minMaxLane32). */
export function minMaxLane64(s: SseState, max: boolean, ia: number, ib: number, io: number): void {
  const u = s.u32;
  if (isNan64(u[2 * ia], u[2 * ia + 1]) || isNan64(u[2 * ib], u[2 * ib + 1])) {
    fp.flags |= MX_IE;
    const daz = fp.daz && isDenormal64(u[2 * ib], u[2 * ib + 1]);
    u[2 * io] = daz ? 0 : u[2 * ib];
    u[2 * io + 1] = daz ? u[2 * ib + 1] & 0x80000000 : u[2 * ib + 1];
    return;
  }
  denormal = false;
  const a = operand64(u[2 * ia], u[2 * ia + 1], s.f64[ia]);
  const b = operand64(u[2 * ib], u[2 * ib + 1], s.f64[ib]);
  if (denormal) fp.flags |= MX_DE;
  s.f64[io] = (max ? a > b : a < b) ? a : b;
}

/** Result of comparing two lanes: a relation, or unordered. */
export const CMP_LESS = 0;
export const CMP_EQUAL = 1;
export const CMP_GREATER = 2;
export const CMP_UNORDERED = 3;

/**
 * Compares single lanes ia and ib. `signalQuiet`: a QNaN raises IE too
 * (ordered predicates LT/LE/NLT/NLE, COMISS); an SNaN always does. DE for a
 * denormal operand when neither is a NaN.
 */
export function compare32(s: SseState, ia: number, ib: number, signalQuiet: boolean): number {
  const u = s.u32;
  const ab = u[ia];
  const bb = u[ib];
  if (isNan32(ab) || isNan32(bb)) {
    const snan = (isNan32(ab) && (ab & QUIET32) === 0) || (isNan32(bb) && (bb & QUIET32) === 0);
    if (signalQuiet || snan) fp.flags |= MX_IE;
    return CMP_UNORDERED;
  }
  denormal = false;
  const a = operand32(ab, s.f32[ia]);
  const b = operand32(bb, s.f32[ib]);
  if (denormal) fp.flags |= MX_DE;
  return a < b ? CMP_LESS : a === b ? CMP_EQUAL : CMP_GREATER;
}

/** Compares double lanes ia and ib (see compare32). */
export function compare64(s: SseState, ia: number, ib: number, signalQuiet: boolean): number {
  const u = s.u32;
  const aNan = isNan64(u[2 * ia], u[2 * ia + 1]);
  const bNan = isNan64(u[2 * ib], u[2 * ib + 1]);
  if (aNan || bNan) {
    const snan =
      (aNan && (u[2 * ia + 1] & QUIET64_HI) === 0) || (bNan && (u[2 * ib + 1] & QUIET64_HI) === 0);
    if (signalQuiet || snan) fp.flags |= MX_IE;
    return CMP_UNORDERED;
  }
  denormal = false;
  const a = operand64(u[2 * ia], u[2 * ia + 1], s.f64[ia]);
  const b = operand64(u[2 * ib], u[2 * ib + 1], s.f64[ib]);
  if (denormal) fp.flags |= MX_DE;
  return a < b ? CMP_LESS : a === b ? CMP_EQUAL : CMP_GREATER;
}

/**
 * CMPPS/CMPPD predicate `p` (imm8[2:0]: EQ, LT, LE, UNORD, NEQ, NLT, NLE,
 * ORD; SDM vol. 2, CMPPS table 3-1) applied to a comparison result.
 */
export function predicate(p: number, rel: number): boolean {
  const unord = rel === CMP_UNORDERED;
  switch (p & 7) {
    case 0:
      return rel === CMP_EQUAL;
    case 1:
      return rel === CMP_LESS;
    case 2:
      return rel === CMP_LESS || rel === CMP_EQUAL;
    case 3:
      return unord;
    case 4:
      return rel !== CMP_EQUAL;
    case 5:
      return rel !== CMP_LESS;
    case 6:
      return rel !== CMP_LESS && rel !== CMP_EQUAL;
    default:
      return !unord;
  }
}

/** Whether predicate `p` signals on a QNaN (LT, LE, NLT, NLE). */
export function predicateSignals(p: number): boolean {
  const q = p & 3;
  return q === 1 || q === 2;
}
