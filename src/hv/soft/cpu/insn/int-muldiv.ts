/**
 * MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV.
 * SDM vol. 2, MUL / IMUL / DIV / IDIV.
 *
 * Flags (the SDM leaves SF, ZF, AF, PF undefined after MUL/IMUL): CF = OF =
 * "the upper half is significant"; SF, ZF, PF follow the low half of the
 * product (the part a two/three-operand IMUL stores); AF = 0. This is what
 * Bochs and QEMU do. DIV/IDIV leave every flag unchanged (all undefined).
 *
 * 32x32 products are built from 16-bit halves so no precision is lost and
 * nothing is allocated; the high dword is returned through `productHigh`.
 * 64-bit operands (REX.W) use the int32-pair arithmetic of int64.ts: a
 * 128-bit product, and a 128/64 division (int64.ts `divU128`).
 */
import type { Cpu } from "../cpu.js";
import { EAX, EDX, OF, CF } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { raiseDE } from "../fault.js";
import { setLazyResult, setLazyResult64 } from "../flags.js";
import { divU128, hi64, mulS64, mulU64 } from "../int64.js";
import { defineGroup, defineOp, defineOp0F, IMM_BS, IMM_Z } from "../ops.js";

const OVERFLOW = CF | OF;

/** High dword (int32) of the last `mul32` / `imul32`. */
let productHigh = 0;

/** Unsigned 32x32 → 64 product: returns the low dword (int32), sets `productHigh`. */
function mul32(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  productHigh = (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
  return (ll & 0xffff) | (mid << 16);
}

/** Signed 32x32 → 64 product: returns the low dword, sets `productHigh`. */
function imul32(a: number, b: number): number {
  const low = mul32(a, b);
  // Signed high = unsigned high - (a < 0 ? b : 0) - (b < 0 ? a : 0), mod 2^32.
  productHigh = (productHigh - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
  return low;
}

// ---- F6/F7 /4 MUL, /5 IMUL: accumulator forms ----

function mulEb(cpu: Cpu, d: Decoded): void {
  const p = cpu.r8[0] * cpu.readModrm8(d);
  cpu.r16[0] = p;
  setLazyResult(cpu, p & 0xff, 8, p > 0xff ? OVERFLOW : 0);
}

function imulEb(cpu: Cpu, d: Decoded): void {
  const p = ((cpu.r8[0] << 24) >> 24) * ((cpu.readModrm8(d) << 24) >> 24);
  cpu.r16[0] = p;
  setLazyResult(cpu, p & 0xff, 8, p !== (p << 24) >> 24 ? OVERFLOW : 0);
}

/** MUL/IMUL r/m64: RDX:RAX = RAX * r/m64 (`signed` for IMUL). */
function mul64(cpu: Cpu, d: Decoded, signed: boolean): void {
  const bLo = cpu.readModrm64(d);
  const bHi = cpu.valueHi;
  const r32 = cpu.r32;
  const lo = signed ? mulS64(r32[0], r32[1], bLo, bHi) : mulU64(r32[0], r32[1], bLo, bHi);
  const w1 = hi64[0];
  const w2 = hi64[1];
  const w3 = hi64[2];
  r32[EAX << 1] = lo;
  r32[(EAX << 1) | 1] = w1;
  r32[EDX << 1] = w2;
  r32[(EDX << 1) | 1] = w3;
  const sign = w1 >> 31;
  const overflow = signed ? w2 !== sign || w3 !== sign : (w2 | w3) !== 0;
  setLazyResult64(cpu, lo, w1, overflow ? OVERFLOW : 0);
}

function mulEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    mul64(cpu, d, false);
  } else if (d.opSize === 16) {
    const p = cpu.r16[EAX << 2] * cpu.readModrm16(d);
    cpu.r16[EAX << 2] = p;
    cpu.r16[EDX << 2] = p >>> 16;
    setLazyResult(cpu, p & 0xffff, 16, p > 0xffff ? OVERFLOW : 0);
  } else {
    const low = mul32(cpu.r32[EAX << 1], cpu.readModrm32(d));
    cpu.setReg32(EAX, low);
    cpu.setReg32(EDX, productHigh);
    setLazyResult(cpu, low, 32, productHigh !== 0 ? OVERFLOW : 0);
  }
}

function imulEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    mul64(cpu, d, true);
  } else if (d.opSize === 16) {
    const p = ((cpu.r16[EAX << 2] << 16) >> 16) * ((cpu.readModrm16(d) << 16) >> 16);
    cpu.r16[EAX << 2] = p;
    cpu.r16[EDX << 2] = p >> 16;
    setLazyResult(cpu, p & 0xffff, 16, p !== (p << 16) >> 16 ? OVERFLOW : 0);
  } else {
    const low = imul32(cpu.r32[EAX << 1], cpu.readModrm32(d));
    cpu.setReg32(EAX, low);
    cpu.setReg32(EDX, productHigh);
    setLazyResult(cpu, low, 32, productHigh !== low >> 31 ? OVERFLOW : 0);
  }
}

// ---- 0F AF IMUL Gv,Ev; 69 IMUL Gv,Ev,Iz; 6B IMUL Gv,Ev,Ib ----

/** Truncating signed multiply of `a` by `b` into `size` bits; sets flags; returns the result. */
function imulTruncate(cpu: Cpu, a: number, b: number, size: number): number {
  if (size === 16) {
    const p = ((a << 16) >> 16) * ((b << 16) >> 16);
    const r = p & 0xffff;
    setLazyResult(cpu, r, 16, p !== (r << 16) >> 16 ? OVERFLOW : 0);
    return r;
  }
  const r = Math.imul(a, b);
  // The double product is exact whenever it fits in 32 bits, and a product
  // that does not fit cannot round into the int32 range (SDM: CF=OF=1 when
  // the result was truncated).
  setLazyResult(cpu, r, 32, a * b !== r ? OVERFLOW : 0);
  return r;
}

/** Truncating 64-bit signed multiply into register `reg`; CF = OF = the product did not fit. */
function imulTruncate64(
  cpu: Cpu,
  reg: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): void {
  const lo = mulS64(aLo, aHi, bLo, bHi);
  const w1 = hi64[0];
  const sign = w1 >> 31;
  const overflow = hi64[1] !== sign || hi64[2] !== sign;
  cpu.r32[reg << 1] = lo;
  cpu.r32[(reg << 1) | 1] = w1;
  setLazyResult64(cpu, lo, w1, overflow ? OVERFLOW : 0);
}

function imulGvEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) {
    const b = cpu.readModrm16(d);
    cpu.r16[d.reg << 2] = imulTruncate(cpu, cpu.r16[d.reg << 2], b, 16);
  } else if (d.opSize === 32) {
    const b = cpu.readModrm32(d);
    cpu.setReg32(d.reg, imulTruncate(cpu, cpu.r32[d.reg << 1], b, 32));
  } else {
    const bLo = cpu.readModrm64(d);
    const r = d.reg << 1;
    imulTruncate64(cpu, d.reg, cpu.r32[r], cpu.r32[r + 1], bLo, cpu.valueHi);
  }
}

/** 69 and 6B: the decoder sized (Iz) or sign-extended (Ib) the immediate. */
function imulGvEvI(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) cpu.r16[d.reg << 2] = imulTruncate(cpu, cpu.readModrm16(d), d.imm, 16);
  else if (d.opSize === 32) {
    cpu.setReg32(d.reg, imulTruncate(cpu, cpu.readModrm32(d) | 0, d.imm | 0, 32));
  } else {
    const aLo = cpu.readModrm64(d);
    imulTruncate64(cpu, d.reg, aLo, cpu.valueHi, d.imm, d.immHi);
  }
}

// ---- F6/F7 /6 DIV, /7 IDIV: #DE on a zero divisor or a quotient that does not fit ----

function divEb(cpu: Cpu, d: Decoded): void {
  const divisor = cpu.readModrm8(d);
  if (divisor === 0) raiseDE(cpu);
  const dividend = cpu.r16[0];
  const q = (dividend / divisor) >>> 0;
  if (q > 0xff) raiseDE(cpu);
  cpu.r8[0] = q;
  cpu.r8[1] = dividend - q * divisor;
}

function idivEb(cpu: Cpu, d: Decoded): void {
  const divisor = (cpu.readModrm8(d) << 24) >> 24;
  if (divisor === 0) raiseDE(cpu);
  const dividend = (cpu.r16[0] << 16) >> 16;
  const q = Math.trunc(dividend / divisor);
  if (q > 0x7f || q < -0x80) raiseDE(cpu);
  cpu.r8[0] = q;
  cpu.r8[1] = dividend % divisor;
}

/** Unsigned hi:lo >= bHi:bLo. */
function aboveOrEqual(lo: number, hi: number, bLo: number, bHi: number): boolean {
  return hi !== bHi ? hi >>> 0 > bHi >>> 0 : lo >>> 0 >= bLo >>> 0;
}

/** DIV r/m64: RDX:RAX / divisor → RAX quotient, RDX remainder. */
function div64(cpu: Cpu, d: Decoded): void {
  const dLo = cpu.readModrm64(d);
  const dHi = cpu.valueHi;
  if ((dLo | dHi) === 0) raiseDE(cpu);
  const r32 = cpu.r32;
  const n2 = r32[EDX << 1];
  const n3 = r32[(EDX << 1) | 1];
  // RDX >= divisor: the quotient needs more than 64 bits.
  if (aboveOrEqual(n2, n3, dLo, dHi)) raiseDE(cpu);
  const q = divU128(r32[EAX << 1], r32[(EAX << 1) | 1], n2, n3, dLo, dHi);
  r32[EAX << 1] = q;
  r32[(EAX << 1) | 1] = hi64[0];
  r32[EDX << 1] = hi64[1];
  r32[(EDX << 1) | 1] = hi64[2];
}

/** IDIV r/m64: signed RDX:RAX / divisor, quotient truncated toward zero. */
function idiv64(cpu: Cpu, d: Decoded): void {
  let dLo = cpu.readModrm64(d);
  let dHi = cpu.valueHi;
  if ((dLo | dHi) === 0) raiseDE(cpu);
  const r32 = cpu.r32;
  let n0 = r32[EAX << 1];
  let n1 = r32[(EAX << 1) | 1];
  let n2 = r32[EDX << 1];
  let n3 = r32[(EDX << 1) | 1];
  const negative = n3 < 0;
  if (negative) {
    // 128-bit two's-complement negation: invert, then add 1 with carries.
    n0 = ~n0;
    n1 = ~n1;
    n2 = ~n2;
    n3 = ~n3;
    n0 = (n0 + 1) | 0;
    if (n0 === 0) {
      n1 = (n1 + 1) | 0;
      if (n1 === 0) {
        n2 = (n2 + 1) | 0;
        if (n2 === 0) n3 = (n3 + 1) | 0;
      }
    }
  }
  const divisorNegative = dHi < 0;
  if (divisorNegative) {
    dLo = -dLo | 0;
    dHi = dLo === 0 ? -dHi | 0 : ~dHi;
  }
  if (aboveOrEqual(n2, n3, dLo, dHi)) raiseDE(cpu);
  const qLo = divU128(n0, n1, n2, n3, dLo, dHi);
  let qHi = hi64[0];
  let rLo = hi64[1];
  let rHi = hi64[2];
  const quotientNegative = negative !== divisorNegative;
  // |quotient| must fit: at most 2^63 when negative, 2^63 - 1 otherwise.
  if (qHi < 0 && !(quotientNegative && qHi === (0x80000000 | 0) && qLo === 0)) raiseDE(cpu);
  let q = qLo;
  if (quotientNegative) {
    q = -qLo | 0;
    qHi = q === 0 ? -qHi | 0 : ~qHi;
  }
  if (negative) {
    const t = -rLo | 0;
    rHi = t === 0 ? -rHi | 0 : ~rHi;
    rLo = t;
  }
  r32[EAX << 1] = q;
  r32[(EAX << 1) | 1] = qHi;
  r32[EDX << 1] = rLo;
  r32[(EDX << 1) | 1] = rHi;
}

function divEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    div64(cpu, d);
    return;
  }
  if (d.opSize === 16) {
    const divisor = cpu.readModrm16(d);
    if (divisor === 0) raiseDE(cpu);
    const dividend = cpu.r16[EDX << 2] * 0x10000 + cpu.r16[EAX << 2];
    const q = Math.floor(dividend / divisor);
    if (q > 0xffff) raiseDE(cpu);
    cpu.r16[EAX << 2] = q;
    cpu.r16[EDX << 2] = dividend - q * divisor;
    return;
  }
  const divisor = cpu.readModrm32(d) >>> 0;
  if (divisor === 0) raiseDE(cpu);
  const high = cpu.r32[EDX << 1] >>> 0;
  if (high >= divisor) raiseDE(cpu); // the quotient would need more than 32 bits
  cpu.setReg32(EAX, divide64(high, cpu.r32[EAX << 1] >>> 0, divisor));
  cpu.setReg32(EDX, remainder);
}

function idivEv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 64) {
    idiv64(cpu, d);
    return;
  }
  if (d.opSize === 16) {
    const divisor = (cpu.readModrm16(d) << 16) >> 16;
    if (divisor === 0) raiseDE(cpu);
    const dividend = (cpu.r16[EDX << 2] << 16) | cpu.r16[EAX << 2];
    const q = Math.trunc(dividend / divisor);
    if (q > 0x7fff || q < -0x8000) raiseDE(cpu);
    cpu.r16[EAX << 2] = q;
    cpu.r16[EDX << 2] = dividend % divisor;
    return;
  }
  const divisor = cpu.readModrm32(d);
  if (divisor === 0) raiseDE(cpu);
  let high = cpu.r32[EDX << 1];
  let low = cpu.r32[EAX << 1];
  const negative = high < 0;
  if (negative) {
    // Two's-complement negation of EDX:EAX.
    low = -low | 0;
    high = low === 0 ? -high | 0 : ~high;
  }
  const absDivisor = divisor < 0 ? -divisor : divisor; // 2^31 stays exact as a double
  const uHigh = high >>> 0;
  // |dividend| >= |divisor| * 2^32 means |quotient| >= 2^32: certainly too large.
  if (uHigh >= absDivisor) raiseDE(cpu);
  const q = divide64(uHigh, low >>> 0, absDivisor);
  const quotientNegative = negative !== divisor < 0;
  if (quotientNegative ? q > 0x80000000 : q > 0x7fffffff) raiseDE(cpu);
  cpu.setReg32(EAX, quotientNegative ? -q : q);
  cpu.setReg32(EDX, negative ? -remainder : remainder);
}

/** Remainder of the last `divide64`. */
let remainder = 0;

/**
 * Unsigned (high * 2^32 + low) / divisor with high < divisor <= 2^32, by
 * long division in 16-bit digits (every intermediate stays below 2^48, so
 * doubles are exact). Returns the quotient (< 2^32); sets `remainder`.
 */
function divide64(high: number, low: number, divisor: number): number {
  let x = high * 0x10000 + (low >>> 16);
  const q1 = Math.floor(x / divisor);
  x = (x - q1 * divisor) * 0x10000 + (low & 0xffff);
  const q0 = Math.floor(x / divisor);
  remainder = x - q0 * divisor;
  return q1 * 0x10000 + q0;
}

defineGroup(0xf6, 4, {}, mulEb);
defineGroup(0xf6, 5, {}, imulEb);
defineGroup(0xf6, 6, {}, divEb);
defineGroup(0xf6, 7, {}, idivEb);
defineGroup(0xf7, 4, {}, mulEv);
defineGroup(0xf7, 5, {}, imulEv);
defineGroup(0xf7, 6, {}, divEv);
defineGroup(0xf7, 7, {}, idivEv);
defineOp0F(0xaf, { modrm: true }, imulGvEv);
defineOp(0x69, { modrm: true, imm: IMM_Z }, imulGvEvI);
defineOp(0x6b, { modrm: true, imm: IMM_BS }, imulGvEvI);
