/**
 * Per-CPU state of the system part that does not live in CpuState: model
 * specific registers, the TSC and the CPUID model. Attached to every Cpu as
 * `cpu.sys` by a CPU initializer (hooks.ts), so the core files stay unaware
 * of it.
 */
import type { CpuidConfig } from "./cpuid.js";
import { CpuidModel } from "./cpuid.js";
import { Descriptor } from "./descriptor.js";
import { StackFrame } from "./stack-frame.js";
import { Tsc, type TscOptions } from "./tsc.js";
import { registerCpuInitializer } from "../hooks.js";

/** The MSR interface of a local APIC (src/hv/soft/lapic/lapic.ts implements it). */
export interface ApicMsrTarget {
  /** Undefined: not an MSR this APIC serves in its current mode (#GP). */
  readMsr(index: number): bigint | undefined;
  /** False: refused (#GP). `guest` false is the host restoring state. */
  writeMsr(index: number, value: bigint, guest: boolean): boolean;
}

/** Number of variable-range MTRR pairs (IA32_MTRRCAP.VCNT). */
export const MTRR_VARIABLE_COUNT = 8;
/** Number of fixed-range MTRRs (one 64K, two 16K, eight 4K). */
export const MTRR_FIXED_COUNT = 11;
/** Power-on PAT: WB, WT, UC-, UC repeated (SDM vol. 3, table 13-12). */
export const PAT_DEFAULT = 0x0007040600070406n;
/** IA32_APIC_BASE at reset: 0xFEE00000, enabled (the BSP bit is added on reads by vCPU 0). */
export const APIC_BASE_DEFAULT = 0xfee00800n;
export const APIC_BASE_BSP = 0x100n;
export const APIC_BASE_ENABLE = 0x800n;
/** IA32_MISC_ENABLE bits. */
export const MISC_FAST_STRINGS = 1n;
export const MISC_BTS_UNAVAILABLE = 1n << 11n;
export const MISC_PEBS_UNAVAILABLE = 1n << 12n;
export const MISC_LIMIT_CPUID = 1n << 22n;
export const MISC_XD_DISABLE = 1n << 34n;

/** How a CPU's system part is configured (from the Vm/vCPU creation options). */
export interface SystemOptions {
  readonly cpuid?: Partial<CpuidConfig>;
  readonly tsc?: TscOptions;
}

export class SystemState {
  readonly cpuid: CpuidModel;
  tsc: Tsc;
  /** Scratch output of CPUID (eax, ebx, ecx, edx). */
  readonly cpuidOut = new Uint32Array(4);

  // ---- Scratch descriptors, one per role (no allocation while running) ----
  /** A gate (call/interrupt/trap/task) or the target of a segment load. */
  readonly gate = new Descriptor();
  /** A code segment (far transfer targets). */
  readonly code = new Descriptor();
  /** A stack segment (stack switches, returns to outer privilege). */
  readonly stack = new Descriptor();
  /** A TSS (task switches, LTR) and the current TSS during a switch. */
  readonly tss = new Descriptor();
  readonly oldTss = new Descriptor();
  /** Data segments (returns, task switches, VERR/LAR). */
  readonly data = new Descriptor();
  /** The frame being built on a target stack (far CALL, interrupt delivery). */
  readonly frame = new StackFrame();
  /** SS:ESP read from the TSS for an inner privilege level (tss.ts readInnerStack). */
  innerSs = 0;
  innerSp = 0;
  /** The selector half of a far pointer read from memory (JMP/CALL m16:xx). */
  farSelector = 0;
  /** The incoming task's state during a task switch (task-switch.ts TASK_* indices). */
  readonly taskImage = new Int32Array(20);

  // ---- SYSENTER (SDM vol. 3, 5.8.7): ESP/EIP are canonical addresses as signed numbers ----
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;

  // ---- SYSCALL/SYSRET and long-mode MSRs (SDM vol. 3, 5.8.8; vol. 4, table 2-2) ----
  /** IA32_STAR: bits 47:32 the SYSCALL CS, 63:48 the SYSRET CS base (low dword unused in 64-bit). */
  starLo = 0;
  starHi = 0;
  /** IA32_LSTAR / IA32_CSTAR: SYSCALL targets, canonical signed numbers. */
  lstar = 0;
  cstar = 0;
  /** IA32_FMASK: RFLAGS bits SYSCALL clears (the high dword is reserved). */
  sfmask = 0;
  /** IA32_KERNEL_GS_BASE: swapped with GS.base by SWAPGS, a canonical signed number. */
  kernelGsBase = 0;
  /** IA32_TSC_AUX: what RDTSCP returns in ECX. */
  tscAux = 0;

  // ---- Memory types (stored only: the soft MMU caches nothing) ----
  pat = PAT_DEFAULT;
  mtrrDefType = 0n;
  readonly mtrrFixed = new BigUint64Array(MTRR_FIXED_COUNT);
  /** PHYSBASEn at [2n], PHYSMASKn at [2n + 1]. */
  readonly mtrrVariable = new BigUint64Array(MTRR_VARIABLE_COUNT * 2);

  /** IA32_APIC_BASE without the BSP bit (that one follows the vCPU index: msr.ts). */
  apicBase = APIC_BASE_DEFAULT;
  /**
   * The local APIC, once the soft backend attached one: it then serves
   * APIC_BASE, TSC_DEADLINE and the x2APIC range itself (msr.ts).
   */
  apic: ApicMsrTarget | null = null;
  miscEnable = MISC_FAST_STRINGS | MISC_BTS_UNAVAILABLE | MISC_PEBS_UNAVAILABLE;
  featureControl = 0n;
  /** IA32_BIOS_SIGN_ID (8Bh): the microcode revision; 0 = none loaded. */
  microcodeRevision = 0n;

  constructor(options: SystemOptions = {}) {
    this.cpuid = new CpuidModel(options.cpuid);
    this.tsc = new Tsc(options.tsc);
  }
}

declare module "../cpu.js" {
  interface Cpu {
    /** System-part state (system/sys-state.ts). */
    sys: SystemState;
  }
}

/**
 * Every Cpu starts with the default model; callers that need another one
 * (the vCPU index as APIC ID, a deterministic TSC) call `configureSystem`.
 */
registerCpuInitializer((cpu) => {
  cpu.sys = new SystemState();
});

/**
 * Rebuilds `cpu.sys` from options (CPU model, TSC source). Call before the
 * CPU first runs: MSR values are reset too.
 */
export function configureSystem(cpu: { sys: SystemState }, options: SystemOptions): void {
  cpu.sys = new SystemState(options);
}
