/**
 * The APIC bus of one soft-backend VM: every vCPU's local APIC, and the
 * routing of messages between them and from devices (DESIGN.md,
 * "Interrupts"). SoftVm owns one and forwards `signalMsi`, `setLint`,
 * `setExtIntSource` and `addEoiListener` to it.
 *
 * Routing (SDM vol. 3, 11.6):
 *   - Only active APICs (hardware-enabled, not hidden) take part.
 *   - Shorthands: self, all including self, all excluding self; otherwise
 *     the destination is matched by destination.ts (physical, flat, cluster,
 *     x2APIC cluster; 0xFF / 0xFFFFFFFF broadcast).
 *   - Lowest priority (delivery mode 1, or an MSI's redirection hint with a
 *     logical destination), for fixed interrupts: one APIC of the matched
 *     set gets it. The choice is deterministic: a focus processor (one that
 *     already holds the vector in IRR or ISR, with focus checking on) wins;
 *     otherwise the software-enabled APIC with the lowest arbitration
 *     priority (APR); ties go to the lowest vCPU index.
 *   - INIT and start-up IPIs never target their own sender (a processor
 *     cannot INIT itself this way; SDM table 11-3 allows INIT/SIPI only with
 *     "no shorthand" or "all excluding self").
 *
 * Everything runs on the thread that owns the VM: with vCPUs in workers,
 * the bus would have to move into shared memory (see the report).
 */
import type { EoiListener, ExtIntSource, MsiMessage } from "../../api.js";
import { HvError } from "../../errors.js";
import { DeliveryMode, Shorthand } from "./constants.js";
import { matchesDestination } from "./destination.js";
import { Lapic } from "./lapic.js";
import type { LapicHost, LapicOptions } from "./options.js";
import { ApicMessage, decodeMsi } from "./message.js";
import type { ApicClock } from "./timer.js";

export interface ApicBusOptions {
  /** The machine's virtual clock (APIC timers). */
  readonly clock: ApicClock;
}

export class ApicBus implements LapicHost {
  readonly #clock: ApicClock;
  /** By vCPU index (sparse). */
  readonly #byIndex: (Lapic | undefined)[] = [];
  /** In vCPU-index order: the order of delivery and of lowest-priority ties. */
  readonly #lapics: Lapic[] = [];
  readonly #eoiListeners: EoiListener[] = [];
  readonly #msi = new ApicMessage();
  readonly #targets: Lapic[] = [];
  #extIntSource: ExtIntSource | undefined;
  #hideAll = false;
  /** vCPUs hidden by index, also before their APIC exists. */
  readonly #hiddenIndexes = new Set<number>();
  #routing = false;
  /** MSIs dropped: address outside 0xFEExxxxx or a reserved delivery mode. */
  droppedMessages = 0;

  constructor(options: ApicBusOptions) {
    const clock = options?.clock;
    if (typeof clock?.now !== "function" || typeof clock?.createTimer !== "function") {
      throw new HvError("invalid-argument", "ApicBus needs a clock with now() and createTimer()");
    }
    this.#clock = clock;
  }

  /** Creates the local APIC of vCPU `index` (once per index). */
  attach(index: number, options: LapicOptions): Lapic {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new HvError(
        "invalid-argument",
        `vcpu index must be a non-negative integer, got ${index}`,
      );
    }
    if (this.#byIndex[index] !== undefined) {
      throw new HvError("invalid-argument", `vcpu ${index} already has a local APIC`);
    }
    const lapic = new Lapic(this, index, this.#clock, options);
    if (this.#lapics.some((other) => other.apicId === lapic.apicId)) {
      lapic.destroy();
      throw new HvError("invalid-argument", `APIC ID ${lapic.apicId} is already used`);
    }
    lapic.hidden = this.#hideAll || this.#hiddenIndexes.has(index);
    this.#byIndex[index] = lapic;
    this.#lapics.push(lapic);
    this.#lapics.sort((a, b) => a.index - b.index);
    return lapic;
  }

  /** Removes vCPU `index`'s APIC (vCPU destroyed). */
  detach(index: number): void {
    const lapic = this.#byIndex[index];
    if (lapic === undefined) return;
    lapic.destroy();
    this.#byIndex[index] = undefined;
    this.#lapics.splice(this.#lapics.indexOf(lapic), 1);
  }

  /** The APIC of vCPU `index`; throws when there is none. */
  lapic(index: number): Lapic {
    const lapic = Number.isSafeInteger(index) && index >= 0 ? this.#byIndex[index] : undefined;
    if (lapic === undefined)
      throw new HvError("invalid-argument", `vcpu ${index} has no local APIC`);
    return lapic;
  }

  get lapics(): readonly Lapic[] {
    return this.#lapics;
  }

  /**
   * "hide-lapic": hides vCPU `vcpu`'s APIC, or every APIC (present and
   * future) when `vcpu` is undefined.
   */
  hide(vcpu: number | undefined): void {
    if (vcpu === undefined) {
      this.#hideAll = true;
      for (const lapic of this.#lapics) lapic.hidden = true;
      return;
    }
    if (!Number.isSafeInteger(vcpu) || vcpu < 0) {
      throw new HvError(
        "invalid-argument",
        `hide: vcpu must be a non-negative integer, got ${vcpu}`,
      );
    }
    this.#hiddenIndexes.add(vcpu);
    const lapic = this.#byIndex[vcpu];
    if (lapic !== undefined) lapic.hidden = true;
  }

  // ---- Vm entry points ----

  /** Vm.signalMsi. Returns how many APICs accepted the message. */
  signalMsi(message: MsiMessage): number {
    const address = message?.address;
    const data = message?.data;
    if (!isU32(address) || !isU32(data)) {
      throw new HvError(
        "invalid-argument",
        "signalMsi: address and data must be 32-bit unsigned integers",
      );
    }
    const msi = this.#routing ? new ApicMessage() : this.#msi;
    if (!decodeMsi(address, data, msi) || msi.deliveryMode === 3) {
      this.droppedMessages++;
      return 0;
    }
    return this.#route(msi, undefined);
  }

  /** Vm.setLint: drives LINT0/LINT1 of vCPU `vcpu`. */
  setLint(vcpu: number, pin: 0 | 1, level: boolean): void {
    if (pin !== 0 && pin !== 1)
      throw new HvError("invalid-argument", `setLint: pin ${pin} is not 0 or 1`);
    if (typeof level !== "boolean")
      throw new HvError("invalid-argument", "setLint: level must be a boolean");
    this.lapic(vcpu).setLint(pin, level);
  }

  /** Vm.setExtIntSource: the PIC, asked at INTA for ExtINT vectors. */
  setExtIntSource(source: ExtIntSource | undefined): void {
    this.#extIntSource = source;
  }

  get extIntSource(): ExtIntSource | undefined {
    return this.#extIntSource;
  }

  /** Vm.addEoiListener: told the vector of every broadcast EOI of a level-triggered interrupt. */
  addEoiListener(listener: EoiListener): void {
    if (typeof listener !== "function") {
      throw new HvError("invalid-argument", "addEoiListener: listener must be a function");
    }
    this.#eoiListeners.push(listener);
  }

  // ---- LapicHost ----

  sendIpi(from: Lapic, message: ApicMessage): void {
    this.#route(message, from);
  }

  eoiBroadcast(vector: number): void {
    for (const listener of this.#eoiListeners) listener(vector);
  }

  /** Stops every APIC timer and forgets listeners and the PIC. */
  destroy(): void {
    for (const lapic of this.#lapics) lapic.destroy();
    this.#lapics.length = 0;
    this.#byIndex.length = 0;
    this.#eoiListeners.length = 0;
    this.#extIntSource = undefined;
  }

  // ---- Routing ----

  #route(message: ApicMessage, from: Lapic | undefined): number {
    // A listener reacting synchronously may route again: only the outer call uses the scratch list.
    const nested = this.#routing;
    const targets = nested ? [] : this.#targets;
    targets.length = 0;
    this.#routing = true;
    try {
      return this.#deliver(message, from, targets);
    } finally {
      this.#routing = nested;
      targets.length = 0;
    }
  }

  #deliver(message: ApicMessage, from: Lapic | undefined, targets: Lapic[]): number {
    const mode = message.deliveryMode;
    const noSelf = mode === DeliveryMode.INIT || mode === DeliveryMode.STARTUP;
    for (const lapic of this.#lapics) {
      if (!lapic.active) continue;
      const self = lapic === from;
      let hit: boolean;
      switch (message.shorthand) {
        case Shorthand.SELF:
          hit = self;
          break;
        case Shorthand.ALL_INCLUDING_SELF:
          hit = true;
          break;
        case Shorthand.ALL_EXCLUDING_SELF:
          hit = !self;
          break;
        default:
          hit = matchesDestination(lapic, message);
      }
      if (hit && !(self && noSelf)) targets.push(lapic);
    }
    if (targets.length > 1 && this.#lowestPriority(message)) {
      const chosen = chooseLowestPriority(targets, message.vector);
      targets.length = 0;
      targets.push(chosen);
    }
    let accepted = 0;
    for (const lapic of targets) if (lapic.accept(message)) accepted++;
    return accepted;
  }

  #lowestPriority(message: ApicMessage): boolean {
    const mode = message.deliveryMode;
    if (mode === DeliveryMode.LOWEST_PRIORITY) return true;
    return mode === DeliveryMode.FIXED && message.redirectionHint && message.logical;
  }
}

/** See the file comment: focus processor, else lowest APR among enabled APICs, else lowest index. */
function chooseLowestPriority(targets: readonly Lapic[], vector: number): Lapic {
  for (const lapic of targets) if (lapic.softwareEnabled && lapic.isFocusFor(vector)) return lapic;
  let best: Lapic | undefined;
  let bestPriority = Infinity;
  for (const lapic of targets) {
    if (!lapic.softwareEnabled) continue;
    const priority = lapic.arbitrationPriority;
    if (priority < bestPriority) {
      best = lapic;
      bestPriority = priority;
    }
  }
  return best ?? targets[0];
}

function isU32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;
}
