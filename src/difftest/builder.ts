/**
 * CaseBuilder: what an instruction-form generator uses to make one case —
 * random initial registers and flags, memory operands that point into the
 * data area (the registers of the address are solved so the effective
 * address lands there, whatever addressing form is chosen), the code, and
 * the undefined-result masks.
 */
import type { DataSpan, DiffCase } from "./case.js";
import { Asm, type Mem32 } from "./encoder.js";
import { defaultFxsave } from "./fxsave.js";
import { AF, CF, DATA_ADDR, DATA_SIZE, DF, ESP, IF, INT3, OF, PF, SF, ZF } from "./layout.js";
import type { Rng } from "./rng.js";

/** Bit mask of one register, for `exclude` arguments. */
export function bit(reg: number): number {
  return 1 << reg;
}

/** Options of `CaseBuilder.mem`. */
export interface MemOptions {
  /** Registers the address may not use (implicit operands of the instruction). */
  readonly exclude?: number;
  /** Data-area offset of the operand; random when absent. */
  readonly offset?: number;
  /** Alignment of a random offset (1 when absent). */
  readonly align?: number;
  /** Initial bytes of the operand; random (edge-biased) when absent. */
  readonly init?: Uint8Array;
}

export class CaseBuilder {
  readonly asm = new Asm();
  readonly gpr = new Uint32Array(8);
  eflags: number;
  readonly fxsave = defaultFxsave();
  readonly spans: DataSpan[] = [];
  undefinedFlags = 0;
  undefinedRegs = 0;
  undefinedFsw = 0;
  compareFpu = false;
  fpuUlps = 0;
  partialRemainder = false;
  /** Registers whose value an address or the generator has fixed. */
  private fixed = 0;

  constructor(readonly rng: Rng) {
    for (let i = 0; i < 8; i++) this.gpr[i] = rng.value(32);
    // User-settable flags at random; IF is always set at CPL 3 (IOPL 0), TF/AC stay clear.
    this.eflags = 0x2 | IF | (rng.u32() & (CF | PF | AF | ZF | SF | OF | DF));
  }

  /** Sets register `n` and marks it fixed (addresses will not reuse it). */
  set(n: number, value: number): void {
    this.gpr[n] = value >>> 0;
    this.fixed |= bit(n);
  }

  /** A random register outside `exclude` (a mask of `bit(n)`s). */
  reg(exclude = 0): number {
    const free: number[] = [];
    for (let r = 0; r < 8; r++) if ((exclude & bit(r)) === 0) free.push(r);
    if (free.length === 0) throw new Error("CaseBuilder.reg: no register left");
    return this.rng.pick(free);
  }

  /** Writes `bytes` at data-area offset `offset` in the initial data. */
  poke(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > DATA_SIZE) {
      throw new Error(`CaseBuilder.poke: span ${offset}+${bytes.length} outside the data area`);
    }
    this.spans.push({ offset, bytes });
  }

  /** A random data-area offset for a `size`-byte operand; sometimes straddling the page boundary. */
  dataOffset(size: number, align = 1): number {
    const rng = this.rng;
    let off: number;
    if (rng.chance(0.15))
      off = 0x1000 - rng.range(1, Math.max(1, size)); // crosses pages
    else off = rng.range(0x40, DATA_SIZE - size - 0x40);
    return off - (off % align);
  }

  /** `size` bytes of edge-biased random content. */
  randomBytes(size: number): Uint8Array {
    const b = new Uint8Array(size);
    if (size <= 4) {
      const v = this.rng.value(size * 8);
      for (let i = 0; i < size; i++) b[i] = v >>> (8 * i);
    } else {
      this.rng.fill(b);
    }
    return b;
  }

  /**
   * A memory operand of `size` bytes in the data area, filled with initial
   * content, addressed through a random 32-bit addressing form.
   * Returns the operand and its data-area offset.
   */
  mem(size: number, options: MemOptions = {}): { mem: Mem32; offset: number } {
    const offset = options.offset ?? this.dataOffset(size, options.align ?? 1);
    this.poke(offset, options.init ?? this.randomBytes(size));
    const target = (DATA_ADDR + offset) >>> 0;
    return { mem: this.address32(target, options.exclude ?? 0), offset };
  }

  /**
   * An addressing form whose effective address is `target`, using only
   * registers outside `exclude` and not fixed before; sets their values.
   */
  address32(target: number, exclude = 0): Mem32 {
    const rng = this.rng;
    const avoid = exclude | this.fixed;
    const free: number[] = [];
    for (let r = 0; r < 8; r++) if ((avoid & bit(r)) === 0) free.push(r);
    const shape = free.length === 0 ? 0 : rng.int(free.length >= 2 ? 8 : 4);
    const dispSize = rng.pick([0, 1, 4] as const);
    const disp = dispSize === 0 ? 0 : dispSize === 1 ? rng.range(-128, 127) : rng.u32() | 0;
    if (shape === 0) {
      return { kind: "mem32", base: null, index: null, scale: 0, disp: target | 0, dispSize: 4 };
    }
    const base = rng.pick(free);
    if (shape <= 3) {
      // [base + disp]; ESP as base needs a SIB byte; sometimes a redundant SIB.
      const d = base === 5 && dispSize === 0 ? 0 : disp;
      this.set(base, target - d);
      return {
        kind: "mem32",
        base,
        index: null,
        scale: 0,
        disp: d,
        dispSize,
        forceSib: shape === 3,
      };
    }
    const scale = rng.int(4);
    const indexChoices = free.filter((r) => r !== base && r !== ESP);
    if (indexChoices.length === 0) {
      this.set(base, target - disp);
      return { kind: "mem32", base, index: null, scale: 0, disp, dispSize };
    }
    const index = rng.pick(indexChoices);
    const indexValue = rng.value(32);
    this.set(index, indexValue);
    const scaled = Math.imul(indexValue, 1 << scale);
    if (shape === 4) {
      // [index * scale + disp32], no base.
      const d = (target - scaled) | 0;
      return { kind: "mem32", base: null, index, scale, disp: d, dispSize: 4 };
    }
    const d = base === 5 && dispSize === 0 ? 0 : disp;
    this.set(base, target - scaled - d);
    return { kind: "mem32", base, index, scale, disp: d, dispSize };
  }

  /** Marks flags the SDM leaves undefined for this case. */
  undefined(flags: number): void {
    this.undefinedFlags |= flags;
  }

  /** Completes the case: appends INT3 and freezes everything. */
  finish(group: string, form: string, text: string, index: number): DiffCase {
    const code = new Uint8Array(this.asm.bytes.length + 1);
    code.set(this.asm.bytes);
    code[code.length - 1] = INT3;
    return {
      group,
      form,
      text,
      index,
      code,
      gpr: this.gpr,
      eflags: this.eflags,
      fxsave: this.fxsave,
      dataInit: this.spans,
      undefinedFlags: this.undefinedFlags,
      undefinedRegs: this.undefinedRegs,
      undefinedFsw: this.undefinedFsw,
      compareFpu: this.compareFpu,
      fpuUlps: this.fpuUlps,
      partialRemainder: this.partialRemainder,
    };
  }
}
