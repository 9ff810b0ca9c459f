/**
 * Moves x87/MMX/SSE state between an FXSAVE image and the soft CPU, through
 * the FPU module's register hooks (`fpuHooks.registers`, the X87 and SSE
 * register sets of registers.ts). Until the FPU module is loaded there is
 * no state to move: `softFpuAvailable()` is false and the tester reports
 * FPU comparisons as not implemented.
 *
 * Image ↔ register set: ST(i) in the image is physical register
 * R((TOP + i) mod 8); the image's abridged tag bit per physical register
 * expands to the full 2-bit tag from the register's contents (SDM vol. 1,
 * 10.5.1.1, FXSAVE "tag word" and table 10-2 notes: 00 valid, 01 zero,
 * 10 special — NaN, infinity, denormal, unnormal — 11 empty).
 */
import { RegSet, Sse, X87 } from "../hv/registers.js";
import type { Cpu } from "../hv/soft/cpu/cpu.js";
import { fpuHooks } from "../hv/soft/cpu/hooks.js";
import {
  FX_FCW,
  FX_FOP,
  FX_FSW,
  FX_FTW,
  FX_MXCSR,
  FX_MXCSR_MASK,
  FX_ST,
  FX_XMM,
  fxTop,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from "./fxsave.js";

/** MXCSR bits this tester's host supports (DAZ included); the image's MXCSR_MASK field. */
const MXCSR_MASK = 0xffff;

/** Whether the soft CPU has an FPU module that exposes its state. */
export function softFpuAvailable(): boolean {
  return fpuHooks.registers !== null;
}

/** The full tag (0-3) of an 80-bit register's contents at `off` in `b`. */
export function fullTag(b: Uint8Array, off: number): number {
  const exp = readU16(b, off + 8) & 0x7fff;
  let sigZero = true;
  for (let i = 0; i < 8; i++) if (b[off + i] !== 0) sigZero = false;
  const integerBit = (b[off + 7] & 0x80) !== 0;
  if (exp === 0x7fff) return 2;
  if (exp === 0) return sigZero ? 1 : 2;
  return integerBit ? 0 : 2;
}

/** Loads the soft CPU's x87/SSE state from an FXSAVE image. */
export function writeSoftFpu(cpu: Cpu, fx: Uint8Array): void {
  const hooks = fpuHooks.registers;
  if (hooks === null) return;
  const top = fxTop(fx);
  let ftw = 0;
  for (let i = 0; i < 8; i++) {
    const p = (top + i) & 7;
    const off = FX_ST + 16 * i;
    hooks.write(cpu, RegSet.X87, X87.R0 + p, fx.slice(off, off + 10));
    const tag = (fx[FX_FTW] & (1 << p)) === 0 ? 3 : fullTag(fx, off);
    ftw |= tag << (2 * p);
  }
  hooks.write(cpu, RegSet.X87, X87.FCW, BigInt(readU16(fx, FX_FCW)));
  hooks.write(cpu, RegSet.X87, X87.FSW, BigInt(readU16(fx, FX_FSW)));
  hooks.write(cpu, RegSet.X87, X87.FTW, BigInt(ftw));
  hooks.write(cpu, RegSet.X87, X87.FOP, BigInt(readU16(fx, FX_FOP) & 0x7ff));
  for (const n of [X87.FIP, X87.FCS, X87.FDP, X87.FDS]) hooks.write(cpu, RegSet.X87, n, 0n);
  hooks.write(cpu, RegSet.SSE, Sse.MXCSR, BigInt(readU32(fx, FX_MXCSR)));
  for (let i = 0; i < 8; i++) {
    const off = FX_XMM + 16 * i;
    hooks.write(cpu, RegSet.SSE, Sse.XMM0 + i, fx.slice(off, off + 16));
  }
}

/** Reads the soft CPU's x87/SSE state into `out` as an FXSAVE image (FIP/FDP/FOP left 0). */
export function readSoftFpu(cpu: Cpu, out: Uint8Array): Uint8Array {
  out.fill(0);
  const hooks = fpuHooks.registers;
  if (hooks === null) return out;
  const num = (n: number, set: RegSet = RegSet.X87): number => {
    const v = hooks.read(cpu, set, n);
    return typeof v === "bigint" ? Number(v) : 0;
  };
  const fsw = num(X87.FSW);
  const ftw = num(X87.FTW);
  writeU16(out, FX_FCW, num(X87.FCW));
  writeU16(out, FX_FSW, fsw);
  let abridged = 0;
  for (let p = 0; p < 8; p++) if (((ftw >> (2 * p)) & 3) !== 3) abridged |= 1 << p;
  out[FX_FTW] = abridged;
  writeU32(out, FX_MXCSR, num(Sse.MXCSR, RegSet.SSE));
  writeU32(out, FX_MXCSR_MASK, MXCSR_MASK);
  const top = (fsw >> 11) & 7;
  for (let i = 0; i < 8; i++) {
    const v = hooks.read(cpu, RegSet.X87, X87.R0 + ((top + i) & 7));
    if (v instanceof Uint8Array) out.set(v.subarray(0, 10), FX_ST + 16 * i);
  }
  for (let i = 0; i < 8; i++) {
    const v = hooks.read(cpu, RegSet.SSE, Sse.XMM0 + i);
    if (v instanceof Uint8Array) out.set(v.subarray(0, 16), FX_XMM + 16 * i);
  }
  return out;
}
