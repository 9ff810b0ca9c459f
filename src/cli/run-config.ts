/**
 * The configuration `tsvm run` hands to the VM runner.
 *
 * It is split in two (DESIGN.md, "Machine types"): the guest configuration says
 * what the guest sees (machine type, memory, CPUs, devices, serial ports) and
 * the host configuration says where that is backed on this host (files,
 * sockets, terminal, accelerator). The two halves refer to each other only by
 * name: a guest serial port names a host character device, a guest disk names
 * a host block backend. A snapshot or migration can then carry the guest half
 * while the target supplies its own host half.
 */

/** A property list in the order it was written, e.g. `[["iobase", "0xf4"]]`. */
export type OrderedProperties = ReadonlyArray<readonly [key: string, value: string]>;

/** Everything `tsvm run` was asked to do, validated. */
export interface RunConfig {
  readonly guest: GuestConfig;
  readonly host: HostConfig;
}

// ── Guest side ──────────────────────────────────────────────────────────────

export interface GuestConfig {
  /** Machine type name as given (`pc` is an alias the machine layer resolves). */
  readonly machine: string;
  /** Guest RAM in bytes: positive, a multiple of 4 KiB. */
  readonly memoryBytes: number;
  readonly cpus: CpuTopology;
  /** What the guest starts running. */
  readonly boot: GuestBoot;
  /** Serial ports in guest order (index 0 is COM1); at most 4. */
  readonly serialPorts: readonly SerialPortConfig[];
  /** `-device` entries in command-line order, options kept raw for the device model. */
  readonly devices: readonly DeviceConfig[];
  /** Disks created by `-drive if=...` (not `if=none`), each linked to a block backend. */
  readonly disks: readonly DiskConfig[];
}

/**
 * CPU topology after QEMU's `-smp` rules: omitted members are derived, and
 * `sockets * dies * cores * threads === maxCpus >= cpus`.
 */
export interface CpuTopology {
  /** vCPUs present at start. */
  readonly cpus: number;
  /** vCPUs possible (more than `cpus` only with CPU hotplug). */
  readonly maxCpus: number;
  readonly sockets: number;
  readonly dies: number;
  readonly cores: number;
  readonly threads: number;
}

export type GuestBoot =
  /** The built-in demo guest (`-demo`). */
  | { readonly kind: "demo" }
  /** A Linux kernel loaded directly (`-kernel`); the images are in `host.bootImages`. */
  | { readonly kind: "linux"; readonly cmdline: string }
  /** Firmware from the machine type (no `-kernel`, no `-demo`). */
  | { readonly kind: "firmware" };

export interface SerialPortConfig {
  /** 0..3: COM1..COM4. */
  readonly index: number;
  /** `id` of the host character device behind the port (`host.chardevs`). */
  readonly chardev: string;
}

export interface DeviceConfig {
  /** Guest-visible device model, e.g. `isa-debug-exit`. */
  readonly driver: string;
  /** The `id=` option, if given. */
  readonly id?: string;
  /** Every other option, unvalidated: the device model declares and checks its own. */
  readonly properties: OrderedProperties;
}

export type DiskInterface = "ide" | "scsi" | "floppy" | "pflash" | "virtio" | "sd" | "mtd";

export interface DiskConfig {
  readonly interface: DiskInterface;
  /** `index=`, if given; otherwise the machine allocates the next free unit. */
  readonly index?: number;
  readonly media: "disk" | "cdrom";
  /** `id` of the host block backend (`host.blockBackends`). */
  readonly backend: string;
}

// ── Host side ───────────────────────────────────────────────────────────────

export interface HostConfig {
  readonly accelerator: Accelerator;
  /** Kernel and initrd files for `guest.boot.kind === "linux"`. */
  readonly bootImages?: BootImages;
  readonly chardevs: readonly ChardevConfig[];
  readonly blockBackends: readonly BlockBackendConfig[];
  /** QMP monitors, each on a character device (`-qmp`). */
  readonly qmp: readonly QmpConfig[];
  /** `-nographic`: no display window; the serial console is the terminal. */
  readonly noGraphic: boolean;
  /** `-no-reboot`: exit instead of resetting when the guest reboots. */
  readonly noReboot: boolean;
  /** `-S`: create the machine but do not start the vCPUs until told to (QMP `cont`). */
  readonly startPaused: boolean;
  /** `-snapshot`: guest writes to every disk go to a temporary overlay. */
  readonly snapshot: boolean;
}

/** Which hypervisor backend runs the vCPUs (DESIGN.md, "The layers"). */
export type Accelerator = "soft" | "kvm";

export interface BootImages {
  readonly kernel: string;
  readonly initrd?: string;
}

export interface ChardevConfig {
  /** Name the guest side refers to, e.g. `serial0`, `qmp0`. */
  readonly id: string;
  readonly backend: ChardevBackend;
}

export type ChardevBackend =
  /** The terminal tsvm runs in. At most one character device may use it. */
  | { readonly kind: "stdio" }
  /** Output is discarded, input never arrives. */
  | { readonly kind: "null" }
  /** Output is written (truncating) to a file; there is no input. */
  | { readonly kind: "file"; readonly path: string }
  /**
   * A UNIX stream socket. As a server, tsvm listens at `path` and, with
   * `wait`, does not start the guest until a client connects; as a client
   * it connects to `path` (and `wait` is false).
   */
  | {
      readonly kind: "unix";
      readonly path: string;
      readonly server: boolean;
      readonly wait: boolean;
    };

export interface BlockBackendConfig {
  /** Name a guest disk or a `-device ...,drive=` refers to. */
  readonly id: string;
  /** Host image file; absent for an empty drive (e.g. a CD-ROM without media). */
  readonly file?: string;
  /** Image format (`raw`, `qcow2`, ...); absent means probe. */
  readonly format?: string;
  readonly readOnly: boolean;
  /** Writes go to a temporary overlay (`snapshot=on` or `-snapshot`). */
  readonly snapshot: boolean;
}

export interface QmpConfig {
  /** `id` of the character device the monitor speaks on. */
  readonly chardev: string;
}
