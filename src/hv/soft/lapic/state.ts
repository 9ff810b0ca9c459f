/**
 * The complete state of one local APIC, as one plain object, and its saved
 * form (section "lapic", one instance per vCPU: the instance number is the
 * vCPU index). Everything a guest or the host can observe is here; the APIC
 * ID the vCPU was built with, the BSP flag and the options are configuration
 * and are checked, not loaded (see Lapic.loadState).
 */
import {
  bool,
  describe,
  f64,
  i16,
  u32,
  u64,
  u8,
  uint32Array,
} from "../../../migration/state/index.js";
import {
  APIC_BASE_ENABLE,
  APIC_DEFAULT_BASE,
  DFR_FLAT,
  LVT_COUNT,
  LVT_MASKED,
} from "./constants.js";
import { VECTOR_WORDS } from "./vector-set.js";

export interface LapicState {
  /** IA32_APIC_BASE: base address, global enable (11), x2APIC (10), BSP (8). */
  apicBase: bigint;
  /** xAPIC ID register (ID in bits 24-31); x2APIC mode reads the initial APIC ID instead. */
  id: number;
  tpr: number;
  /** xAPIC logical destination register (bits 24-31); derived from the ID in x2APIC mode. */
  ldr: number;
  dfr: number;
  svr: number;
  /** The ESR as the guest reads it: errors latched by the last ESR write (SDM 11.5.3). */
  esr: number;
  /** Errors detected since the last ESR write. */
  pendingErrors: number;
  icrLow: number;
  icrHigh: number;
  /** The LVT entries in `Lvt` order. */
  lvt: Uint32Array;
  irr: Uint32Array;
  isr: Uint32Array;
  tmr: Uint32Array;
  timerInitial: number;
  /** Divide configuration register (bits 0, 1, 3). */
  timerDivide: number;
  /** Virtual time (ns) at which the current count was last loaded with the initial count. */
  timerStart: number;
  /** A one-shot or periodic count is running and its next expiry has not fired. */
  timerPending: boolean;
  /** IA32_TSC_DEADLINE; 0 = disarmed. */
  tscDeadline: bigint;
  /** Pin levels as driven by the board: bit 0 LINT0, bit 1 LINT1 (before polarity). */
  lintLevels: number;
  /** An ExtINT message (not LINT0) waits for the interrupt acknowledge. */
  extIntRequested: boolean;
  /** A vector already acknowledged from the PIC and not yet taken by the CPU, or -1. */
  extIntVector: number;
}

/** The state after power-up or RESET (SDM vol. 3, 11.4.7.1), before BSP/ID adjustments. */
export function resetLapicState(apicId: number): LapicState {
  return {
    apicBase: BigInt(APIC_DEFAULT_BASE) | APIC_BASE_ENABLE,
    id: (apicId & 0xff) << 24,
    tpr: 0,
    ldr: 0,
    dfr: DFR_FLAT,
    svr: 0xff,
    esr: 0,
    pendingErrors: 0,
    icrLow: 0,
    icrHigh: 0,
    lvt: new Uint32Array(LVT_COUNT).fill(LVT_MASKED),
    irr: new Uint32Array(VECTOR_WORDS),
    isr: new Uint32Array(VECTOR_WORDS),
    tmr: new Uint32Array(VECTOR_WORDS),
    timerInitial: 0,
    timerDivide: 0,
    timerStart: 0,
    timerPending: false,
    tscDeadline: 0n,
    lintLevels: 0,
    extIntRequested: false,
    extIntVector: -1,
  };
}

/** The saved form of a local APIC (section "lapic", version 1). */
export const LAPIC_STATE = describe<LapicState>({
  name: "lapic",
  version: 1,
  fields: {
    apicBase: u64(),
    id: u32(),
    tpr: u8(),
    ldr: u32(),
    dfr: u32(),
    svr: u32(),
    esr: u32(),
    pendingErrors: u32(),
    icrLow: u32(),
    icrHigh: u32(),
    lvt: uint32Array(LVT_COUNT),
    irr: uint32Array(VECTOR_WORDS),
    isr: uint32Array(VECTOR_WORDS),
    tmr: uint32Array(VECTOR_WORDS),
    timerInitial: u32(),
    timerDivide: u32({ max: 0xb }),
    timerStart: f64(),
    timerPending: bool(),
    tscDeadline: u64(),
    lintLevels: u8({ max: 3 }),
    extIntRequested: bool(),
    extIntVector: i16({ min: -1, max: 255 }),
  },
});

/** Copies every field of `from` into `to` (arrays in place). */
export function copyLapicState(to: LapicState, from: LapicState): void {
  const { lvt, irr, isr, tmr, ...scalars } = from;
  Object.assign(to, scalars);
  to.lvt.set(lvt);
  to.irr.set(irr);
  to.isr.set(isr);
  to.tmr.set(tmr);
}
