/**
 * The hypervisor API (DESIGN.md, "The hypervisor API"; seed 002).
 *
 *   Hypervisor ──createVm()──▶ Vm ──createVcpu()──▶ Vcpu
 *
 * Both backends (`soft`, `kvm`) implement these interfaces; nothing above the
 * `hv` layer may ask which backend it runs on.
 */
import type { Capabilities, CapabilityArgs, OptionalCapability } from "./capabilities.js";
import type { VcpuExit } from "./exits.js";
import type {
  AddressSpace,
  DirtyRangeQuery,
  DirtyWorkQuery,
  DirtyWorkResult,
  MemoryBacking,
  MemorySlot,
} from "./memory.js";
import type { RegisterEntry, RegisterId, RegisterRef } from "./registers.js";

export interface Hypervisor {
  readonly capabilities: Capabilities;
  createVm(options: VmOptions): Vm;
}

export interface VmOptions {
  /**
   * Where port and MMIO accesses go. With a handler, accesses are completed
   * synchronously inside `Vcpu.run()`; without one, `run()` returns `io` /
   * `mmio` exits and the caller completes them. Fixed for the Vm's life.
   */
  readonly accessHandler?: AccessHandler;
}

/**
 * Receives the guest's port and MMIO accesses. `vcpu` is the index of the
 * issuing vCPU. Reads return the value (unclaimed reads: all ones).
 */
export interface AccessHandler {
  portRead(vcpu: number, port: number, size: 1 | 2 | 4): number;
  portWrite(vcpu: number, port: number, size: 1 | 2 | 4, value: number): void;
  mmioRead(vcpu: number, address: number, size: 1 | 2 | 4 | 8): number | bigint;
  mmioWrite(vcpu: number, address: number, size: 1 | 2 | 4 | 8, value: number | bigint): void;
}

/**
 * A register write that is a pure notification (like KVM's ioeventfd): the
 * guest's store completes at once and `callback` runs later, off the vCPU's
 * path. With `data` set, only writes of exactly that value match; other writes
 * take the ordinary synchronous path.
 */
export interface NotifierSpec {
  readonly space: "port" | "mmio";
  readonly address: number;
  readonly size: 1 | 2 | 4 | 8;
  readonly data?: number;
  readonly callback: () => void;
}

export interface Notifier {
  remove(): void;
}

/** An APIC-bus message in MSI format (Intel SDM vol. 3, 11.11). */
export interface MsiMessage {
  /** 0xFEExxxxx: destination ID in bits 12-19, redirection hint bit 3, dest mode bit 2. */
  readonly address: number;
  /** Vector in bits 0-7, delivery mode 8-10, level 14, trigger mode 15. */
  readonly data: number;
}

/** Called when a vCPU EOIs a level-triggered vector, so the IOAPIC can clear remote IRR. */
export type EoiListener = (vector: number) => void;

export interface Vm {
  readonly capabilities: Capabilities;
  enableCapability<K extends OptionalCapability>(cap: K, args: CapabilityArgs[K]): void;

  /** Allocates host memory for the guest (zero-filled). */
  allocateMemory(name: string, size: number): MemoryBacking;
  /** Replaces the whole map of one address space atomically. */
  setMemoryMap(space: AddressSpace, slots: readonly MemorySlot[]): void;
  getMemoryMap(space: AddressSpace): readonly MemorySlot[];
  /** Dirty pages of a backing in a range; returned pages are cleared. */
  dirtyPagesInRange(query: DirtyRangeQuery): number[];
  /** At most `maxPages` dirty pages, continuing from `token`; returned pages are cleared. */
  dirtyPagesByWork(query: DirtyWorkQuery): DirtyWorkResult;

  createVcpu(index: number): Vcpu;
  readonly vcpus: readonly Vcpu[];

  /** Sends an MSI-format message on the APIC bus (IOAPIC, MSI, MSI-X use this). */
  signalMsi(message: MsiMessage): void;
  /** Drives a vCPU's LINT0/LINT1 pin (PIC output is LINT0 as ExtINT). */
  setLint(vcpu: number, pin: 0 | 1, level: boolean): void;
  /** The PIC's interrupt acknowledge, used for ExtINT delivery. */
  setExtIntSource(source: ExtIntSource | undefined): void;
  addEoiListener(listener: EoiListener): void;

  addNotifier(spec: NotifierSpec): Notifier;

  destroy(): void;
}

/** A legacy PIC as seen by a local APIC in ExtINT mode (the INTA cycle). */
export interface ExtIntSource {
  hasInterrupt(): boolean;
  /** Acknowledges and returns the vector. */
  acknowledge(): number;
}

export interface RunOptions {
  /** Soft backend: return a `budget` exit after about this many instructions. */
  readonly budget?: number;
}

export interface Vcpu {
  readonly index: number;
  /** Every register this vCPU has: the complete state. */
  listRegisters(): readonly RegisterId[];
  getState(refs: readonly RegisterRef[]): RegisterEntry[];
  /** Writes a subset atomically: all entries are checked before any is applied. */
  setState(entries: readonly RegisterEntry[]): void;
  run(options?: RunOptions): VcpuExit;
  /** Completes an `io`/`mmio` read exit with the value read (no-op for writes). */
  completeAccess(value: number | bigint): void;
  /** Makes a running or about-to-run `run()` return a `kicked` exit. Any thread. */
  kick(): void;
  destroy(): void;
}
