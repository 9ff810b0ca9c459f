/**
 * Saving and restoring a local APIC: the "lapic" migration section
 * (state.ts), and the register page the register API will expose (the
 * equivalent of KVM's KVM_GET_LAPIC/KVM_SET_LAPIC, so APIC state can move
 * between backends).
 *
 * Loading checks everything before changing anything: the section must be
 * this vCPU's (instance number, BSP flag) and self-consistent (a valid
 * IA32_APIC_BASE, x2APIC only with global enable and support, a running
 * count only with a non-zero initial count, a finite timer start, a TSC
 * deadline only with a TSC). The timer is then re-armed from the state; the
 * machine's clock must already hold the saved virtual time.
 */
import { HvError } from "../../errors.js";
import { StateError } from "../../../migration/state/index.js";
import {
  APIC_BASE_BSP,
  APIC_BASE_ENABLE,
  APIC_BASE_EXTD,
  DIVIDE_WRITABLE,
  ICR_LOW_WRITABLE,
  LVT_COUNT,
  LVT_REMOTE_IRR,
  REGISTER_COUNT,
  Reg,
  SVR_WRITABLE,
  TIMER_MODE_TSC_DEADLINE,
} from "./constants.js";
import type { Lapic } from "./lapic.js";
import { lvtWritableBits, readRegister } from "./registers.js";
import { LAPIC_STATE, type LapicState } from "./state.js";
import { timerDivisor, timerMode } from "./timer.js";

export function saveLapic(lapic: Lapic): Uint8Array {
  return LAPIC_STATE.save(lapic.state, { instance: lapic.index });
}

export function loadLapic(lapic: Lapic, section: Uint8Array): void {
  const decoded = LAPIC_STATE.decode(section);
  if (decoded.instance !== lapic.index) {
    refuse(lapic, `the section is for vCPU ${decoded.instance}`);
  }
  checkLoadable(lapic, decoded.state);
  lapic.timer.stop();
  LAPIC_STATE.load(section, lapic.state);
  lapic.timer.restore();
}

function refuse(lapic: Lapic, why: string): never {
  throw new StateError("bad-value", LAPIC_STATE.name, "", `vCPU ${lapic.index}: ${why}`);
}

function checkLoadable(lapic: Lapic, s: LapicState): void {
  if (((s.apicBase & APIC_BASE_BSP) !== 0n) !== lapic.bsp) refuse(lapic, "the BSP flag differs");
  const allowed = lapic.baseMask | APIC_BASE_BSP | APIC_BASE_ENABLE | APIC_BASE_EXTD;
  if ((s.apicBase & ~allowed) !== 0n) {
    refuse(lapic, `IA32_APIC_BASE 0x${s.apicBase.toString(16)} is invalid`);
  }
  if ((s.apicBase & APIC_BASE_EXTD) !== 0n) {
    if (!lapic.x2apicSupported) refuse(lapic, "x2APIC mode is not supported by this vCPU");
    if ((s.apicBase & APIC_BASE_ENABLE) === 0n) refuse(lapic, "x2APIC mode without global enable");
  }
  if (!Number.isFinite(s.timerStart)) refuse(lapic, "the timer start time is not finite");
  if (s.timerPending && s.timerInitial === 0) refuse(lapic, "a running timer with count 0");
  const deadlineMode = timerMode(s.lvt[0]) === TIMER_MODE_TSC_DEADLINE;
  if ((deadlineMode || s.tscDeadline !== 0n) && !lapic.timer.tscDeadlineSupported) {
    refuse(lapic, "TSC-deadline mode needs a TSC");
  }
}

/**
 * Every register by index (0x00-0x3F), as read with xAPIC semantics but
 * without side effects; the current count is computed from the clock and
 * reserved registers read 0.
 */
export function getRegisterPage(lapic: Lapic): Uint32Array {
  const page = new Uint32Array(REGISTER_COUNT);
  for (let i = 0; i < REGISTER_COUNT; i++) page[i] = readRegister(lapic, i) ?? 0;
  return page;
}

/**
 * Sets every writable register from `page` as the host does: no EOI, no
 * IPI, no ESR latching; IRR, ISR and TMR are written; PPR and APR follow
 * from them. The current count is restored by moving the timer's start, so
 * it keeps counting from the given value. Refuses a page of the wrong size.
 */
export function setRegisterPage(lapic: Lapic, page: Uint32Array): void {
  if (!(page instanceof Uint32Array) || page.length !== REGISTER_COUNT) {
    throw new HvError("invalid-argument", `a LAPIC register page has ${REGISTER_COUNT} dwords`);
  }
  const s = lapic.state;
  lapic.timer.stop();
  if (!lapic.x2apicMode) {
    s.id = page[Reg.ID] & 0xff000000;
    s.ldr = page[Reg.LDR] & 0xff000000;
  }
  s.tpr = page[Reg.TPR] & 0xff;
  s.dfr = (page[Reg.DFR] | 0x0fffffff) >>> 0;
  s.svr = page[Reg.SVR] & SVR_WRITABLE;
  s.esr = page[Reg.ESR];
  s.icrLow = page[Reg.ICR_LOW] & ICR_LOW_WRITABLE;
  s.icrHigh = lapic.x2apicMode ? page[Reg.ICR_HIGH] : page[Reg.ICR_HIGH] & 0xff000000;
  for (let i = 0; i < 8; i++) {
    s.isr[i] = page[Reg.ISR0 + i];
    s.tmr[i] = page[Reg.TMR0 + i];
    s.irr[i] = page[Reg.IRR0 + i];
  }
  for (let i = 0; i < LVT_COUNT; i++) {
    s.lvt[i] = page[Reg.LVT_TIMER + i] & (lvtWritableBits(lapic, i) | LVT_REMOTE_IRR);
  }
  s.timerDivide = page[Reg.TIMER_DIVIDE] & DIVIDE_WRITABLE;
  s.timerInitial = page[Reg.TIMER_INITIAL];
  const current = Math.min(page[Reg.TIMER_CURRENT], s.timerInitial);
  const deadlineMode = timerMode(s.lvt[0]) === TIMER_MODE_TSC_DEADLINE;
  s.timerPending = !deadlineMode && current > 0;
  if (s.timerPending) {
    s.timerStart = lapic.timer.now() - (s.timerInitial - current) * timerDivisor(s.timerDivide);
  }
  lapic.timer.restore();
}
