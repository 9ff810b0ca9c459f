/**
 * Test double for CpuCore: registers live in a Map, and `run()` replays
 * scripted exits. Not product code: the real CPU is in src/hv/soft/cpu/.
 */
import type { VcpuExit } from "../../src/hv/exits.js";
import { regKey, type RegisterValue, type RegSet } from "../../src/hv/registers.js";
import type { CpuCore } from "../../src/hv/soft/cpu-core.js";
import type { RegisterStore } from "../../src/hv/soft/register-store.js";
import { x86RegisterCatalog } from "../../src/hv/x86/register-catalog.js";

export class MapRegisterStore implements RegisterStore {
  readonly values = new Map<string, RegisterValue>();
  writes = 0;
  /** When set, `write` throws for this key (a store refusing a value). */
  failOn: string | undefined;

  read(set: RegSet, number: number): RegisterValue {
    const value = this.values.get(regKey({ set, number }));
    if (value === undefined) throw new Error(`test store: no register ${set}:${number}`);
    return value;
  }

  write(set: RegSet, number: number, value: RegisterValue): void {
    const key = regKey({ set, number });
    if (!this.values.has(key)) throw new Error(`test store: no register ${key}`);
    if (key === this.failOn) throw new Error(`test store refuses ${key}`);
    this.writes++;
    this.values.set(key, value);
  }

  /** A deep copy of all values, for "nothing changed" comparisons. */
  snapshot(): Map<string, RegisterValue> {
    const copy = new Map<string, RegisterValue>();
    for (const [k, v] of this.values) copy.set(k, typeof v === "bigint" ? v : v.slice());
    return copy;
  }
}

/** What `run` does when called: return an exit, possibly after acting on the flag. */
export type RunStep = (budget: number, stopFlag: Int32Array) => VcpuExit;

export class MemoryCore implements CpuCore {
  readonly registers = new MapRegisterStore();
  readonly msrs: readonly number[];
  readonly cpuidLeaves: readonly (readonly [number, number])[];
  /** Steps for the next runs; when empty, a run honours the flag or uses up its budget. */
  readonly script: RunStep[] = [];
  readonly budgets: number[] = [];
  readonly completed: (number | bigint)[] = [];

  constructor(msrs: readonly number[], cpuidLeaves: readonly (readonly [number, number])[]) {
    this.msrs = msrs;
    this.cpuidLeaves = cpuidLeaves;
    // Every register starts at zero, sized as the catalog says.
    for (const id of x86RegisterCatalog({ longMode: true, msrs, cpuidLeaves })) {
      this.registers.values.set(regKey(id), id.size <= 8 ? 0n : new Uint8Array(id.size));
    }
  }

  run(budget: number, stopFlag: Int32Array): VcpuExit {
    this.budgets.push(budget);
    const step = this.script.shift();
    if (step !== undefined) return step(budget, stopFlag);
    return stopFlag[0] !== 0 ? { kind: "kicked" } : { kind: "budget" };
  }

  completeAccess(value: number | bigint): void {
    this.completed.push(value);
  }
}
