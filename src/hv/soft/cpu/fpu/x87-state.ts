/**
 * The x87 register file of one CPU (SDM vol. 1, 8.1): physical registers
 * R0-R7, TOP, control/status/tag words, last-instruction pointers, plus the
 * XMM/MXCSR storage FXSAVE lays out. Attached to every Cpu as `cpu.fpu`.
 */
import { classify, Cls, F80 } from "./f80.js";
import { FpEnv } from "./env.js";

/** Status-word bits (SDM vol. 1, figure 8-4). */
export const SW_SF = 0x40;
export const SW_ES = 0x80;
export const SW_C0 = 0x100;
export const SW_C1 = 0x200;
export const SW_C2 = 0x400;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;
export const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;
const SW_TOP = 0x3800;

/** Full tag values (SDM vol. 1, figure 8-7). */
export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;

/** 16-byte slots in `FpuState.xmmBuffer`: XMM0-15, then SSE scratch slots. */
export const XMM_BUFFER_SLOTS = 24;

export class FpuState {
  /** Physical registers R0-R7. ST(i) is regs[(top + i) & 7]. */
  readonly regs: F80[] = [0, 1, 2, 3, 4, 5, 6, 7].map(() => new F80());
  top = 0;
  /** Control word (FCW); keep `env` in step through `setControlWord`. */
  fcw = 0x0040;
  /** Status word without the TOP field. */
  sw = 0;
  /** Bit i set: physical register Ri is empty (the only tag state kept; SDM vol. 1, 8.1.7). */
  emptyMask = 0;
  /** Last non-control instruction: opcode (11 bits), CS:IP and operand DS:offset. */
  fop = 0;
  fip = 0;
  fcs = 0;
  fdp = 0;
  fds = 0;
  /** Rounding/precision/masks of `fcw` and the flags of the operation in progress. */
  readonly env = new FpEnv();
  /** MXCSR (the SSE module, sse/, keeps its flags here; FXSAVE and getState read it). */
  mxcsr = 0x1f80;
  /**
   * XMM0-15 (16 bytes each) followed by scratch slots the SSE module uses for
   * memory operands and results (sse/state.ts views the whole buffer by lanes).
   */
  readonly xmmBuffer = new ArrayBuffer(XMM_BUFFER_SLOTS * 16);
  readonly xmm = new Uint8Array(this.xmmBuffer, 0, 16 * 16);
  /**
   * Legacy error reporting (CR0.NE = 0): called with true when an unmasked
   * exception sets ES (FERR# asserted, the platform raises IRQ13) and with
   * false when ES is cleared. Set by the machine; null = not wired.
   */
  ferr: ((asserted: boolean) => void) | null = null;
  /** Scratch values for instruction handlers (no allocation while running). */
  readonly t0 = new F80();
  readonly t1 = new F80();
  readonly t2 = new F80();

  constructor() {
    this.setControlWord(0x0040);
  }

  /** Power-on/RESET state (SDM vol. 3, table 10-1): FCW 0040, tags valid, registers +0. */
  reset(): void {
    for (const r of this.regs) r.set(0, 0, 0);
    this.top = 0;
    this.sw = 0;
    this.emptyMask = 0;
    this.fop = this.fip = this.fcs = this.fdp = this.fds = 0;
    this.mxcsr = 0x1f80;
    this.xmm.fill(0);
    this.setControlWord(0x0040);
  }

  /** FNINIT/FINIT: FCW 037F, FSW 0, all tags empty, pointers cleared. */
  init(): void {
    this.setControlWord(0x037f);
    this.setStatusWord(0);
    this.emptyMask = 0xff;
    this.fop = this.fip = this.fcs = this.fdp = this.fds = 0;
  }

  setControlWord(v: number): void {
    // Bits 6 and 12 (infinity control) read back as written on the 387+; 6 reads as 1.
    this.fcw = (v & 0x1f3f) | 0x40;
    this.env.setControl(this.fcw);
  }

  /** The status word with TOP. */
  statusWord(): number {
    return (this.sw & ~SW_TOP) | (this.top << 11);
  }

  /** Loads a status word (FLDENV/FRSTOR/FXRSTOR/setState); B mirrors ES. */
  setStatusWord(v: number): void {
    const wasErr = (this.sw & SW_ES) !== 0;
    this.top = (v >>> 11) & 7;
    let sw = v & 0xffff & ~SW_TOP & ~SW_B;
    if ((sw & SW_ES) !== 0) sw |= SW_B;
    this.sw = sw;
    const isErr = (sw & SW_ES) !== 0;
    if (wasErr !== isErr && this.ferr !== null) this.ferr(isErr);
  }

  /** Physical index of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }
  st(i: number): F80 {
    return this.regs[(this.top + i) & 7];
  }
  isEmpty(i: number): boolean {
    return (this.emptyMask & (1 << ((this.top + i) & 7))) !== 0;
  }
  /** Marks ST(i) valid (after a write). */
  setValid(i: number): void {
    this.emptyMask &= ~(1 << ((this.top + i) & 7));
  }
  /** Pops: ST(0) becomes empty, TOP advances. */
  pop(): void {
    this.emptyMask |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }
  /** Pushes `v` (the caller checked for overflow). */
  push(v: F80): void {
    this.top = (this.top - 1) & 7;
    this.regs[this.top].copy(v);
    this.emptyMask &= ~(1 << this.top);
  }

  /** Sets C3..C0 (pass SW_C* bits). */
  setCc(bits: number): void {
    this.sw = (this.sw & ~SW_CC) | bits;
  }
  setC1(on: boolean): void {
    if (on) this.sw |= SW_C1;
    else this.sw &= ~SW_C1;
  }

  /**
   * Records exception flags (IE..PE, and SF) in FSW. An unmasked one sets
   * ES and B, and under the legacy scheme asserts FERR#.
   */
  raise(flags: number): void {
    if (flags === 0) return;
    this.sw |= flags & 0x7f;
    if ((flags & 0x3f & ~this.fcw) !== 0 && (this.sw & SW_ES) === 0) {
      this.sw |= SW_ES | SW_B;
      if (this.ferr !== null) this.ferr(true);
    }
  }

  /** Full 16-bit tag word, computed from the contents (SDM vol. 1, 8.1.7). */
  tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) tw |= this.tagOf(p) << (2 * p);
    return tw;
  }

  /** Tag of physical register p. */
  tagOf(p: number): number {
    if ((this.emptyMask & (1 << p)) !== 0) return TAG_EMPTY;
    const c = classify(this.regs[p]);
    return c === Cls.NORMAL ? TAG_VALID : c === Cls.ZERO ? TAG_ZERO : TAG_SPECIAL;
  }

  /** Loads a full tag word: only "empty" versus "not empty" is kept. */
  setTagWord(tw: number): void {
    let m = 0;
    for (let p = 0; p < 8; p++) if (((tw >>> (2 * p)) & 3) === TAG_EMPTY) m |= 1 << p;
    this.emptyMask = m;
  }

  /** FXSAVE's abridged tag byte: bit p set = Rp not empty. */
  abridgedTags(): number {
    return ~this.emptyMask & 0xff;
  }
}
