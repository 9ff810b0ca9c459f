/**
 * Task-state segment layouts and the reads the rest of the system part
 * needs from the current TSS: the inner-level stack pointers (stack
 * switches) and the I/O permission bitmap. SDM vol. 3, 7.2.1 (32-bit TSS,
 * figure 7-2), 7.6 (16-bit TSS, figure 7-11), 8.7 (64-bit TSS: RSP0-2,
 * IST1-7, the I/O map base at the same offset); vol. 1, 19.5.2 (I/O bitmap).
 */
import type { Cpu } from "../cpu.js";
import { SEG_TR, VEC_SS, VEC_TS } from "../constants.js";
import { raiseFault, raiseGP } from "../fault.js";

// ---- 32-bit TSS byte offsets ----
export const TSS32_LINK = 0;
export const TSS32_ESP0 = 4;
export const TSS32_CR3 = 28;
export const TSS32_EIP = 32;
export const TSS32_EFLAGS = 36;
/** EAX; the other GPRs follow in encoding order, 4 bytes apart. */
export const TSS32_GPRS = 40;
/** ES; CS, SS, DS, FS, GS follow, 4 bytes apart (selector in the low word). */
export const TSS32_SEGS = 72;
export const TSS32_LDT = 96;
/** Word at 100: bit 0 = T (debug trap on switch); word at 102: I/O map base. */
export const TSS32_IOMAP = 102;
/** Smallest legal limit of a 32-bit TSS (SDM vol. 3, 7.2.2). */
export const TSS32_MIN_LIMIT = 0x67;

// ---- 16-bit TSS byte offsets ----
export const TSS16_LINK = 0;
export const TSS16_SP0 = 2;
export const TSS16_IP = 14;
export const TSS16_FLAGS = 16;
/** AX; the other GPRs follow in encoding order, 2 bytes apart. */
export const TSS16_GPRS = 18;
/** ES; CS, SS, DS follow, 2 bytes apart. */
export const TSS16_SEGS = 34;
export const TSS16_LDT = 42;
export const TSS16_MIN_LIMIT = 0x2b;

// ---- 64-bit TSS byte offsets (SDM vol. 3, 8.7, figure 8-11) ----
/** RSP0; RSP1, RSP2 follow, 8 bytes apart. */
export const TSS64_RSP0 = 4;
/** IST1; IST2-IST7 follow, 8 bytes apart. */
export const TSS64_IST1 = 36;

/** Linear base of the current TSS: 64-bit in IA-32e mode. */
export function trBase(cpu: Cpu): number {
  return cpu.longMode ? cpu.segBaseL[SEG_TR] : cpu.segBase[SEG_TR] >>> 0;
}

/**
 * Reads the 64-bit TSS stack pointer at `offset` (RSPn or ISTn) into
 * `cpu.sys.innerSp` as a signed number: #TS(TR selector + EXT) when the TSS
 * is too short, #SS(EXT) when the pointer is not canonical (SDM vol. 3, 6.14.4
 * and the INT n pseudo-code, IA-32e mode).
 */
export function readStack64(cpu: Cpu, offset: number, ext: number): void {
  const err = (cpu.segSel[SEG_TR] & 0xfffc) | ext;
  if (offset + 7 > cpu.segLimit[SEG_TR]) raiseFault(cpu, VEC_TS, true, err);
  const at = cpu.sysLinear(trBase(cpu), offset);
  const lo = cpu.readSys32(at);
  const hi = cpu.readSys32(at + 4);
  if ((hi << 16) >> 16 !== hi) raiseFault(cpu, VEC_SS, true, ext);
  cpu.sys.innerSp = hi * 4294967296 + (lo >>> 0);
}

/** Whether TR holds a 32-bit TSS (types 9/11; an unusable TR counts as 32-bit, like reset). */
export function trIs32(cpu: Cpu): boolean {
  const attr = cpu.segAttr[SEG_TR];
  return attr === 0 || (attr & 8) !== 0;
}

/**
 * Reads SS:ESP for privilege level `cpl` (0-2) from the current TSS into
 * `cpu.sys.innerSs` / `innerSp` (SDM vol. 3, 6.12.1 and the INT n
 * pseudo-code). #TS(TR selector + EXT) if the TSS is too short.
 */
export function readInnerStack(cpu: Cpu, cpl: number, ext: number): void {
  const base = cpu.segBase[SEG_TR] >>> 0;
  const limit = cpu.segLimit[SEG_TR];
  const err = (cpu.segSel[SEG_TR] & 0xfffc) | ext;
  if (trIs32(cpu)) {
    const at = TSS32_ESP0 + cpl * 8;
    if (at + 5 > limit) raiseFault(cpu, VEC_TS, true, err);
    cpu.sys.innerSp = cpu.readSys32(base + at) >>> 0;
    cpu.sys.innerSs = cpu.readSys16(base + at + 4);
  } else {
    const at = TSS16_SP0 + cpl * 4;
    if (at + 3 > limit) raiseFault(cpu, VEC_TS, true, err);
    cpu.sys.innerSp = cpu.readSys16(base + at);
    cpu.sys.innerSs = cpu.readSys16(base + at + 2);
  }
}

/**
 * The I/O permission check for IN/OUT/INS/OUTS when CPL > IOPL or in vm86
 * (SDM vol. 1, 19.5.2): every bit of ports [port, port + size) in the TSS's
 * bitmap must be 0. A 16-bit TSS has no bitmap, and the processor always
 * reads two bytes of the bitmap, so both must lie within the TSS limit.
 */
export function checkIoPermission(cpu: Cpu, port: number, size: number): void {
  const attr = cpu.segAttr[SEG_TR];
  if (attr === 0 || (attr & 8) === 0) raiseGP(cpu, 0);
  const base = trBase(cpu);
  const limit = cpu.segLimit[SEG_TR];
  if (TSS32_IOMAP + 1 > limit) raiseGP(cpu, 0);
  const at = cpu.readSys16(cpu.sysLinear(base, TSS32_IOMAP)) + (port >>> 3);
  if (at + 1 > limit) raiseGP(cpu, 0);
  const bits = cpu.readSys16(cpu.sysLinear(base, at));
  const mask = ((1 << size) - 1) << (port & 7);
  if ((bits & mask) !== 0) raiseGP(cpu, 0);
}
