/**
 * Packed integer operations shared by the XMM (16-byte) and MMX (8-byte)
 * forms (SDM vol. 2; lanes as in vol. 1, 9.4 and 11.4.3). Each takes the
 * state, the destination slot, the source slot and the operand width in
 * bytes (16 or 8), and leaves the result in the destination slot. The
 * source may be the destination (PADDB xmm1, xmm1): lane-wise operations
 * read both lanes before writing.
 */
import type { SseState } from "./state.js";

/** A packed integer operation: slot `d` ← op(slot `d`, slot `s`) over `n` bytes. */
export type IntOp = (x: SseState, d: number, s: number, n: number) => void;

export const sat8 = (v: number): number => (v > 127 ? 127 : v < -128 ? -128 : v);
export const sat16 = (v: number): number => (v > 32767 ? 32767 : v < -32768 ? -32768 : v);
export const satU8 = (v: number): number => (v > 255 ? 255 : v < 0 ? 0 : v);
export const satU16 = (v: number): number => (v > 65535 ? 65535 : v < 0 ? 0 : v);

/** Builds a byte-lane op from a lane function on signed (`signed`) or unsigned bytes. */
export function bytes(signed: boolean, f: (a: number, b: number) => number): IntOp {
  return signed
    ? (x, d, s, n) => {
        const v = x.i8;
        for (let i = 0, a = d * 16, b = s * 16; i < n; i++) v[a + i] = f(v[a + i], v[b + i]);
      }
    : (x, d, s, n) => {
        const v = x.u8;
        for (let i = 0, a = d * 16, b = s * 16; i < n; i++) v[a + i] = f(v[a + i], v[b + i]);
      };
}

/** Word-lane op. */
export function words(signed: boolean, f: (a: number, b: number) => number): IntOp {
  return signed
    ? (x, d, s, n) => {
        const v = x.i16;
        for (let i = 0, a = d * 8, b = s * 8; i < n / 2; i++) v[a + i] = f(v[a + i], v[b + i]);
      }
    : (x, d, s, n) => {
        const v = x.u16;
        for (let i = 0, a = d * 8, b = s * 8; i < n / 2; i++) v[a + i] = f(v[a + i], v[b + i]);
      };
}

/** Dword-lane op (signed int32 lanes; results are wrapped by the typed array). */
export function dwords(f: (a: number, b: number) => number): IntOp {
  return (x, d, s, n) => {
    const v = x.i32;
    for (let i = 0, a = d * 4, b = s * 4; i < n / 4; i++) v[a + i] = f(v[a + i], v[b + i]);
  };
}

/** Unsigned dword-lane op. */
export function udwords(f: (a: number, b: number) => number): IntOp {
  return (x, d, s, n) => {
    const v = x.u32;
    for (let i = 0, a = d * 4, b = s * 4; i < n / 4; i++) v[a + i] = f(v[a + i], v[b + i]);
  };
}

/** Qword add (sub when `negate`), 64-bit wrap-around, on dword halves. */
export function qwordAdd(negate: boolean): IntOp {
  return (x, d, s, n) => {
    const v = x.u32;
    for (let i = 0; i < n / 8; i++) {
      const a = d * 4 + 2 * i;
      const b = s * 4 + 2 * i;
      const bl = v[b];
      const bh = v[b + 1];
      if (negate) {
        const lo = v[a] - bl;
        v[a + 1] = v[a + 1] - bh - (lo < 0 ? 1 : 0);
        v[a] = lo;
      } else {
        const lo = v[a] + bl;
        v[a + 1] = v[a + 1] + bh + (lo > 0xffffffff ? 1 : 0);
        v[a] = lo;
      }
    }
  };
}

/** High dword of the last `mulU32`. */
export let mulHi = 0;

/** Unsigned 32 × 32 → 64-bit product: returns the low dword, leaves the high one in `mulHi`. */
export function mulU32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const mid = al * bh + ah * bl + Math.floor(ll / 65536); // < 2^34, exact
  mulHi = (ah * bh + Math.floor(mid / 65536)) >>> 0;
  return (((mid % 65536) << 16) | (ll & 0xffff)) >>> 0;
}

/** Signed 32 × 32 → 64-bit product (two's complement halves). */
export function mulS32(a: number, b: number): number {
  const lo = mulU32(a >>> 0, b >>> 0);
  let hi = mulHi;
  if (a < 0) hi -= b >>> 0;
  if (b < 0) hi -= a >>> 0;
  mulHi = hi >>> 0;
  return lo;
}

/** PMULUDQ / PMULDQ: dword 0 (and 2) of each operand → a qword product. */
export function mulEvenDwords(signed: boolean): IntOp {
  return (x, d, s, n) => {
    const v = x.u32;
    const w = x.i32;
    for (let i = 0; i < n / 8; i++) {
      const a = d * 4 + 2 * i;
      const b = s * 4 + 2 * i;
      v[a] = signed ? mulS32(w[a], w[b]) : mulU32(v[a], v[b]);
      v[a + 1] = mulHi;
    }
  };
}

/** PMADDWD: pairs of signed word products summed into dwords. */
export const pmaddwd: IntOp = (x, d, s, n) => {
  const v = x.i16;
  const o = x.i32;
  for (let i = 0; i < n / 4; i++) {
    const a = d * 8 + 2 * i;
    const b = s * 8 + 2 * i;
    o[d * 4 + i] = v[a] * v[b] + v[a + 1] * v[b + 1];
  }
};

/** PSADBW: per qword, the sum of absolute byte differences in its low word, the rest zero. */
export const psadbw: IntOp = (x, d, s, n) => {
  const v = x.u8;
  const w = x.u32;
  for (let q = 0; q < n / 8; q++) {
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += Math.abs(v[d * 16 + q * 8 + i] - v[s * 16 + q * 8 + i]);
    w[d * 4 + 2 * q] = sum;
    w[d * 4 + 2 * q + 1] = 0;
  }
};

/** Logical operations on whole dwords. */
export const pand: IntOp = udwords((a, b) => a & b);
export const pandn: IntOp = udwords((a, b) => ~a & b);
export const por: IntOp = udwords((a, b) => a | b);
export const pxor: IntOp = udwords((a, b) => a ^ b);
