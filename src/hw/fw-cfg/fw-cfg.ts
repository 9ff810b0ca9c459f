/**
 * QEMU's firmware configuration device on I/O ports ("fw_cfg_io"; QEMU
 * docs/specs/fw_cfg.rst), through which firmware and Linux's qemu_fw_cfg
 * driver read what the machine provides (CPU count, RAM size, files such as
 * ACPI tables or a boot order).
 *
 *   0x510  selector, 16-bit writes: picks an item and rewinds to its start
 *   0x511  data, 8-bit reads: the next byte of the item (0 past its end)
 *   0x514  DMA address, two 32-bit writes, each big-endian: high half at
 *          0x514, then low half at 0x518, which starts the transfer
 *          (dma.ts); reads return "QEMU CFG", the DMA signature
 *
 * As in QEMU, byte reads at 0x510 also return data, byte writes to either
 * port are ignored (the old write interface is gone), and a 16-bit read of
 * the selector reads as all ones. The DMA port exists, and ID bit 1 is set,
 * only when the device is given guest memory.
 *
 * Items are configuration: the machine adds them before the guest starts,
 * the same way on a migration target, so only the selection, offset and the
 * half-written DMA address are saved (as QEMU does).
 */
import {
  describe,
  u16,
  u32,
  u64,
  type SaveOptions,
  type SectionInput,
} from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import { DeviceOptionError, checkInteger, checkPortRange } from "../legacy/errors.js";
import { performDma, type DmaMemory, type DmaTarget } from "./dma.js";
import { FwCfgItems, type FwCfgFileOptions, type FwCfgItem } from "./items.js";
import { FwCfgKey } from "./keys.js";

/** Where QEMU puts fw_cfg on a PC. */
export const FW_CFG_IO_BASE = 0x510;
/** The DMA address register's offset from the base. */
const DMA_OFFSET = 4;
const DMA_SIGNATURE = new TextEncoder().encode("QEMU CFG");

const ID_TRADITIONAL = 1 << 0;
const ID_DMA = 1 << 1;

export interface FwCfgState {
  /** The last selector written. */
  selector: number;
  /** Offset into the selected item. */
  offset: number;
  /** The DMA address's high half, shifted into place, until the low half is written. */
  dmaAddress: bigint;
}

/** Section "fw_cfg_io". */
export const fwCfgStateDescription = describe<FwCfgState>({
  name: "fw_cfg_io",
  version: 1,
  fields: { selector: u16(), offset: u32(), dmaAddress: u64() },
});

export interface FwCfgOptions {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  /** Guest memory for DMA; without it the device offers no DMA interface. */
  readonly memory?: DmaMemory;
  /** First port; default 0x510. */
  readonly iobase?: number;
  /** How many files can be added; default 32 (QEMU's default). */
  readonly fileSlots?: number;
}

function bswap32(value: number): number {
  return (
    (((value & 0xff) << 24) |
      ((value & 0xff00) << 8) |
      ((value >>> 8) & 0xff00) |
      (value >>> 24)) >>>
    0
  );
}

/** The fw_cfg device. */
export class FwCfg implements DmaTarget {
  static readonly model = "fw_cfg_io";
  readonly state: FwCfgState = { selector: 0, offset: 0, dmaAddress: 0n };
  readonly iobase: number;
  private readonly items: FwCfgItems;
  private readonly memory: DmaMemory | undefined;
  private readonly mappings: BusMapping[] = [];

  constructor(options: FwCfgOptions) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("fw_cfg", "bus", "is required");
    }
    const memory = options.memory;
    if (
      memory !== undefined &&
      (typeof memory.read !== "function" ||
        typeof memory.write !== "function" ||
        typeof memory.fill !== "function")
    ) {
      throw new DeviceOptionError("fw_cfg", "memory", "must have read, write and fill methods");
    }
    const iobase = options.iobase ?? FW_CFG_IO_BASE;
    checkPortRange("fw_cfg", "iobase", iobase, memory === undefined ? 2 : 12);
    const fileSlots = options.fileSlots ?? 0x20;
    checkInteger("fw_cfg", "fileSlots", fileSlots, 1, 0x3fe0);
    this.iobase = iobase;
    this.memory = memory;
    this.items = new FwCfgItems(fileSlots);
    this.items.setId(ID_TRADITIONAL | (memory === undefined ? 0 : ID_DMA));
    const bus = options.bus;
    try {
      this.mappings.push(
        bus.register({
          name: "fw_cfg",
          start: iobase,
          length: 2,
          widths: [1, 2],
          read: (_offset, size) => (size === 1 ? this.readData() : 0xffff),
          write: (offset, size, value) => {
            if (size === 2 && offset === 0) this.select(Number(value));
          },
        }),
      );
      if (memory !== undefined) {
        this.mappings.push(
          bus.register({
            name: "fw_cfg-dma",
            start: iobase + DMA_OFFSET,
            length: 8,
            widths: [1, 2, 4],
            read: (offset, size) => this.readSignature(offset, size),
            write: (offset, size, value) => {
              if (size === 4) this.writeDmaAddress(offset, Number(value));
            },
          }),
        );
      }
    } catch (error) {
      this.detach();
      throw error;
    }
  }

  /** Adds an item under a QEMU key (see keys.ts); throws for a reserved or used key. */
  addItem(key: number, data: Uint8Array): void {
    this.items.addItem(key, data);
  }

  /** Adds a file, listed in the directory; returns its selector key. */
  addFile(name: string, data: Uint8Array, options?: FwCfgFileOptions): number {
    return this.items.addFile(name, data, options);
  }

  /** A copy of a file's current bytes (a writable file may have been written by the guest). */
  fileData(name: string): Uint8Array | undefined {
    const file = this.items.file(name);
    return file === undefined ? undefined : Uint8Array.from(file.data);
  }

  /** @internal DmaTarget: the selected item. */
  get selected(): FwCfgItem | undefined {
    return this.items.get(this.state.selector);
  }

  /** @internal DmaTarget: offset into the selected item. */
  get offset(): number {
    return this.state.offset;
  }
  set offset(value: number) {
    this.state.offset = Math.min(value, 0xffff_ffff);
  }

  /** Selects an item (port 0x510, or a DMA select) and rewinds to its start. */
  select(selector: number): void {
    this.state.selector = selector & 0xffff;
    this.state.offset = 0;
  }

  /** Machine reset: the signature is selected again. */
  reset(): void {
    this.state.selector = FwCfgKey.SIGNATURE;
    this.state.offset = 0;
    this.state.dmaAddress = 0n;
  }

  /** Saves section "fw_cfg_io". */
  saveState(options?: SaveOptions): Uint8Array {
    return fwCfgStateDescription.save(this.state, options);
  }

  /** Loads section "fw_cfg_io" (a refused section changes nothing). */
  loadState(section: SectionInput): void {
    fwCfgStateDescription.load(section, this.state);
  }

  /** Unregisters the ports. */
  detach(): void {
    for (const mapping of this.mappings) mapping.remove();
  }

  private readData(): number {
    const item = this.selected;
    if (item === undefined || this.state.offset >= item.data.length) return 0;
    return item.data[this.state.offset++];
  }

  private readSignature(offset: number, size: number): number {
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + DMA_SIGNATURE[offset + i];
    return value;
  }

  /** The guest wrote a big-endian half of the DMA address; the low half starts the transfer. */
  private writeDmaAddress(offset: number, value: number): void {
    const half = BigInt(bswap32(value));
    if (offset === 0) {
      this.state.dmaAddress = half << 32n;
    } else if (offset === 4 && this.memory !== undefined) {
      const descriptor = this.state.dmaAddress | half;
      this.state.dmaAddress = 0n;
      performDma(this.memory, this, descriptor);
    }
  }
}
