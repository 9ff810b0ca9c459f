/**
 * What a local APIC asks of its CPU — NMI, SMI, INIT, start-up IPIs, wake-ups
 * — and one implementation of it over the CPU's RegisterStore (the same
 * tag/value state `Vcpu.setState` writes), so the APIC needs nothing from the
 * CPU's internals.
 *
 * INIT and SIPI (SDM vol. 3, 9.1 and 9.4; 11.6.1):
 *   - INIT puts the processor in the INIT state of table 9-1 (below): real
 *     mode at F000:FFF0 (CS base FFFF0000), x87/SSE state, MTRRs and most
 *     MSRs untouched, pending events dropped. The bootstrap processor then
 *     runs from the reset vector; an application processor enters
 *     wait-for-SIPI. Inside SMM, INIT is only latched (Smm.LATCHED_INIT).
 *   - A start-up IPI with vector V, to a processor in wait-for-SIPI, starts
 *     it in real mode at CS = V << 8 (base V << 12), IP = 0. In any other
 *     state it is ignored.
 */
import {
  Ctl,
  cpuidNumber,
  Events,
  Msr,
  MP_RUNNABLE,
  MP_WAIT_FOR_SIPI,
  MpState,
  RegSet,
  Seg,
  Smm,
  type RegisterEntry,
  type RegisterValue,
} from "../../registers.js";
import { decodeCpuid, encodeSegment } from "../../x86/register-values.js";
import type { RegisterStore } from "../register-store.js";

/** The calls a local APIC makes into its CPU. All run on the vCPU's thread. */
export interface ApicCpuLink {
  /** An NMI arrived: latch it (delivered when NMIs are not blocked). */
  nmi(): void;
  /** An SMI arrived: latch it for the SMM code. */
  smi(): void;
  /**
   * An INIT arrived. Returns true if the CPU took it now (the APIC then
   * resets itself, SDM 11.4.7.3); false if it was latched (in SMM: the CPU
   * must call `Lapic.initLatchedInit()` when it leaves SMM and performs it).
   */
  init(bsp: boolean): boolean;
  /** A start-up IPI arrived (ignored unless the CPU waits for SIPI). */
  sipi(vector: number): void;
  /** Something became pending for this vCPU: a halted one should run again. */
  wake(): void;
}

/** Real-mode segment attributes: present, accessed, read/write data or readable code. */
const REAL_CODE = 0x9b;
const REAL_DATA = 0x93;
const LDT = 0x82;
const TSS_BUSY = 0x8b;
/** CR0 after INIT: ET set, CD and NW kept (SDM vol. 3, table 9-1, footnote). */
const CR0_CD_NW = 0x60000000n;
const CR0_ET = 0x10n;
/** Processor signature in EDX when CPUID leaf 1 is not readable (family 6). */
const DEFAULT_SIGNATURE = 0x600n;

const entry = (set: RegisterEntry["id"]["set"], number: number, value: RegisterValue) => ({
  id: { set, number },
  value,
});

function segment(selector: number, base: number, attributes: number): Uint8Array {
  return encodeSegment({ base: BigInt(base), limit: 0xffff, selector, attributes });
}

/**
 * The register writes of an INIT (SDM vol. 3, table 9-1, "INIT" column),
 * given the current CR0 and the CPUID leaf 1 EAX (the signature in EDX).
 * MP state: runnable for the BSP, wait-for-SIPI otherwise.
 */
export function initStateEntries(cr0: bigint, signature: bigint, bsp: boolean): RegisterEntry[] {
  const list: RegisterEntry[] = [];
  for (let n = 0; n < 16; n++) list.push(entry(RegSet.GPR, n, n === 2 ? signature : 0n));
  list.push(entry(RegSet.RIP, 0, 0xfff0n));
  list.push(entry(RegSet.RFLAGS, 0, 0x2n));
  list.push(entry(RegSet.CONTROL, Ctl.CR0, (cr0 & CR0_CD_NW) | CR0_ET));
  for (const cr of [Ctl.CR2, Ctl.CR3, Ctl.CR4, Ctl.CR8]) list.push(entry(RegSet.CONTROL, cr, 0n));
  list.push(entry(RegSet.SEGMENT, Seg.CS, segment(0xf000, 0xffff0000, REAL_CODE)));
  for (const s of [Seg.ES, Seg.SS, Seg.DS, Seg.FS, Seg.GS]) {
    list.push(entry(RegSet.SEGMENT, s, segment(0, 0, REAL_DATA)));
  }
  list.push(entry(RegSet.SEGMENT, Seg.LDTR, segment(0, 0, LDT)));
  list.push(entry(RegSet.SEGMENT, Seg.TR, segment(0, 0, TSS_BUSY)));
  list.push(entry(RegSet.SEGMENT, Seg.GDTR, segment(0, 0, 0)));
  list.push(entry(RegSet.SEGMENT, Seg.IDTR, segment(0, 0, 0)));
  for (const dr of [0, 1, 2, 3]) list.push(entry(RegSet.DEBUG, dr, 0n));
  list.push(entry(RegSet.DEBUG, 6, 0xffff0ff0n));
  list.push(entry(RegSet.DEBUG, 7, 0x400n));
  list.push(entry(RegSet.MSR, Msr.EFER, 0n));
  list.push(entry(RegSet.INTERRUPT_SHADOW, 0, 0n));
  for (const e of [
    Events.EXCEPTION_PENDING,
    Events.INTERRUPT_PENDING,
    Events.NMI_PENDING,
    Events.NMI_MASKED,
  ]) {
    list.push(entry(RegSet.EVENTS, e, 0n));
  }
  list.push(entry(RegSet.SMM, Smm.PENDING_SMI, 0n));
  list.push(entry(RegSet.MP_STATE, MpState.STATE, BigInt(bsp ? MP_RUNNABLE : MP_WAIT_FOR_SIPI)));
  return list;
}

/** The register writes of a SIPI with `vector` (CS = vector << 8, IP = 0, runnable). */
export function sipiStateEntries(vector: number): RegisterEntry[] {
  const v = vector & 0xff;
  return [
    entry(RegSet.SEGMENT, Seg.CS, segment(v << 8, v << 12, REAL_CODE)),
    entry(RegSet.RIP, 0, 0n),
    entry(RegSet.MP_STATE, MpState.SIPI_VECTOR, BigInt(v)),
    entry(RegSet.MP_STATE, MpState.STATE, BigInt(MP_RUNNABLE)),
  ];
}

function readNumber(store: RegisterStore, set: RegisterEntry["id"]["set"], n: number): bigint {
  const value = store.read(set, n);
  return typeof value === "bigint" ? value : 0n;
}

function signatureOf(store: RegisterStore): bigint {
  try {
    const leaf = store.read(RegSet.CPUID, cpuidNumber(1));
    if (leaf instanceof Uint8Array) return BigInt(decodeCpuid(leaf).eax >>> 0);
  } catch {
    // A CPU model without leaf 1 keeps the family-6 default.
  }
  return DEFAULT_SIGNATURE;
}

/**
 * An ApicCpuLink that applies everything through `store` (the CPU core's
 * RegisterStore). `wake` is the run loop's: make a halted vCPU run again.
 */
export function registerStoreLink(store: RegisterStore, wake: () => void): ApicCpuLink {
  const write = (entries: readonly RegisterEntry[]): void => {
    for (const e of entries) store.write(e.id.set, e.id.number, e.value);
  };
  return {
    nmi: () => store.write(RegSet.EVENTS, Events.NMI_PENDING, 1n),
    smi: () => store.write(RegSet.SMM, Smm.PENDING_SMI, 1n),
    init: (bsp) => {
      if (readNumber(store, RegSet.SMM, Smm.IN_SMM) !== 0n) {
        store.write(RegSet.SMM, Smm.LATCHED_INIT, 1n);
        return false;
      }
      const cr0 = readNumber(store, RegSet.CONTROL, Ctl.CR0);
      write(initStateEntries(cr0, signatureOf(store), bsp));
      return true;
    },
    sipi: (vector) => {
      if (readNumber(store, RegSet.MP_STATE, MpState.STATE) !== BigInt(MP_WAIT_FOR_SIPI)) return;
      write(sipiStateEntries(vector));
    },
    wake,
  };
}
