/**
 * The soft backend's Hypervisor: the x86 CPU, local APIC and MMU run in
 * TypeScript (DESIGN.md, "The layers"). It reports its limits in
 * `capabilities` (seed 002: limits are reported, never hard-coded by callers)
 * and creates SoftVms.
 */
import type { Hypervisor } from "../api.js";
import type { Capabilities, CapabilityArgs, OptionalCapability } from "../capabilities.js";
import { HvError } from "../errors.js";
import { AddressSpace } from "../memory.js";
import type { CpuCore } from "./cpu-core.js";
import { MAX_BACKING_SIZE } from "./memory/backing.js";
import { SoftVm, type SoftVmOptions } from "./vm.js";

/**
 * xAPIC IDs are 8 bits and 0xFF is the broadcast ID (Intel SDM vol. 3,
 * 11.4.6 / 11.6.2.1), so 255 vCPUs until x2APIC exists.
 */
export const SOFT_MAX_VCPUS = 255;
/** Slots per address space: generous for a PC (RAM, ROMs, BARs, VGA windows). */
export const SOFT_MAX_MEMORY_SLOTS = 512;

const OPTIONAL_CAPABILITIES: readonly OptionalCapability[] = Object.freeze([
  "hide-lapic",
  "instruction-counted-tsc",
  "interrupt-window-exit",
]);

/** The soft backend's capabilities on this host (frozen). */
export const SOFT_CAPABILITIES: Capabilities = Object.freeze({
  backend: "soft",
  maxVcpus: SOFT_MAX_VCPUS,
  maxMemorySlots: SOFT_MAX_MEMORY_SLOTS,
  addressSpaces: Object.keys(AddressSpace).length,
  maxBackingSize: MAX_BACKING_SIZE,
  dirtyLog: true,
  notifiers: true,
  optional: OPTIONAL_CAPABILITIES,
});

export interface SoftHypervisorOptions {
  /**
   * Default CPU factory for the Vms this hypervisor creates (a Vm's own
   * `createCore` option wins). Without one, `createVcpu` is "unsupported".
   */
  readonly createCore?: (vm: SoftVm, index: number) => CpuCore;
}

export class SoftHypervisor implements Hypervisor {
  readonly capabilities: Capabilities = SOFT_CAPABILITIES;
  readonly #createCore: ((vm: SoftVm, index: number) => CpuCore) | undefined;

  constructor(options: SoftHypervisorOptions = {}) {
    if (options.createCore !== undefined && typeof options.createCore !== "function") {
      throw new HvError("invalid-argument", "SoftHypervisor: createCore must be a function");
    }
    this.#createCore = options.createCore;
  }

  createVm(options: SoftVmOptions = {}): SoftVm {
    const createCore = options.createCore ?? this.#createCore;
    return new SoftVm({ ...options, ...(createCore ? { createCore } : {}) });
  }
}

/**
 * Validates the arguments of `Vm.enableCapability` (invalid-argument on a bad
 * name or argument), so the Vm can record them as given.
 */
export function checkCapabilityArgs<K extends OptionalCapability>(
  cap: K,
  args: CapabilityArgs[K],
): void {
  const fail = (problem: string): HvError =>
    new HvError("invalid-argument", `enableCapability("${String(cap)}"): ${problem}`);
  if (!OPTIONAL_CAPABILITIES.includes(cap)) {
    throw new HvError(
      "invalid-argument",
      `enableCapability: unknown capability "${String(cap)}"; ` +
        `this backend offers ${OPTIONAL_CAPABILITIES.join(", ")}`,
    );
  }
  if (typeof args !== "object" || args === null) throw fail("arguments must be an object");
  const fields = args as Record<string, unknown>;
  const isVcpu = (value: unknown): boolean =>
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) < SOFT_MAX_VCPUS;
  switch (cap) {
    case "hide-lapic":
      if (fields.vcpu !== undefined && !isVcpu(fields.vcpu)) {
        throw fail(`vcpu must be an index below ${SOFT_MAX_VCPUS} or omitted (all vCPUs)`);
      }
      return;
    case "instruction-counted-tsc": {
      const perTick = fields.instructionsPerTick;
      if (typeof perTick !== "number" || !Number.isFinite(perTick) || perTick <= 0) {
        throw fail("instructionsPerTick must be a positive finite number");
      }
      return;
    }
    case "interrupt-window-exit":
      if (!isVcpu(fields.vcpu)) throw fail(`vcpu must be an index below ${SOFT_MAX_VCPUS}`);
      if (typeof fields.enable !== "boolean") throw fail("enable must be a boolean");
      return;
  }
}
