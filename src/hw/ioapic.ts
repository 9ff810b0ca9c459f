/**
 * The I/O APIC: an Intel 82093AA with the version-0x20 EOI register, as
 * QEMU's "ioapic" model (82093AA datasheet; Intel SDM vol. 3, 11.11 for the
 * message format; the ICH datasheets for the EOI register).
 *
 *   base + 0x00  IOREGSEL   selects an indirect register (low 8 bits)
 *   base + 0x10  IOWIN      reads/writes the selected register (32-bit writes only)
 *   base + 0x40  EOI        writing a vector clears remote IRR of entries with that vector
 *
 * Indirect registers: 0x00 ID (bits 24-27), 0x01 version (0x20, 24 entries),
 * 0x02 arbitration ID (= ID), 0x10 + 2n / 0x11 + 2n the low / high dword of
 * redirection entry n. An entry: vector (0-7), delivery mode (8-10),
 * destination mode (11), delivery status (12, always 0: delivery is
 * immediate), polarity (13, 1 = active low), remote IRR (14, read-only),
 * trigger mode (15, 1 = level), mask (16), destination (56-63).
 *
 * Pins (`setIrq`, or `line(pin)` for a device):
 *   - edge-triggered: a rising edge (after polarity) of an unmasked pin
 *     sends one message; edges seen while masked are lost (82093AA).
 *   - level-triggered: an asserted, unmasked pin with remote IRR clear sends
 *     a message and sets remote IRR (fixed and lowest-priority modes only:
 *     other modes are never EOIed). An EOI for the vector — broadcast by a
 *     local APIC (the Vm's EOI listener) or written to the EOI register —
 *     clears remote IRR and sends again if the pin is still asserted.
 *     Unmasking an asserted level pin sends too. Switching an entry to edge
 *     clears its remote IRR.
 *
 * Messages leave as MSI (address, data) pairs through `vm.signalMsi`.
 */
import type { EoiListener, MsiMessage } from "../hv/api.js";
import { describe, StateError, u32, u8, uint32Array } from "../migration/state/index.js";
import type { Bus, BusMapping, RegionSpec } from "./bus/index.js";
import { IrqError, irqLine, type IrqLine, type IrqSink } from "./irq.js";
import { DeviceOptionError } from "./legacy/errors.js";

export const IOAPIC_PINS = 24;
export const IOAPIC_VERSION = 0x20;
export const IOAPIC_DEFAULT_BASE = 0xfec00000;
export const IOAPIC_MMIO_SIZE = 0x1000;

/** Offsets in the MMIO window. */
export const IOREGSEL = 0x00;
export const IOWIN = 0x10;
export const IOAPIC_EOI = 0x40;

/** Indirect register indexes. */
export const IoapicReg = { ID: 0x00, VERSION: 0x01, ARBITRATION: 0x02, REDIRECTION: 0x10 } as const;

const VERSION_VALUE = IOAPIC_VERSION | ((IOAPIC_PINS - 1) << 16);
const DEST_LOGICAL = 1 << 11;
const POLARITY_LOW = 1 << 13;
const REMOTE_IRR = 1 << 14;
const LEVEL_TRIGGER = 1 << 15;
const MASKED = 1 << 16;
/** Guest-writable bits of an entry's low dword: all but delivery status and remote IRR. */
const LOW_WRITABLE = 0x1afff;
const HIGH_WRITABLE = 0xff000000;

export interface IoapicState {
  /** IOAPIC ID, 0-15. */
  id: number;
  /** IOREGSEL. */
  select: number;
  redirectionLow: Uint32Array;
  redirectionHigh: Uint32Array;
  /** Input pin levels as driven (bit n = pin n), before polarity. */
  pinLevels: number;
}

/** The saved form (section "ioapic", version 1). */
export const IOAPIC_STATE = describe<IoapicState>({
  name: "ioapic",
  version: 1,
  fields: {
    id: u8({ max: 15 }),
    select: u8(),
    redirectionLow: uint32Array(IOAPIC_PINS),
    redirectionHigh: uint32Array(IOAPIC_PINS),
    pinLevels: u32({ max: 2 ** IOAPIC_PINS - 1 }),
  },
});

/** What the IOAPIC needs from the Vm (a `Vm` has both). */
export interface IoapicVm {
  signalMsi(message: MsiMessage): void;
  addEoiListener(listener: EoiListener): void;
}

export interface IoapicOptions {
  /** MMIO base; default 0xFEC00000. Page-aligned, below 4 GiB. */
  readonly base?: number;
  /** IOAPIC ID after reset, 0-15; default 0. */
  readonly id?: number;
}

export class Ioapic implements IrqSink {
  readonly base: number;
  readonly state: IoapicState;
  readonly #vm: IoapicVm;
  readonly #resetId: number;
  readonly #lines: readonly IrqLine[];

  constructor(vm: IoapicVm, options: IoapicOptions = {}) {
    const base = options.base ?? IOAPIC_DEFAULT_BASE;
    if (
      !Number.isInteger(base) ||
      base < 0 ||
      base > 0x1_0000_0000 - IOAPIC_MMIO_SIZE ||
      base % 0x1000 !== 0
    ) {
      throw new DeviceOptionError(
        "ioapic",
        "base",
        `must be a page-aligned address below 4 GiB, got ${String(base)}`,
      );
    }
    const id = options.id ?? 0;
    if (!Number.isInteger(id) || id < 0 || id > 15) {
      throw new DeviceOptionError(
        "ioapic",
        "id",
        `must be an integer from 0 to 15, got ${String(id)}`,
      );
    }
    this.#vm = vm;
    this.base = base;
    this.#resetId = id;
    this.state = {
      id,
      select: 0,
      redirectionLow: new Uint32Array(IOAPIC_PINS),
      redirectionHigh: new Uint32Array(IOAPIC_PINS),
      pinLevels: 0,
    };
    this.#lines = Array.from({ length: IOAPIC_PINS }, (_, pin) =>
      irqLine((level) => this.setIrq(pin, level)),
    );
    this.reset();
    vm.addEoiListener((vector) => this.eoi(vector));
  }

  /** RESET: ID as configured, every entry masked; pin levels are wires and stay. */
  reset(): void {
    const s = this.state;
    s.id = this.#resetId;
    s.select = 0;
    s.redirectionLow.fill(MASKED);
    s.redirectionHigh.fill(0);
  }

  // ---- MMIO ----

  /** The MMIO region, for `Bus.register`. */
  region(): RegionSpec {
    return {
      name: "ioapic",
      start: this.base,
      length: IOAPIC_MMIO_SIZE,
      widths: [1, 2, 4],
      read: (offset, size) => this.read(offset, size),
      write: (offset, size, value) => this.write(offset, size, Number(value)),
    };
  }

  /** Maps the IOAPIC on `bus` (the CPU's MMIO bus). */
  register(bus: Bus): BusMapping {
    return bus.register(this.region());
  }

  /** Reads `size` bytes at `offset` of the window (other offsets read 0). */
  read(offset: number, size: number): number {
    const slot = offset & ~3;
    let value = 0;
    if (slot === IOREGSEL) value = this.state.select;
    else if (slot === IOWIN) value = this.#readIndirect(this.state.select);
    const shifted = value >>> ((offset & 3) * 8);
    return size >= 4 ? shifted >>> 0 : shifted & (size === 2 ? 0xffff : 0xff);
  }

  /** Writes at `offset` of the window: IOREGSEL (any width), IOWIN (32-bit), EOI. */
  write(offset: number, size: number, value: number): void {
    if (offset === IOREGSEL) this.state.select = value & 0xff;
    else if (offset === IOWIN && size === 4) this.#writeIndirect(this.state.select, value >>> 0);
    else if (offset === IOAPIC_EOI) this.eoi(value & 0xff);
  }

  #readIndirect(index: number): number {
    const s = this.state;
    switch (index) {
      case IoapicReg.ID:
      case IoapicReg.ARBITRATION:
        return s.id << 24;
      case IoapicReg.VERSION:
        return VERSION_VALUE;
    }
    const pin = (index - IoapicReg.REDIRECTION) >> 1;
    if (pin < 0 || pin >= IOAPIC_PINS) return 0;
    return (index & 1) === 0 ? s.redirectionLow[pin] : s.redirectionHigh[pin];
  }

  #writeIndirect(index: number, value: number): void {
    const s = this.state;
    if (index === IoapicReg.ID) {
      s.id = (value >>> 24) & 0xf;
      return;
    }
    const pin = (index - IoapicReg.REDIRECTION) >> 1;
    if (pin < 0 || pin >= IOAPIC_PINS) return;
    if ((index & 1) === 1) {
      s.redirectionHigh[pin] = value & HIGH_WRITABLE;
      return;
    }
    let low = (value & LOW_WRITABLE) | (s.redirectionLow[pin] & REMOTE_IRR);
    if ((low & LEVEL_TRIGGER) === 0) low &= ~REMOTE_IRR;
    s.redirectionLow[pin] = low >>> 0;
    this.#serviceLevel(pin);
  }

  // ---- Pins ----

  /** Drives input pin `pin` (0-23) to `level` (IrqSink). */
  setIrq(pin: number, level: boolean): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= IOAPIC_PINS) {
      throw new IrqError(`IOAPIC pin ${pin} does not exist (0-${IOAPIC_PINS - 1})`);
    }
    const s = this.state;
    const wasAsserted = this.#asserted(pin);
    s.pinLevels = (level ? s.pinLevels | (1 << pin) : s.pinLevels & ~(1 << pin)) >>> 0;
    const low = s.redirectionLow[pin];
    if ((low & LEVEL_TRIGGER) !== 0) {
      this.#serviceLevel(pin);
    } else if (this.#asserted(pin) && !wasAsserted && (low & MASKED) === 0) {
      this.#send(pin);
    }
  }

  /** The wire of pin `pin`, for a device to drive. */
  line(pin: number): IrqLine {
    if (!Number.isInteger(pin) || pin < 0 || pin >= IOAPIC_PINS) {
      throw new IrqError(`IOAPIC pin ${pin} does not exist (0-${IOAPIC_PINS - 1})`);
    }
    return this.#lines[pin];
  }

  /** EOI for `vector`: clears remote IRR of the level entries with it; re-sends held levels. */
  eoi(vector: number): void {
    const s = this.state;
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const low = s.redirectionLow[pin];
      if ((low & REMOTE_IRR) === 0 || (low & 0xff) !== vector) continue;
      s.redirectionLow[pin] = low & ~REMOTE_IRR;
      this.#serviceLevel(pin);
    }
  }

  #asserted(pin: number): boolean {
    const high = (this.state.pinLevels & (1 << pin)) !== 0;
    return (this.state.redirectionLow[pin] & POLARITY_LOW) !== 0 ? !high : high;
  }

  /** A level-triggered entry: send if asserted, unmasked and not awaiting an EOI. */
  #serviceLevel(pin: number): void {
    const low = this.state.redirectionLow[pin];
    if ((low & (LEVEL_TRIGGER | MASKED | REMOTE_IRR)) !== LEVEL_TRIGGER) return;
    if (this.#asserted(pin)) this.#send(pin);
  }

  /** Sends entry `pin` as an MSI-format message. */
  #send(pin: number): void {
    const s = this.state;
    const low = s.redirectionLow[pin];
    const mode = (low >>> 8) & 7;
    if (mode === 3 || mode === 6) return; // reserved delivery modes
    const level = (low & LEVEL_TRIGGER) !== 0;
    if (level && mode <= 1) s.redirectionLow[pin] = low | REMOTE_IRR;
    const destination = s.redirectionHigh[pin] >>> 24;
    const address = (0xfee00000 | (destination << 12) | ((low & DEST_LOGICAL) !== 0 ? 4 : 0)) >>> 0;
    // Data: vector, delivery mode, level asserted (bit 14), trigger mode (bit 15).
    const data = (low & 0x7ff) | (1 << 14) | (level ? 1 << 15 : 0);
    this.#vm.signalMsi({ address, data });
  }

  // ---- Save / load ----

  /** The state as an "ioapic" section. */
  saveState(instance = 0): Uint8Array {
    return IOAPIC_STATE.save(this.state, { instance });
  }

  /** Loads an "ioapic" section; refuses (changing nothing) bits no guest could have set. */
  loadState(section: Uint8Array): void {
    const loaded = IOAPIC_STATE.decode(section).state;
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const low = loaded.redirectionLow[pin];
      const bad =
        (low & ~(LOW_WRITABLE | REMOTE_IRR)) !== 0 ||
        (loaded.redirectionHigh[pin] & ~HIGH_WRITABLE) !== 0 ||
        ((low & REMOTE_IRR) !== 0 && (low & LEVEL_TRIGGER) === 0);
      if (bad) {
        throw new StateError(
          "bad-value",
          IOAPIC_STATE.name,
          `redirection[${pin}]`,
          "reserved or inconsistent bits set",
        );
      }
    }
    IOAPIC_STATE.load(section, this.state);
  }
}
