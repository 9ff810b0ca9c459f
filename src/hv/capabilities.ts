/**
 * Capabilities: one query and one enable call with arguments, instead of a new
 * entry point per feature (seed 002). Limits are reported, never hard-coded
 * by callers.
 */
export interface Capabilities {
  readonly backend: "soft" | "kvm";
  readonly maxVcpus: number;
  readonly maxMemorySlots: number;
  readonly addressSpaces: number;
  /** Largest guest RAM one backing may have, in bytes. */
  readonly maxBackingSize: number;
  readonly dirtyLog: boolean;
  readonly notifiers: boolean;
  /** Features that can be switched on with `Vm.enableCapability`. */
  readonly optional: readonly OptionalCapability[];
}

export type OptionalCapability =
  /** Hide the local APIC from the guest (CPUID bit cleared, MMIO unmapped). */
  | "hide-lapic"
  /** Count TSC in retired instructions instead of host time (deterministic runs). */
  | "instruction-counted-tsc"
  /** Exit with `interrupt-window` when the guest can take an interrupt. */
  | "interrupt-window-exit";

export interface CapabilityArgs {
  "hide-lapic": { readonly vcpu?: number };
  "instruction-counted-tsc": { readonly instructionsPerTick: number };
  "interrupt-window-exit": { readonly vcpu: number; readonly enable: boolean };
}
