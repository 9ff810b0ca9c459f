/**
 * Turns what the flags recorded into a `RunConfig`: applies defaults, checks
 * rules that involve several flags, and names the host objects that the
 * guest side links to (serial0, qmp0, drive0, ...).
 */
import { UsageError } from "./cli-errors.js";
import type { DriveSpec } from "./device-spec.js";
import type {
  Accelerator,
  BlockBackendConfig,
  ChardevBackend,
  ChardevConfig,
  DeviceConfig,
  DiskConfig,
  GuestBoot,
  HostConfig,
  RunConfig,
  SerialPortConfig,
} from "./run-config.js";
import { parseAccelerator, type RunArgsState } from "./run-flags.js";
import { formatSize, parseSize } from "./size.js";
import { resolveSmp } from "./smp.js";

/** QEMU's default RAM for the PC. */
export const DEFAULT_MEMORY_BYTES = 128 * 2 ** 20;
/** Smallest RAM accepted: a PC's first MiB is its real-mode memory map (IVT, BDA, VGA, BIOS). */
export const MIN_MEMORY_BYTES = 2 ** 20;
/** RAM is rounded up to whole x86 pages (QEMU rounds to its target page size too). */
const PAGE_SIZE = 4096;
export const DEFAULT_MACHINE = "pc";

/**
 * Builds the validated configuration.
 * @throws UsageError for a bad value or a combination of flags that does not fit
 */
export function buildRunConfig(state: RunArgsState): RunConfig {
  const machine = state.machine.get("type") ?? DEFAULT_MACHINE;
  const chardevs = buildChardevs(state);
  const drives = buildDrives(state.drives, state.snapshot);
  checkDriveReferences(state.devices, drives.backends, state.drives);
  checkDeviceIds(state.devices);
  const host: HostConfig = {
    accelerator: resolveAccelerator(state),
    ...(state.kernel === undefined
      ? {}
      : {
          bootImages:
            state.initrd === undefined
              ? { kernel: state.kernel }
              : { kernel: state.kernel, initrd: state.initrd },
        }),
    chardevs: chardevs.chardevs,
    blockBackends: drives.backends,
    qmp: chardevs.qmp,
    noGraphic: state.noGraphic,
    noReboot: state.noReboot,
    startPaused: state.startPaused,
    snapshot: state.snapshot,
  };
  return {
    guest: {
      machine,
      memoryBytes: resolveMemory(state.memory),
      cpus: resolveSmp(state.smp, "-smp"),
      boot: resolveBoot(state),
      serialPorts: chardevs.serialPorts,
      devices: state.devices,
      disks: drives.disks,
    },
    host,
  };
}

function resolveMemory(options: ReadonlyMap<string, string>): number {
  if (options.size === 0) return DEFAULT_MEMORY_BYTES;
  const text = options.get("size") ?? "";
  if (text === "") throw new UsageError("-m", "needs a size, as in -m 512M");
  const bytes = parseSize(text, "-m", "M");
  if (bytes < MIN_MEMORY_BYTES) {
    throw new UsageError(
      "-m",
      `memory size must be at least ${formatSize(MIN_MEMORY_BYTES)}, not '${text}'`,
    );
  }
  return Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
}

function resolveAccelerator(state: RunArgsState): Accelerator {
  const fromMachine = state.machine.get("accel");
  if (fromMachine !== undefined && state.accel !== undefined) {
    // QEMU refuses the same combination.
    throw new UsageError("-accel", "cannot be combined with -machine accel=");
  }
  if (fromMachine !== undefined) return parseAccelerator(fromMachine, "-machine");
  return state.accel ?? "soft";
}

function resolveBoot(state: RunArgsState): GuestBoot {
  if (state.kernel === undefined) {
    if (state.initrd !== undefined) throw new UsageError("-initrd", "needs -kernel");
    if (state.append !== undefined) throw new UsageError("-append", "needs -kernel");
  }
  if (state.demo) {
    if (state.kernel !== undefined)
      throw new UsageError("-demo", "cannot be combined with -kernel");
    return { kind: "demo" };
  }
  if (state.kernel !== undefined) return { kind: "linux", cmdline: state.append ?? "" };
  return { kind: "firmware" };
}

/** Names serial and QMP character devices and checks the terminal is used once. */
function buildChardevs(state: RunArgsState): {
  chardevs: ChardevConfig[];
  serialPorts: SerialPortConfig[];
  qmp: { chardev: string }[];
} {
  // Without any -serial, COM1 is the terminal (tsvm has no display to put it in).
  const serials: ChardevBackend[] = state.serialGiven ? state.serials : [{ kind: "stdio" }];
  const chardevs: ChardevConfig[] = [];
  const serialPorts: SerialPortConfig[] = [];
  const qmp: { chardev: string }[] = [];
  let stdioUser: string | undefined;
  const add = (id: string, backend: ChardevBackend, flag: string): void => {
    if (backend.kind === "stdio") {
      if (stdioUser !== undefined) {
        throw new UsageError(flag, `stdio is already used by ${stdioUser}`);
      }
      stdioUser = id;
    }
    chardevs.push({ id, backend });
  };
  serials.forEach((backend, index) => {
    add(`serial${index}`, backend, "-serial");
    serialPorts.push({ index, chardev: `serial${index}` });
  });
  state.qmp.forEach((backend, index) => {
    add(`qmp${index}`, backend, "-qmp");
    qmp.push({ chardev: `qmp${index}` });
  });
  return { chardevs, serialPorts, qmp };
}

/** Splits drives into host backends and guest disks; unnamed drives become drive0, drive1... */
function buildDrives(
  drives: readonly DriveSpec[],
  snapshotAll: boolean,
): { backends: BlockBackendConfig[]; disks: DiskConfig[] } {
  const explicit = new Set<string>();
  for (const drive of drives) {
    if (drive.id === undefined) continue;
    if (explicit.has(drive.id)) throw new UsageError("-drive", `duplicate id '${drive.id}'`);
    explicit.add(drive.id);
  }
  let counter = 0;
  const nextFreeId = (): string => {
    while (explicit.has(`drive${counter}`)) counter++;
    return `drive${counter++}`;
  };
  const backends: BlockBackendConfig[] = [];
  const disks: DiskConfig[] = [];
  for (const drive of drives) {
    const id = drive.id ?? nextFreeId();
    backends.push({
      id,
      ...(drive.file === undefined ? {} : { file: drive.file }),
      ...(drive.format === undefined ? {} : { format: drive.format }),
      readOnly: drive.readOnly,
      snapshot: drive.snapshot ?? snapshotAll,
    });
    if (drive.interface !== "none") {
      disks.push({
        interface: drive.interface,
        ...(drive.index === undefined ? {} : { index: drive.index }),
        media: drive.media,
        backend: id,
      });
    }
  }
  return { backends, disks };
}

/**
 * A `-device ...,drive=ID` must name a `-drive ...,if=none,id=ID`, and no
 * other device: a drive with an interface already has its own device.
 */
function checkDriveReferences(
  devices: readonly DeviceConfig[],
  backends: readonly BlockBackendConfig[],
  drives: readonly DriveSpec[],
): void {
  const users = new Map<string, string>();
  for (const device of devices) {
    for (const [key, value] of device.properties) {
      if (key !== "drive") continue;
      const index = backends.findIndex((backend) => backend.id === value);
      if (index < 0) throw new UsageError("-device", `no -drive has id '${value}'`);
      if (drives[index].interface !== "none") {
        throw new UsageError("-device", `drive '${value}' needs if=none to be used by a -device`);
      }
      const user = users.get(value);
      if (user !== undefined) {
        throw new UsageError("-device", `drive '${value}' is already used by ${user}`);
      }
      users.set(value, device.driver);
    }
  }
}

function checkDeviceIds(devices: readonly DeviceConfig[]): void {
  const ids = new Set<string>();
  for (const device of devices) {
    if (device.id === undefined) continue;
    if (ids.has(device.id)) throw new UsageError("-device", `duplicate id '${device.id}'`);
    ids.add(device.id);
  }
}
