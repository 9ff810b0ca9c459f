/**
 * The FXSAVE image (SDM vol. 1, 10.5.1, table 10-2; 32-bit format), the
 * x87/MMX/SSE state both sides exchange. Offsets and helpers to build an
 * initial image and to read one back.
 *
 * The ST fields are in *stack* order (ST(0) at 32) while the abridged tag
 * byte has one bit per *physical* register (bit i = Ri is not empty), so
 * ST(i) is physical register (TOP + i) mod 8.
 */
import { FXSAVE_SIZE } from "./layout.js";

export const FX_FCW = 0;
export const FX_FSW = 2;
/** Abridged tag word: one bit per physical register, 1 = not empty. */
export const FX_FTW = 4;
export const FX_FOP = 6;
export const FX_MXCSR = 24;
export const FX_MXCSR_MASK = 28;
/** ST(i) / MMi at FX_ST + 16 * i (10 bytes used). */
export const FX_ST = 32;
export const FX_XMM = 160;

/** FNINIT's control word: all exceptions masked, extended precision, round to nearest. */
export const FCW_DEFAULT = 0x037f;
/** The MXCSR after reset: all SSE exceptions masked. */
export const MXCSR_DEFAULT = 0x1f80;

/** FSW fields (SDM vol. 1, 8.1.3). */
export const FSW_IE = 0x0001;
export const FSW_ES = 0x0080;
export const FSW_C0 = 0x0100;
export const FSW_C1 = 0x0200;
export const FSW_C2 = 0x0400;
export const FSW_TOP_SHIFT = 11;
export const FSW_TOP = 0x3800;
export const FSW_C3 = 0x4000;
export const FSW_B = 0x8000;

/** A fresh image: FNINIT state, empty stack, default MXCSR. */
export function defaultFxsave(): Uint8Array {
  const fx = new Uint8Array(FXSAVE_SIZE);
  writeU16(fx, FX_FCW, FCW_DEFAULT);
  writeU32(fx, FX_MXCSR, MXCSR_DEFAULT);
  return fx;
}

/** TOP from an image's status word. */
export function fxTop(fx: Uint8Array): number {
  return (readU16(fx, FX_FSW) & FSW_TOP) >> FSW_TOP_SHIFT;
}

/** The physical register number of ST(i). */
export function physicalOf(fx: Uint8Array, i: number): number {
  return (fxTop(fx) + i) & 7;
}

/** Whether physical register `p` is tagged non-empty. */
export function isTagged(fx: Uint8Array, p: number): boolean {
  return (fx[FX_FTW] & (1 << p)) !== 0;
}

/** Copies the 10 bytes of an 80-bit value into ST(i)'s field. */
export function setSt(fx: Uint8Array, i: number, bytes: Uint8Array): void {
  fx.set(bytes.subarray(0, 10), FX_ST + 16 * i);
}

export function readU16(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8);
}

export function readU32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

export function writeU16(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
}

export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
  b[off + 2] = v >>> 16;
  b[off + 3] = v >>> 24;
}
