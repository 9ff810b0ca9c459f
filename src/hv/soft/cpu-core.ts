/**
 * What the soft backend's Vcpu needs from the CPU emulator
 * (src/hv/soft/cpu/). Keeping this narrow lets the Vcpu handle validation,
 * kicks and handle lifetime while the CPU stays a pure execution engine.
 */
import type { VcpuExit } from "../exits.js";
import type { RegisterStore } from "./register-store.js";

export interface CpuCore {
  /** Architectural + fake-set state, for getState/setState. */
  readonly registers: RegisterStore;
  /**
   * Executes until something needs the caller: an exit, or about `budget`
   * instructions. Must check `stopFlag[0] !== 0` at least once per decoded
   * block and return `{ kind: "kicked" }` (clearing nothing: the Vcpu clears
   * the flag) when set.
   */
  run(budget: number, stopFlag: Int32Array): VcpuExit;
  /** Completes the pending `io`/`mmio` read of the last exit. */
  completeAccess(value: number | bigint): void;
  /** MSRs this CPU model implements, for the register catalog. */
  readonly msrs: readonly number[];
  /** CPUID leaves (leaf, subleaf) this CPU model defines, for the register catalog. */
  readonly cpuidLeaves: readonly (readonly [leaf: number, subleaf: number])[];
}
