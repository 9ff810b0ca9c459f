/**
 * 64-bit mode operands: 64-bit registers, effective addresses (REX-extended
 * registers, RIP-relative, FS/GS bases, canonical checks) and the 64-bit
 * stack. Part of the `Cpu` class chain (CpuState → CpuAccess → CpuLong →
 * CpuOperands → Cpu); operands.ts dispatches to these in 64-bit mode.
 *
 * SDM vol. 1, 3.3.7 (addressing in 64-bit mode), 3.7.5 (RIP-relative);
 * vol. 3, 3.3.7.1 (canonical addresses: #SS(0) for the SS segment, else
 * #GP(0)), 6.14.
 */
import { CpuAccess } from "./access.js";
import { CANONICAL_LIMIT, ESP, SEG_FS, SEG_SS } from "./constants.js";
import type { Decoded } from "./decoded.js";
import { raiseGP, raiseSS } from "./fault.js";
import { add64, hi64, isCanonicalHi, TWO32 } from "./int64.js";

const RSP_LO = ESP << 1;
const RSP_HI = (ESP << 1) | 1;

export class CpuLong extends CpuAccess {
  // ---- 64-bit registers ----

  /** Writes register `n` (0-15) as hi:lo. */
  setReg64(n: number, lo: number, hi: number): void {
    this.r32[n << 1] = lo;
    this.r32[(n << 1) | 1] = hi;
  }

  /** Register `n` as a signed number (exact below 2^53 in magnitude: addresses, RIP). */
  reg64Number(n: number): number {
    return this.r32[(n << 1) | 1] * TWO32 + (this.r32[n << 1] >>> 0);
  }

  /** Sets register `n` from an integral number of magnitude below 2^53. */
  setReg64Number(n: number, v: number): void {
    this.r32[n << 1] = v | 0;
    this.r32[(n << 1) | 1] = Math.floor(v / TWO32) | 0;
  }

  // ---- Effective addresses ----

  /**
   * The 64-bit effective address `base + (index << scale) + disp` (+ RIP
   * for RIP-relative operands) modulo 2^64, without segment base: returns
   * the low dword, the high one goes to `eaHi`. LEA and BT's bit base.
   */
  eaOffset64(d: Decoded): number {
    const r32 = this.r32;
    const b = d.base << 1;
    const x = d.index << 1;
    const s = d.scale;
    const xLo = r32[x];
    const sLo = xLo << s;
    const sHi = s === 0 ? r32[x + 1] : (r32[x + 1] << s) | (xLo >>> (32 - s));
    let lo = add64(r32[b], r32[b + 1], sLo, sHi);
    let hi = hi64[0];
    lo = add64(lo, hi, d.disp, d.dispHi);
    hi = hi64[0];
    if (d.ripRel) {
      const rip = this.eip;
      lo = add64(lo, hi, rip | 0, Math.floor(rip / TWO32) | 0);
      hi = hi64[0];
    }
    if (d.addrSize === 32) hi = 0;
    this.eaHi = hi;
    return lo;
  }

  /**
   * The effective address as a number: signed 64-bit (exact below 2^53 in
   * magnitude), or the unsigned 32-bit one with a 32-bit address size. For
   * `segLinear` (BT's bit base).
   */
  eaNumber(d: Decoded): number {
    const lo = this.eaOffset64(d);
    return d.addrSize === 32 ? lo >>> 0 : this.eaHi * TWO32 + (lo >>> 0);
  }

  /**
   * Linear address of the memory operand in 64-bit mode: the effective
   * address (32-bit when 67h truncates it), plus the FS/GS base, checked to
   * be canonical (#SS(0) through SS, else #GP(0)). No limit checks.
   */
  linear64(d: Decoded): number {
    const r32 = this.r32;
    let ea: number;
    if (d.addrSize === 64) {
      const b = d.base << 1;
      const x = d.index << 1;
      const bHi = r32[b + 1];
      const xHi = r32[x + 1];
      if (((bHi + 0x10000) | (xHi + 0x10000)) >>> 17 === 0) {
        // Both registers below 2^48 in magnitude: the sum is exact as a double.
        ea =
          bHi * TWO32 + (r32[b] >>> 0) + (xHi * TWO32 + (r32[x] >>> 0)) * (1 << d.scale) + d.disp;
        if (d.ripRel) ea += this.eip;
      } else {
        return this.wideLinear(d);
      }
    } else {
      const rip = d.ripRel ? this.eip : 0;
      ea = (r32[d.base << 1] + (r32[d.index << 1] << d.scale) + d.disp + rip) >>> 0;
    }
    if (d.seg >= SEG_FS) ea += this.segBaseL[d.seg];
    if (ea < -CANONICAL_LIMIT || ea >= CANONICAL_LIMIT) {
      if (d.seg === SEG_SS) raiseSS(this, 0);
      raiseGP(this, 0);
    }
    return ea;
  }

  /** `linear64` for registers far outside the address range: exact modulo 2^64, then canonical. */
  private wideLinear(d: Decoded): number {
    let lo = this.eaOffset64(d);
    let hi = this.eaHi;
    if (d.seg >= SEG_FS) {
      const base = this.segBaseL[d.seg];
      lo = add64(lo, hi, base | 0, Math.floor(base / TWO32) | 0);
      hi = hi64[0];
    }
    if (!isCanonicalHi(hi)) {
      if (d.seg === SEG_SS) raiseSS(this, 0);
      raiseGP(this, 0);
    }
    return hi * TWO32 + (lo >>> 0);
  }

  // ---- The 64-bit stack (SS base 0, no limit; canonical → #SS(0)) ----

  /** RSP as a signed number. */
  get rsp(): number {
    return this.r32[RSP_HI] * TWO32 + (this.r32[RSP_LO] >>> 0);
  }

  /** Linear address of RSP + `delta`, checked canonical (#SS(0)). */
  rspLinear(delta: number): number {
    const lin = this.rsp + delta;
    if (lin < -CANONICAL_LIMIT || lin >= CANONICAL_LIMIT) raiseSS(this, 0);
    return lin;
  }

  /** RSP += delta (a small signed number), modulo 2^64. */
  addRsp(delta: number): void {
    const r32 = this.r32;
    const lo = r32[RSP_LO];
    const n = (lo + delta) | 0;
    r32[RSP_LO] = n;
    if (delta >= 0) {
      if (n >>> 0 < lo >>> 0) r32[RSP_HI] = (r32[RSP_HI] + 1) | 0;
    } else if (n >>> 0 > lo >>> 0) {
      r32[RSP_HI] = (r32[RSP_HI] - 1) | 0;
    }
  }

  /** PUSH of 8 bytes: written before RSP moves. */
  push64(lo: number, hi: number): void {
    this.write64(this.rspLinear(-8), lo, hi);
    this.addRsp(-8);
  }

  /** POP of 8 bytes: returns the low dword, the high one in `valueHi`. */
  pop64(): number {
    const lo = this.read64(this.rspLinear(0));
    this.addRsp(8);
    return lo;
  }

  /** PUSH of 2 bytes with a 64-bit stack pointer (66h-prefixed PUSH). */
  push16Long(v: number): void {
    this.write16(this.rspLinear(-2), v);
    this.addRsp(-2);
  }

  /** Pushes an integral number (|v| < 2^53, e.g. RIP) as 8 bytes. */
  pushNumber64(v: number): void {
    this.push64(v | 0, Math.floor(v / TWO32) | 0);
  }
}
