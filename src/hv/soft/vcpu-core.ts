/**
 * Builds a soft vCPU's core the standard way: the x86 CPU wired to the Vm's
 * memory map and AccessHandler, its local APIC attached (DESIGN.md: the
 * local APIC belongs to the hypervisor layer and is always present), and
 * its TSC driven by the machine's clock so RDTSC, the APIC timer and
 * TSC-deadline agree with every other timer.
 */
import type { AccessHandler } from "../api.js";
import { accessHandlerIo, SoftCpuCore } from "./cpu/core.js";
import { configureSystem } from "./cpu/system/sys-state.js";
import { registerStoreLink, withApicPage, type ApicBus, type ApicClock } from "./lapic/index.js";
import type { PhysicalMemory } from "./memory/physical-memory.js";

/** TSC rate the soft CPU advertises (ticks per second of virtual time). */
export const SOFT_TSC_HZ = 1_000_000_000;

export interface StandardCoreParts {
  readonly physical: PhysicalMemory;
  readonly accessHandler: AccessHandler | undefined;
  readonly apicBus: ApicBus | undefined;
  readonly clock: ApicClock | undefined;
  /** Called when an interrupt may have made a halted vCPU runnable. */
  readonly wake: () => void;
}

export function createStandardCore(index: number, parts: StandardCoreParts): SoftCpuCore {
  const core = new SoftCpuCore({
    physical: parts.physical,
    io: parts.accessHandler === undefined ? null : accessHandlerIo(parts.accessHandler, index),
    vcpuIndex: index,
  });
  const cpu = core.cpu;
  const clock = parts.clock;
  configureSystem(cpu, {
    cpuid: { apic: parts.apicBus !== undefined },
    tsc:
      clock === undefined
        ? undefined
        : { mode: "host", frequencyHz: SOFT_TSC_HZ, clock: () => BigInt(Math.floor(clock.now())) },
  });
  if (parts.apicBus !== undefined) {
    const lapic = parts.apicBus.attach(index, {
      link: registerStoreLink(core.registers, parts.wake),
      tsc: { read: () => cpu.sys.tsc.read(cpu.icount), frequencyHz: cpu.sys.tsc.frequencyHz },
    });
    cpu.interruptController = lapic;
    cpu.sys.apic = lapic;
    if (cpu.io !== null) cpu.io = withApicPage(cpu.io, lapic);
  }
  return core;
}
