/**
 * The soft backend's Vm: guest memory (src/hv/soft/memory/), vCPUs made from
 * a CPU-core factory, notifier matching, and the interrupt entry points.
 *
 * Every call after `destroy()` — `destroy()` included — throws
 * `destroyedError("Vm")`: same code, same message (seed 002).
 */
import type {
  AccessHandler,
  EoiListener,
  ExtIntSource,
  MsiMessage,
  Notifier,
  NotifierSpec,
  Vm,
  VmOptions,
} from "../api.js";
import type { Capabilities, CapabilityArgs, OptionalCapability } from "../capabilities.js";
import { destroyedError, HvError } from "../errors.js";
import {
  AddressSpace,
  PAGE_SIZE,
  type DirtyRangeQuery,
  type DirtyWorkQuery,
  type DirtyWorkResult,
  type MemorySlot,
} from "../memory.js";
import type { CpuCore } from "./cpu-core.js";
import { checkCapabilityArgs, SOFT_CAPABILITIES } from "./hypervisor.js";
import type { SoftBacking } from "./memory/backing.js";
import { BackingRegistry, type CodeWriteListener } from "./memory/backing-registry.js";
import { GuestMemory } from "./memory/guest-memory.js";
import { PhysicalMemory } from "./memory/physical-memory.js";
import { NotifierRegistry } from "./notifier-registry.js";
import { SoftVcpu } from "./vcpu.js";
import { createStandardCore } from "./vcpu-core.js";
import { ApicBus, type ApicClock } from "./lapic/index.js";

export interface SoftVmOptions extends VmOptions {
  /**
   * Makes the CPU core of vCPU `index`. Default: the soft x86 CPU with its
   * local APIC (vcpu-core.ts); a test may substitute a double.
   */
  readonly createCore?: (vm: SoftVm, index: number) => CpuCore;
  /**
   * The machine's virtual clock. The local APICs (timers) and the TSC run
   * on it; without one the Vm has no local APICs, and `signalMsi`/`setLint`
   * are "unsupported".
   */
  readonly clock?: ApicClock;
  /** Called when an interrupt may have made a halted vCPU runnable (the run loop wakes). */
  readonly onWake?: () => void;
  /**
   * Allocate guest memory in SharedArrayBuffers by default (for vCPUs in
   * workers). `allocateMemory(name, size, { shared })` overrides it per backing.
   */
  readonly sharedMemory?: boolean;
}

export class SoftVm implements Vm {
  readonly capabilities: Capabilities = SOFT_CAPABILITIES;
  /** Where the CPU sends port/MMIO accesses; fixed for the Vm's life (api.ts). */
  readonly accessHandler: AccessHandler | undefined;
  /** Notifier specs, matched by the CPU's dispatcher (see `matchNotifier`). */
  readonly notifiers = new NotifierRegistry();
  readonly #registry = new BackingRegistry();
  readonly #physical: readonly PhysicalMemory[];
  readonly #memory: readonly GuestMemory[];
  readonly #vcpus: SoftVcpu[] = [];
  readonly #createCore: ((vm: SoftVm, index: number) => CpuCore) | undefined;
  readonly #sharedMemory: boolean;
  readonly #enabled = new Map<OptionalCapability, CapabilityArgs[OptionalCapability][]>();
  readonly #eoiListeners: EoiListener[] = [];
  #extIntSource: ExtIntSource | undefined;
  #destroyed = false;
  readonly #clock: ApicClock | undefined;
  readonly #onWake: () => void;
  /** The local APICs' bus; undefined without a clock. */
  readonly apicBus: ApicBus | undefined;

  constructor(options: SoftVmOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new HvError("invalid-argument", "Vm options must be an object");
    }
    checkAccessHandler(options.accessHandler);
    if (options.createCore !== undefined && typeof options.createCore !== "function") {
      throw new HvError("invalid-argument", "Vm option createCore must be a function");
    }
    this.accessHandler = options.accessHandler;
    this.#createCore = options.createCore;
    this.#clock = options.clock;
    const onWake = options.onWake;
    this.#onWake = onWake === undefined ? () => {} : () => onWake();
    this.apicBus = options.clock === undefined ? undefined : new ApicBus({ clock: options.clock });
    this.#sharedMemory = options.sharedMemory === true;
    const spaces = [AddressSpace.NORMAL, AddressSpace.SMM];
    const max = this.capabilities.maxMemorySlots;
    this.#physical = spaces.map((space) => new PhysicalMemory(space, this.#registry, max));
    this.#memory = this.#physical.map((physical) => new GuestMemory(physical));
  }

  /** True once destroyed (SoftVcpu checks this: a dead Vm's vCPUs are dead too). */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  // --- capabilities ----------------------------------------------------

  /** Validates and records an optional capability; see `enabledCapability`. */
  enableCapability<K extends OptionalCapability>(cap: K, args: CapabilityArgs[K]): void {
    this.#alive();
    checkCapabilityArgs(cap, args);
    if (cap === "hide-lapic") {
      this.#apics("hide-lapic").hide((args as CapabilityArgs["hide-lapic"]).vcpu);
    }
    const list = this.#enabled.get(cap) ?? [];
    list.push(Object.freeze({ ...args }));
    this.#enabled.set(cap, list);
  }

  /** Every `enableCapability(cap, args)` call's args, oldest first (for the CPU and APIC). */
  enabledCapability<K extends OptionalCapability>(cap: K): readonly CapabilityArgs[K][] {
    this.#alive();
    return (this.#enabled.get(cap) ?? []) as CapabilityArgs[K][];
  }

  // --- memory ----------------------------------------------------------

  /** Allocates zero-filled guest memory (see memory/backing.ts for limits). */
  allocateMemory(name: string, size: number, options?: { shared?: boolean }): SoftBacking {
    this.#alive();
    return this.#registry.allocate(name, size, {
      shared: options?.shared ?? this.#sharedMemory,
    });
  }

  /** Every backing, indexed by `id` (the index carried in map entries). */
  get backings(): readonly SoftBacking[] {
    this.#alive();
    return this.#registry.list;
  }

  /** Validates, builds and atomically swaps in the map of `space`; nothing changes on error. */
  setMemoryMap(space: AddressSpace, slots: readonly MemorySlot[]): void {
    this.physical(space).setMap(slots);
  }

  getMemoryMap(space: AddressSpace): readonly MemorySlot[] {
    return this.physical(space).slots;
  }

  /** The lookup structure the CPU uses for `space` (memory/physical-memory.ts). */
  physical(space: AddressSpace): PhysicalMemory {
    this.#alive();
    if (space !== AddressSpace.NORMAL && space !== AddressSpace.SMM) {
      throw new HvError("invalid-argument", `unknown address space ${String(space)}`);
    }
    return this.#physical[space];
  }

  /** DMA and loader access to `space` (memory/guest-memory.ts). */
  guestMemory(space: AddressSpace): GuestMemory {
    return this.#memory[this.physical(space).space];
  }

  /**
   * Registers the CPU's translation-cache invalidation: called with
   * `(backingIndex, page)` after any write to a page whose
   * `backing.codePages[page]` is set (memory/backing-registry.ts).
   */
  addCodeWriteListener(listener: CodeWriteListener): () => void {
    this.#alive();
    return this.#registry.addCodeWriteListener(listener);
  }

  /** The CPU calls this when its own store hits a page whose code byte is set. */
  codePageWritten(backingIndex: number, page: number): void {
    this.#alive();
    this.#registry.codePageWritten(backingIndex, page);
  }

  dirtyPagesInRange(query: DirtyRangeQuery): number[] {
    const backing = this.#queryBacking(query);
    const { offset, length } = query;
    if (!isPageMultiple(offset) || !isPageMultiple(length) || offset + length > backing.size) {
      throw new HvError(
        "invalid-argument",
        `dirty query on "${backing.name}": range offset ${offset}, length ${length} must be ` +
          `page-aligned and inside the backing (size ${backing.size})`,
      );
    }
    return backing.dirty.takeRange(offset / PAGE_SIZE, (offset + length) / PAGE_SIZE);
  }

  dirtyPagesByWork(query: DirtyWorkQuery): DirtyWorkResult {
    const backing = this.#queryBacking(query);
    const { maxPages, token } = query;
    if (!Number.isSafeInteger(maxPages) || maxPages <= 0) {
      throw new HvError(
        "invalid-argument",
        `dirty query: maxPages ${maxPages} must be a positive integer`,
      );
    }
    const { pages, next } = backing.dirty.takeSome(token ?? 0, maxPages);
    return { pages, token: next };
  }

  #queryBacking(query: { readonly backing: unknown }): SoftBacking {
    this.#alive();
    const backing = typeof query === "object" && query !== null ? query.backing : undefined;
    if (
      typeof backing !== "object" ||
      backing === null ||
      !this.#registry.owns(backing as SoftBacking)
    ) {
      throw new HvError(
        "invalid-argument",
        "dirty query: the backing was not allocated by this Vm",
      );
    }
    return backing as SoftBacking;
  }

  // --- vCPUs -----------------------------------------------------------

  /** Makes vCPU `index` with a core from the `createCore` factory. */
  createVcpu(index: number): SoftVcpu {
    this.#alive();
    const max = this.capabilities.maxVcpus;
    if (!Number.isSafeInteger(index) || index < 0 || index >= max) {
      throw new HvError("invalid-argument", `vcpu index ${index} is not in [0, ${max})`);
    }
    if (this.#vcpus.some((vcpu) => vcpu.index === index)) {
      throw new HvError("invalid-argument", `vcpu ${index} already exists`);
    }
    const core =
      this.#createCore !== undefined
        ? this.#createCore(this, index)
        : createStandardCore(index, {
            physical: this.physical(AddressSpace.NORMAL),
            accessHandler: this.accessHandler,
            apicBus: this.apicBus,
            clock: this.#clock,
            wake: this.#onWake,
          });
    const vcpu = new SoftVcpu(this, index, core);
    this.#vcpus.push(vcpu);
    return vcpu;
  }

  /** The vCPUs in creation order. */
  get vcpus(): readonly SoftVcpu[] {
    this.#alive();
    return this.#vcpus;
  }

  // --- interrupts: delivered by the local APICs (lapic/) ---------------

  #apics(what: string): ApicBus {
    this.#alive();
    if (this.apicBus === undefined) {
      throw new HvError(
        "unsupported",
        `${what}: this Vm was created without a clock, so it has no local APICs`,
      );
    }
    return this.apicBus;
  }

  signalMsi(message: MsiMessage): void {
    this.#apics("signalMsi").signalMsi(message);
  }

  setLint(vcpu: number, pin: 0 | 1, level: boolean): void {
    this.#apics("setLint").setLint(vcpu, pin, level);
  }

  /** Stored for the local APIC's ExtINT delivery. */
  setExtIntSource(source: ExtIntSource | undefined): void {
    this.#alive();
    if (
      source !== undefined &&
      (typeof source?.hasInterrupt !== "function" || typeof source?.acknowledge !== "function")
    ) {
      throw new HvError(
        "invalid-argument",
        "setExtIntSource: needs hasInterrupt() and acknowledge()",
      );
    }
    this.#extIntSource = source;
    this.apicBus?.setExtIntSource(source);
  }

  get extIntSource(): ExtIntSource | undefined {
    this.#alive();
    return this.#extIntSource;
  }

  /** Stored; the local APIC calls them on EOI of a level-triggered vector. */
  addEoiListener(listener: EoiListener): void {
    this.#alive();
    if (typeof listener !== "function") {
      throw new HvError("invalid-argument", "addEoiListener: listener must be a function");
    }
    this.#eoiListeners.push(listener);
    this.apicBus?.addEoiListener(listener);
  }

  get eoiListeners(): readonly EoiListener[] {
    this.#alive();
    return this.#eoiListeners;
  }

  // --- notifiers -------------------------------------------------------

  /** Registers a pure-notification write (ioeventfd-like); see notifier-registry.ts. */
  addNotifier(spec: NotifierSpec): Notifier {
    this.#alive();
    return this.notifiers.add(spec);
  }

  /**
   * For the CPU's dispatcher: if a guest write matches a notifier, queues its
   * callback and returns true (the write is consumed); otherwise false and the
   * write takes the ordinary synchronous path.
   */
  matchNotifier(
    space: "port" | "mmio",
    address: number,
    size: 1 | 2 | 4 | 8,
    value: number | bigint,
  ): boolean {
    this.#alive();
    return this.notifiers.match(space, address, size, value);
  }

  // --- lifetime --------------------------------------------------------

  /** Destroys the vCPUs, empties both maps, drops notifiers and listeners. */
  destroy(): void {
    this.#alive();
    for (const vcpu of this.#vcpus) if (!vcpu.destroyed) vcpu.destroy();
    this.#destroyed = true;
    for (const physical of this.#physical) physical.retire();
    this.notifiers.clear();
    this.#eoiListeners.length = 0;
    this.#extIntSource = undefined;
    this.apicBus?.destroy();
  }

  #alive(): void {
    if (this.#destroyed) throw destroyedError("Vm");
  }
}

function checkAccessHandler(handler: AccessHandler | undefined): void {
  if (handler === undefined) return;
  const methods = ["portRead", "portWrite", "mmioRead", "mmioWrite"] as const;
  if (
    typeof handler !== "object" ||
    handler === null ||
    methods.some((m) => typeof handler[m] !== "function")
  ) {
    throw new HvError("invalid-argument", `accessHandler must have ${methods.join(", ")}`);
  }
}

function isPageMultiple(value: unknown): value is number {
  return (
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) % PAGE_SIZE === 0
  );
}
