/**
 * Reads and writes of the APIC registers by index (constants.ts `Reg`),
 * shared by the xAPIC MMIO page (mmio.ts) and the x2APIC MSRs (msr.ts),
 * which add their own access rules on top (SDM vol. 3, 11.4.1 table 11-1,
 * 11.12.1.2 table 11-6).
 *
 * Here, as in xAPIC mode: writes to read-only registers are ignored, EOI
 * ignores its value, ESR writes latch the errors seen so far (write before
 * read, SDM 11.5.3). Reserved registers give `undefined`/false so each
 * interface can answer in its own way (xAPIC: "illegal register address"
 * error; x2APIC: #GP).
 */
import {
  APIC_VERSION,
  DIVIDE_WRITABLE,
  ICR_LOW_WRITABLE,
  Lvt,
  LVT_COUNT,
  LVT_MASKED,
  LVT_REMOTE_IRR,
  LVT_WRITABLE,
  Reg,
  SVR_ENABLE,
  SVR_WRITABLE,
  TIMER_MODE_SHIFT,
  TIMER_MODE_TSC_DEADLINE,
} from "./constants.js";
import type { Lapic } from "./lapic.js";
import { decodeIcr } from "./message.js";
import { arbitrationPriority, processorPriority } from "./priority.js";

/** The value of register `index`, or undefined for a reserved register. */
export function readRegister(lapic: Lapic, index: number): number | undefined {
  const s = lapic.state;
  if (index >= Reg.ISR0 && index < Reg.ISR0 + 8) return s.isr[index - Reg.ISR0];
  if (index >= Reg.TMR0 && index < Reg.TMR0 + 8) return s.tmr[index - Reg.TMR0];
  if (index >= Reg.IRR0 && index < Reg.IRR0 + 8) return s.irr[index - Reg.IRR0];
  if (index >= Reg.LVT_TIMER && index < Reg.LVT_TIMER + LVT_COUNT) {
    return s.lvt[index - Reg.LVT_TIMER];
  }
  switch (index) {
    case Reg.ID:
      return lapic.x2apicMode ? lapic.apicId : s.id;
    case Reg.VERSION:
      return APIC_VERSION;
    case Reg.TPR:
      return s.tpr;
    case Reg.APR:
      return arbitrationPriority(s);
    case Reg.PPR:
      return processorPriority(s);
    case Reg.EOI:
    case Reg.RRD:
      return 0;
    case Reg.LDR:
      return lapic.logicalId;
    case Reg.DFR:
      return s.dfr;
    case Reg.SVR:
      return s.svr;
    case Reg.ESR:
      return s.esr;
    case Reg.ICR_LOW:
      return s.icrLow;
    case Reg.ICR_HIGH:
      return s.icrHigh;
    case Reg.TIMER_INITIAL:
      return s.timerInitial;
    case Reg.TIMER_CURRENT:
      return lapic.timer.currentCount();
    case Reg.TIMER_DIVIDE:
      return s.timerDivide;
  }
  return undefined;
}

/** Writes register `index` with xAPIC semantics. Returns false for a reserved register. */
export function writeRegister(lapic: Lapic, index: number, value: number): boolean {
  const s = lapic.state;
  value >>>= 0;
  if (index >= Reg.LVT_TIMER && index < Reg.LVT_TIMER + LVT_COUNT) {
    writeLvt(lapic, index - Reg.LVT_TIMER, value);
    return true;
  }
  switch (index) {
    case Reg.ID:
      if (!lapic.x2apicMode) s.id = value & 0xff000000;
      return true;
    case Reg.TPR:
      s.tpr = value & 0xff;
      return true;
    case Reg.EOI:
      lapic.eoi();
      return true;
    case Reg.LDR:
      if (!lapic.x2apicMode) s.ldr = value & 0xff000000;
      return true;
    case Reg.DFR:
      s.dfr = (value | 0x0fffffff) >>> 0; // bits 0-27 always read as ones
      return true;
    case Reg.SVR:
      writeSvr(lapic, value);
      return true;
    case Reg.ESR:
      s.esr = s.pendingErrors;
      s.pendingErrors = 0;
      return true;
    case Reg.ICR_LOW:
      s.icrLow = value & ICR_LOW_WRITABLE;
      sendIcr(lapic);
      return true;
    case Reg.ICR_HIGH:
      s.icrHigh = lapic.x2apicMode ? value : value & 0xff000000;
      return true;
    case Reg.TIMER_INITIAL:
      lapic.timer.writeInitialCount(value);
      return true;
    case Reg.TIMER_DIVIDE:
      lapic.timer.writeDivide(value & DIVIDE_WRITABLE);
      return true;
    case Reg.VERSION:
    case Reg.APR:
    case Reg.PPR:
    case Reg.RRD:
    case Reg.TIMER_CURRENT:
      return true; // read-only: the write is dropped
  }
  if (index >= Reg.ISR0 && index < Reg.IRR0 + 8) return true; // ISR, TMR, IRR: read-only
  return false;
}

/** Sends the IPI described by the ICR (an ICR-low write, or x2APIC's one 64-bit write). */
export function sendIcr(lapic: Lapic): void {
  const s = lapic.state;
  const message = lapic.scratchMessage;
  decodeIcr(s.icrLow, s.icrHigh, lapic.x2apicMode, message);
  lapic.sendIpi(message);
}

/**
 * SVR write. Clearing the software enable masks every LVT entry
 * (SDM 11.4.7.2); setting it leaves them masked until written.
 */
function writeSvr(lapic: Lapic, value: number): void {
  const s = lapic.state;
  const wasEnabled = (s.svr & SVR_ENABLE) !== 0;
  s.svr = value & SVR_WRITABLE;
  if (wasEnabled && (s.svr & SVR_ENABLE) === 0) {
    for (let i = 0; i < LVT_COUNT; i++) s.lvt[i] |= LVT_MASKED;
  }
}

/** The guest-writable bits of LVT entry `lvt` on this APIC. */
export function lvtWritableBits(lapic: Lapic, lvt: number): number {
  const bits = LVT_WRITABLE[lvt];
  if (lvt !== Lvt.TIMER || lapic.timer.tscDeadlineSupported) return bits;
  return bits & ~(TIMER_MODE_TSC_DEADLINE << TIMER_MODE_SHIFT);
}

/**
 * LVT write: read-only bits (delivery status, remote IRR) are kept; while
 * the APIC is software-disabled the mask bit cannot be cleared. The timer
 * mode 11b is reserved and keeps the old mode.
 */
function writeLvt(lapic: Lapic, lvt: number, value: number): void {
  const s = lapic.state;
  const old = s.lvt[lvt];
  let next = (value & lvtWritableBits(lapic, lvt)) | (old & LVT_REMOTE_IRR);
  if (!lapic.softwareEnabled) next |= LVT_MASKED;
  if (lvt === Lvt.TIMER && (next >>> TIMER_MODE_SHIFT) % 4 === 3) {
    next = (next & ~(3 << TIMER_MODE_SHIFT)) | (old & (3 << TIMER_MODE_SHIFT));
  }
  s.lvt[lvt] = next >>> 0;
  if (lvt === Lvt.TIMER) lapic.timer.lvtChanged(old);
  if (lvt === Lvt.LINT0 || lvt === Lvt.LINT1) lapic.lintEntryChanged(lvt - Lvt.LINT0);
}
