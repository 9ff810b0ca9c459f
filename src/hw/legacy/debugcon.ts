/**
 * The Bochs/QEMU debug console ("isa-debugcon") at port 0xE9: each byte
 * written goes to a character backend; a read returns 0xE9, which is how
 * guests detect it (QEMU's `readback` property, which is settable too).
 * It cannot stall the guest, so backend flow control is not applied: the
 * backend keeps what it is given. No state; an empty section keeps every
 * device's interface alike.
 */
import { describe, type SaveOptions, type SectionInput } from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import type { CharBackend } from "./char-backend.js";
import { DeviceOptionError, checkInteger, checkPortRange } from "./errors.js";

/** Section "isa-debugcon": no fields. */
export const debugconStateDescription = describe<Record<string, never>>({
  name: "isa-debugcon",
  version: 1,
  fields: {},
});

export interface DebugconOptions {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  readonly backend: CharBackend;
  /** The port; default 0xE9. */
  readonly iobase?: number;
  /** What reads return; default 0xE9. */
  readonly readback?: number;
}

/** The debug console port. */
export class Debugcon {
  static readonly model = "isa-debugcon";
  private readonly mapping: BusMapping;

  constructor(options: DebugconOptions) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("isa-debugcon", "bus", "is required");
    }
    if (options.backend === undefined) {
      throw new DeviceOptionError("isa-debugcon", "backend", "is required");
    }
    const iobase = options.iobase ?? 0xe9;
    checkPortRange("isa-debugcon", "iobase", iobase);
    const readback = options.readback ?? 0xe9;
    checkInteger("isa-debugcon", "readback", readback, 0, 0xff);
    const backend = options.backend;
    this.mapping = options.bus.register({
      name: "isa-debugcon",
      start: iobase,
      length: 1,
      widths: [1],
      read: () => readback,
      write: (_o, _s, value) => void backend.write(Uint8Array.of(Number(value))),
    });
  }

  /** Nothing to reset. */
  reset(): void {}

  /** Saves the empty section "isa-debugcon". */
  saveState(options?: SaveOptions): Uint8Array {
    return debugconStateDescription.save({}, options);
  }

  /** Checks the section is this device's (it carries no state). */
  loadState(section: SectionInput): void {
    debugconStateDescription.decode(section);
  }

  /** Unregisters the port. */
  detach(): void {
    this.mapping.remove();
  }
}
