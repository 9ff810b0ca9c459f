/**
 * The soft backend's `CpuCore` (src/hv/soft/cpu-core.ts): wires a `Cpu` to
 * the Vm's memory map, its AccessHandler and (later) the local APIC, and
 * runs it. Importing this module registers every instruction (insn/index.ts).
 */
import type { AccessHandler } from "../../api.js";
import type { VcpuExit } from "../../exits.js";
import type { CpuCore } from "../cpu-core.js";
import type { CpuInterruptController, CpuIo, CpuPhysicalMemory } from "./bus.js";
import { Cpu } from "./cpu.js";
import { CpuRegisterStore } from "./cpu-registers.js";
import { runCpu } from "./exec.js";
import { systemHooks } from "./hooks.js";
import "./insn/index.js";
import { resetCpu } from "./reset.js";

export interface SoftCpuOptions {
  /** Guest-physical memory (the normal address space). */
  readonly physical: CpuPhysicalMemory;
  /** Port/MMIO dispatch; without it accesses end the run with an internal-error exit. */
  readonly io?: CpuIo | null;
  readonly interruptController?: CpuInterruptController | null;
  /** vCPU index (0 = bootstrap processor). */
  readonly vcpuIndex?: number;
}

/** Adapts the Vm's AccessHandler to the CPU's I/O interface for one vCPU. */
export function accessHandlerIo(handler: AccessHandler, vcpu: number): CpuIo {
  return {
    portRead: (port, size) => handler.portRead(vcpu, port, size),
    portWrite: (port, size, value) => handler.portWrite(vcpu, port, size, value),
    mmioRead: (address, size) => handler.mmioRead(vcpu, address, size),
    mmioWrite: (address, size, value) => handler.mmioWrite(vcpu, address, size, value),
  };
}

export class SoftCpuCore implements CpuCore {
  readonly cpu: Cpu;
  readonly registers: CpuRegisterStore;

  constructor(options: SoftCpuOptions) {
    this.cpu = new Cpu(options.physical);
    this.cpu.io = options.io ?? null;
    this.cpu.interruptController = options.interruptController ?? null;
    this.cpu.vcpuIndex = options.vcpuIndex ?? 0;
    resetCpu(this.cpu, { waitForSipi: (options.vcpuIndex ?? 0) !== 0 });
    this.registers = new CpuRegisterStore(this.cpu);
  }

  run(budget: number, stopFlag: Int32Array): VcpuExit {
    try {
      return runCpu(this.cpu, budget, stopFlag);
    } catch (e) {
      // A bug in the emulator must not take the monitor down: report it.
      const message = e instanceof Error ? e.message : String(e);
      return { kind: "internal-error", reason: `soft CPU failure: ${message}` };
    }
  }

  /** The soft CPU completes port and MMIO accesses synchronously: nothing is ever pending. */
  completeAccess(_value: number | bigint): void {}

  get msrs(): readonly number[] {
    return systemHooks.msrList(this.cpu);
  }

  get cpuidLeaves(): readonly (readonly [leaf: number, subleaf: number])[] {
    return systemHooks.cpuidList(this.cpu);
  }

  /**
   * The "interrupt-window-exit" capability: while enabled, `run()` returns an
   * `interrupt-window` exit whenever the guest could take a maskable interrupt.
   */
  setInterruptWindowExit(enable: boolean): void {
    this.cpu.interruptWindowExit = enable;
  }

  /** Stops listening to code writes (Vm teardown). */
  destroy(): void {
    this.cpu.destroy();
  }
}
