/**
 * QEMU's "isa-debug-exit" device: a write of value v to its ports asks the
 * monitor to exit with status (v << 1) | 1, so a test guest can report a
 * result (status 1 can then never mean success). Options as in QEMU:
 * `iobase` (default 0x501) and `iosize` (1, 2 or 4; default 2). It has no
 * state to save; its empty section keeps every device's interface alike.
 */
import { describe, type SaveOptions, type SectionInput } from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import { DeviceOptionError, checkPortRange } from "./errors.js";

/** Section "isa-debug-exit": no fields. */
export const isaDebugExitStateDescription = describe<Record<string, never>>({
  name: "isa-debug-exit",
  version: 1,
  fields: {},
});

export interface IsaDebugExitOptions {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  /** First port; default 0x501. */
  readonly iobase?: number;
  /** Number of ports: 1, 2 or 4; default 2. */
  readonly iosize?: number;
  /** Called with the exit status the guest asked for. */
  readonly onExit: (status: number) => void;
}

/** QEMU's isa-debug-exit. */
export class IsaDebugExit {
  static readonly model = "isa-debug-exit";
  readonly iobase: number;
  readonly iosize: 1 | 2 | 4;
  private readonly mapping: BusMapping;

  constructor(options: IsaDebugExitOptions) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("isa-debug-exit", "bus", "is required");
    }
    if (typeof options.onExit !== "function") {
      throw new DeviceOptionError("isa-debug-exit", "onExit", "must be a function");
    }
    const iosize = options.iosize ?? 2;
    if (iosize !== 1 && iosize !== 2 && iosize !== 4) {
      throw new DeviceOptionError(
        "isa-debug-exit",
        "iosize",
        `must be 1, 2 or 4, got ${String(iosize)}`,
      );
    }
    const iobase = options.iobase ?? 0x501;
    checkPortRange("isa-debug-exit", "iobase", iobase, iosize);
    this.iobase = iobase;
    this.iosize = iosize;
    const onExit = options.onExit;
    this.mapping = options.bus.register({
      name: "isa-debug-exit",
      start: iobase,
      length: iosize,
      widths: [1, 2, 4],
      // The value is whatever the access wrote, at any offset, as in QEMU.
      write: (_offset, _size, value) => onExit(Number(value) * 2 + 1),
    });
  }

  /** Nothing to reset. */
  reset(): void {}

  /** Saves the empty section "isa-debug-exit". */
  saveState(options?: SaveOptions): Uint8Array {
    return isaDebugExitStateDescription.save({}, options);
  }

  /** Checks the section is this device's (it carries no state). */
  loadState(section: SectionInput): void {
    isaDebugExitStateDescription.decode(section);
  }

  /** Unregisters the ports. */
  detach(): void {
    this.mapping.remove();
  }
}
