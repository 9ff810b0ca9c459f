/**
 * The POST code port 0x80 ("port80"): firmware writes progress codes here
 * and Linux writes it as an I/O delay. Writes are accepted and the last
 * code is kept (for the monitor); reads return 0xFF as on a bus with no
 * POST card, as QEMU does.
 */
import { describe, u8, type SaveOptions, type SectionInput } from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import { DeviceOptionError } from "./errors.js";

export interface Port80State {
  /** The last POST code written. */
  code: number;
}

/** Section "port80". */
export const port80StateDescription = describe<Port80State>({
  name: "port80",
  version: 1,
  fields: { code: u8() },
});

export interface Port80Options {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  /** Called with each code written. */
  readonly onPostCode?: (code: number) => void;
}

/** Port 0x80. */
export class Port80 {
  static readonly model = "port80";
  readonly state: Port80State = { code: 0 };
  private readonly mapping: BusMapping;

  constructor(options: Port80Options) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("port80", "bus", "is required");
    }
    const onPostCode = options.onPostCode ?? (() => {});
    this.mapping = options.bus.register({
      name: "port80",
      start: 0x80,
      length: 1,
      widths: [1],
      read: () => 0xff,
      write: (_o, _s, value) => {
        this.state.code = Number(value);
        onPostCode(this.state.code);
      },
    });
  }

  /** The last POST code written. */
  get lastCode(): number {
    return this.state.code;
  }

  /** Machine reset: the code is kept (a POST card shows it across resets). */
  reset(): void {}

  /** Saves section "port80". */
  saveState(options?: SaveOptions): Uint8Array {
    return port80StateDescription.save(this.state, options);
  }

  /** Loads section "port80". */
  loadState(section: SectionInput): void {
    port80StateDescription.load(section, this.state);
  }

  /** Unregisters the port. */
  detach(): void {
    this.mapping.remove();
  }
}
