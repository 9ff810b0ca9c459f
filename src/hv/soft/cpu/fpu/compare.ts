/**
 * Comparison (FCOM/FUCOM/FCOMI/FUCOMI/FTST/FICOM): ordered or unordered,
 * with the invalid-operation rules of SDM vol. 2 (FCOM: any NaN is invalid;
 * FUCOM: only SNaNs and unsupported operands are).
 */
import { classify, Cls, F80 } from "./f80.js";
import { Exc, FpEnv } from "./env.js";
import { unpack, Unpacked } from "./operand.js";

/** Comparison outcomes. */
export const Cmp = { LESS: 0, EQUAL: 1, GREATER: 2, UNORDERED: 3 } as const;
export type Cmp = (typeof Cmp)[keyof typeof Cmp];

const ua = new Unpacked();
const ub = new Unpacked();

/**
 * Compares a with b. `quiet` selects the unordered-compare rules (QNaN
 * operands raise nothing). Denormal operands raise DE.
 */
export function f80Compare(env: FpEnv, a: F80, b: F80, quiet: boolean): Cmp {
  const ca = classify(a);
  const cb = classify(b);
  if (ca >= Cls.QNAN || cb >= Cls.QNAN) {
    const signaling =
      ca === Cls.SNAN || cb === Cls.SNAN || ca === Cls.UNSUPPORTED || cb === Cls.UNSUPPORTED;
    if (signaling || !quiet) env.flags |= Exc.IE;
    return Cmp.UNORDERED;
  }
  if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
  const sa = a.se >>> 15;
  const sb = b.se >>> 15;
  if (ca === Cls.ZERO && cb === Cls.ZERO) return Cmp.EQUAL;
  if (ca === Cls.INF || cb === Cls.INF) {
    if (ca === Cls.INF && cb === Cls.INF && sa === sb) return Cmp.EQUAL;
    if (ca === Cls.INF) return sa ? Cmp.LESS : Cmp.GREATER;
    return sb ? Cmp.GREATER : Cmp.LESS;
  }
  if (ca === Cls.ZERO) return sb ? Cmp.GREATER : Cmp.LESS;
  if (cb === Cls.ZERO) return sa ? Cmp.LESS : Cmp.GREATER;
  if (sa !== sb) return sa ? Cmp.LESS : Cmp.GREATER;
  unpack(a, ua);
  unpack(b, ub);
  let mag: number; // -1, 0, 1: |a| vs |b|
  if (ua.exp !== ub.exp) mag = ua.exp > ub.exp ? 1 : -1;
  else if (ua.hi !== ub.hi) mag = ua.hi > ub.hi ? 1 : -1;
  else if (ua.lo !== ub.lo) mag = ua.lo > ub.lo ? 1 : -1;
  else return Cmp.EQUAL;
  if (sa) mag = -mag;
  return mag > 0 ? Cmp.GREATER : Cmp.LESS;
}
