/**
 * Operands of the SSE instructions: the XMM register or memory source of a
 * ModRM (loaded into the SLOT_SRC scratch slot so handlers index registers
 * and memory the same way), stores of 16/8/4 bytes, and MMX registers as slots.
 *
 * Alignment (SDM vol. 1, 11.6.9 / 12.x): legacy SSE instructions with a
 * 16-byte memory operand raise #GP(0) unless it is 16-byte aligned, except
 * the explicitly unaligned ones (MOVUPS/MOVUPD/MOVDQU/LDDQU, PCMPxSTRx);
 * smaller operands are never checked. The check is on the linear address.
 * 64-bit general-register operands use the core's `readModrm64`/`valueHi`,
 * `writeModrm64` and `setReg64`.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { raiseGP } from "../fault.js";
import { SLOT_SRC } from "./state.js";

/** Linear address of a 16-byte read of the memory operand; #GP(0) if `aligned` and misaligned. */
export function readLinear128(cpu: Cpu, d: Decoded, aligned: boolean): number {
  const lin = cpu.eaRead(d, 16);
  if (aligned && (lin & 15) !== 0) raiseGP(cpu, 0);
  return lin;
}

/** Loads 16 bytes at `lin` into `slot`. */
export function load128(cpu: Cpu, lin: number, slot: number): void {
  const u = cpu.sse.u32;
  const at = slot * 4;
  const a = cpu.read32(lin);
  const b = cpu.read32(lin + 4);
  const c = cpu.read32(lin + 8);
  const e = cpu.read32(lin + 12);
  u[at] = a;
  u[at + 1] = b;
  u[at + 2] = c;
  u[at + 3] = e;
}

/**
 * The slot holding the XMM/m128 source operand: register `d.rm`, or
 * SLOT_SRC filled from memory (16-byte alignment enforced unless `aligned` is false).
 */
export function srcXmm(cpu: Cpu, d: Decoded, aligned = true): number {
  if (d.mod === 3) return d.rm;
  load128(cpu, readLinear128(cpu, d, aligned), SLOT_SRC);
  return SLOT_SRC;
}

/** The XMM/m64 source: register `d.rm`, or SLOT_SRC with the 8 bytes in its low half. */
export function srcXmm64(cpu: Cpu, d: Decoded): number {
  if (d.mod === 3) return d.rm;
  const lin = cpu.eaRead(d, 8);
  const u = cpu.sse.u32;
  const lo = cpu.read32(lin);
  const hi = cpu.read32(lin + 4);
  u[SLOT_SRC * 4] = lo;
  u[SLOT_SRC * 4 + 1] = hi;
  return SLOT_SRC;
}

/** The XMM/m32 source: register `d.rm`, or SLOT_SRC with the dword in lane 0. */
export function srcXmm32(cpu: Cpu, d: Decoded): number {
  if (d.mod === 3) return d.rm;
  cpu.sse.u32[SLOT_SRC * 4] = cpu.read32(cpu.eaRead(d, 4));
  return SLOT_SRC;
}

/** The XMM/m16 source: register `d.rm`, or SLOT_SRC with the word in lane 0. */
export function srcXmm16(cpu: Cpu, d: Decoded): number {
  if (d.mod === 3) return d.rm;
  cpu.sse.u16[SLOT_SRC * 8] = cpu.read16(cpu.eaRead(d, 2));
  return SLOT_SRC;
}

/** Linear address of a `size`-byte store to the memory operand, every page checked writable. */
export function writeLinear(cpu: Cpu, d: Decoded, size: number, aligned: boolean): number {
  const lin = cpu.eaWrite(d, size);
  if (aligned && (lin & 15) !== 0) raiseGP(cpu, 0);
  cpu.checkWritable(lin, size);
  return lin;
}

/** Stores slot `slot` to the 16-byte memory operand. */
export function storeXmm(cpu: Cpu, d: Decoded, slot: number, aligned: boolean): void {
  const lin = writeLinear(cpu, d, 16, aligned);
  const u = cpu.sse.u32;
  const at = slot * 4;
  cpu.write32(lin, u[at]);
  cpu.write32(lin + 4, u[at + 1]);
  cpu.write32(lin + 8, u[at + 2]);
  cpu.write32(lin + 12, u[at + 3]);
}

/** Stores qword `q` (0 or 1) of slot `slot` to the 8-byte memory operand. */
export function storeQword(cpu: Cpu, d: Decoded, slot: number, q: number): void {
  const lin = writeLinear(cpu, d, 8, false);
  const u = cpu.sse.u32;
  const at = slot * 4 + q * 2;
  cpu.write32(lin, u[at]);
  cpu.write32(lin + 4, u[at + 1]);
}

/** Stores dword `i` of slot `slot` to the 4-byte memory operand. */
export function storeDword(cpu: Cpu, d: Decoded, slot: number, i: number): void {
  cpu.write32(cpu.eaWrite(d, 4), cpu.sse.u32[slot * 4 + i]);
}

// ---- MMX registers as slots (the 64-bit significand of R0-R7) ----

/** Copies MMX register `n` (0-7) into the low half of `slot`. */
export function mmToSlot(cpu: Cpu, n: number, slot: number): void {
  const r = cpu.fpu.regs[n & 7];
  const u = cpu.sse.u32;
  u[slot * 4] = r.lo;
  u[slot * 4 + 1] = r.hi;
}

/** The MMX/m64 source of an MMX-form instruction, in the low half of the returned slot. */
export function srcMm(cpu: Cpu, d: Decoded): number {
  if (d.mod === 3) {
    mmToSlot(cpu, d.rm, SLOT_SRC);
    return SLOT_SRC;
  }
  return srcXmm64(cpu, d);
}

/** MMX register `n` ← the low half of `slot` (exponent field all ones, SDM vol. 1, 9.5). */
export function slotToMm(cpu: Cpu, slot: number, n: number): void {
  const r = cpu.fpu.regs[n & 7];
  const u = cpu.sse.u32;
  r.lo = u[slot * 4];
  r.hi = u[slot * 4 + 1];
  r.se = 0xffff;
}
