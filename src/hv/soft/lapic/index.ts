/**
 * The soft backend's local APICs and the APIC bus between them (DESIGN.md,
 * "Interrupts"). Start at apic-bus.ts; lapic.ts is one vCPU's APIC.
 */
export { ApicBus, type ApicBusOptions } from "./apic-bus.js";
export { Lapic } from "./lapic.js";
export type { LapicHost, LapicOptions } from "./options.js";
export { x2apicLogicalId } from "./destination.js";
export {
  initStateEntries,
  registerStoreLink,
  sipiStateEntries,
  type ApicCpuLink,
} from "./cpu-link.js";
export { APIC_PAGE_SIZE, readApicPage, withApicPage, writeApicPage } from "./mmio.js";
export { isApicMsr, readApicMsr, writeApicMsr } from "./msr.js";
export { LAPIC_STATE, type LapicState } from "./state.js";
export type { ApicClock, ApicClockTimer, TscSource } from "./timer.js";
export { APIC_BUS_HZ, APIC_VERSION, Reg, REGISTER_COUNT } from "./constants.js";
