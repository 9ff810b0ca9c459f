/**
 * System control port A at 0x92 ("port92", the PS/2 "fast A20 and reset"
 * port): bit 1 gates A20, and bit 0 going from 0 to 1 resets the machine.
 * The other bits are kept as written.
 */
import { describe, u8, type SaveOptions, type SectionInput } from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import { DeviceOptionError } from "./errors.js";

export interface Port92State {
  value: number;
}

/** Section "port92". */
export const port92StateDescription = describe<Port92State>({
  name: "port92",
  version: 1,
  fields: { value: u8() },
});

const FAST_RESET = 0x01;
const FAST_A20 = 0x02;

export interface Port92Options {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  /** Called when bit 1 (A20) changes. */
  readonly onA20Change?: (enabled: boolean) => void;
  /** Called when bit 0 is set (fast reset). */
  readonly onReset?: () => void;
}

/** Port 0x92. */
export class Port92 {
  static readonly model = "port92";
  readonly state: Port92State = { value: 0 };
  private readonly onA20Change: (enabled: boolean) => void;
  private readonly onReset: () => void;
  private readonly mapping: BusMapping;

  constructor(options: Port92Options) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("port92", "bus", "is required");
    }
    this.onA20Change = options.onA20Change ?? (() => {});
    this.onReset = options.onReset ?? (() => {});
    this.mapping = options.bus.register({
      name: "port92",
      start: 0x92,
      length: 1,
      widths: [1],
      read: () => this.state.value,
      write: (_o, _s, value) => this.write(Number(value)),
    });
  }

  /** Bit 1: the fast A20 gate. */
  get a20Enabled(): boolean {
    return (this.state.value & FAST_A20) !== 0;
  }

  /** Machine reset: bit 0 clears so the next fast reset is a new 0-to-1 edge; A20 stays. */
  reset(): void {
    this.state.value &= ~FAST_RESET;
  }

  /** Saves section "port92". */
  saveState(options?: SaveOptions): Uint8Array {
    return port92StateDescription.save(this.state, options);
  }

  /** Loads section "port92" and reports the A20 bit. */
  loadState(section: SectionInput): void {
    port92StateDescription.load(section, this.state);
    this.onA20Change(this.a20Enabled);
  }

  /** Unregisters the port. */
  detach(): void {
    this.mapping.remove();
  }

  private write(value: number): void {
    const old = this.state.value;
    this.state.value = value;
    if (((old ^ value) & FAST_A20) !== 0) this.onA20Change((value & FAST_A20) !== 0);
    if ((value & FAST_RESET) !== 0 && (old & FAST_RESET) === 0) this.onReset();
  }
}
