/**
 * The device test kernels (guests/devices/*.bin) and how each one is run:
 * the machine it needs (vCPUs, a COM1), its command line, and how the run
 * must end. Shared by the QEMU reference test and the tsvm test, so both
 * run the same binaries the same way. guests/devices/README.md describes
 * the kernels.
 */
import { dirname, join } from "node:path";
import { guestKernels, guestTestsDir, type GuestKernel } from "../guests/guest-kernels.js";

/**
 * How a run ends when every check passed:
 * - `exit`: isa-debug-exit with 0 failures (status 1 on QEMU and tsvm);
 * - `poweroff`: ACPI S5 through PM1a_CNT.SLP_EN;
 * - `reset`: a reset request (port 0xCF9, i8042 command 0xFE);
 * - `triple-fault`: a shutdown cycle, which a PC turns into a reset (QEMU
 *   reports it as a guest reset, tsvm's machine as a "shutdown" stop).
 */
export type DeviceRunEnd = "exit" | "poweroff" | "reset" | "triple-fault";

export interface DeviceRun {
  /** Test name: the kernel's name, with the method for the reset kernel. */
  readonly name: string;
  /** guests/devices/<kernel>.bin */
  readonly kernel: string;
  /** Multiboot command line (the reset kernel reads its method there). */
  readonly cmdline: string;
  readonly cpus: number;
  /** COM1 is present, its output captured (QEMU: -serial file:…). */
  readonly com1: boolean;
  /** What the guest must have sent on COM1 outside loopback, when `com1`. */
  readonly com1Output?: string;
  readonly ends: DeviceRunEnd;
  /** QEMU -cpu models the reference runs it under. */
  readonly qemuCpus: readonly string[];
}

const QEMU_DEFAULT = ["qemu32"] as const;

/** Every run of every device kernel. */
export const DEVICE_RUNS: readonly DeviceRun[] = [
  run("pic"),
  run("pit"),
  run("rtc"),
  { ...run("uart"), com1: true, com1Output: "tsvm uart\r\n" },
  run("ioapic"),
  run("hpet"),
  // Also under -cpu max (TCG offers no TSC-deadline timer even there: those checks skip).
  { ...run("lapic"), cpus: 2, qemuCpus: ["qemu32", "max"] },
  run("fwcfg"),
  { ...run("poweroff"), ends: "poweroff" },
  { ...run("reset"), name: "reset-cf9", cmdline: "cf9", ends: "reset" },
  { ...run("reset"), name: "reset-kbd", cmdline: "kbd", ends: "reset" },
  { ...run("reset"), name: "reset-triple", cmdline: "triple", ends: "triple-fault" },
];

function run(kernel: string): DeviceRun {
  return {
    name: kernel,
    kernel,
    cmdline: "",
    cpus: 1,
    com1: false,
    ends: "exit",
    qemuCpus: QEMU_DEFAULT,
  };
}

/** guests/devices, found next to guests/tests. */
export function deviceKernelsDir(): string {
  return join(dirname(guestTestsDir()), "devices");
}

/** Every kernel source in guests/devices, sorted by name. */
export function deviceKernels(): GuestKernel[] {
  return guestKernels(deviceKernelsDir());
}

/** The binary a run boots. */
export function runBinary(r: DeviceRun): string {
  return join(deviceKernelsDir(), `${r.kernel}.bin`);
}
