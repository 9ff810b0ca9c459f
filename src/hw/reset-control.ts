/**
 * The reset control register at port 0xCF9 ("reset-control"), as in the
 * PIIX3/PIIX4 (82371AB datasheet, RC register) and ICH southbridges; the
 * FADT's RESET_REG points here with the value 0x06 (pc-tables.ts).
 *
 *   bit 1 SYS_RST   0 = soft reset (INIT of the processors only), 1 = hard
 *                   reset (the whole platform)
 *   bit 2 RST_CPU   writing 1 starts the reset of the kind bit 1 (or bit 3)
 *                   selects; it does not stick
 *   bit 3 FULL_RST  (ICH) a full power cycle; treated as a hard reset
 *
 * So writing 0x06 or 0x0E requests a hard reset, 0x04 a soft one; Linux's
 * `reboot=pci` writes 0x02, then 0x06. Reads return SYS_RST and FULL_RST as
 * last written.
 *
 * Decoding: on real chipsets 0xCF9 is claimed only by byte accesses, inside
 * the PCI configuration address register's dword at 0xCF8. Given `bus`, the
 * device registers the single byte 0xCF9 (fine while no PCI host bridge owns
 * 0xCF8-0xCFB). Without `bus` it registers nothing, and the host bridge
 * owning 0xCF8-0xCFB forwards byte accesses at 0xCF9 to `read()`/`write()`;
 * registering the byte over the bridge's dword instead would split a dword
 * write of the configuration address and send its second byte here.
 */
import {
  StateError,
  describe,
  u8,
  type SaveOptions,
  type SectionInput,
} from "../migration/state/index.js";
import type { Bus, BusMapping } from "./bus/index.js";
import { loadChecked } from "./legacy/device-state.js";
import { DeviceOptionError } from "./legacy/errors.js";

/** The register's port. */
export const RESET_CONTROL_PORT = 0xcf9;

const SYS_RST = 1 << 1;
const RST_CPU = 1 << 2;
const FULL_RST = 1 << 3;
/** Bits that read back as written. */
const KEPT_BITS = SYS_RST | FULL_RST;

/** What the guest asked for: "hard" resets the platform, "soft" only INITs the processors. */
export type ResetKind = "hard" | "soft";

export interface ResetControlState {
  /** SYS_RST and FULL_RST as last written. */
  value: number;
}

/** Section "reset-control". */
export const resetControlStateDescription = describe<ResetControlState>({
  name: "reset-control",
  version: 1,
  fields: { value: u8() },
});

export interface ResetControlOptions {
  /** The I/O port bus to register port 0xCF9 on; omit when a PCI host bridge forwards it. */
  readonly bus?: Bus;
  /** Called when the guest sets RST_CPU. */
  readonly onReset: (kind: ResetKind) => void;
}

/** Port 0xCF9. */
export class ResetControl {
  static readonly model = "reset-control";
  readonly state: ResetControlState = { value: 0 };
  private readonly onReset: (kind: ResetKind) => void;
  private readonly mapping: BusMapping | undefined;

  constructor(options: ResetControlOptions) {
    if (typeof options !== "object" || options === null) {
      throw new DeviceOptionError("reset-control", "options", "must be an object");
    }
    if (typeof options.onReset !== "function") {
      throw new DeviceOptionError("reset-control", "onReset", "must be a function");
    }
    this.onReset = options.onReset;
    this.mapping = options.bus?.register({
      name: "reset-control",
      start: RESET_CONTROL_PORT,
      length: 1,
      widths: [1],
      read: () => this.read(),
      write: (_offset, _size, value) => this.write(Number(value)),
    });
  }

  /** A guest byte read of port 0xCF9. */
  read(): number {
    return this.state.value;
  }

  /** A guest byte write to port 0xCF9. */
  write(value: number): void {
    this.state.value = value & KEPT_BITS;
    if ((value & RST_CPU) !== 0) this.onReset((value & KEPT_BITS) !== 0 ? "hard" : "soft");
  }

  /** Machine reset: the register clears. */
  reset(): void {
    this.state.value = 0;
  }

  /** Saves section "reset-control". */
  saveState(options?: SaveOptions): Uint8Array {
    return resetControlStateDescription.save(this.state, options);
  }

  /** Loads section "reset-control" (a refused section changes nothing). */
  loadState(section: SectionInput): void {
    loadChecked(resetControlStateDescription, section, this.state, (s) => {
      if ((s.value & ~KEPT_BITS) !== 0) {
        throw new StateError(
          "bad-value",
          ResetControl.model,
          "value",
          `0x${s.value.toString(16)} has bits that do not stick`,
        );
      }
    });
  }

  /** Unregisters the port. */
  detach(): void {
    this.mapping?.remove();
  }
}
