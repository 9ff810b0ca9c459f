/**
 * The items an fw_cfg device serves, by selector key, and its file directory
 * (QEMU docs/specs/fw_cfg.rst, "File Directory"): a big-endian count, then
 * per file { u32 size BE, u16 select BE, u16 reserved, char name[56] }, the
 * name NUL-terminated and padded. Files get keys from FILE_FIRST up in the
 * order they are added (QEMU's legacy order; the directory is the interface,
 * so firmware does not care which key a file has).
 */
import { DeviceOptionError } from "../legacy/errors.js";
import { FwCfgKey, FW_CFG_SELECTOR_IGNORED } from "./keys.js";

/** Longest file name: 55 characters and the terminating NUL. */
export const FW_CFG_MAX_FILE_NAME = 55;
const DIRECTORY_ENTRY_SIZE = 64;
const NAME_FIELD_SIZE = 56;

/** Called after the guest wrote bytes [offset, offset + length) of a writable item. */
export type FwCfgWriteListener = (offset: number, length: number) => void;

/** One item: its bytes and whether the guest may write them by DMA. */
export interface FwCfgItem {
  readonly key: number;
  /** The file name, for files. */
  readonly name: string | undefined;
  readonly data: Uint8Array;
  readonly writable: boolean;
  readonly onWrite: FwCfgWriteListener | undefined;
}

/** Options of `FwCfg.addFile`. */
export interface FwCfgFileOptions {
  /** The guest may overwrite the file's bytes with a DMA write; default false. */
  readonly writable?: boolean;
  /** Told about each guest write to a writable file. */
  readonly onWrite?: FwCfgWriteListener;
}

/** A 16-bit little-endian item value. */
export function le16(value: number): Uint8Array {
  return littleEndian(value, 2);
}
/** A 32-bit little-endian item value. */
export function le32(value: number): Uint8Array {
  return littleEndian(value, 4);
}
/** A 64-bit little-endian item value (a number up to 2^53 or a bigint). */
export function le64(value: number | bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(value)), true);
  return bytes;
}

function littleEndian(value: number, size: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (size * 8)) {
    throw new RangeError(`${value} does not fit in ${size * 8} bits`);
  }
  const bytes = new Uint8Array(size);
  for (let i = 0, v = value; i < size; i++, v = Math.floor(v / 256)) bytes[i] = v % 256;
  return bytes;
}

/** The selector key an item is stored under: bit 14 ignored. */
export function itemKey(selector: number): number {
  return selector & 0xffff & ~FW_CFG_SELECTOR_IGNORED;
}

/** The items of one fw_cfg device. */
export class FwCfgItems {
  private readonly items = new Map<number, FwCfgItem>();
  private readonly files: FwCfgItem[] = [];

  /** `fileSlots`: how many files fit (keys FILE_FIRST to FILE_FIRST + fileSlots - 1). */
  constructor(private readonly fileSlots: number) {
    this.put(FwCfgKey.SIGNATURE, undefined, new TextEncoder().encode("QEMU"), {});
    this.put(FwCfgKey.FILE_DIR, undefined, new Uint8Array(4), {});
  }

  /** The item selected by `selector`, if any. */
  get(selector: number): FwCfgItem | undefined {
    return this.items.get(itemKey(selector));
  }

  /** The file called `name`, if any. */
  file(name: string): FwCfgItem | undefined {
    return this.files.find((f) => f.name === name);
  }

  /** Sets the ID item (the device's feature bits). */
  setId(features: number): void {
    this.items.delete(FwCfgKey.ID);
    this.put(FwCfgKey.ID, undefined, le32(features), {});
  }

  /**
   * Adds a numbered item: keys 0x02-0x18 and 0x1A-0x1F, or architecture-local
   * 0x8000-0x801F. Throws (adding nothing) for another key or a key in use.
   */
  addItem(key: number, data: Uint8Array): void {
    const local = key >= FwCfgKey.ARCH_LOCAL ? key - FwCfgKey.ARCH_LOCAL : key;
    const reserved = key === FwCfgKey.SIGNATURE || key === FwCfgKey.ID || key === FwCfgKey.FILE_DIR;
    if (!Number.isInteger(key) || local < 0 || local >= FwCfgKey.FILE_FIRST || reserved) {
      throw new DeviceOptionError(
        "fw_cfg",
        "key",
        `0x${key.toString(16)} is not an item key (0x02-0x1f but 0x19, 0x8000-0x801f)`,
      );
    }
    checkData(data);
    if (this.items.has(key)) {
      throw new DeviceOptionError("fw_cfg", "key", `0x${key.toString(16)} is already used`);
    }
    this.put(key, undefined, data, {});
  }

  /** Adds a file and lists it in the directory; returns its key. */
  addFile(name: string, data: Uint8Array, options: FwCfgFileOptions = {}): number {
    if (typeof name !== "string" || !/^[\x20-\x7e]+$/.test(name)) {
      throw new DeviceOptionError("fw_cfg", "name", "must be non-empty printable ASCII");
    }
    if (name.length > FW_CFG_MAX_FILE_NAME) {
      throw new DeviceOptionError("fw_cfg", "name", `"${name}" is longer than 55 characters`);
    }
    if (this.file(name) !== undefined) {
      throw new DeviceOptionError("fw_cfg", "name", `file "${name}" already exists`);
    }
    if (this.files.length >= this.fileSlots) {
      throw new DeviceOptionError(
        "fw_cfg",
        "name",
        `no slot left for "${name}" (${this.fileSlots} files)`,
      );
    }
    checkData(data);
    if (options.onWrite !== undefined && typeof options.onWrite !== "function") {
      throw new DeviceOptionError("fw_cfg", "onWrite", "must be a function");
    }
    const key = FwCfgKey.FILE_FIRST + this.files.length;
    this.files.push(this.put(key, name, data, options));
    this.rebuildDirectory();
    return key;
  }

  private put(
    key: number,
    name: string | undefined,
    data: Uint8Array,
    options: FwCfgFileOptions,
  ): FwCfgItem {
    const item: FwCfgItem = {
      key,
      name,
      data: Uint8Array.from(data),
      writable: options.writable === true,
      onWrite: options.onWrite,
    };
    this.items.set(key, item);
    return item;
  }

  private rebuildDirectory(): void {
    const dir = new Uint8Array(4 + this.files.length * DIRECTORY_ENTRY_SIZE);
    const view = new DataView(dir.buffer);
    view.setUint32(0, this.files.length);
    this.files.forEach((file, i) => {
      const at = 4 + i * DIRECTORY_ENTRY_SIZE;
      view.setUint32(at, file.data.length);
      view.setUint16(at + 4, file.key);
      const name = new TextEncoder().encode(file.name);
      dir.set(name.subarray(0, NAME_FIELD_SIZE - 1), at + 8);
    });
    this.items.set(FwCfgKey.FILE_DIR, { ...this.getDirectory(), data: dir });
  }

  private getDirectory(): FwCfgItem {
    return this.items.get(FwCfgKey.FILE_DIR) as FwCfgItem;
  }
}

function checkData(data: Uint8Array): void {
  if (!(data instanceof Uint8Array)) {
    throw new DeviceOptionError("fw_cfg", "data", "must be a Uint8Array");
  }
  if (data.length > 0xffff_ffff) {
    throw new DeviceOptionError("fw_cfg", "data", "is longer than 4 GiB - 1");
  }
}
