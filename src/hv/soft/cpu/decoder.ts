/**
 * The instruction decoder: legacy and REX prefixes, one/two/three-byte opcode
 * maps, ModRM/SIB with 16-, 32- and 64-bit addressing (RIP-relative
 * included), displacements and immediates
 * (Intel SDM vol. 2, ch. 2 and appendix A). Produces a `Decoded` record whose
 * handler comes from the opcode registry (ops.ts).
 *
 * Invalid encodings do not throw here: they decode to a handler that raises
 * #UD (or #GP(0) for instructions longer than 15 bytes, SDM vol. 2, 2.3.11)
 * when *executed*, because a block is decoded ahead of execution and a bad
 * instruction must fault only if it is reached. Running out of bytes is the
 * CodeReader's business (end of page in block mode, fetch in single mode).
 */
import {
  REG8_OFFSET,
  REG8_OFFSET_REX,
  REX_B,
  REX_R,
  REX_W,
  SEG_DS,
  ZERO_REG,
} from "./constants.js";
import {
  CodeReader,
  fetchCodeByte,
  installFetchCodeByte,
  MAX_INSN_LENGTH,
  OUT_OF_BYTES,
  OutOfBytes,
} from "./code-reader.js";
import { Decoded, REP_E, REP_NE, REP_NONE } from "./decoded.js";
import { decodeAddress16, decodeAddress32, decodeAddress64, readBytes } from "./decoder-address.js";
import type { Cpu } from "./cpu.js";
import { raiseGP, raiseUD } from "./fault.js";
import {
  F_DEFAULT64,
  F_ENDS_BLOCK,
  F_FORCE64,
  F_LOCKABLE,
  IMM_B,
  IMM_BS,
  IMM_FAR,
  IMM_MOFFS,
  IMM_NONE,
  IMM_V,
  IMM_W,
  IMM_W_B,
  IMM_Z,
  MAP_0F,
  MAP_0F38,
  MAP_0F3A,
  MAP_PRIMARY,
  PFX_66,
  PFX_F2,
  PFX_F3,
  PFX_NONE,
  opTable,
  opTable64,
  type OpForm,
  type OpSlot,
} from "./ops.js";

export {
  CodeReader,
  fetchCodeByte,
  installFetchCodeByte,
  MAX_INSN_LENGTH,
  OUT_OF_BYTES,
  OutOfBytes,
};

function raiseUdHandler(cpu: Cpu): void {
  raiseUD(cpu);
}
function tooLongHandler(cpu: Cpu): void {
  raiseGP(cpu, 0);
}

/**
 * Decodes one instruction from `r` into `d`. `code32`: the CS default size
 * is 32 bits. `mode64`: 64-bit mode (REX prefixes, 64-bit addressing,
 * RIP-relative operands, the 64-bit opcode overrides; SDM vol. 2, 2.2).
 * Throws OUT_OF_BYTES (block mode) or a fetch fault (single mode).
 */
export function decode(r: CodeReader, d: Decoded, code32: boolean, mode64 = false): void {
  d.reset();
  let opOverride = false;
  let addrOverride = false;
  let segOverride = -1;
  let rep = REP_NONE;
  let lastRep = 0;
  let lock = false;
  let rex = 0;
  let b = 0;
  // ---- Prefixes (any order, any number; the last of a group wins) ----
  for (;;) {
    if (r.consumed >= MAX_INSN_LENGTH) return tooLong(r, d);
    b = r.next();
    switch (b) {
      case 0x66:
        opOverride = true;
        rex = 0; // a REX prefix counts only right before the opcode (SDM vol. 2, 2.2.1)
        continue;
      case 0x67:
        addrOverride = true;
        rex = 0;
        continue;
      case 0x26:
      case 0x2e:
      case 0x36:
      case 0x3e:
        // In 64-bit mode ES/CS/SS/DS overrides are ignored (their bases are 0).
        if (!mode64) segOverride = (b >> 3) & 3; // 26 ES=0, 2E CS=1, 36 SS=2, 3E DS=3
        rex = 0;
        continue;
      case 0x64:
      case 0x65:
        segOverride = b - 0x60; // FS=4, GS=5
        rex = 0;
        continue;
      case 0xf0:
        lock = true;
        rex = 0;
        continue;
      case 0xf2:
        rep = REP_NE;
        lastRep = 0xf2;
        rex = 0;
        continue;
      case 0xf3:
        rep = REP_E;
        lastRep = 0xf3;
        rex = 0;
        continue;
    }
    if (mode64 && (b & 0xf0) === 0x40) {
      rex = b;
      continue;
    }
    break;
  }
  const rexW = (rex & REX_W) !== 0;
  let opSize: number;
  let addrSize: number;
  if (mode64) {
    opSize = rexW ? 64 : opOverride ? 16 : 32;
    addrSize = addrOverride ? 32 : 64;
  } else {
    opSize = code32 !== opOverride ? 32 : 16;
    addrSize = code32 !== addrOverride ? 32 : 16;
  }
  // ---- Opcode map ----
  let map = MAP_PRIMARY;
  if (b === 0x0f) {
    if (r.consumed >= MAX_INSN_LENGTH) return tooLong(r, d);
    b = r.next();
    map = MAP_0F;
    if (b === 0x38 || b === 0x3a) {
      if (r.consumed >= MAX_INSN_LENGTH) return tooLong(r, d);
      map = b === 0x38 ? MAP_0F38 : MAP_0F3A;
      b = r.next();
    }
  }
  const pfx =
    lastRep === 0xf3 ? PFX_F3 : lastRep === 0xf2 ? PFX_F2 : opOverride ? PFX_66 : PFX_NONE;
  let slot = lookup(((map * 4 + pfx) << 8) | b, mode64);
  if (slot === null && pfx !== PFX_NONE) slot = lookup(((map * 4) << 8) | b, mode64);
  d.opcode = map * 256 + b;
  d.opSize = opSize;
  d.addrSize = addrSize;
  d.rex = rex;
  d.segOverride = segOverride;
  d.rep = rep;
  d.lock = lock;
  if (slot === null) return invalid(r, d);

  // ---- ModRM, SIB, displacement ----
  let form: OpForm | null;
  let defaultSeg = SEG_DS;
  if (slot.modrm) {
    if (r.consumed >= MAX_INSN_LENGTH) return tooLong(r, d);
    const modrm = r.next();
    const mod = modrm >> 6;
    const reg = (modrm >> 3) & 7;
    const rm = modrm & 7;
    d.mod = mod;
    d.reg = slot.group ? reg : reg | ((rex & REX_R) << 1);
    d.rm = rm | ((rex & REX_B) << 3);
    setByteRegisters(d, rex);
    if (mod !== 3) {
      if (mode64) defaultSeg = decodeAddress64(r, d, mod, rm, rex);
      else if (addrSize === 16) defaultSeg = decodeAddress16(r, d, mod, rm);
      else defaultSeg = decodeAddress32(r, d, mod, rm);
      if (defaultSeg < 0) return tooLong(r, d);
    }
    const idx = (slot.group ? reg * 2 : 0) + (mod === 3 ? 1 : 0);
    form = slot.forms[idx];
    if (mod === 3 && slot.rmForms !== null) {
      const special = slot.rmForms[(slot.group ? reg : 0) * 8 + rm];
      if (special !== null) form = special;
    }
  } else {
    form = slot.forms[0];
    // The register encoded in the opcode (50+r, B8+r...), extended by REX.B.
    d.rm = (b & 7) | ((rex & REX_B) << 3);
    setByteRegisters(d, rex);
  }
  if (form === null) return invalid(r, d);
  if (lock && ((form.flags & F_LOCKABLE) === 0 || d.mod === 3 || !slot.modrm)) {
    return invalid(r, d);
  }
  d.seg = segOverride >= 0 ? segOverride : defaultSeg;
  if (mode64 && (form.flags & (F_DEFAULT64 | F_FORCE64)) !== 0) {
    // d64: 64 unless 66 without REX.W; f64: always 64 (Intel ignores 66 on near branches).
    d.opSize = (form.flags & F_FORCE64) !== 0 || rexW || !opOverride ? 64 : 16;
  }

  // ---- Immediates ----
  if (form.imm !== IMM_NONE && !decodeImmediate(r, d, form.imm)) return tooLong(r, d);
  d.handler = form.handler;
  d.flags = form.flags;
  d.length = r.consumed;
}

/** The slot for `key`: in 64-bit mode an override (or #UD marker) wins over the legacy slot. */
function lookup(key: number, mode64: boolean): OpSlot | null {
  if (mode64) {
    const slot = opTable64[key];
    if (slot !== null) return slot;
  }
  return opTable[key];
}

/** `reg8`/`rm8`: byte offsets of `reg`/`rm` as 8-bit registers (SPL..DIL only with REX). */
function setByteRegisters(d: Decoded, rex: number): void {
  if (rex !== 0) {
    d.reg8 = REG8_OFFSET_REX[d.reg & 15];
    d.rm8 = REG8_OFFSET_REX[d.rm];
  } else {
    d.reg8 = REG8_OFFSET[d.reg & 7];
    d.rm8 = REG8_OFFSET[d.rm & 7];
  }
}

function decodeImmediate(r: CodeReader, d: Decoded, kind: number): boolean {
  let v: number;
  switch (kind) {
    case IMM_B:
      v = readBytes(r, 1);
      d.imm = v;
      return v >= 0;
    case IMM_BS:
      v = readBytes(r, 1);
      d.imm = (v << 24) >> 24;
      d.immHi = d.imm >> 31;
      return v >= 0;
    case IMM_W:
      v = readBytes(r, 2);
      d.imm = v;
      return v >= 0;
    case IMM_Z:
    case IMM_V:
      if (kind === IMM_V && d.opSize === 64) {
        // MOV r64, imm64: the only 8-byte immediate.
        v = readBytes(r, 4);
        const hi = v >= 0 ? readBytes(r, 4) : -1;
        d.imm = v | 0;
        d.immHi = hi | 0;
        return hi >= 0;
      }
      v = readBytes(r, d.opSize === 16 ? 2 : 4);
      d.imm = d.opSize === 16 ? v : v | 0;
      d.immHi = d.imm >> 31; // 64-bit operands sign-extend imm32
      return v >= 0;
    case IMM_MOFFS:
      d.mod = 0;
      d.base = ZERO_REG;
      d.index = ZERO_REG;
      if (d.addrSize === 64) {
        // moffs64: `disp` holds the whole offset as a number (exact when
        // canonical, which is all linear64 accepts), `dispHi` its high dword.
        v = readBytes(r, 4);
        const hi = v >= 0 ? readBytes(r, 4) : -1;
        d.disp = (hi | 0) * 4294967296 + v;
        d.dispHi = hi | 0;
        return hi >= 0;
      }
      v = readBytes(r, d.addrSize === 16 ? 2 : 4);
      d.disp = v;
      return v >= 0;
    case IMM_FAR: {
      v = readBytes(r, d.opSize === 16 ? 2 : 4);
      const sel = v >= 0 ? readBytes(r, 2) : -1;
      d.imm = v;
      d.imm2 = sel;
      return sel >= 0;
    }
    case IMM_W_B: {
      v = readBytes(r, 2);
      const level = v >= 0 ? readBytes(r, 1) : -1;
      d.imm = v;
      d.imm2 = level;
      return level >= 0;
    }
    default:
      throw new Error(`decoder: unknown immediate kind ${kind}`);
  }
}

function invalid(r: CodeReader, d: Decoded): void {
  d.handler = raiseUdHandler;
  d.flags = F_ENDS_BLOCK;
  d.length = r.consumed;
}

function tooLong(r: CodeReader, d: Decoded): void {
  d.handler = tooLongHandler;
  d.flags = F_ENDS_BLOCK;
  d.length = r.consumed;
}
