/**
 * Test support for the integer-instruction tests: runs a short code snippet
 * on a CpuHarness with given registers and flags, and reports where it
 * stopped. Faults are observed in real mode through IVT stubs: vector v's
 * handler is a HLT at FAULT_STUBS + v, so after the run `faultVector(h)`
 * tells which exception (if any) was delivered.
 */
import assert from "node:assert/strict";
import { MP_RUNNABLE } from "../../src/hv/registers.js";
import { CpuHarness } from "../cpu/harness.js";

/** Where snippets are loaded (physical = linear = offset: all bases are 0). */
export const CODE = 0x1000;
/** A data area for memory operands. */
export const DATA = 0x3000;
/** Real mode: HLT stubs for the exception vectors 0-31. */
export const FAULT_STUBS = 0x600;

export interface Regs {
  eax?: number;
  ecx?: number;
  edx?: number;
  ebx?: number;
  esp?: number;
  ebp?: number;
  esi?: number;
  edi?: number;
  /** Status flags / DF to start with (bit 1 is added). */
  flags?: number;
}

const loaded = new WeakMap<CpuHarness, string>();
const initialSp = new WeakMap<CpuHarness, number>();

/** Flat 32-bit protected mode harness (ring 0). */
export function flat(): CpuHarness {
  const h = CpuHarness.flat32({ ramSize: 1 << 20 });
  initialSp.set(h, h.esp);
  return h;
}

/** Real-mode harness with HLT stubs installed for vectors 0-31. */
export function real(): CpuHarness {
  const h = CpuHarness.real({ ramSize: 1 << 20 });
  for (let v = 0; v < 32; v++) {
    h.setIvt(v, 0, FAULT_STUBS + v);
    h.poke(FAULT_STUBS + v, [0xf4]);
  }
  initialSp.set(h, h.esp);
  return h;
}

/**
 * Loads `code` + HLT at CODE (unless already there), sets every GPR (missing
 * ones 0, ESP its initial value) and the flags, and runs to the HLT.
 */
export function run(h: CpuHarness, code: readonly number[], regs: Regs = {}): void {
  const key = code.join(",");
  if (loaded.get(h) !== key) {
    h.load(CODE, [...code, 0xf4]);
    loaded.set(h, key);
  } else {
    h.cpu.eip = CODE;
  }
  h.cpu.mpState = MP_RUNNABLE;
  h.eax = regs.eax ?? 0;
  h.ecx = regs.ecx ?? 0;
  h.edx = regs.edx ?? 0;
  h.ebx = regs.ebx ?? 0;
  h.esp = regs.esp ?? initialSp.get(h) ?? 0x7000;
  h.ebp = regs.ebp ?? 0;
  h.esi = regs.esi ?? 0;
  h.edi = regs.edi ?? 0;
  h.eflags = (regs.flags ?? 0) | 2;
  const exit = h.run(100_000);
  assert.equal(exit.kind, "hlt", `expected hlt, got ${JSON.stringify(exit)}`);
}

/** The vector delivered in real mode by the last run, or -1 (stopped at the snippet's HLT). */
export function faultVector(h: CpuHarness): number {
  const at = h.eip - 1;
  return at >= FAULT_STUBS && at < FAULT_STUBS + 32 ? at - FAULT_STUBS : -1;
}

/** The IP a real-mode exception pushed (the faulting instruction for faults). */
export function faultIp(h: CpuHarness): number {
  return h.read16(h.esp);
}

/** ModRM byte. */
export function modrm(mod: number, reg: number, rm: number): number {
  return (mod << 6) | (reg << 3) | rm;
}

/** Little-endian bytes of a 16-bit value. */
export function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

/** Little-endian bytes of a 32-bit value. */
export function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Immediate bytes of an operand size. */
export function imm(size: 8 | 16 | 32, v: number): number[] {
  return size === 8 ? [v & 0xff] : size === 16 ? le16(v) : le32(v);
}

/** Operand-size prefix needed in 32-bit code for a size (0x66 for 16 bits). */
export function osize(size: 8 | 16 | 32): number[] {
  return size === 16 ? [0x66] : [];
}

/** Reads `size` bits of little-endian physical memory (unsigned). */
export function peek(h: CpuHarness, addr: number, size: 8 | 16 | 32): number {
  return size === 8 ? h.read8(addr) : size === 16 ? h.read16(addr) : h.read32(addr);
}

/** Writes `size` bits of little-endian physical memory. */
export function poke(h: CpuHarness, addr: number, size: 8 | 16 | 32, v: number): void {
  h.poke(addr, imm(size, v));
}

/** Hex formatting for assertion messages. */
export function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16);
}
