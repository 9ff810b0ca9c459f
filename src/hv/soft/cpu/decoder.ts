/**
 * The instruction decoder: legacy prefixes, one/two/three-byte opcode maps,
 * ModRM/SIB with 16- and 32-bit addressing, displacements and immediates
 * (Intel SDM vol. 2, ch. 2 and appendix A). Produces a `Decoded` record whose
 * handler comes from the opcode registry (ops.ts).
 *
 * Invalid encodings do not throw here: they decode to a handler that raises
 * #UD (or #GP(0) for instructions longer than 15 bytes, SDM vol. 2, 2.3.11)
 * when *executed*, because a block is decoded ahead of execution and a bad
 * instruction must fault only if it is reached. Running out of bytes is the
 * CodeReader's business (end of page in block mode, fetch in single mode).
 */
import { ESP, EBP, ESI, EDI, EBX, SEG_DS, SEG_SS, ZERO_REG } from "./constants.js";
import { Decoded, REP_E, REP_NE, REP_NONE } from "./decoded.js";
import type { Cpu } from "./cpu.js";
import { raiseGP, raiseUD } from "./fault.js";
import {
  F_ENDS_BLOCK,
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
  type OpForm,
} from "./ops.js";

/** Longest legal instruction (SDM vol. 2, 2.3.11). */
export const MAX_INSN_LENGTH = 15;

/** Thrown by a CodeReader in block mode when the instruction runs past the bytes available. */
export class OutOfBytes extends Error {
  constructor() {
    super("instruction crosses the end of the decodable bytes");
    this.name = "OutOfBytes";
  }
}
export const OUT_OF_BYTES = new OutOfBytes();

/**
 * Where the decoder takes bytes from. Block mode: a window of a backing's
 * bytes (`bytes[pos..limit)`); past the window it throws OUT_OF_BYTES.
 * Single mode (`cpu` set): bytes past the window are fetched through the
 * TLB one by one, so a #PF or CS-limit #GP happens exactly when a byte of a
 * page-crossing instruction is needed.
 */
export class CodeReader {
  bytes: Uint8Array = new Uint8Array(0);
  pos = 0;
  limit = 0;
  /** Position of the instruction's first byte. */
  start = 0;
  /** Single mode: the CPU to fetch through, else null. */
  cpu: Cpu | null = null;
  /** Single mode: the CS offset of `bytes[0]`. */
  eipBase = 0;
  /** Single mode: scratch buffer for fetched bytes. */
  readonly scratch = new Uint8Array(16);

  /** Block mode over `bytes[from..limit)`. */
  setBlock(bytes: Uint8Array, from: number, limit: number): void {
    this.bytes = bytes;
    this.pos = from;
    this.start = from;
    this.limit = limit;
    this.cpu = null;
  }

  /** Single mode: fetch bytes of the instruction at CS:`eip` on demand. */
  setSingle(cpu: Cpu, eip: number): void {
    this.bytes = this.scratch;
    this.pos = 0;
    this.start = 0;
    this.limit = 0;
    this.cpu = cpu;
    this.eipBase = eip;
  }

  /** The next byte. */
  next(): number {
    if (this.pos < this.limit) return this.bytes[this.pos++];
    const cpu = this.cpu;
    if (cpu === null || this.limit >= this.scratch.length) throw OUT_OF_BYTES;
    const byte = fetchCodeByte(cpu, this.eipBase + this.limit);
    this.scratch[this.limit] = byte;
    this.limit++;
    this.pos++;
    return byte;
  }

  /** Bytes consumed by the current instruction. */
  get consumed(): number {
    return this.pos - this.start;
  }
}

/** Hook set by exec.ts: fetches one code byte at CS:`eip` (limit check, TLB, #PF). */
export let fetchCodeByte: (cpu: Cpu, eip: number) => number = () => {
  throw new Error("decoder: fetchCodeByte not installed");
};
export function installFetchCodeByte(fn: (cpu: Cpu, eip: number) => number): void {
  fetchCodeByte = fn;
}

function raiseUdHandler(cpu: Cpu): void {
  raiseUD(cpu);
}
function tooLongHandler(cpu: Cpu): void {
  raiseGP(cpu, 0);
}

/** 16-bit addressing: base and index register of each rm (SDM vol. 2, table 2-1). */
const BASE16 = [EBX, EBX, EBP, EBP, ZERO_REG, ZERO_REG, EBP, EBX];
const INDEX16 = [ESI, EDI, ESI, EDI, ESI, EDI, ZERO_REG, ZERO_REG];

/**
 * Decodes one instruction from `r` into `d`. `code32`: the CS default size
 * is 32 bits. Throws OUT_OF_BYTES (block mode) or a fetch fault (single mode).
 */
export function decode(r: CodeReader, d: Decoded, code32: boolean): void {
  d.reset();
  let opOverride = false;
  let addrOverride = false;
  let segOverride = -1;
  let rep = REP_NONE;
  let lastRep = 0;
  let lock = false;
  let b = 0;
  // ---- Prefixes (any order, any number; the last of a group wins) ----
  for (;;) {
    if (r.consumed >= MAX_INSN_LENGTH) return tooLong(r, d);
    b = r.next();
    switch (b) {
      case 0x66:
        opOverride = true;
        continue;
      case 0x67:
        addrOverride = true;
        continue;
      case 0x26:
      case 0x2e:
      case 0x36:
      case 0x3e:
        segOverride = (b >> 3) & 3; // 26 ES=0, 2E CS=1, 36 SS=2, 3E DS=3
        continue;
      case 0x64:
      case 0x65:
        segOverride = b - 0x60; // FS=4, GS=5
        continue;
      case 0xf0:
        lock = true;
        continue;
      case 0xf2:
        rep = REP_NE;
        lastRep = 0xf2;
        continue;
      case 0xf3:
        rep = REP_E;
        lastRep = 0xf3;
        continue;
    }
    break;
  }
  const opSize = code32 !== opOverride ? 32 : 16;
  const addrSize = code32 !== addrOverride ? 32 : 16;
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
  let slot = opTable[((map * 4 + pfx) << 8) | b];
  if (slot === null && pfx !== PFX_NONE) slot = opTable[((map * 4) << 8) | b];
  d.opcode = map * 256 + b;
  d.opSize = opSize;
  d.addrSize = addrSize;
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
    d.reg = reg;
    d.rm = rm;
    if (mod !== 3) {
      defaultSeg =
        addrSize === 16 ? decodeAddress16(r, d, mod, rm) : decodeAddress32(r, d, mod, rm);
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
  }
  if (form === null) return invalid(r, d);
  if (lock && ((form.flags & F_LOCKABLE) === 0 || d.mod === 3 || !slot.modrm)) {
    return invalid(r, d);
  }
  d.seg = segOverride >= 0 ? segOverride : defaultSeg;

  // ---- Immediates ----
  if (form.imm !== IMM_NONE && !decodeImmediate(r, d, form.imm)) return tooLong(r, d);
  d.handler = form.handler;
  d.flags = form.flags;
  d.length = r.consumed;
}

/** Reads `n` little-endian bytes; false if that would exceed 15 bytes. */
function readBytes(r: CodeReader, n: number): number {
  if (r.consumed + n > MAX_INSN_LENGTH) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) v |= r.next() << (k * 8);
  return n === 4 ? v >>> 0 : v;
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
      return v >= 0;
    case IMM_W:
      v = readBytes(r, 2);
      d.imm = v;
      return v >= 0;
    case IMM_Z:
    case IMM_V:
      v = readBytes(r, d.opSize === 16 ? 2 : 4);
      d.imm = d.opSize === 16 ? v : v | 0;
      return v >= 0;
    case IMM_MOFFS:
      v = readBytes(r, d.addrSize === 16 ? 2 : 4);
      d.mod = 0;
      d.base = ZERO_REG;
      d.index = ZERO_REG;
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

/** 16-bit ModRM memory operand. Returns the default segment, or -1 if too long. */
function decodeAddress16(r: CodeReader, d: Decoded, mod: number, rm: number): number {
  let seg = SEG_DS;
  if (mod === 0 && rm === 6) {
    const disp = readBytes(r, 2);
    d.disp = disp;
    return disp < 0 ? -1 : seg;
  }
  d.base = BASE16[rm];
  d.index = INDEX16[rm];
  if (d.base === EBP) seg = SEG_SS;
  if (mod === 1) {
    const v = readBytes(r, 1);
    if (v < 0) return -1;
    d.disp = (v << 24) >> 24;
  } else if (mod === 2) {
    const v = readBytes(r, 2);
    if (v < 0) return -1;
    d.disp = v;
  }
  return seg;
}

/** 32-bit ModRM (+SIB) memory operand. Returns the default segment, or -1 if too long. */
function decodeAddress32(r: CodeReader, d: Decoded, mod: number, rm: number): number {
  let seg = SEG_DS;
  let base = rm;
  if (rm === 4) {
    if (r.consumed >= MAX_INSN_LENGTH) return -1;
    const sib = r.next();
    const index = (sib >> 3) & 7;
    base = sib & 7;
    d.scale = sib >> 6;
    d.index = index === ESP ? ZERO_REG : index;
    if (base === EBP && mod === 0) {
      base = ZERO_REG; // [index*scale + disp32]
      mod = 2;
    }
  } else if (rm === EBP && mod === 0) {
    base = ZERO_REG; // [disp32]
    mod = 2;
  }
  d.base = base;
  if (base === ESP || base === EBP) seg = SEG_SS;
  if (mod === 1) {
    const v = readBytes(r, 1);
    if (v < 0) return -1;
    d.disp = (v << 24) >> 24;
  } else if (mod === 2) {
    const v = readBytes(r, 4);
    if (v < 0) return -1;
    d.disp = v | 0;
  }
  return seg;
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
