/**
 * How a local APIC is configured (`ApicBus.attach`) and what it needs from
 * the bus it sits on. Options are checked once, here.
 */
import type { ExtIntSource } from "../../api.js";
import { HvError } from "../../errors.js";
import type { ApicCpuLink } from "./cpu-link.js";
import type { Lapic } from "./lapic.js";
import type { ApicMessage } from "./message.js";
import type { TscSource } from "./timer.js";

/** What a local APIC needs from the bus it sits on (ApicBus implements it). */
export interface LapicHost {
  /** Routes an IPI this APIC sends (ICR or self-IPI write). */
  sendIpi(from: Lapic, message: ApicMessage): void;
  /** A level-triggered vector was EOIed: tell the IOAPICs (remote IRR). */
  eoiBroadcast(vector: number): void;
  /** The PIC, for ExtINT. */
  readonly extIntSource: ExtIntSource | undefined;
}

/** What `ApicBus.attach` takes for one vCPU. */
export interface LapicOptions {
  /** Initial APIC ID (and x2APIC ID); default the vCPU index. 0-254. */
  readonly apicId?: number;
  /** Bootstrap processor (IA32_APIC_BASE[8]); default: vCPU index 0. */
  readonly bsp?: boolean;
  readonly link: ApicCpuLink;
  /** The CPU's TSC; without it TSC-deadline mode is absent (MSR 6E0h faults). */
  readonly tsc?: TscSource;
  /** Whether x2APIC mode can be enabled; default true. */
  readonly x2apic?: boolean;
  /** MAXPHYADDR, bounding the APIC base; default 36. */
  readonly physicalAddressBits?: number;
  /**
   * After RESET, program LINT0 as unmasked ExtINT (virtual-wire mode) instead
   * of masked. Firmware normally does this; tsvm often boots kernels without
   * firmware, so the default is true for the BSP (KVM does the same).
   */
  readonly lint0ExtIntAtReset?: boolean;
}

/** The options with defaults applied. */
export interface LapicConfig {
  readonly apicId: number;
  readonly bsp: boolean;
  readonly x2apic: boolean;
  /** Bits of a valid APIC base address (12 .. MAXPHYADDR-1). */
  readonly baseMask: bigint;
  readonly lint0ExtIntAtReset: boolean;
}

/** Checks `options` for vCPU `index` and applies the defaults. */
export function resolveLapicOptions(index: number, options: LapicOptions): LapicConfig {
  if (typeof options !== "object" || options === null) {
    throw new HvError("invalid-argument", "local APIC options must be an object");
  }
  const apicId = options.apicId ?? index;
  if (!Number.isInteger(apicId) || apicId < 0 || apicId > 0xfe) {
    throw new HvError("invalid-argument", `APIC ID ${apicId} is not in 0-254 (0xFF is broadcast)`);
  }
  const bits = options.physicalAddressBits ?? 36;
  if (!Number.isInteger(bits) || bits < 32 || bits > 52) {
    throw new HvError("invalid-argument", `physicalAddressBits ${bits} is not in 32-52`);
  }
  const link = options.link as Partial<ApicCpuLink> | null | undefined;
  const methods = ["nmi", "smi", "init", "sipi", "wake"] as const;
  if (
    typeof link !== "object" ||
    link === null ||
    methods.some((m) => typeof link[m] !== "function")
  ) {
    throw new HvError(
      "invalid-argument",
      `a local APIC needs a CPU link with ${methods.join(", ")}`,
    );
  }
  const tsc = options.tsc;
  if (tsc !== undefined && (typeof tsc.read !== "function" || !(tsc.frequencyHz > 0))) {
    throw new HvError("invalid-argument", "tsc must have read() and a positive frequencyHz");
  }
  const bsp = options.bsp ?? index === 0;
  return {
    apicId,
    bsp,
    x2apic: options.x2apic ?? true,
    baseMask: ((1n << BigInt(bits)) - 1n) & ~0xfffn,
    lint0ExtIntAtReset: options.lint0ExtIntAtReset ?? bsp,
  };
}
