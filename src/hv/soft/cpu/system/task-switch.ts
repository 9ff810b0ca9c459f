/**
 * Hardware task switching (SDM vol. 3, 7.3, steps 1-14, and table 7-1 for
 * the checks on the new task's state). Callers (far JMP/CALL, interrupt
 * task gates, IRET with NT) have done the privilege and busy-bit checks of
 * their instruction and pass the new TSS descriptor.
 *
 * Until the new task's state is committed, every fault leaves the CPU as it
 * was (the incoming TSS is read in full first, the outgoing TSS is probed
 * for writability). Faults while loading the new task's segments happen
 * in the new task's context (step 13): EIP and `insnStart` already point
 * into the new task then, so the exception is delivered there.
 */
import type { Cpu } from "../cpu.js";
import {
  CR0_TS,
  EAX,
  NT,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_LDTR,
  SEG_SS,
  SEG_TR,
  VEC_GP,
  VEC_NP,
  VEC_TS,
} from "../constants.js";
import { raiseFault } from "../fault.js";
import { translate } from "../tlb.js";
import { ACCESS_WRITE } from "../tlb-layout.js";
import {
  type Descriptor,
  fetchDescriptor,
  fetchGdtDescriptor,
  loadFromDescriptor,
  loadNull,
  markAccessed,
  setTssBusy,
  TSS_BUSY_BIT,
  TYPE_LDT,
} from "./descriptor.js";
import { checkDataSegment, checkStackSegment, selectorError } from "./segments.js";
import {
  TSS16_FLAGS,
  TSS16_GPRS,
  TSS16_IP,
  TSS16_LDT,
  TSS16_MIN_LIMIT,
  TSS16_SEGS,
  TSS32_CR3,
  TSS32_EFLAGS,
  TSS32_EIP,
  TSS32_GPRS,
  TSS32_LDT,
  TSS32_MIN_LIMIT,
  TSS32_SEGS,
  trIs32,
} from "./tss.js";

/** What caused the switch (decides busy bits, NT and the back link; SDM vol. 3, table 7-2). */
export const SWITCH_JMP = 0;
export const SWITCH_CALL = 1;
export const SWITCH_IRET = 2;
/** Interrupt or exception through a task gate: nests like CALL. */
export const SWITCH_INT = 3;

// ---- Indices into SystemState.taskImage ----
const IMG_CR3 = 0;
const IMG_EIP = 1;
const IMG_EFLAGS = 2;
const IMG_GPR = 3;
/** ES, CS, SS, DS, FS, GS at IMG_SEG + SEG_*. */
const IMG_SEG = 11;
const IMG_LDT = 17;

/** Reads the incoming task's state from its TSS (no register changes). */
function readImage(cpu: Cpu, base: number, is32: boolean, img: Int32Array): void {
  if (is32) {
    img[IMG_CR3] = cpu.readSys32(base + TSS32_CR3);
    img[IMG_EIP] = cpu.readSys32(base + TSS32_EIP);
    img[IMG_EFLAGS] = cpu.readSys32(base + TSS32_EFLAGS);
    for (let r = 0; r < 8; r++) img[IMG_GPR + r] = cpu.readSys32(base + TSS32_GPRS + r * 4);
    for (let s = 0; s < 6; s++) img[IMG_SEG + s] = cpu.readSys16(base + TSS32_SEGS + s * 4);
    img[IMG_LDT] = cpu.readSys16(base + TSS32_LDT);
  } else {
    img[IMG_CR3] = 0;
    img[IMG_EIP] = cpu.readSys16(base + TSS16_IP);
    img[IMG_EFLAGS] = cpu.readSys16(base + TSS16_FLAGS);
    for (let r = 0; r < 8; r++) img[IMG_GPR + r] = cpu.readSys16(base + TSS16_GPRS + r * 2);
    for (let s = 0; s < 4; s++) img[IMG_SEG + s] = cpu.readSys16(base + TSS16_SEGS + s * 2);
    img[IMG_SEG + 4] = 0; // a 16-bit TSS has no FS/GS: they become null
    img[IMG_SEG + 5] = 0;
    img[IMG_LDT] = cpu.readSys16(base + TSS16_LDT);
  }
}

/** Writes the outgoing task's dynamic state into its TSS (step 8). */
function saveState(cpu: Cpu, base: number, is32: boolean, eflags: number): void {
  if (is32) {
    cpu.writeSys32(base + TSS32_EIP, cpu.eip);
    cpu.writeSys32(base + TSS32_EFLAGS, eflags);
    for (let r = 0; r < 8; r++) cpu.writeSys32(base + TSS32_GPRS + r * 4, cpu.r32[(EAX + r) << 1]);
    for (let s = 0; s < 6; s++) cpu.writeSys16(base + TSS32_SEGS + s * 4, cpu.segSel[s]);
  } else {
    cpu.writeSys16(base + TSS16_IP, cpu.eip);
    cpu.writeSys16(base + TSS16_FLAGS, eflags);
    for (let r = 0; r < 8; r++) cpu.writeSys16(base + TSS16_GPRS + r * 2, cpu.r16[(EAX + r) << 2]);
    for (let s = 0; s < 4; s++) cpu.writeSys16(base + TSS16_SEGS + s * 2, cpu.segSel[s]);
  }
}

/** Raises the #PF a supervisor write to [lin, lin + size) would raise, without writing. */
function probeWrite(cpu: Cpu, lin: number, size: number): void {
  translate(cpu, lin >>> 0, ACCESS_WRITE, false);
  translate(cpu, (lin + size - 1) >>> 0, ACCESS_WRITE, false);
}

/**
 * Switches to the task whose TSS descriptor is `tss` (fetched with
 * `selector`). `ext` is the EXT bit for error codes (1 when an external
 * event or exception caused the switch).
 */
export function taskSwitch(
  cpu: Cpu,
  selector: number,
  tss: Descriptor,
  source: number,
  ext: number,
): void {
  const err = selectorError(selector, ext);
  if (!tss.present) raiseFault(cpu, VEC_NP, true, err);
  const newIs32 = tss.is32;
  if (tss.limit < (newIs32 ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT)) {
    raiseFault(cpu, VEC_TS, true, err);
  }
  const img = cpu.sys.taskImage;
  const newBase = tss.base;
  readImage(cpu, newBase, newIs32, img);

  // The outgoing task: its TSS must take the saved state (step 5).
  const oldBase = cpu.segBase[SEG_TR] >>> 0;
  const oldIs32 = trIs32(cpu);
  const oldSelector = cpu.segSel[SEG_TR];
  if (oldIs32) probeWrite(cpu, oldBase + TSS32_EIP, TSS32_LDT - TSS32_EIP);
  else probeWrite(cpu, oldBase + TSS16_IP, TSS16_LDT - TSS16_IP);
  const nests = source === SWITCH_CALL || source === SWITCH_INT;
  if (nests) probeWrite(cpu, newBase, 2);

  // Steps 6-10: busy bits, NT, saved state, back link.
  const old = cpu.sys.oldTss;
  const haveOld = (oldSelector & 0xfffc) !== 0 && fetchGdtDescriptor(cpu, oldSelector, old);
  let eflags = cpu.getEflags();
  if (source === SWITCH_IRET) eflags &= ~NT;
  if ((source === SWITCH_JMP || source === SWITCH_IRET) && haveOld) setTssBusy(cpu, old, false);
  saveState(cpu, oldBase, oldIs32, eflags);
  if (nests) {
    cpu.writeSys16(newBase, oldSelector);
    img[IMG_EFLAGS] |= NT;
  }
  if (source !== SWITCH_IRET) setTssBusy(cpu, tss, true);
  else tss.hi |= TSS_BUSY_BIT << 8;

  // Step 11-12: the new task is committed from here on.
  loadFromDescriptor(cpu, SEG_TR, selector, tss);
  cpu.cr0 |= CR0_TS;
  if (newIs32 && cpu.paging) cpu.writeCr(3, img[IMG_CR3]);
  // A 16-bit TSS holds only FLAGS: the upper half (VM included) becomes 0.
  cpu.setEflags(newIs32 ? img[IMG_EFLAGS] : img[IMG_EFLAGS] & 0xffff);
  for (let r = 0; r < 8; r++) {
    if (newIs32) cpu.r32[(EAX + r) << 1] = img[IMG_GPR + r];
    else cpu.r16[(EAX + r) << 2] = img[IMG_GPR + r];
  }
  cpu.eip = newIs32 ? img[IMG_EIP] >>> 0 : img[IMG_EIP] & 0xffff;
  cpu.insnStart = cpu.eip;
  cpu.blockStop = 1;
  loadTaskSegments(cpu, img, ext);
  const eipLimit = cpu.segLimit[SEG_CS];
  if (cpu.eip > eipLimit) raiseFault(cpu, VEC_GP, true, ext);
}

/** DS, ES, FS, GS: the order the data segments of a new task are checked in. */
const DATA_SEGMENT_ORDER: readonly number[] = [SEG_DS, SEG_ES, SEG_FS, SEG_GS];

/**
 * Step 13: LDTR, then CS, SS, DS, ES, FS, GS of the new task, each with the
 * checks of SDM vol. 3, table 7-1. The selectors are all in place (with
 * unusable descriptors) before the first check, as on real hardware.
 */
function loadTaskSegments(cpu: Cpu, img: Int32Array, ext: number): void {
  const ldt = img[IMG_LDT] & 0xffff;
  loadNull(cpu, SEG_LDTR, ldt);
  if (cpu.vm86) {
    for (let s = 0; s < 6; s++) cpu.loadSegment(s, img[IMG_SEG + s]);
  } else {
    for (let s = 0; s < 6; s++) loadNull(cpu, s, img[IMG_SEG + s]);
  }
  const d = cpu.sys.data;
  if ((ldt & 0xfffc) !== 0) {
    const err = selectorError(ldt, ext);
    if (!fetchGdtDescriptor(cpu, ldt, d) || d.isSegment || d.type !== TYPE_LDT) {
      raiseFault(cpu, VEC_TS, true, err);
    }
    if (!d.present) raiseFault(cpu, VEC_TS, true, err);
    loadFromDescriptor(cpu, SEG_LDTR, ldt, d);
  }
  if (cpu.vm86) return;

  const cs = img[IMG_SEG + SEG_CS] & 0xffff;
  const csErr = selectorError(cs, ext);
  if ((cs & 0xfffc) === 0 || !fetchDescriptor(cpu, cs, d) || !d.isCode) {
    raiseFault(cpu, VEC_TS, true, csErr);
  }
  const rpl = cs & 3;
  if (d.isConforming ? d.dpl > rpl : d.dpl !== rpl) raiseFault(cpu, VEC_TS, true, csErr);
  if (!d.present) raiseFault(cpu, VEC_NP, true, csErr);
  markAccessed(cpu, d);
  loadFromDescriptor(cpu, SEG_CS, cs, d); // CPL ← CS.RPL

  const ss = img[IMG_SEG + SEG_SS] & 0xffff;
  checkStackSegment(cpu, ss, cpu.cpl, d, VEC_TS, ext);
  markAccessed(cpu, d);
  loadFromDescriptor(cpu, SEG_SS, ss, d);

  for (const s of DATA_SEGMENT_ORDER) {
    const sel = img[IMG_SEG + s] & 0xffff;
    if (!checkDataSegment(cpu, sel, cpu.cpl, d, VEC_TS, ext)) continue;
    markAccessed(cpu, d);
    loadFromDescriptor(cpu, s, sel, d);
  }
}

/** Whether a TSS descriptor is a TSS (16 or 32-bit) and busy / available. */
export function isTss(d: Descriptor): boolean {
  const t = d.type;
  return !d.isSegment && (t === 1 || t === 3 || t === 9 || t === 11);
}

export function isBusyTss(d: Descriptor): boolean {
  return isTss(d) && (d.type & TSS_BUSY_BIT) !== 0;
}
