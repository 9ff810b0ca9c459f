/**
 * The APIC's MSRs, for the CPU's RDMSR/WRMSR (and the register API):
 * IA32_APIC_BASE (1Bh), IA32_TSC_DEADLINE (6E0h) and the x2APIC registers
 * (800h-8FFh, SDM vol. 3, 11.12.1). `undefined` from a read and false from a
 * write mean #GP(0).
 *
 * x2APIC rules (SDM 11.12.1.2-3): the range faults unless x2APIC mode is on;
 * reading a write-only register (EOI, SELF IPI) or writing a read-only one
 * faults; registers that do not exist in x2APIC mode (APR, RRD, DFR, ICR
 * high, and CMCI here) fault; ICR is one 64-bit register (destination in
 * bits 32-63); every other register faults when bits 32-63 or reserved bits
 * of bits 0-31 are set; EOI and ESR writes must be 0.
 *
 * IA32_APIC_BASE transitions (SDM 11.12.5, figure 11-27): disabled ↔ xAPIC,
 * xAPIC → x2APIC, x2APIC → disabled; x2APIC → xAPIC, disabled → x2APIC and
 * "x2APIC without enable" fault. The BSP bit is fixed by the platform.
 */
import {
  APIC_BASE_BSP,
  APIC_BASE_ENABLE,
  APIC_BASE_EXTD,
  DIVIDE_WRITABLE,
  ICR_LOW_WRITABLE,
  LVT_COUNT,
  LVT_REMOTE_IRR,
  DELIVERY_STATUS,
  MSR_APIC_BASE,
  MSR_TSC_DEADLINE,
  MSR_X2APIC_FIRST,
  MSR_X2APIC_LAST,
  Reg,
  SVR_WRITABLE,
  VECTOR_MASK,
} from "./constants.js";
import type { Lapic } from "./lapic.js";
import { lvtWritableBits, readRegister, sendIcr, writeRegister } from "./registers.js";

/** Whether `index` is one of the APIC's MSRs (the CPU's MSR code delegates these). */
export function isApicMsr(index: number): boolean {
  return (
    index === MSR_APIC_BASE ||
    index === MSR_TSC_DEADLINE ||
    (index >= MSR_X2APIC_FIRST && index <= MSR_X2APIC_LAST)
  );
}

/** Registers that do not exist in x2APIC mode. */
const NOT_IN_X2APIC = new Set<number>([Reg.APR, Reg.RRD, Reg.DFR, Reg.ICR_HIGH, Reg.LVT_CMCI]);
const WRITE_ONLY = new Set<number>([Reg.EOI, Reg.SELF_IPI]);
const READ_ONLY = new Set<number>([Reg.ID, Reg.VERSION, Reg.PPR, Reg.LDR, Reg.TIMER_CURRENT]);

/** RDMSR: the value, or undefined for #GP. */
export function readApicMsr(lapic: Lapic, index: number): bigint | undefined {
  if (lapic.hidden) return undefined;
  if (index === MSR_APIC_BASE) return lapic.state.apicBase;
  if (index === MSR_TSC_DEADLINE) {
    return lapic.timer.tscDeadlineSupported ? lapic.timer.readDeadline() : undefined;
  }
  if (index < MSR_X2APIC_FIRST || index > MSR_X2APIC_LAST || !lapic.x2apicMode) return undefined;
  const reg = index - MSR_X2APIC_FIRST;
  if (NOT_IN_X2APIC.has(reg) || WRITE_ONLY.has(reg)) return undefined;
  if (reg === Reg.ICR_LOW) {
    return (BigInt(lapic.state.icrHigh >>> 0) << 32n) | BigInt(lapic.state.icrLow >>> 0);
  }
  const value = readRegister(lapic, reg);
  return value === undefined ? undefined : BigInt(value >>> 0);
}

/**
 * WRMSR: false for #GP (nothing changed). `guest` false: the host restores
 * state (register API): IA32_APIC_BASE then takes any valid value directly,
 * without the mode-transition rules and without resetting the APIC.
 */
export function writeApicMsr(lapic: Lapic, index: number, value: bigint, guest = true): boolean {
  if (lapic.hidden) return false;
  value = BigInt.asUintN(64, value);
  if (index === MSR_APIC_BASE) return writeApicBase(lapic, value, guest);
  if (index === MSR_TSC_DEADLINE) {
    if (!lapic.timer.tscDeadlineSupported) return false;
    lapic.timer.writeDeadline(value);
    return true;
  }
  if (index < MSR_X2APIC_FIRST || index > MSR_X2APIC_LAST || !lapic.x2apicMode) return false;
  const reg = index - MSR_X2APIC_FIRST;
  if (reg === Reg.ICR_LOW) {
    const low = Number(value & 0xffffffffn);
    if ((low & ~ICR_LOW_WRITABLE) !== 0) return false;
    lapic.state.icrLow = low;
    lapic.state.icrHigh = Number(value >> 32n);
    sendIcr(lapic);
    return true;
  }
  if (value > 0xffffffffn || NOT_IN_X2APIC.has(reg) || READ_ONLY.has(reg)) return false;
  const v = Number(value);
  const reserved = x2apicReservedBits(lapic, reg);
  if (reserved === undefined || (v & reserved) !== 0) return false;
  if (reg === Reg.SELF_IPI) {
    // SELF IPI: a fixed, edge-triggered IPI to this APIC (SDM 11.12.11).
    const message = lapic.scratchMessage;
    message.vector = v;
    message.deliveryMode = 0;
    message.levelTriggered = false;
    message.assert = true;
    message.logical = false;
    message.destination = 0;
    message.shorthand = 1;
    message.redirectionHint = false;
    message.wideDestination = true;
    lapic.sendIpi(message);
    return true;
  }
  return writeRegister(lapic, reg, v);
}

/** Bits that must be 0 in an x2APIC write of `reg`; undefined when `reg` is not writable. */
function x2apicReservedBits(lapic: Lapic, reg: number): number | undefined {
  if (reg >= Reg.LVT_TIMER && reg < Reg.LVT_TIMER + LVT_COUNT) {
    // Read-only status bits may be written back as read.
    const ok = lvtWritableBits(lapic, reg - Reg.LVT_TIMER) | LVT_REMOTE_IRR | DELIVERY_STATUS;
    return ~ok >>> 0;
  }
  switch (reg) {
    case Reg.TPR:
    case Reg.SELF_IPI:
      return ~VECTOR_MASK >>> 0;
    case Reg.EOI:
    case Reg.ESR:
      return 0xffffffff;
    case Reg.SVR:
      return ~SVR_WRITABLE >>> 0;
    case Reg.TIMER_INITIAL:
      return 0;
    case Reg.TIMER_DIVIDE:
      return ~DIVIDE_WRITABLE >>> 0;
  }
  return undefined;
}

/** WRMSR IA32_APIC_BASE (see the file comment for the mode transitions). */
function writeApicBase(lapic: Lapic, value: bigint, guest: boolean): boolean {
  const allowed = lapic.baseMask | APIC_BASE_BSP | APIC_BASE_ENABLE | APIC_BASE_EXTD;
  if ((value & ~allowed) !== 0n) return false;
  const enable = (value & APIC_BASE_ENABLE) !== 0n;
  const extd = (value & APIC_BASE_EXTD) !== 0n;
  if (extd && (!enable || !lapic.x2apicSupported)) return false;
  const next = (value & ~APIC_BASE_BSP) | (lapic.state.apicBase & APIC_BASE_BSP);
  if (!guest) {
    lapic.state.apicBase = next;
    return true;
  }
  const wasEnabled = lapic.hardwareEnabled;
  const wasX2apic = lapic.x2apicMode;
  if (wasX2apic && enable && !extd) return false; // x2APIC → xAPIC must pass through disabled
  if (!wasEnabled && extd) return false; // disabled → x2APIC must pass through xAPIC
  if (wasEnabled && !enable) {
    lapic.resetForDisable(next);
    return true;
  }
  lapic.state.apicBase = next;
  return true;
}
