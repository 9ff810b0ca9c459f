/**
 * How the soft backend's Vcpu reaches the CPU's architectural state for
 * `getState`/`setState`. The CPU (src/hv/soft/cpu/) implements it; the Vcpu
 * validates sizes and attributes against the register catalog first, so an
 * implementation may assume `value` has the register's size and type.
 */
import type { RegisterValue, RegSet } from "../registers.js";

export interface RegisterStore {
  read(set: RegSet, number: number): RegisterValue;
  write(set: RegSet, number: number, value: RegisterValue): void;
}
