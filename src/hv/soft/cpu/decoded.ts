/**
 * One decoded instruction: everything a handler needs that does not depend on
 * run-time state. Built once by the decoder (decoder.ts) and cached in a block
 * (blocks.ts), then executed many times. A class with fixed, always-initialised
 * fields so every instance has the same hidden class (monomorphic access).
 * Handlers must treat it as read-only: the same record serves every
 * execution of the cached instruction.
 */
import type { Cpu } from "./cpu.js";
import { SEG_DS, ZERO_REG } from "./constants.js";

/** An instruction handler: executes `d` on `cpu`. Registered through ops.ts. */
export type Handler = (cpu: Cpu, d: Decoded) => void;

/** `Decoded.rep` values. */
export const REP_NONE = 0;
/** F3: REP / REPE / REPZ. */
export const REP_E = 1;
/** F2: REPNE / REPNZ. */
export const REP_NE = 2;

export class Decoded {
  /** The handler resolved from the opcode tables (a #UD/#GP raiser for invalid encodings). */
  handler: Handler = noHandler;
  /** Length in bytes (1-15). */
  length = 0;
  /** Map and opcode: `map * 256 + opcode` (map 0 = one-byte, 1 = 0F, 2 = 0F38, 3 = 0F3A). */
  opcode = 0;
  /** Operand size in bits: 16, 32 or 64 (64-bit mode: REX.W or a default-64 instruction). */
  opSize = 16;
  /** Address size in bits: 16, 32 or 64 (64 is the default in 64-bit mode). */
  addrSize = 16;
  /**
   * The REX prefix byte (0x40-0x4F) in 64-bit mode, or 0 when there is none.
   * Test bits with REX_W/R/X/B (constants.ts). Its R, X and B bits are
   * already folded into `reg`, `index`, `rm` and `base`.
   */
  rex = 0;
  /** Segment of the memory operand: the override, else DS or SS (for BP/SP/EBP/ESP bases). */
  seg = SEG_DS;
  /** The segment-override prefix's segment, or -1 (string instructions need to know). */
  segOverride = -1;
  /** REP_NONE, REP_E (F3) or REP_NE (F2). */
  rep = REP_NONE;
  /** F0 LOCK prefix present (the decoder already rejected invalid uses with #UD). */
  lock = false;
  /**
   * ModRM fields (0 when the instruction has no ModRM). mod === 3: register operand.
   * `reg` = ModRM.reg + 8 * REX.R (0-15), except for group opcodes, where it
   * is the 3-bit opcode extension /0-/7. `rm` = ModRM.rm + 8 * REX.B (0-15).
   * Instructions without ModRM that encode a register in the opcode's low
   * three bits (50+r, 58+r, 90+r, B0+r, B8+r, 0F C8+r) get it in `rm`, REX.B
   * included. x87 and MMX handlers use only the low three bits.
   */
  mod = 0;
  reg = 0;
  rm = 0;
  /**
   * Byte offsets in `Cpu.r8` of `reg` and `rm` as 8-bit registers: AH..BH
   * without REX, SPL..DIL and R8B..R15B with one (REG8_OFFSET / REG8_OFFSET_REX).
   */
  reg8 = 0;
  rm8 = 0;
  /**
   * Effective-address parts, precomputed: `base + (index << scale) + disp`.
   * Absent registers point at ZERO_REG (always 0). In 16-bit addressing
   * scale is 0 and the sum wraps at 64 KiB.
   */
  base = ZERO_REG;
  index = ZERO_REG;
  scale = 0;
  disp = 0;
  /**
   * High dword of the displacement: its sign extension, or the top of a
   * 64-bit moffs (whose `disp` is then the whole offset as a signed number).
   */
  dispHi = 0;
  /** 64-bit mode: RIP-relative operand, `base` is ZERO_REG and RIP (next instruction) is added. */
  ripRel = false;
  /**
   * First immediate. ib: 0..255; ibs: sign-extended; iw: 0..65535;
   * iz: 0..65535 (16-bit operand) or a signed int32 (32-bit);
   * far pointer: the offset. ENTER: the 16-bit size.
   */
  imm = 0;
  /**
   * High dword of the immediate with a 64-bit operand size: the sign
   * extension of an ib/iz, or the top of MOV r64, imm64. Otherwise `imm >> 31`.
   */
  immHi = 0;
  /** Second immediate: far pointer selector; ENTER nesting level (ib). */
  imm2 = 0;
  /** OpForm flags (ops.ts) of the resolved entry, e.g. F_ENDS_BLOCK. */
  flags = 0;

  /** Resets every field (the decoder reuses scratch records). */
  reset(): void {
    this.handler = noHandler;
    this.length = 0;
    this.opcode = 0;
    this.opSize = 16;
    this.addrSize = 16;
    this.rex = 0;
    this.seg = SEG_DS;
    this.segOverride = -1;
    this.rep = REP_NONE;
    this.lock = false;
    this.mod = 0;
    this.reg = 0;
    this.rm = 0;
    this.reg8 = 0;
    this.rm8 = 0;
    this.base = ZERO_REG;
    this.index = ZERO_REG;
    this.scale = 0;
    this.disp = 0;
    this.dispHi = 0;
    this.ripRel = false;
    this.imm = 0;
    this.immHi = 0;
    this.imm2 = 0;
    this.flags = 0;
  }

  /** Copies every field of `o` into this record. */
  copyFrom(o: Decoded): void {
    this.handler = o.handler;
    this.length = o.length;
    this.opcode = o.opcode;
    this.opSize = o.opSize;
    this.addrSize = o.addrSize;
    this.rex = o.rex;
    this.seg = o.seg;
    this.segOverride = o.segOverride;
    this.rep = o.rep;
    this.lock = o.lock;
    this.mod = o.mod;
    this.reg = o.reg;
    this.rm = o.rm;
    this.reg8 = o.reg8;
    this.rm8 = o.rm8;
    this.base = o.base;
    this.index = o.index;
    this.scale = o.scale;
    this.disp = o.disp;
    this.dispHi = o.dispHi;
    this.ripRel = o.ripRel;
    this.imm = o.imm;
    this.immHi = o.immHi;
    this.imm2 = o.imm2;
    this.flags = o.flags;
  }
}

function noHandler(): void {
  throw new Error("soft CPU: executed a Decoded record that was never decoded");
}
