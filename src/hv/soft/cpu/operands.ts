/**
 * Operand access for instruction handlers: registers by size, effective
 * addresses with the segment checks, ModRM operands (register when
 * mod = 3, memory otherwise), and the stack. Part of the `Cpu` class chain
 * (CpuState → CpuAccess → CpuLong → CpuOperands → Cpu); only `Cpu` is
 * instantiated. In 64-bit mode the address and stack helpers go to the
 * 64-bit versions in operands-long.ts.
 */
import { CANONICAL_LIMIT, ESP, REG8_OFFSET, SEG_FS, SEG_SS } from "./constants.js";
import type { Decoded } from "./decoded.js";
import { raiseGP, raiseSS } from "./fault.js";
import { TWO32 } from "./int64.js";
import { CpuLong } from "./operands-long.js";
import { SEG_ACCESS_READ, SEG_ACCESS_WRITE } from "./state.js";

export class CpuOperands extends CpuLong {
  // ---- Registers by size (n = register number; 8-bit n uses the legacy AH..BH mapping) ----

  getReg8(n: number): number {
    return this.r8[REG8_OFFSET[n]];
  }
  setReg8(n: number, v: number): void {
    this.r8[REG8_OFFSET[n]] = v;
  }
  getReg16(n: number): number {
    return this.r16[n << 2];
  }
  setReg16(n: number, v: number): void {
    this.r16[n << 2] = v;
  }
  /** Signed int32. */
  getReg32(n: number): number {
    return this.r32[n << 1];
  }
  /** Writes the low dword and zeroes the high one (state.ts). */
  setReg32(n: number, v: number): void {
    this.r32[n << 1] = v;
    this.r32[(n << 1) | 1] = 0;
  }

  // ---- Effective addresses (SDM vol. 2, 2.1.5; vol. 3, 5.3 limit checks) ----

  /**
   * The effective address (offset in the segment), wrapped to the address
   * size; in 64-bit mode its low dword (`eaOffset64` has all of it). LEA uses it.
   */
  eaOffset(d: Decoded): number {
    if (this.mode64) return this.eaOffset64(d);
    if (d.addrSize === 16) {
      return (this.r16[d.base << 2] + this.r16[d.index << 2] + d.disp) & 0xffff;
    }
    return (this.r32[d.base << 1] + (this.r32[d.index << 1] << d.scale) + d.disp) >>> 0;
  }

  /**
   * Linear address of the memory operand, *without* limit checks (INVLPG and
   * the like); NaN for a non-canonical one in 64-bit mode.
   */
  ea(d: Decoded): number {
    if (this.mode64) {
      const lo = this.eaOffset64(d);
      const base = d.seg >= SEG_FS ? this.segBaseL[d.seg] : 0;
      const lin = this.eaHi * TWO32 + (lo >>> 0) + base;
      return lin >= -CANONICAL_LIMIT && lin < CANONICAL_LIMIT ? lin : NaN;
    }
    return (this.segBase[d.seg] + this.eaOffset(d)) >>> 0;
  }

  /** Linear address of a `size`-byte read of the memory operand, after the segment checks. */
  eaRead(d: Decoded, size: number): number {
    if (this.mode64) return this.linear64(d);
    const off = this.eaOffset(d);
    this.checkSegment(d.seg, off, size, SEG_ACCESS_READ);
    return (this.segBase[d.seg] + off) >>> 0;
  }

  /** Linear address of a `size`-byte write of the memory operand, after the segment checks. */
  eaWrite(d: Decoded, size: number): number {
    if (this.mode64) return this.linear64(d);
    const off = this.eaOffset(d);
    this.checkSegment(d.seg, off, size, SEG_ACCESS_WRITE);
    return (this.segBase[d.seg] + off) >>> 0;
  }

  /**
   * Segment limit and type check of an access to `[off, off + size)` through
   * `seg`: #SS(0) for SS, #GP(0) otherwise (SDM vol. 3, 5.3 and 5.4.1).
   * `access` is SEG_ACCESS_READ or SEG_ACCESS_WRITE.
   */
  checkSegment(seg: number, off: number, size: number, access: number): void {
    if (
      (this.segAccess[seg] & access) === 0 ||
      off < this.segLow[seg] ||
      off + size - 1 > this.segHigh[seg]
    ) {
      if (seg === SEG_SS) raiseSS(this, 0);
      raiseGP(this, 0);
    }
  }

  /**
   * Linear address of `seg:off` for a checked `size`-byte access (string
   * instructions, XLAT, BT). In 64-bit mode `off` is the effective address
   * as a signed number (zero-extended with a 32-bit address size): only
   * FS/GS add a base, and the result must be canonical.
   */
  segLinear(seg: number, off: number, size: number, access: number): number {
    if (this.mode64) {
      const lin = seg >= SEG_FS ? off + this.segBaseL[seg] : off;
      if (lin < -CANONICAL_LIMIT || lin >= CANONICAL_LIMIT) {
        if (seg === SEG_SS) raiseSS(this, 0);
        raiseGP(this, 0);
      }
      return lin;
    }
    this.checkSegment(seg, off, size, access);
    return (this.segBase[seg] + off) >>> 0;
  }

  // ---- ModRM operands: register when mod === 3, memory otherwise ----

  readModrm8(d: Decoded): number {
    if (d.mod === 3) return this.r8[d.rm8];
    return this.read8(this.eaRead(d, 1));
  }
  readModrm16(d: Decoded): number {
    if (d.mod === 3) return this.r16[d.rm << 2];
    return this.read16(this.eaRead(d, 2));
  }
  readModrm32(d: Decoded): number {
    if (d.mod === 3) return this.r32[d.rm << 1];
    return this.read32(this.eaRead(d, 4));
  }
  writeModrm8(d: Decoded, v: number): void {
    if (d.mod === 3) this.r8[d.rm8] = v;
    else this.write8(this.eaWrite(d, 1), v);
  }
  writeModrm16(d: Decoded, v: number): void {
    if (d.mod === 3) this.r16[d.rm << 2] = v;
    else this.write16(this.eaWrite(d, 2), v);
  }
  /** A register destination has its high dword zeroed (state.ts). */
  writeModrm32(d: Decoded, v: number): void {
    if (d.mod === 3) {
      this.r32[d.rm << 1] = v;
      this.r32[(d.rm << 1) | 1] = 0;
    } else {
      this.write32(this.eaWrite(d, 4), v);
    }
  }
  /** 64-bit operand: returns the low dword, the high one in `valueHi`. */
  readModrm64(d: Decoded): number {
    if (d.mod === 3) {
      this.valueHi = this.r32[(d.rm << 1) | 1];
      return this.r32[d.rm << 1];
    }
    return this.read64(this.eaRead(d, 8));
  }
  writeModrm64(d: Decoded, lo: number, hi: number): void {
    if (d.mod === 3) {
      this.r32[d.rm << 1] = lo;
      this.r32[(d.rm << 1) | 1] = hi;
    } else {
      this.write64(this.eaWrite(d, 8), lo, hi);
    }
  }

  /**
   * Read half of a read-modify-write operand (ADD [mem], r; INC [mem]; XCHG...):
   * checks that the operand is writable first, so the instruction faults
   * before anything changes. Pair with `writeModrmRmw*` (same `d`).
   */
  readModrmRmw8(d: Decoded): number {
    if (d.mod === 3) return this.r8[d.rm8];
    return this.readForWrite8(this.eaWrite(d, 1));
  }
  readModrmRmw16(d: Decoded): number {
    if (d.mod === 3) return this.r16[d.rm << 2];
    return this.readForWrite16(this.eaWrite(d, 2));
  }
  readModrmRmw32(d: Decoded): number {
    if (d.mod === 3) return this.r32[d.rm << 1];
    return this.readForWrite32(this.eaWrite(d, 4));
  }
  /** 64-bit read half of a read-modify-write: low dword returned, high in `valueHi`. */
  readModrmRmw64(d: Decoded): number {
    if (d.mod === 3) {
      this.valueHi = this.r32[(d.rm << 1) | 1];
      return this.r32[d.rm << 1];
    }
    return this.readForWrite64(this.eaWrite(d, 8));
  }
  writeModrmRmw8(d: Decoded, v: number): void {
    if (d.mod === 3) this.r8[d.rm8] = v;
    else this.write8(this.rmwLinear, v);
  }
  writeModrmRmw16(d: Decoded, v: number): void {
    if (d.mod === 3) this.r16[d.rm << 2] = v;
    else this.write16(this.rmwLinear, v);
  }
  writeModrmRmw32(d: Decoded, v: number): void {
    if (d.mod === 3) {
      this.r32[d.rm << 1] = v;
      this.r32[(d.rm << 1) | 1] = 0;
    } else {
      this.write32(this.rmwLinear, v);
    }
  }
  writeModrmRmw64(d: Decoded, lo: number, hi: number): void {
    if (d.mod === 3) {
      this.r32[d.rm << 1] = lo;
      this.r32[(d.rm << 1) | 1] = hi;
    } else {
      this.write64(this.rmwLinear, lo, hi);
    }
  }

  // ---- Stack (SS.B selects SP or ESP; RSP in 64-bit mode; SDM vol. 1, 6.2) ----

  /** The stack pointer: ESP (unsigned) or SP; RSP as a signed number in 64-bit mode. */
  getSp(): number {
    if (this.mode64) return this.rsp;
    return this.stack32 ? this.r32[ESP << 1] >>> 0 : this.r16[ESP << 2];
  }
  /** Sets ESP or SP (only the low word when the stack is 16-bit); all of RSP in 64-bit mode. */
  setSp(v: number): void {
    if (this.mode64) this.setReg64Number(ESP, v);
    else if (this.stack32) this.r32[ESP << 1] = v;
    else this.r16[ESP << 2] = v;
  }
  /** Adds `delta` to the stack pointer, wrapping at its width. */
  adjustSp(delta: number): void {
    if (this.mode64) this.addRsp(delta);
    else this.setSp(this.getSp() + delta);
  }
  /** Linear address of SS:(SP + delta) for a checked `size`-byte access. */
  stackLinear(delta: number, size: number, access: number): number {
    if (this.mode64) return this.rspLinear(delta);
    const off = this.stack32 ? (this.getSp() + delta) >>> 0 : (this.getSp() + delta) & 0xffff;
    this.checkSegment(SEG_SS, off, size, access);
    return (this.segBase[SEG_SS] + off) >>> 0;
  }

  push16(v: number): void {
    if (this.mode64) {
      this.push16Long(v);
      return;
    }
    const sp = (this.stack32 ? this.r32[ESP << 1] - 2 : this.r16[ESP << 2] - 2) & this.spMask();
    this.checkSegment(SEG_SS, sp, 2, SEG_ACCESS_WRITE);
    this.write16((this.segBase[SEG_SS] + sp) >>> 0, v);
    this.setSp(sp);
  }
  push32(v: number): void {
    if (this.stack32 && !this.mode64) {
      const sp = (this.r32[ESP << 1] - 4) >>> 0;
      this.checkSegment(SEG_SS, sp, 4, SEG_ACCESS_WRITE);
      this.write32((this.segBase[SEG_SS] + sp) >>> 0, v);
      this.r32[ESP << 1] = sp;
      return;
    }
    this.write32(this.stackLinear(-4, 4, SEG_ACCESS_WRITE), v);
    this.adjustSp(-4);
  }
  /**
   * Pushes with the instruction's operand size (16, 32 or 64). For 64, `v`
   * is a number (an imm32 is thus sign-extended, a selector or RIP exact).
   */
  pushOp(opSize: number, v: number): void {
    if (opSize === 64) this.pushNumber64(v);
    else if (opSize === 16) this.push16(v);
    else this.push32(v);
  }
  pop16(): number {
    const v = this.read16(this.stackLinear(0, 2, SEG_ACCESS_READ));
    this.adjustSp(2);
    return v;
  }
  /** Signed int32. */
  pop32(): number {
    if (this.stack32 && !this.mode64) {
      const sp = this.r32[ESP << 1] >>> 0;
      this.checkSegment(SEG_SS, sp, 4, SEG_ACCESS_READ);
      const v = this.read32((this.segBase[SEG_SS] + sp) >>> 0);
      this.r32[ESP << 1] = sp + 4;
      return v;
    }
    const v = this.read32(this.stackLinear(0, 4, SEG_ACCESS_READ));
    this.adjustSp(4);
    return v;
  }
  /** 0xFFFFFFFF with a 32-bit stack, 0xFFFF with a 16-bit one. */
  private spMask(): number {
    return this.stack32 ? -1 : 0xffff;
  }
  /** Reads the stack at SP + delta without popping (IRET, RET imm: read everything first). */
  stackRead16(delta: number): number {
    return this.read16(this.stackLinear(delta, 2, SEG_ACCESS_READ));
  }
  stackRead32(delta: number): number {
    return this.read32(this.stackLinear(delta, 4, SEG_ACCESS_READ));
  }
  /** 8 bytes at RSP + delta: low dword returned, high one in `valueHi`. */
  stackRead64(delta: number): number {
    return this.read64(this.stackLinear(delta, 8, SEG_ACCESS_READ));
  }
  /** Writes the stack at SP + delta without moving SP (build a frame, then `adjustSp`). */
  stackWrite16(delta: number, v: number): void {
    this.write16(this.stackLinear(delta, 2, SEG_ACCESS_WRITE), v);
  }
  stackWrite32(delta: number, v: number): void {
    this.write32(this.stackLinear(delta, 4, SEG_ACCESS_WRITE), v);
  }
  stackWrite64(delta: number, lo: number, hi: number): void {
    this.write64(this.stackLinear(delta, 8, SEG_ACCESS_WRITE), lo, hi);
  }
}
