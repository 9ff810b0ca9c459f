/**
 * `-device` and `-drive` option strings.
 *
 * `-device driver[,prop=value...]` (or QEMU's JSON form `{"driver": ...}`)
 * is kept raw: the device model declares and validates its own properties
 * (DESIGN.md, "The device model"). Only the driver name and `id` are checked
 * here. `-drive` is split into a host block backend and, unless `if=none`,
 * a guest disk that names it.
 */
import { UsageError } from "./cli-errors.js";
import { parseBoolean, parseOptionList, toOptionMap, type OptionEntry } from "./option-list.js";
import type { DeviceConfig, DiskInterface } from "./run-config.js";

/** QEMU's rule for ids: a letter, then letters, digits, `-`, `.` and `_`. */
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9._-]*$/;
const DRIVER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$|^help$|^\?$/;

/** Checks an `id=` value. */
export function checkId(id: string, flag: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new UsageError(
      flag,
      `id '${id}' must start with a letter and hold only A-Z a-z 0-9 - . _`,
    );
  }
  return id;
}

/**
 * Parses one `-device` argument.
 * @throws UsageError when the driver is missing or malformed, an option is
 *   given twice, or the JSON form is not a flat object
 */
export function parseDeviceSpec(text: string, flag: string): DeviceConfig {
  const entries = text.trimStart().startsWith("{")
    ? entriesFromJson(text, flag)
    : parseOptionList(text, flag, "driver");
  let driver: string | undefined;
  let id: string | undefined;
  const properties: OptionEntry[] = [];
  const seen = new Set<string>();
  for (const [key, value] of entries) {
    if (seen.has(key)) throw new UsageError(flag, `option '${key}' given twice`);
    seen.add(key);
    if (key === "driver") driver = value;
    else if (key === "id") id = checkId(value, flag);
    else properties.push([key, value]);
  }
  if (driver === undefined || driver === "") {
    throw new UsageError(flag, "needs a driver name, as in -device isa-debug-exit,iobase=0xf4");
  }
  if (!DRIVER_PATTERN.test(driver)) throw new UsageError(flag, `bad driver name '${driver}'`);
  return id === undefined ? { driver, properties } : { driver, id, properties };
}

/** The JSON form: a flat object of strings, numbers and booleans. */
function entriesFromJson(text: string, flag: string): OptionEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(flag, `bad JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(flag, "JSON form must be an object");
  }
  return Object.entries(parsed).map(([key, value]): OptionEntry => {
    if (typeof value === "string") return [key, value];
    if (typeof value === "number" && Number.isFinite(value)) return [key, String(value)];
    if (typeof value === "boolean") return [key, value ? "on" : "off"];
    throw new UsageError(flag, `'${key}' must be a string, number or boolean`);
  });
}

/** One `-drive`, before ids are assigned. */
export interface DriveSpec {
  readonly id?: string;
  readonly file?: string;
  readonly format?: string;
  /** `none` creates only the host backend, for a `-device ...,drive=ID` to use. */
  readonly interface: DiskInterface | "none";
  readonly index?: number;
  readonly media: "disk" | "cdrom";
  readonly readOnly: boolean;
  /** `snapshot=` if given; otherwise `-snapshot` decides. */
  readonly snapshot?: boolean;
}

const DRIVE_KEYS = ["file", "if", "format", "id", "index", "media", "readonly", "snapshot"];
const INTERFACES: readonly (DiskInterface | "none")[] = [
  "ide",
  "scsi",
  "floppy",
  "pflash",
  "virtio",
  "sd",
  "mtd",
  "none",
];
/** Highest `index=`: far above any controller's unit count, low enough to refuse typos. */
const MAX_DRIVE_INDEX = 255;

/**
 * Parses one `-drive file=...,if=...,format=...` argument. Defaults are
 * QEMU's for the PC: `if=ide`, `media=disk`; a CD-ROM is read-only.
 * @throws UsageError on an unknown option or a bad value
 */
export function parseDriveSpec(text: string, flag: string): DriveSpec {
  const options = toOptionMap(parseOptionList(text, flag), flag, DRIVE_KEYS);
  const iface = options.get("if") ?? "ide";
  if (!(INTERFACES as readonly string[]).includes(iface)) {
    throw new UsageError(flag, `unknown interface if=${iface} (expected ${INTERFACES.join(", ")})`);
  }
  const media = options.get("media") ?? "disk";
  if (media !== "disk" && media !== "cdrom") {
    throw new UsageError(flag, `media must be disk or cdrom, not '${media}'`);
  }
  const file = options.get("file");
  if (file === "") throw new UsageError(flag, "file= needs a path");
  if (file === undefined && media === "disk" && iface !== "none") {
    throw new UsageError(flag, "a disk needs file=PATH (only media=cdrom may be empty)");
  }
  const format = options.get("format");
  if (format !== undefined && !/^[a-z0-9_-]+$/.test(format)) {
    throw new UsageError(flag, `bad format name '${format}'`);
  }
  const indexText = options.get("index");
  let index: number | undefined;
  if (indexText !== undefined) {
    if (!/^[0-9]+$/.test(indexText) || Number(indexText) > MAX_DRIVE_INDEX) {
      throw new UsageError(flag, `index must be 0..${MAX_DRIVE_INDEX}, not '${indexText}'`);
    }
    index = Number(indexText);
  }
  const readOnlyText = options.get("readonly");
  const readOnly =
    readOnlyText === undefined ? media === "cdrom" : parseBoolean(readOnlyText, flag, "readonly");
  if (media === "cdrom" && !readOnly) throw new UsageError(flag, "a cdrom is always read-only");
  const snapshotText = options.get("snapshot");
  const id = options.get("id");
  return {
    ...(id === undefined ? {} : { id: checkId(id, flag) }),
    ...(file === undefined ? {} : { file }),
    ...(format === undefined ? {} : { format }),
    interface: iface as DiskInterface | "none",
    ...(index === undefined ? {} : { index }),
    media,
    readOnly,
    ...(snapshotText === undefined
      ? {}
      : { snapshot: parseBoolean(snapshotText, flag, "snapshot") }),
  };
}
