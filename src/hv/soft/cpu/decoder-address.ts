/**
 * Memory operands of the ModRM/SIB encoding (SDM vol. 2, 2.1.5 and 2.2.1):
 * 16-bit, 32-bit and 64-bit addressing (REX.X/B, RIP-relative), filling the
 * effective-address parts of a `Decoded`, and the little-endian byte reader
 * the decoder uses for displacements and immediates.
 */
import { CodeReader, MAX_INSN_LENGTH } from "./code-reader.js";
import { EBP, EBX, EDI, ESI, ESP, REX_B, REX_X, SEG_DS, SEG_SS, ZERO_REG } from "./constants.js";
import type { Decoded } from "./decoded.js";

/** Reads `n` little-endian bytes; false if that would exceed 15 bytes. */
export function readBytes(r: CodeReader, n: number): number {
  if (r.consumed + n > MAX_INSN_LENGTH) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) v |= r.next() << (k * 8);
  return n === 4 ? v >>> 0 : v;
}

/** 16-bit addressing: base and index register of each rm (SDM vol. 2, table 2-1). */
const BASE16 = [EBX, EBX, EBP, EBP, ZERO_REG, ZERO_REG, EBP, EBX];
const INDEX16 = [ESI, EDI, ESI, EDI, ESI, EDI, ZERO_REG, ZERO_REG];

/** 16-bit ModRM memory operand. Returns the default segment, or -1 if too long. */
export function decodeAddress16(r: CodeReader, d: Decoded, mod: number, rm: number): number {
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
export function decodeAddress32(r: CodeReader, d: Decoded, mod: number, rm: number): number {
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

/**
 * 64-bit mode ModRM (+SIB) memory operand (SDM vol. 2, 2.2.1.2-2.2.1.6):
 * REX.X/B extend index and base; index 100b (without REX.X) means none;
 * mod 00 with rm 101b is RIP-relative and with SIB base 101b means no base
 * (REX.B does not change either). The same encoding serves 32-bit address
 * size (67h), then truncated. Returns the default segment, or -1 if too long.
 */
export function decodeAddress64(
  r: CodeReader,
  d: Decoded,
  mod: number,
  rm: number,
  rex: number,
): number {
  let base: number;
  if (rm === 4) {
    if (r.consumed >= MAX_INSN_LENGTH) return -1;
    const sib = r.next();
    const index = ((sib >> 3) & 7) | ((rex & REX_X) << 2);
    d.scale = sib >> 6;
    d.index = index === ESP ? ZERO_REG : index;
    base = sib & 7;
    if (base === EBP && mod === 0) {
      base = ZERO_REG; // [index*scale + disp32]
      mod = 2;
    } else {
      base |= (rex & REX_B) << 3;
    }
  } else if (rm === EBP && mod === 0) {
    base = ZERO_REG; // [RIP + disp32]
    d.ripRel = true;
    mod = 2;
  } else {
    base = rm | ((rex & REX_B) << 3);
  }
  d.base = base;
  if (mod === 1) {
    const v = readBytes(r, 1);
    if (v < 0) return -1;
    d.disp = (v << 24) >> 24;
  } else if (mod === 2) {
    const v = readBytes(r, 4);
    if (v < 0) return -1;
    d.disp = v | 0;
  }
  d.dispHi = d.disp >> 31;
  return base === ESP || base === EBP ? SEG_SS : SEG_DS;
}
