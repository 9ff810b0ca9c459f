/**
 * Builds one 64-bit case: picks registers and operands from a seeded PRNG,
 * encodes instructions with REX prefixes (SDM vol. 2, 2.2.1: REX.W for
 * 64-bit operands, REX.R/X/B extending ModRM.reg, SIB.index and
 * ModRM.rm/SIB.base to r8-r15 and xmm8-15) and memory operands in every
 * 64-bit addressing shape, RIP-relative included (2.2.1.6), with the address
 * registers solved so the effective address lands in the data area.
 */
import type { DataSpan } from "../case.js";
import { defaultFxsave, FX_MXCSR, FX_XMM, writeU32 } from "../fxsave.js";
import { CODE_ADDR, DATA_ADDR, DATA_SIZE, INT3, STATUS_FLAGS, DF } from "../layout.js";
import type { Rng } from "../rng.js";
import type { DiffCase64 } from "./case64.js";

const NAMES64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
const NAMES8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"];
const RSP = 4;

/** Register `n` (0-15) at `size` bits, e.g. r9d, sil, r12w. */
export function reg64Name(n: number, size: number): string {
  if (n >= 8) return `r${n}${size === 64 ? "" : size === 32 ? "d" : size === 16 ? "w" : "b"}`;
  if (size === 64) return NAMES64[n];
  if (size === 32) return "e" + NAMES64[n].slice(1);
  if (size === 16) return NAMES64[n].slice(1);
  return NAMES8[n];
}

/** A ModRM operand: a register, or memory resolved into the data area. */
export type Operand =
  | { readonly kind: "reg"; readonly n: number }
  | {
      readonly kind: "mem";
      readonly mod: number;
      readonly rm: number;
      readonly sib: number | null;
      readonly rexX: number;
      readonly rexB: number;
      readonly disp: readonly number[];
      /** RIP-relative: the absolute target (the displacement is fixed at emission). */
      readonly ripTarget: number | null;
      readonly text: string;
    };

export interface Insn {
  /** Legacy prefixes (66, F2, F3, F0...) placed before REX. */
  readonly prefix?: readonly number[];
  readonly w?: boolean;
  /** Force a REX byte (SPL/BPL/SIL/DIL need one). */
  readonly rex?: boolean;
  readonly opcode: readonly number[];
  /** ModRM.reg: a register number 0-15 or an opcode extension. */
  readonly reg: number;
  readonly rm: Operand;
  readonly imm?: readonly number[];
}

function le(v: bigint | number, bytes: number): number[] {
  let x = BigInt.asUintN(bytes * 8, BigInt(v));
  const out: number[] = [];
  for (let i = 0; i < bytes; i++, x >>= 8n) out.push(Number(x & 0xffn));
  return out;
}

export { le as leBytes };

export class CaseBuilder64 {
  readonly gpr = new BigUint64Array(16);
  readonly fxsave = defaultFxsave();
  private readonly code: number[] = [];
  private readonly spans: DataSpan[] = [];
  private used = 1 << RSP;
  rflags: number;
  undefinedFlags = 0;
  undefinedRegs = 0;
  compareSse = false;

  constructor(readonly rng: Rng) {
    for (let i = 0; i < 16; i++) this.gpr[i] = this.value(64);
    this.gpr[RSP] = BigInt(DATA_ADDR + 0x1000 + 8 * rng.int(64));
    this.rflags = 0x202 | (rng.u32() & STATUS_FLAGS) | (rng.chance(0.3) ? DF : 0);
  }

  /** An operand value of `size` bits (up to 64), biased to edge values. */
  value(size: number): bigint {
    if (size <= 32) return BigInt(this.rng.value(size));
    const r = this.rng;
    switch (r.int(8)) {
      case 0:
        return BigInt(r.value(32)); // upper half zero
      case 1:
        return BigInt.asUintN(64, BigInt.asIntN(32, BigInt(r.value(32)))); // sign-extended
      case 2:
        return r.pick([
          0n,
          1n,
          2n ** 63n,
          2n ** 63n - 1n,
          2n ** 64n - 1n,
          2n ** 32n,
          2n ** 32n - 1n,
        ]);
      case 3:
        return 1n << BigInt(r.int(64));
      default:
        return (BigInt(r.value(32)) << 32n) | BigInt(r.u32());
    }
  }

  /** A free GPR (never RSP, never one already taken), marked taken. */
  reg(): number {
    const free: number[] = [];
    for (let i = 0; i < 16; i++) if ((this.used & (1 << i)) === 0) free.push(i);
    if (free.length === 0) throw new Error("CaseBuilder64: out of registers");
    const n = this.rng.pick(free);
    this.used |= 1 << n;
    return n;
  }

  /** Marks register `n` taken (fixed operands like RAX/RDX/RCX). */
  take(n: number): number {
    this.used |= 1 << n;
    return n;
  }

  /** Random bytes at data offset `at` (the area is zero elsewhere). */
  fillData(at: number, length: number): void {
    const from = Math.max(0, at);
    const bytes = new Uint8Array(Math.min(DATA_SIZE, at + length) - from);
    this.rng.fill(bytes);
    this.spans.push({ offset: from, bytes });
  }

  /** A data-area offset for a `size`-byte access, sometimes across the page boundary. */
  dataOffset(bytes: number, align = 1): number {
    if (align === 1 && this.rng.chance(0.15)) return 0x1000 - 1 - this.rng.int(bytes - 1 || 1);
    return (0x100 + this.rng.int(DATA_SIZE - 0x200)) & ~(align - 1);
  }

  /** A memory operand of `bytes` bytes at data offset `offset`, in a random addressing shape. */
  mem(bytes: number, offset = this.dataOffset(bytes)): Operand {
    this.fillData(offset - 16, bytes + 32);
    const target = BigInt(DATA_ADDR + offset);
    const shape = this.rng.int(5);
    if (shape === 0) {
      return {
        kind: "mem",
        mod: 0,
        rm: 5,
        sib: null,
        rexX: 0,
        rexB: 0,
        disp: [0, 0, 0, 0],
        ripTarget: Number(target),
        text: `[rip+${hex(target)}]`,
      };
    }
    if (shape === 1) {
      // disp32 with no base and no index (SIB base 101, index 100, mod 00).
      return {
        kind: "mem",
        mod: 0,
        rm: 4,
        sib: 0x25,
        rexX: 0,
        rexB: 0,
        disp: le(target, 4),
        ripTarget: null,
        text: `[${hex(target)}]`,
      };
    }
    const base = this.reg();
    if (shape === 2) {
      // [base] or [base+disp8]; RBP/R13 need a displacement, RSP/R12 a SIB byte.
      const disp =
        (base & 7) === 5 || this.rng.chance(0.5) ? BigInt.asIntN(8, BigInt(this.rng.u32())) : null;
      this.gpr[base] = BigInt.asUintN(64, target - (disp ?? 0n));
      const text = `[${reg64Name(base, 64)}${disp === null ? "" : `${disp < 0n ? "-" : "+"}${hex(disp < 0n ? -disp : disp)}`}]`;
      return {
        kind: "mem",
        mod: disp === null ? 0 : 1,
        rm: base & 7,
        sib: (base & 7) === 4 ? 0x24 : null,
        rexX: 0,
        rexB: base >> 3,
        disp: disp === null ? [] : le(disp, 1),
        ripTarget: null,
        text,
      };
    }
    const index = this.reg();
    const scaleBits = this.rng.int(4);
    const disp =
      shape === 3
        ? BigInt.asIntN(8, BigInt(this.rng.u32()))
        : BigInt.asIntN(32, BigInt(this.rng.u32()));
    const indexValue = this.value(64);
    this.gpr[index] = indexValue;
    this.gpr[base] = BigInt.asUintN(64, target - (indexValue << BigInt(scaleBits)) - disp);
    return {
      kind: "mem",
      mod: shape === 3 ? 1 : 2,
      rm: 4,
      sib: (scaleBits << 6) | ((index & 7) << 3) | (base & 7),
      rexX: index >> 3,
      rexB: base >> 3,
      disp: le(disp, shape === 3 ? 1 : 4),
      ripTarget: null,
      text: `[${reg64Name(base, 64)}+${reg64Name(index, 64)}*${1 << scaleBits}${disp < 0n ? "-" : "+"}${hex(disp < 0n ? -disp : disp)}]`,
    };
  }

  /** A plain [base] operand (no displacement unless RBP/R13 need one) with any base value. */
  baseOnly(base: number): Operand {
    const low = base & 7;
    return {
      kind: "mem",
      mod: low === 5 ? 1 : 0,
      rm: low,
      sib: low === 4 ? 0x24 : null,
      rexX: 0,
      rexB: base >> 3,
      disp: low === 5 ? [0] : [],
      ripTarget: null,
      text: `[${reg64Name(base, 64)}]`,
    };
  }

  /** Emits one ModRM instruction. */
  insn(i: Insn): void {
    const rm = i.rm;
    const rexB = rm.kind === "reg" ? rm.n >> 3 : rm.rexB;
    const rexX = rm.kind === "reg" ? 0 : rm.rexX;
    const rexR = (i.reg >> 3) & 1;
    const rexBits = ((i.w ?? false) ? 8 : 0) | (rexR << 2) | (rexX << 1) | rexB;
    const bytes = [...(i.prefix ?? [])];
    if (rexBits !== 0 || i.rex === true) bytes.push(0x40 | rexBits);
    bytes.push(...i.opcode);
    if (rm.kind === "reg") {
      bytes.push(0xc0 | ((i.reg & 7) << 3) | (rm.n & 7));
    } else {
      bytes.push((rm.mod << 6) | ((i.reg & 7) << 3) | rm.rm);
      if (rm.sib !== null) bytes.push(rm.sib);
      const dispAt = bytes.length;
      bytes.push(...rm.disp);
      bytes.push(...(i.imm ?? []));
      if (rm.ripTarget !== null) {
        const next = CODE_ADDR + this.code.length + bytes.length;
        bytes.splice(dispAt, 4, ...le(rm.ripTarget - next, 4));
      }
      this.code.push(...bytes);
      return;
    }
    bytes.push(...(i.imm ?? []));
    this.code.push(...bytes);
  }

  /** Appends raw bytes. */
  raw(...bytes: number[]): void {
    this.code.push(...bytes);
  }

  /** XMM register `n` gets 16 random bytes, or random doubles/floats half the time. */
  randomXmm(n: number): void {
    const off = FX_XMM + 16 * n;
    const bytes = this.fxsave.subarray(off, off + 16);
    this.rng.fill(bytes);
    if (this.rng.chance(0.5)) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
      const pick = (): number =>
        this.rng.pick([
          0,
          -0,
          1.5,
          -2.25,
          1e300,
          -1e-300,
          2 ** 63,
          -(2 ** 63),
          2 ** 31,
          4.5e15,
          NaN,
          Infinity,
        ]);
      if (this.rng.chance(0.5)) {
        view.setFloat64(0, pick(), true);
        view.setFloat64(8, pick(), true);
      } else {
        for (let k = 0; k < 4; k++) view.setFloat32(4 * k, pick(), true);
      }
    }
  }

  /** Random MXCSR rounding control (exceptions stay masked). */
  randomRounding(): void {
    writeU32(this.fxsave, FX_MXCSR, 0x1f80 | (this.rng.int(4) << 13));
  }

  /** The finished case (INT3 appended). */
  finish(group: string, form: string, text: string, index: number): DiffCase64 {
    return {
      group,
      form,
      text,
      index,
      code: Uint8Array.from([...this.code, INT3]),
      gpr: this.gpr,
      rflags: this.rflags,
      fxsave: this.fxsave,
      dataInit: this.spans,
      undefinedFlags: this.undefinedFlags,
      undefinedRegs: this.undefinedRegs,
      compareSse: this.compareSse,
    };
  }
}

/** Hex text of a value. */
export function hex(v: bigint | number): string {
  return "0x" + BigInt(v).toString(16);
}
