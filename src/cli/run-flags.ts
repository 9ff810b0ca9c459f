/**
 * The flags of `tsvm run`, one table entry each: spelling, argument, help
 * line, and how the argument is recorded. QEMU's spelling and argument syntax
 * are kept wherever QEMU has the flag (QEMU docs, "Invocation"), so existing
 * command lines carry over.
 *
 * Each entry only records what it was given into `RunArgsState`; defaults and
 * checks that involve several flags are applied afterwards
 * (build-run-config.ts).
 */
import { UsageError } from "./cli-errors.js";
import { parseChardevSpec } from "./chardev-spec.js";
import { parseDeviceSpec, parseDriveSpec, type DriveSpec } from "./device-spec.js";
import { parseOptionList, toOptionMap } from "./option-list.js";
import type { Accelerator, ChardevBackend, DeviceConfig } from "./run-config.js";
import { SMP_KEYS } from "./smp.js";

/** QEMU's limit on `-serial` ports (MAX_SERIAL_PORTS); the PC has COM1..COM4. */
export const MAX_SERIAL_PORTS = 4;

/** Machine type names (`pc`, `pc-2026.12`), or `help` / `?` to list them. */
const MACHINE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$|^help$|^\?$/;

/** What the flags said, before defaults and cross-flag checks. */
export interface RunArgsState {
  /** Options of all `-m` flags merged, later ones winning (as QEMU merges them). */
  readonly memory: Map<string, string>;
  readonly smp: Map<string, string>;
  readonly machine: Map<string, string>;
  /** `-accel`, if given. */
  accel?: Accelerator;
  kernel?: string;
  initrd?: string;
  append?: string;
  /** Backends of `-serial` flags other than `none`, in order. */
  readonly serials: ChardevBackend[];
  /** Whether `-serial` was given at all (even `none`): then there is no default port. */
  serialGiven: boolean;
  readonly devices: DeviceConfig[];
  readonly drives: DriveSpec[];
  readonly qmp: ChardevBackend[];
  noGraphic: boolean;
  noReboot: boolean;
  startPaused: boolean;
  snapshot: boolean;
  demo: boolean;
}

export function emptyRunArgsState(): RunArgsState {
  return {
    memory: new Map(),
    smp: new Map(),
    machine: new Map(),
    serials: [],
    serialGiven: false,
    devices: [],
    drives: [],
    qmp: [],
    noGraphic: false,
    noReboot: false,
    startPaused: false,
    snapshot: false,
    demo: false,
  };
}

/** One flag of `tsvm run`. */
export interface FlagSpec {
  /** Spellings without the dash, canonical first (`["machine", "M"]`). */
  readonly names: readonly string[];
  /** The argument's placeholder for help; absent for a switch. */
  readonly arg?: string;
  readonly help: string;
  /** Records the flag. `flag` is the spelling used, as `-name`, for messages. */
  readonly apply: (state: RunArgsState, value: string, flag: string) => void;
}

/** Flags that stop parsing and do something else. */
export const HELP_FLAGS: readonly string[] = ["h", "help"];
export const VERSION_FLAGS: readonly string[] = ["version"];

/** Parses `text` as an option list and merges it into `group`. */
function mergeOptions(
  group: Map<string, string>,
  text: string,
  flag: string,
  allowed: readonly string[],
  impliedKey: string,
): void {
  for (const [key, value] of toOptionMap(parseOptionList(text, flag, impliedKey), flag, allowed)) {
    group.set(key, value);
  }
}

/** Checks an accelerator name (`-accel`, `-machine accel=`). */
export function parseAccelerator(name: string, flag: string): Accelerator {
  if (name === "soft" || name === "kvm") return name;
  throw new UsageError(flag, `unknown accelerator '${name}' (expected soft or kvm)`);
}

function nonEmpty(value: string, flag: string, what: string): string {
  if (value === "") throw new UsageError(flag, `needs ${what}`);
  return value;
}

export const RUN_FLAGS: readonly FlagSpec[] = [
  {
    names: ["m"],
    arg: "[size=]SIZE",
    help: "guest RAM; a bare number is MiB, or use a K/M/G/T suffix (default 128M)",
    apply: (state, value, flag) => {
      // An empty list would merge to nothing and look like "no -m" (QEMU refuses it too).
      if (value === "") throw new UsageError(flag, "needs a size, as in -m 512M");
      mergeOptions(state.memory, value, flag, ["size"], "size");
    },
  },
  {
    names: ["smp"],
    arg: "[cpus=]N[,maxcpus=M][,sockets=S][,dies=D][,cores=C][,threads=T]",
    help: "number of vCPUs and their topology (default 1)",
    apply: (state, value, flag) => mergeOptions(state.smp, value, flag, SMP_KEYS, "cpus"),
  },
  {
    names: ["machine", "M"],
    arg: "[type=]NAME[,accel=soft|kvm]",
    help: "machine type (default pc, an alias of the newest pc-* type)",
    apply: (state, value, flag) => {
      mergeOptions(state.machine, value, flag, ["type", "accel"], "type");
      const type = state.machine.get("type");
      if (type !== undefined && !MACHINE_NAME.test(type)) {
        throw new UsageError(flag, `bad type name '${type}'`);
      }
    },
  },
  {
    names: ["accel"],
    arg: "[accel=]soft|kvm",
    help: "hypervisor backend: soft (the CPU in TypeScript, default) or kvm",
    apply: (state, value, flag) => {
      if (state.accel !== undefined) {
        throw new UsageError(flag, "given twice (fallback lists are not supported)");
      }
      const options = toOptionMap(parseOptionList(value, flag, "accel"), flag, ["accel"]);
      state.accel = parseAccelerator(options.get("accel") ?? "", flag);
    },
  },
  {
    names: ["kernel"],
    arg: "FILE",
    help: "boot this Linux kernel (bzImage) directly",
    apply: (state, value, flag) => (state.kernel = nonEmpty(value, flag, "a file name")),
  },
  {
    names: ["initrd"],
    arg: "FILE",
    help: "initial ramdisk for -kernel",
    apply: (state, value, flag) => (state.initrd = nonEmpty(value, flag, "a file name")),
  },
  {
    names: ["append"],
    arg: "CMDLINE",
    help: "kernel command line for -kernel",
    apply: (state, value) => (state.append = value),
  },
  {
    names: ["demo"],
    help: "boot the built-in demo guest",
    apply: (state) => (state.demo = true),
  },
  {
    names: ["serial"],
    arg: "stdio|null|none|file:PATH|unix:PATH[,server][,wait=off]",
    help: `next serial port's backend (repeatable, up to ${MAX_SERIAL_PORTS}; default stdio)`,
    apply: (state, value, flag) => {
      state.serialGiven = true;
      if (value === "none") return;
      const backend = parseChardevSpec(value, flag);
      if (state.serials.length === MAX_SERIAL_PORTS) {
        throw new UsageError(flag, `at most ${MAX_SERIAL_PORTS} serial ports`);
      }
      state.serials.push(backend);
    },
  },
  {
    names: ["nographic"],
    help: "no display: the serial console is the terminal",
    apply: (state) => (state.noGraphic = true),
  },
  {
    names: ["no-reboot"],
    help: "exit instead of rebooting when the guest resets",
    apply: (state) => (state.noReboot = true),
  },
  {
    names: ["S"],
    help: "do not start the vCPUs until the QMP 'cont' command",
    apply: (state) => (state.startPaused = true),
  },
  {
    names: ["device"],
    arg: "DRIVER[,id=ID][,PROP=VALUE...]",
    help: "add a device (repeatable); ',,' is a literal comma in a value",
    apply: (state, value, flag) => state.devices.push(parseDeviceSpec(value, flag)),
  },
  {
    names: ["drive"],
    arg: "file=PATH[,if=ide|virtio|none|...][,format=F][,id=ID][,media=disk|cdrom][,readonly=on]",
    help: "add a disk image (repeatable)",
    apply: (state, value, flag) => state.drives.push(parseDriveSpec(value, flag)),
  },
  {
    names: ["snapshot"],
    help: "write disk changes to temporary files, leaving the images untouched",
    apply: (state) => (state.snapshot = true),
  },
  {
    names: ["qmp"],
    arg: "unix:PATH,server[,wait=off]|stdio",
    help: "QMP monitor on a UNIX socket or the terminal (repeatable)",
    apply: (state, value, flag) => {
      const backend = parseChardevSpec(value, flag);
      if (backend.kind !== "unix" && backend.kind !== "stdio") {
        throw new UsageError(flag, "expected unix:PATH,server[,wait=off] or stdio");
      }
      state.qmp.push(backend);
    },
  },
];

/** Finds the flag spelled `name` (without dashes), if any. */
export function findRunFlag(name: string): FlagSpec | undefined {
  return RUN_FLAGS.find((spec) => spec.names.includes(name));
}
