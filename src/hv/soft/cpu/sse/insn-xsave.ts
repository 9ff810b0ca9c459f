/**
 * The XSAVE feature set for the x87 and SSE components (SDM vol. 1, ch. 13;
 * vol. 2, XSAVE/XRSTOR/XSAVEOPT/XSAVEC/XGETBV/XSETBV):
 *
 *   XSAVE    0F AE /4   standard form; XSTATE_BV[i] = XINUSE[i] for i in RFBM
 *   XRSTOR   0F AE /5   standard and compacted forms, header checks (#GP)
 *   XSAVEOPT 0F AE /6   as XSAVE (the init and modified optimizations are
 *                       permitted, not required: this model saves everything)
 *   XSAVEC   0F C7 /4   compacted form with the init optimization
 *   XGETBV   0F 01 D0   ECX = 0: EDX:EAX = XCR0
 *   XSETBV   0F 01 D1   CPL 0, ECX = 0, XCR0 with bit 0 set, only bits 0-1
 *
 * RFBM = XCR0 AND EDX:EAX. All raise #UD when CR4.OSXSAVE = 0; the save and
 * restore forms #NM when CR0.TS = 1 and #GP(0) for an area not 64-byte
 * aligned. REX.W (XSAVE64...) selects the 64-bit FIP/FDP layout. XRSTOR
 * reads and checks everything before changing any state.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { CR0_TS, CR4_OSXSAVE, EAX, ECX, EDX } from "../constants.js";
import { raiseGP, raiseNM, raiseUD } from "../fault.js";
import { defineGroup0F } from "../ops.js";
import {
  commitX87,
  commitXmm,
  initX87,
  readMxcsr,
  readX87,
  readXmm,
  saveMxcsr,
  saveX87,
  saveXmm,
  X87Image,
  XCR0_SUPPORTED,
  XFEATURE_SSE,
  XFEATURE_X87,
  xinuse,
  XSAVE_AREA_SIZE,
  XSAVE_HEADER,
} from "./xsave-area.js";
import { MXCSR_DEFAULT } from "./fp-env.js";

/** Whether `v` (low dword; the high dword must be 0) is a valid XCR0 for this CPU. */
export function isValidXcr0(lo: number, hi: number): boolean {
  return hi === 0 && (lo & ~XCR0_SUPPORTED) === 0 && (lo & XFEATURE_X87) !== 0;
}

function requireOsxsave(cpu: Cpu): void {
  if ((cpu.cr4 & CR4_OSXSAVE) === 0) raiseUD(cpu);
}

/** Checks of the save/restore forms; returns the linear address of the area. */
function areaLinear(cpu: Cpu, d: Decoded, write: boolean): number {
  requireOsxsave(cpu);
  if ((cpu.cr0 & CR0_TS) !== 0) raiseNM(cpu);
  const lin = write ? cpu.eaWrite(d, XSAVE_AREA_SIZE) : cpu.eaRead(d, XSAVE_AREA_SIZE);
  if ((lin & 63) !== 0) raiseGP(cpu, 0);
  if (write) cpu.checkWritable(lin, XSAVE_AREA_SIZE);
  return lin;
}

/** The requested-feature bitmap: XCR0 AND EDX:EAX (only the low dword matters here). */
function rfbm(cpu: Cpu): number {
  return cpu.xcr0 & cpu.r32[EAX << 1] & XCR0_SUPPORTED;
}

/** Saves the components of `mask` in the legacy region. */
function saveComponents(cpu: Cpu, lin: number, mask: number, wide: boolean): void {
  if ((mask & XFEATURE_X87) !== 0) saveX87(cpu, lin, wide);
  if ((mask & XFEATURE_SSE) !== 0) {
    saveMxcsr(cpu, lin);
    saveXmm(cpu, lin);
  }
}

/** XSAVE and XSAVEOPT (standard form). */
function xsave(cpu: Cpu, d: Decoded): void {
  const lin = areaLinear(cpu, d, true);
  const mask = rfbm(cpu);
  saveComponents(cpu, lin, mask, d.opSize === 64);
  const old = cpu.read32(lin + XSAVE_HEADER);
  cpu.write32(lin + XSAVE_HEADER, (old & ~mask) | (xinuse(cpu) & mask));
}
defineGroup0F(0xae, 4, { mod: "mem" }, xsave);
defineGroup0F(0xae, 6, { mod: "mem" }, xsave);

// XSAVEC: components in use only, XSTATE_BV = XINUSE AND RFBM, XCOMP_BV = 2^63 | RFBM.
defineGroup0F(0xc7, 4, { mod: "mem" }, (cpu, d) => {
  const lin = areaLinear(cpu, d, true);
  const mask = rfbm(cpu);
  const inUse = xinuse(cpu) & mask;
  saveComponents(cpu, lin, inUse, d.opSize === 64);
  cpu.write32(lin + XSAVE_HEADER, inUse);
  cpu.write32(lin + XSAVE_HEADER + 4, 0);
  cpu.write32(lin + XSAVE_HEADER + 8, mask);
  cpu.write32(lin + XSAVE_HEADER + 12, 0x80000000 | 0);
});

const x87Image = new X87Image();
const xmmImage = new Uint32Array(64);

// XRSTOR.
defineGroup0F(0xae, 5, { mod: "mem" }, (cpu, d) => {
  const lin = areaLinear(cpu, d, false);
  const mask = rfbm(cpu);
  const h = lin + XSAVE_HEADER;
  const bvLo = cpu.read32(h) >>> 0;
  const bvHi = cpu.read32(h + 4);
  const compLo = cpu.read32(h + 8) >>> 0;
  const compHi = cpu.read32(h + 12) >>> 0;
  const compacted = compHi >>> 31 !== 0;
  let reservedHeader = 0;
  for (let off = 16; off < 64; off += 4) reservedHeader |= cpu.read32(h + off);
  if (compacted) {
    // XCOMP_BV within XCR0, XSTATE_BV within XCOMP_BV, bytes 63:16 zero.
    if ((compLo & ~cpu.xcr0) !== 0 || (compHi & 0x7fffffff) !== 0) raiseGP(cpu, 0);
    if ((bvLo & ~compLo) !== 0 || bvHi !== 0 || reservedHeader !== 0) raiseGP(cpu, 0);
  } else {
    // XSTATE_BV within XCR0, bytes 23:8 (XCOMP_BV and the next dword pair) zero.
    if ((bvLo & ~cpu.xcr0) !== 0 || bvHi !== 0) raiseGP(cpu, 0);
    if ((compLo | compHi | cpu.read32(h + 16) | cpu.read32(h + 20)) !== 0) raiseGP(cpu, 0);
  }
  const wide = d.opSize === 64;
  const loadX87 = (mask & bvLo & XFEATURE_X87) !== 0;
  const loadXmm = (mask & bvLo & XFEATURE_SSE) !== 0;
  if (loadX87) readX87(cpu, lin, wide, x87Image);
  if (loadXmm) readXmm(cpu, lin, xmmImage);
  // MXCSR: standard form whenever RFBM[1]; compacted form only with XSTATE_BV[1].
  let mxcsr = -2;
  if ((mask & XFEATURE_SSE) !== 0) {
    mxcsr = compacted && !loadXmm ? MXCSR_DEFAULT : readMxcsr(cpu, lin);
    if (mxcsr === -1) raiseGP(cpu, 0);
  }
  // Everything read and checked: commit.
  if ((mask & XFEATURE_X87) !== 0) {
    if (loadX87) commitX87(cpu, x87Image);
    else initX87(cpu);
  }
  if ((mask & XFEATURE_SSE) !== 0) {
    commitXmm(cpu, loadXmm ? xmmImage : null);
    cpu.fpu.mxcsr = mxcsr;
  }
});

// XGETBV (0F 01 D0): ECX = 0 only (XGETBV with ECX = 1 is not enumerated).
defineGroup0F(0x01, 2, { rm: 0 }, (cpu) => {
  requireOsxsave(cpu);
  if (cpu.r32[ECX << 1] !== 0) raiseGP(cpu, 0);
  cpu.setReg32(EAX, cpu.xcr0);
  cpu.setReg32(EDX, 0);
});

// XSETBV (0F 01 D1): privileged; invalid XCR0 values raise #GP(0).
defineGroup0F(0x01, 2, { rm: 1, endsBlock: true }, (cpu) => {
  requireOsxsave(cpu);
  if (cpu.cpl !== 0 || cpu.vm86) raiseGP(cpu, 0);
  if (cpu.r32[ECX << 1] !== 0) raiseGP(cpu, 0);
  const lo = cpu.r32[EAX << 1];
  if (!isValidXcr0(lo, cpu.r32[EDX << 1])) raiseGP(cpu, 0);
  cpu.xcr0 = lo >>> 0;
});
