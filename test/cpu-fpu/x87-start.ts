/**
 * Test support: runs a few hand-assembled x87 instructions on a fresh flat
 * 32-bit CPU from an exact x87 state (registers written as "se:significand"
 * hex, e.g. "3fff:8000000000000000" for 1.0, null for an empty register).
 */
import assert from "node:assert/strict";
import { CpuHarness } from "../cpu/harness.js";
import { MP_RUNNABLE } from "../../src/hv/registers.js";

export const CODE = 0x10000;
export const DATA = 0x2000;

/** Status-word bits (SDM vol. 1, figure 8-4). */
export const IE = 0x01;
export const DE = 0x02;
export const ZE = 0x04;
export const PE = 0x20;
export const SF = 0x40;
export const C0 = 0x100;
export const C1 = 0x200;
export const C2 = 0x400;
export const C3 = 0x4000;
export const CC = C0 | C1 | C2 | C3;
/** Exception flags and SF (the bits an operation raises). */
export const FLAGS = 0x7f;

/** The real indefinite (SDM vol. 1, table 8-10). */
export const INDEFINITE = "ffff:c000000000000000";

export interface X87Start {
  /** ST(0), ST(1), …: "se:significand" or null (empty); later registers are empty. */
  readonly st: readonly (string | null)[];
  /** Control word (default 0x037f: all exceptions masked, extended precision, nearest). */
  readonly fcw?: number;
  /** Status word without TOP (condition codes, sticky flags). */
  readonly fsw?: number;
  /** TOP (default 3). */
  readonly top?: number;
  /** EFLAGS (default 0x2), for FCMOVcc. */
  readonly eflags?: number;
  /** Bytes placed at DATA. */
  readonly data?: readonly number[];
}

/** ModRM + disp32 for an absolute memory operand with /reg. */
export function mem(reg: number, addr: number): number[] {
  return [(reg << 3) | 5, addr & 0xff, (addr >>> 8) & 0xff, (addr >>> 16) & 0xff, addr >>> 24];
}

/** Little-endian bytes of a bigint of `n` bytes. */
export function bytesOf(v: bigint, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

/** Runs `code` + HLT from `start`; returns the harness for inspection. */
export function runX87(code: readonly number[], start: X87Start): CpuHarness {
  const h = CpuHarness.flat32({ ramSize: 1 << 20 });
  const f = h.cpu.fpu;
  f.setControlWord(start.fcw ?? 0x037f);
  f.setStatusWord(((start.fsw ?? 0) & ~0x3800) | ((start.top ?? 3) << 11));
  f.emptyMask = 0xff;
  start.st.forEach((text, i) => {
    if (text === null) return;
    const [se, sig] = text.split(":");
    const s = BigInt(`0x${sig}`);
    f.st(i).set(parseInt(se, 16), Number(s >> 32n), Number(s & 0xffffffffn));
    f.setValid(i);
  });
  if (start.data !== undefined) h.poke(DATA, start.data);
  h.eflags = start.eflags ?? 2;
  h.load(CODE, [...code, 0xf4]);
  h.cpu.mpState = MP_RUNNABLE;
  assert.equal(h.run(10_000).kind, "hlt");
  return h;
}

/** ST(i) after a run, as "se:significand". */
export function st(h: CpuHarness, i: number): string {
  return h.cpu.fpu.st(i).toString();
}

/** The full status word after a run. */
export function fsw(h: CpuHarness): number {
  return h.cpu.fpu.statusWord();
}
