/**
 * Independent reference model for the integer-instruction tests. Every result
 * here is derived straight from the Intel SDM vol. 2 definitions — with BigInt
 * arithmetic or bit-by-bit loops that follow the SDM's pseudo-code — and never
 * calls the implementation, so a test comparing the two can really fail.
 *
 * Where the SDM leaves a flag undefined, the value below is the one tsvm
 * documents in src/hv/soft/cpu/insn/int-*.ts (the Bochs/QEMU choices).
 */

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const OF = 0x800;
/** The six arithmetic status flags. */
export const STATUS = CF | PF | AF | ZF | SF | OF;

export type Size = 8 | 16 | 32;

export interface Outcome {
  /** Unsigned result, masked to the operand size. */
  readonly result: number;
  /** Values of the six status flags (other bits zero). */
  readonly flags: number;
}

export function mask(size: Size): number {
  return size === 32 ? 0xffffffff : (1 << size) - 1;
}

export function toUnsigned(size: Size, v: number): number {
  return size === 32 ? v >>> 0 : v & mask(size);
}

export function toSigned(size: Size, v: number): number {
  const u = toUnsigned(size, v);
  return u >= 2 ** (size - 1) ? u - 2 ** size : u;
}

function bit(v: number, n: number): number {
  return Math.floor(v / 2 ** n) % 2;
}

/** PF: set when the low byte has an even number of one bits. */
export function parityFlag(v: number): number {
  let ones = 0;
  for (let i = 0; i < 8; i++) ones += bit(v, i);
  return ones % 2 === 0 ? PF : 0;
}

/** ZF, SF and PF of a result. */
export function szp(size: Size, r: number): number {
  return (r === 0 ? ZF : 0) | (bit(r, size - 1) ? SF : 0) | parityFlag(r);
}

export function add(size: Size, a: number, b: number, carry = 0): Outcome {
  const wide = BigInt(toUnsigned(size, a)) + BigInt(toUnsigned(size, b)) + BigInt(carry);
  const result = Number(BigInt.asUintN(size, wide));
  const signed = toSigned(size, a) + toSigned(size, b) + carry;
  let flags = szp(size, result);
  if (wide >= 2n ** BigInt(size)) flags |= CF;
  if (signed >= 2 ** (size - 1) || signed < -(2 ** (size - 1))) flags |= OF;
  if ((a & 0xf) + (b & 0xf) + carry > 0xf) flags |= AF;
  return { result, flags };
}

export function sub(size: Size, a: number, b: number, borrow = 0): Outcome {
  const ua = toUnsigned(size, a);
  const ub = toUnsigned(size, b);
  const result = Number(BigInt.asUintN(size, BigInt(ua) - BigInt(ub) - BigInt(borrow)));
  const signed = toSigned(size, a) - toSigned(size, b) - borrow;
  let flags = szp(size, result);
  if (ua < ub + borrow) flags |= CF;
  if (signed >= 2 ** (size - 1) || signed < -(2 ** (size - 1))) flags |= OF;
  if ((a & 0xf) < (b & 0xf) + borrow) flags |= AF;
  return { result, flags };
}

/** AND/OR/XOR/TEST: CF=OF=0; AF (undefined) is 0 in tsvm. */
export function logic(size: Size, op: "and" | "or" | "xor", a: number, b: number): Outcome {
  const x = BigInt(toUnsigned(size, a));
  const y = BigInt(toUnsigned(size, b));
  const r = op === "and" ? x & y : op === "or" ? x | y : x ^ y;
  const result = Number(r);
  return { result, flags: szp(size, result) };
}

/** INC/DEC: like ADD/SUB 1, CF keeps `oldFlags`' CF. */
export function incdec(size: Size, dec: boolean, a: number, oldFlags: number): Outcome {
  const o = dec ? sub(size, a, 1) : add(size, a, 1);
  return { result: o.result, flags: (o.flags & ~CF) | (oldFlags & CF) };
}

export function neg(size: Size, a: number): Outcome {
  const o = sub(size, 0, a);
  return { result: o.result, flags: (o.flags & ~CF) | (toUnsigned(size, a) !== 0 ? CF : 0) };
}

export type ShiftOp = "rol" | "ror" | "rcl" | "rcr" | "shl" | "shr" | "sar";

/**
 * Shift/rotate by the SDM's loop pseudo-code (SAL/SAR/SHL/SHR and
 * RCL/RCR/ROL/ROR pages). Masked count 0 changes nothing. OF follows the
 * count-1 formula for every count (Intel); AF is 0 after a shift and
 * untouched by a rotate.
 */
export function shift(
  size: Size,
  op: ShiftOp,
  a: number,
  count: number,
  oldFlags: number,
): Outcome {
  let v = toUnsigned(size, a);
  const masked = count & 0x1f;
  if (masked === 0) return { result: v, flags: oldFlags & STATUS };
  const top = size - 1;
  const msbOf = (x: number): number => bit(x, top);
  let cf = oldFlags & CF ? 1 : 0;
  const m = 2 ** size;
  if (op === "rol" || op === "ror") {
    for (let i = 0; i < masked % size; i++) {
      if (op === "rol") {
        const out = msbOf(v);
        v = ((v * 2) % m) + out;
      } else {
        const out = v % 2;
        v = Math.floor(v / 2) + out * 2 ** top;
      }
    }
    // Flags change even when masked % size === 0 (the rotate still "ran").
    cf = op === "rol" ? v % 2 : msbOf(v);
    const of = op === "rol" ? msbOf(v) ^ cf : msbOf(v) ^ bit(v, top - 1);
    const flags = (oldFlags & (STATUS & ~(CF | OF))) | (cf ? CF : 0) | (of ? OF : 0);
    return { result: v, flags };
  }
  if (op === "rcl" || op === "rcr") {
    const n = masked % (size + 1);
    if (n === 0) return { result: v, flags: oldFlags & STATUS };
    for (let i = 0; i < n; i++) {
      if (op === "rcl") {
        const out = msbOf(v);
        v = ((v * 2) % m) + cf;
        cf = out;
      } else {
        const out = v % 2;
        v = Math.floor(v / 2) + cf * 2 ** top;
        cf = out;
      }
    }
    const of = op === "rcl" ? msbOf(v) ^ cf : msbOf(v) ^ bit(v, top - 1);
    const flags = (oldFlags & (STATUS & ~(CF | OF))) | (cf ? CF : 0) | (of ? OF : 0);
    return { result: v, flags };
  }
  const original = v;
  for (let i = 0; i < masked; i++) {
    if (op === "shl") {
      cf = msbOf(v);
      v = (v * 2) % m;
    } else if (op === "shr") {
      cf = v % 2;
      v = Math.floor(v / 2);
    } else {
      cf = v % 2;
      v = Math.floor(v / 2) + msbOf(v) * 2 ** top;
    }
  }
  let of: number;
  if (op === "shl") of = msbOf(v) ^ cf;
  else if (op === "shr") of = masked === 1 ? msbOf(original) : 0;
  else of = 0;
  return { result: v, flags: szp(size, v) | (cf ? CF : 0) | (of ? OF : 0) };
}

/**
 * SHLD/SHRD (16 and 32 bit). For 16-bit counts above 16 the Intel P6+
 * behaviour is modelled: the shifted value is dest:src:dest (SHLD) or
 * dest:src:dest read from the right (SHRD), as QEMU documents.
 */
export function shiftDouble(
  size: 16 | 32,
  left: boolean,
  dest: number,
  src: number,
  count: number,
  oldFlags: number,
): Outcome {
  const n = count & 0x1f;
  const d = BigInt(toUnsigned(size, dest));
  if (n === 0) return { result: Number(d), flags: oldFlags & STATUS };
  const s = BigInt(toUnsigned(size, src));
  const w = BigInt(size);
  const sz = BigInt(size);
  // Triple width value; the result is the size-bit window after the shift.
  let result: bigint;
  let cf: bigint;
  let beforeLast: bigint;
  if (left) {
    const triple = (d << (2n * w)) | (s << w) | d;
    const shifted = triple << BigInt(n);
    result = (shifted >> (2n * w)) & ((1n << sz) - 1n);
    cf = (shifted >> (3n * w)) & 1n;
    beforeLast = ((triple << BigInt(n - 1)) >> (3n * w - 1n)) & 1n;
  } else {
    const triple = (d << (2n * w)) | (s << w) | d;
    const shifted = triple >> BigInt(n);
    result = shifted & ((1n << sz) - 1n);
    cf = (triple >> BigInt(n - 1)) & 1n;
    beforeLast = ((triple >> BigInt(n - 1)) >> (sz - 1n)) & 1n;
  }
  const r = Number(result);
  const msb = Number((result >> (sz - 1n)) & 1n);
  const of = msb ^ Number(beforeLast);
  return { result: r, flags: szp(size, r) | (cf ? CF : 0) | (of ? OF : 0) };
}

/** MUL/IMUL: CF=OF=upper half significant; SF/ZF/PF from the low half; AF=0. */
export function mul(
  size: Size,
  signed: boolean,
  a: number,
  b: number,
): {
  low: number;
  high: number;
  flags: number;
} {
  const x = signed ? BigInt(toSigned(size, a)) : BigInt(toUnsigned(size, a));
  const y = signed ? BigInt(toSigned(size, b)) : BigInt(toUnsigned(size, b));
  const p = x * y;
  const low = Number(BigInt.asUintN(size, p));
  const high = Number(BigInt.asUintN(size, p >> BigInt(size)));
  const overflow = signed ? BigInt.asIntN(size, p) !== p : p >> BigInt(size) !== 0n;
  return { low, high, flags: szp(size, low) | (overflow ? CF | OF : 0) };
}

/** DIV/IDIV: quotient and remainder, or "DE" for a divide error. */
export function div(
  size: Size,
  signed: boolean,
  high: number,
  low: number,
  divisor: number,
): { q: number; r: number } | "DE" {
  const n = (BigInt(toUnsigned(size, high)) << BigInt(size)) | BigInt(toUnsigned(size, low));
  const dividend = signed ? BigInt.asIntN(size * 2, n) : n;
  const d = signed ? BigInt(toSigned(size, divisor)) : BigInt(toUnsigned(size, divisor));
  if (d === 0n) return "DE";
  const q = dividend / d; // BigInt division truncates toward zero, like IDIV
  const r = dividend % d;
  if (signed ? BigInt.asIntN(size, q) !== q : q >> BigInt(size) !== 0n) return "DE";
  return { q: Number(BigInt.asUintN(size, q)), r: Number(BigInt.asUintN(size, r)) };
}

/** Evaluates condition code `cc` (0-15, the Jcc/SETcc/CMOVcc low nibble). */
export function condition(cc: number, flags: number): boolean {
  const f = (m: number): boolean => (flags & m) !== 0;
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = f(OF); break;
    case 1: r = f(CF); break;
    case 2: r = f(ZF); break;
    case 3: r = f(CF) || f(ZF); break;
    case 4: r = f(SF); break;
    case 5: r = f(PF); break;
    case 6: r = f(SF) !== f(OF); break;
    default: r = f(ZF) || f(SF) !== f(OF); break;
  } // prettier-ignore
  return cc & 1 ? !r : r;
}

/** Deterministic pseudo-random 32-bit values (xorshift32) for test inputs. */
export function randomWords(seed: number, count: number): number[] {
  let x = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(x);
  }
  return out;
}

/** Interesting operands per size: carry/overflow boundaries and small values. */
export function edgeValues(size: Size): number[] {
  const m = mask(size);
  const half = 2 ** (size - 1);
  return [0, 1, 2, 0xf, 0x10, half - 1, half, half + 1, m - 1, m];
}
