/**
 * Boot paths of the PC: what to load into a freshly built PcMachine and the
 * register state vCPU 0 starts in. The image is kept so a guest reset can
 * boot it again on a new machine.
 */
import { cpuidNumber, RegSet, type RegisterEntry } from "../../hv/registers.js";
import { decodeCpuid } from "../../hv/x86/register-values.js";
import { AddressSpace } from "../../hv/memory.js";
import { loadLinux } from "../boot/linux.js";
import { isMultiboot, loadMultiboot } from "../boot/multiboot.js";
import { loadRawImages, type RawImage } from "../boot/raw-loader.js";
import type { PcMachine } from "./pc-machine.js";

export type PcBoot =
  | {
      readonly kind: "kernel";
      readonly kernel: Uint8Array;
      readonly initrd?: Uint8Array;
      readonly cmdline: string;
    }
  | { readonly kind: "raw"; readonly images: readonly RawImage[] }
  | { readonly kind: "none" };

export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BootError";
  }
}

/** Whether vCPU 0's CPU model advertises long mode (CPUID.80000001h:EDX.LM, bit 29). */
function hasLongMode(machine: PcMachine): boolean {
  const id = { set: RegSet.CPUID, number: cpuidNumber(0x80000001) };
  const vcpu = machine.vcpus[0];
  if (!vcpu.listRegisters().some((r) => r.set === id.set && r.number === id.number)) return false;
  const [leaf] = vcpu.getState([id]);
  return leaf.value instanceof Uint8Array && (decodeCpuid(leaf.value).edx & (1 << 29)) !== 0;
}

/** Loads `boot` into `machine` and sets vCPU 0's state. A Multiboot kernel is detected by its header. */
export function loadPcBoot(machine: PcMachine, boot: PcBoot): void {
  if (boot.kind === "none") return;
  const memory = machine.vm.guestMemory(AddressSpace.NORMAL);
  const e820 = machine.layout.e820;
  if (boot.kind === "raw") {
    for (const [cpu, entry] of loadRawImages(boot.images, memory, e820)) {
      const vcpu = machine.vcpus[cpu];
      if (vcpu === undefined)
        throw new BootError(
          `loader: cpu-num=${cpu}, but the machine has ${machine.vcpus.length} vCPUs`,
        );
      vcpu.setState(entry);
    }
    return;
  }
  let entry: RegisterEntry[];
  if (isMultiboot(boot.kernel)) {
    const modules = boot.initrd === undefined ? [] : [{ data: boot.initrd, cmdline: "initrd" }];
    entry = loadMultiboot(
      { kernel: boot.kernel, cmdline: boot.cmdline, modules },
      memory,
      e820,
    ).entry;
  } else {
    entry = loadLinux(
      {
        kernel: boot.kernel,
        initrd: boot.initrd,
        cmdline: boot.cmdline,
        acpiRsdp: machine.acpiRsdp,
        prefer64BitEntry: hasLongMode(machine),
      },
      memory,
      e820,
    ).entry;
  }
  machine.vcpus[0].setState(entry);
}
