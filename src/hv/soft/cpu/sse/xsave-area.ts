/**
 * The XSAVE area's two user state components this CPU supports (SDM vol. 1,
 * ch. 13): x87 (XCR0 bit 0) and SSE (bit 1), both in the 512-byte legacy
 * region shared with FXSAVE (table 10-2), followed by the 64-byte XSAVE
 * header (XSTATE_BV at 512, XCOMP_BV at 520). Saving writes memory only;
 * restoring is split into `read*` (every access that can fault) and
 * `commit*` so XRSTOR changes nothing when it faults.
 *
 * XINUSE (SDM vol. 1, 13.6) is computed exactly from the state: the x87
 * component is in its initial configuration when FCW = 037Fh, FSW = 0, all
 * tags empty, FOP/FIP/FCS/FDP/FDS = 0 and ST0-ST7 are zero; the SSE
 * component when XMM0-15 are zero and MXCSR = 1F80h (counting MXCSR keeps a
 * compacted save/restore exact: XRSTOR resets MXCSR when XSTATE_BV[1] = 0).
 */
import type { Cpu } from "../cpu.js";
import { F80 } from "../fpu/f80.js";
import { recomputeErrorSummary } from "../fpu/x87-control.js";
import { readM80, writeM80 } from "../fpu/x87-exec.js";
import { XSAVE_AREA_BYTES, XSAVE_XCR0_SUPPORTED } from "../system/cpuid.js";
import { MXCSR_WRITABLE, MXCSR_DEFAULT } from "./fp-env.js";

export const XFEATURE_X87 = 1;
export const XFEATURE_SSE = 2;
/** XCR0 bits this CPU supports (as CPUID leaf 0Dh reports them). */
export const XCR0_SUPPORTED = XSAVE_XCR0_SUPPORTED;
/** Size of the XSAVE area for the supported components: legacy region (512) + header (64). */
export const XSAVE_AREA_SIZE = XSAVE_AREA_BYTES;
export const XSAVE_HEADER = 512;
const TWO32 = 4294967296;

/** XMM registers the legacy region holds: 16 in 64-bit mode, else 8. */
function xmmCount(cpu: Cpu): number {
  return cpu.mode64 ? 16 : 8;
}

/** XINUSE bits of the supported components. */
export function xinuse(cpu: Cpu): number {
  const f = cpu.fpu;
  let x87Init =
    f.fcw === 0x37f &&
    f.statusWord() === 0 &&
    f.emptyMask === 0xff &&
    (f.fop | f.fip | f.fcs | f.fdp | f.fds) === 0;
  for (let i = 0; i < 8 && x87Init; i++) {
    const r = f.regs[i];
    if ((r.lo | r.hi | r.se) !== 0) x87Init = false;
  }
  let sseInit = f.mxcsr === MXCSR_DEFAULT;
  const u = cpu.sse.u32;
  for (let i = 0; i < 64 && sseInit; i++) if (u[i] !== 0) sseInit = false;
  return (x87Init ? 0 : XFEATURE_X87) | (sseInit ? 0 : XFEATURE_SSE);
}

/**
 * Writes the x87 part of the legacy region at `lin`: FCW, FSW, abridged FTW,
 * FOP, FIP/FCS, FDP/FDS (64-bit FIP/FDP when `wide`, the REX.W forms) and ST0-ST7.
 */
export function saveX87(cpu: Cpu, lin: number, wide: boolean): void {
  const f = cpu.fpu;
  cpu.write16(lin, f.fcw);
  cpu.write16(lin + 2, f.statusWord());
  cpu.write16(lin + 4, f.abridgedTags());
  cpu.write16(lin + 6, f.fop);
  cpu.write32(lin + 8, f.fip);
  cpu.write32(lin + 12, wide ? Math.floor(f.fip / TWO32) : f.fcs);
  cpu.write32(lin + 16, f.fdp);
  cpu.write32(lin + 20, wide ? Math.floor(f.fdp / TWO32) : f.fds);
  for (let i = 0; i < 8; i++) {
    const at = lin + 32 + 16 * i;
    writeM80(cpu, at, f.st(i));
    cpu.write16(at + 10, 0);
    cpu.write32(at + 12, 0);
  }
}

/** Writes MXCSR and MXCSR_MASK (bytes 24-31). */
export function saveMxcsr(cpu: Cpu, lin: number): void {
  cpu.write32(lin + 24, cpu.fpu.mxcsr);
  cpu.write32(lin + 28, MXCSR_WRITABLE);
}

/** Writes the XMM registers (bytes 160 onward). */
export function saveXmm(cpu: Cpu, lin: number): void {
  const u = cpu.sse.u32;
  for (let i = 0; i < xmmCount(cpu) * 4; i++) cpu.write32(lin + 160 + 4 * i, u[i]);
}

/** x87 state read by `readX87`, applied by `commitX87`. */
export class X87Image {
  fcw = 0;
  fsw = 0;
  ftw = 0;
  fop = 0;
  fip = 0;
  fcs = 0;
  fdp = 0;
  fds = 0;
  readonly st: F80[] = [0, 1, 2, 3, 4, 5, 6, 7].map(() => new F80());
}

/** Reads the x87 part of the legacy region at `lin` into `img`. */
export function readX87(cpu: Cpu, lin: number, wide: boolean, img: X87Image): void {
  img.fcw = cpu.read16(lin);
  img.fsw = cpu.read16(lin + 2);
  img.ftw = cpu.read8(lin + 4);
  img.fop = cpu.read16(lin + 6) & 0x7ff;
  img.fip = (cpu.read32(lin + 8) >>> 0) + (wide ? cpu.read32(lin + 12) * TWO32 : 0);
  img.fcs = wide ? 0 : cpu.read16(lin + 12);
  img.fdp = (cpu.read32(lin + 16) >>> 0) + (wide ? cpu.read32(lin + 20) * TWO32 : 0);
  img.fds = wide ? 0 : cpu.read16(lin + 20);
  for (let i = 0; i < 8; i++) readM80(cpu, lin + 32 + 16 * i, img.st[i]);
}

/** Loads the x87 state from `img`. */
export function commitX87(cpu: Cpu, img: X87Image): void {
  const f = cpu.fpu;
  f.setControlWord(img.fcw);
  f.setStatusWord(img.fsw);
  f.emptyMask = ~img.ftw & 0xff;
  f.fop = img.fop;
  f.fip = img.fip;
  f.fcs = img.fcs;
  f.fdp = img.fdp;
  f.fds = img.fds;
  for (let i = 0; i < 8; i++) f.st(i).copy(img.st[i]);
  recomputeErrorSummary(f);
}

/** The x87 initial configuration (XRSTOR of a component whose XSTATE_BV bit is 0). */
export function initX87(cpu: Cpu): void {
  const f = cpu.fpu;
  f.setControlWord(0x37f);
  f.setStatusWord(0);
  f.emptyMask = 0xff;
  f.fop = f.fip = f.fcs = f.fdp = f.fds = 0;
  for (const r of f.regs) r.set(0, 0, 0);
  recomputeErrorSummary(f);
}

/** Reads MXCSR at `lin + 24`; #GP(0) (raised by the caller) when it returns -1 for reserved bits. */
export function readMxcsr(cpu: Cpu, lin: number): number {
  const v = cpu.read32(lin + 24) >>> 0;
  return (v & ~MXCSR_WRITABLE) !== 0 ? -1 : v;
}

/** Reads the XMM registers of the legacy region into scratch `out` (4 dwords each). */
export function readXmm(cpu: Cpu, lin: number, out: Uint32Array): void {
  for (let i = 0; i < xmmCount(cpu) * 4; i++) out[i] = cpu.read32(lin + 160 + 4 * i);
}

/** Loads the XMM registers from `img` (or zeroes them when `img` is null: the initial configuration). */
export function commitXmm(cpu: Cpu, img: Uint32Array | null): void {
  const u = cpu.sse.u32;
  for (let i = 0; i < xmmCount(cpu) * 4; i++) u[i] = img === null ? 0 : img[i];
}
