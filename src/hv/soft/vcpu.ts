/**
 * The soft backend's Vcpu: validates register state against the x86 catalog,
 * owns the kick flag and the handle's lifetime, and leaves execution to the
 * CPU emulator behind `CpuCore` (src/hv/soft/cpu-core.ts).
 *
 * Rules this class enforces (DESIGN.md, "The hypervisor API"; seed 002):
 * - setState checks every entry before it writes any (known register, value
 *   type and size, not READ_ONLY, no register twice); if the CPU's store
 *   still throws while writing, the registers already written are restored.
 * - State is copied in and out: no caller buffer is shared with the CPU.
 * - After an `io`/`mmio` *read* exit, `run()` is refused ("busy") until
 *   `completeAccess()` supplies the value: running on would lose the read.
 *   Write exits need no completion (completeAccess is then a no-op).
 * - getState/setState/run/completeAccess are refused ("busy") while `run()` is
 *   on the stack (e.g. from an AccessHandler): the CPU's state is mid-step then.
 * - Kicks: see `kick()`.
 * - After `destroy()`, or once the Vm is destroyed, every call (destroy
 *   included) throws `destroyedError("vcpu N")`: same code, same message.
 *
 * A Vcpu is bound to the thread that created it; JavaScript objects cannot be
 * shared between workers, so only the kick flag (a SharedArrayBuffer) crosses
 * threads and "wrong-thread" cannot arise here.
 */
import type { RunOptions, Vcpu } from "../api.js";
import { destroyedError, HvError } from "../errors.js";
import type { MmioExit, PortIoExit, VcpuExit } from "../exits.js";
import {
  RegAttr,
  regKey,
  type RegisterEntry,
  type RegisterId,
  type RegisterRef,
  type RegisterValue,
} from "../registers.js";
import { RegisterCatalog, x86RegisterCatalog } from "../x86/register-catalog.js";
import { describeRef } from "../x86/register-names.js";
import { checkValue, copyValue } from "../x86/register-values.js";
import type { CpuCore } from "./cpu-core.js";

/** What a SoftVcpu needs from its SoftVm: only whether the Vm is still alive. */
export interface SoftVcpuHost {
  readonly destroyed: boolean;
}

/** Instructions per `run()` when the caller gives no budget. */
export const DEFAULT_RUN_BUDGET = 1_000_000;

/**
 * Kicks a vCPU through its shared flag (`SoftVcpu.kickFlag`), from any
 * thread. `Atomics.notify` also wakes a worker that sleeps on the flag with
 * `Atomics.wait` (a halted vCPU waiting for an interrupt).
 */
export function kickThroughFlag(flag: Int32Array): void {
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

type AccessExit = PortIoExit | MmioExit;

export class SoftVcpu implements Vcpu {
  readonly index: number;
  /**
   * One Int32 over a SharedArrayBuffer: non-zero = stop requested. Post it to
   * another worker and call `kickThroughFlag` there to kick from that thread.
   */
  readonly kickFlag: Int32Array;
  readonly #host: SoftVcpuHost;
  readonly #catalog: RegisterCatalog;
  #core: CpuCore | undefined;
  #destroyed = false;
  #running = false;
  /** The last exit if it was a port/MMIO access not yet completed. */
  #access: AccessExit | undefined;

  constructor(vm: SoftVcpuHost, index: number, core: CpuCore) {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new HvError(
        "invalid-argument",
        `vcpu index must be a non-negative integer, got ${index}`,
      );
    }
    this.#host = vm;
    this.index = index;
    this.#core = core;
    this.#catalog = new RegisterCatalog(
      x86RegisterCatalog({ longMode: true, msrs: core.msrs, cpuidLeaves: core.cpuidLeaves }),
    );
    this.kickFlag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  }

  /** True once this vCPU or its Vm has been destroyed. */
  get destroyed(): boolean {
    return this.#destroyed || this.#host.destroyed;
  }

  /** The catalog of every register (frozen; the same array each call). */
  listRegisters(): readonly RegisterId[] {
    this.#alive();
    return this.#catalog.registers;
  }

  /** Reads the given registers; the entries' ids are the catalog's full RegisterIds. */
  getState(refs: readonly RegisterRef[]): RegisterEntry[] {
    const core = this.#idle("getState");
    if (!Array.isArray(refs)) throw this.#invalid("getState takes an array of register references");
    const ids = refs.map((ref) => this.#lookup(ref));
    return ids.map((id) => ({ id, value: this.#read(core, id) }));
  }

  /** Writes the given registers: all or nothing (see the class comment). */
  setState(entries: readonly RegisterEntry[]): void {
    const core = this.#idle("setState");
    if (!Array.isArray(entries)) throw this.#invalid("setState takes an array of entries");
    const writes: { id: RegisterId; value: RegisterValue }[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      if (typeof entry !== "object" || entry === null) {
        throw this.#invalid(`setState entries must be {id, value}, got ${entry}`);
      }
      const id = this.#lookup(entry.id);
      if (id.attributes === RegAttr.READ_ONLY) {
        throw this.#invalid(`register ${id.name} (${describeRef(id)}) is read-only`);
      }
      if (seen.has(regKey(id))) {
        throw this.#invalid(`register ${id.name} appears twice in one setState call`);
      }
      seen.add(regKey(id));
      checkValue(id, entry.value);
      writes.push({ id, value: copyValue(entry.value) });
    }
    const previous = writes.map(({ id }) => ({
      id,
      value: core.registers.read(id.set, id.number),
    }));
    let applied = 0;
    try {
      for (; applied < writes.length; applied++) {
        const { id, value } = writes[applied];
        core.registers.write(id.set, id.number, value);
      }
    } catch (error) {
      // The store refused a value after others were written: put them back.
      for (let i = applied - 1; i >= 0; i--) {
        core.registers.write(previous[i].id.set, previous[i].id.number, previous[i].value);
      }
      throw error;
    }
  }

  /**
   * Runs the guest until an exit, a kick, or about `budget` instructions
   * (default DEFAULT_RUN_BUDGET).
   */
  run(options?: RunOptions): VcpuExit {
    const core = this.#idle("run");
    if (this.#access !== undefined && !this.#access.write) {
      const what = this.#access.kind === "io" ? "port" : "MMIO";
      throw new HvError("busy", `vcpu ${this.index}: complete the pending ${what} read first`);
    }
    const budget = options?.budget ?? DEFAULT_RUN_BUDGET;
    if (!Number.isSafeInteger(budget) || budget <= 0) {
      throw this.#invalid(`run budget must be a positive integer, got ${budget}`);
    }
    this.#access = undefined;
    // A kick that came while no run() was active is answered without entering the CPU.
    if (Atomics.exchange(this.kickFlag, 0, 0) !== 0) return { kind: "kicked" };
    this.#running = true;
    let exit: VcpuExit;
    try {
      exit = core.run(budget, this.kickFlag);
    } finally {
      this.#running = false;
    }
    if (exit.kind === "kicked") {
      // Clearing here, after the CPU saw the flag, makes one kick give one
      // kicked exit. A kick landing between the CPU's check and this store is
      // merged into the exit being returned, which still returns after it.
      Atomics.store(this.kickFlag, 0, 0);
    } else if (exit.kind === "io" || exit.kind === "mmio") {
      this.#access = exit;
    }
    return exit;
  }

  /**
   * Completes the last `io`/`mmio` read exit with the value read: an integer
   * in [0, 2^(8*size)), as a number or a bigint. The CPU receives a number
   * for 1-4 byte accesses and a bigint for 8-byte ones. A no-op after a write
   * exit; "busy" when the last exit was no port or MMIO access.
   */
  completeAccess(value: number | bigint): void {
    const core = this.#idle("completeAccess");
    const access = this.#access;
    if (access === undefined) {
      throw new HvError("busy", `vcpu ${this.index}: no port or MMIO access to complete`);
    }
    if (access.write) return;
    const ok =
      (typeof value === "bigint" || Number.isSafeInteger(value)) &&
      BigInt(value) >= 0n &&
      BigInt(value) < 1n << BigInt(8 * access.size);
    if (!ok) {
      const what = access.kind === "io" ? "port" : "MMIO";
      throw this.#invalid(`a ${access.size}-byte ${what} read cannot return ${value}`);
    }
    core.completeAccess(access.size === 8 ? BigInt(value) : Number(value));
    this.#access = undefined;
  }

  /**
   * Makes the current or next `run()` return `{kind: "kicked"}`. A kick is
   * never lost: if no run() is active, the next one returns at once. Kicks
   * that arrive before the kicked exit is returned merge into it, and run()
   * then clears the flag, so later runs are not kicked again. Other threads
   * use `kickThroughFlag(vcpu.kickFlag)`.
   */
  kick(): void {
    this.#alive();
    kickThroughFlag(this.kickFlag);
  }

  /**
   * Releases the CPU. Allowed during run() (from an AccessHandler): the run
   * then stops at the next block, as if kicked.
   */
  destroy(): void {
    this.#alive();
    this.#destroyed = true;
    this.#core = undefined;
    this.#access = undefined;
    kickThroughFlag(this.kickFlag);
  }

  #alive(): CpuCore {
    if (this.#destroyed || this.#host.destroyed || this.#core === undefined) {
      throw destroyedError(`vcpu ${this.index}`);
    }
    return this.#core;
  }

  /** Alive and not inside run(): the CPU's state is consistent. */
  #idle(call: string): CpuCore {
    const core = this.#alive();
    if (this.#running) {
      throw new HvError("busy", `vcpu ${this.index}: ${call} is not allowed while run() is active`);
    }
    return core;
  }

  #invalid(message: string): HvError {
    return new HvError("invalid-argument", `vcpu ${this.index}: ${message}`);
  }

  #lookup(ref: RegisterRef): RegisterId {
    const id = this.#catalog.find(ref);
    if (id !== undefined) return id;
    if (typeof ref !== "object" || ref === null) {
      throw this.#invalid(`a register reference must be {set, number}, got ${ref}`);
    }
    throw this.#invalid(`no register with ${describeRef(ref)}`);
  }

  /** Reads from the CPU and checks what it returns, so a CPU bug is caught at its source. */
  #read(core: CpuCore, id: RegisterId): RegisterValue {
    const value = core.registers.read(id.set, id.number);
    try {
      checkValue(id, value);
    } catch (error) {
      throw new Error(`soft CPU returned a malformed value: ${(error as Error).message}`);
    }
    return copyValue(value);
  }
}
