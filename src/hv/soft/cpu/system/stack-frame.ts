/**
 * Building a stack frame on a stack that may not be loaded yet (far CALL
 * through a call gate, interrupt delivery with a stack switch): the frame is
 * checked against the target SS limits up front (one #SS for the whole
 * frame, as the SDM pseudo-code does: "IF new stack does not have room...")
 * and written before any register changes, so a #PF or #SS leaves the CPU
 * as it was. Reusable scratch object: one per CPU.
 */
import type { Cpu } from "../cpu.js";
import { ESP, SEG_SS } from "../constants.js";
import { raiseSS } from "../fault.js";
import type { Descriptor } from "./descriptor.js";

export class StackFrame {
  /** Segment base of the target stack. */
  base = 0;
  /** Valid offsets [low, high] of the target stack segment. */
  low = 0;
  high = 0;
  /** SS.B: 32-bit stack pointer (else 16-bit, wrapping at 64 KiB). */
  big = false;
  /** The stack pointer, moved down by each push (unsigned, wrapped to the stack width). */
  sp = 0;
  /** Write with supervisor privilege (an inner stack), else at the current CPL. */
  supervisor = false;
  /** Error code of the #SS raised when the frame does not fit. */
  errorCode = 0;

  /** Targets the currently loaded SS:ESP (same-privilege frames). */
  fromCurrent(cpu: Cpu, errorCode: number): this {
    this.base = cpu.segBase[SEG_SS] >>> 0;
    this.low = cpu.segLow[SEG_SS];
    this.high = cpu.segHigh[SEG_SS];
    this.big = cpu.stack32;
    this.sp = cpu.getSp();
    this.supervisor = false;
    this.errorCode = errorCode;
    return this;
  }

  /** Targets a new stack described by `ss` (already checked) at `sp`. */
  fromDescriptor(ss: Descriptor, sp: number, cpl: number, errorCode: number): this {
    this.base = ss.base;
    this.low = ss.lowOffset;
    this.high = ss.highOffset;
    this.big = ss.big;
    this.sp = this.big ? sp >>> 0 : sp & 0xffff;
    this.supervisor = cpl < 3;
    this.errorCode = errorCode;
    return this;
  }

  /** Raises #SS unless `bytes` more bytes fit below the stack pointer. */
  reserve(cpu: Cpu, bytes: number): void {
    const mask = this.big ? 0xffffffff : 0xffff;
    const start = this.wrap(this.sp - bytes);
    const end = this.wrap(this.sp - 1);
    const ok = start <= end ? this.fits(start, end) : this.fits(start, mask) && this.fits(0, end);
    if (!ok) raiseSS(cpu, this.errorCode);
  }

  private fits(first: number, last: number): boolean {
    return first >= this.low && last <= this.high;
  }

  /** `v` wrapped to the stack pointer's width, unsigned. */
  private wrap(v: number): number {
    return this.big ? v >>> 0 : v & 0xffff;
  }

  private next(size: number): number {
    this.sp = this.wrap(this.sp - size);
    return (this.base + this.sp) >>> 0;
  }

  push32(cpu: Cpu, value: number): void {
    const lin = this.next(4);
    if (this.supervisor) cpu.writeSys32(lin, value);
    else cpu.write32(lin, value);
  }

  push16(cpu: Cpu, value: number): void {
    const lin = this.next(2);
    if (this.supervisor) cpu.writeSys16(lin, value);
    else cpu.write16(lin, value);
  }

  /** Pushes 2 or 4 bytes (`size` in bytes). */
  push(cpu: Cpu, size: number, value: number): void {
    if (size === 4) this.push32(cpu, value);
    else this.push16(cpu, value);
  }

  /** Writes the final stack pointer into ESP/SP (after SS holds the target stack). */
  commit(cpu: Cpu): void {
    if (this.big) cpu.r32[ESP << 1] = this.sp;
    else cpu.r16[ESP << 2] = this.sp;
  }
}
