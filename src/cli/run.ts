/**
 * Builds and runs the VM a RunConfig describes: host backends first (files,
 * sockets, the terminal), then a PC per boot. A guest reset builds a fresh
 * machine and boots the same images again, unless -no-reboot.
 */
import { readFileSync } from "node:fs";
import {
  FileCharBackend,
  NullCharBackend,
  UnixSocketCharBackend,
  type CharBackend,
} from "../hw/legacy/index.js";
import { resolveMachineType } from "../machine/machine-types.js";
import { demoGuestImage } from "../machine/demo/demo-guest.js";
import { loadPcBoot, type PcBoot } from "../machine/pc/pc-boot.js";
import { PcMachine } from "../machine/pc/pc-machine.js";
import type { StopReason } from "../machine/run-loop.js";
import type { ChardevBackend, RunConfig } from "./run-config.js";
import type { CliIo } from "./runner.js";
import { TerminalConsole } from "./terminal.js";

function readImage(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const reason = e instanceof Error && "code" in e ? String(e.code) : String(e);
    throw new Error(`cannot read ${what} '${path}': ${reason}`);
  }
}

function bootImages(config: RunConfig): PcBoot {
  const boot = config.guest.boot;
  if (boot.kind === "demo") return { kind: "kernel", kernel: demoGuestImage(), cmdline: "" };
  if (boot.kind === "linux") {
    const images = config.host.bootImages;
    if (images === undefined) throw new Error("-kernel is required to boot Linux");
    return {
      kind: "kernel",
      kernel: readImage(images.kernel, "kernel"),
      initrd: images.initrd === undefined ? undefined : readImage(images.initrd, "initrd"),
      cmdline: boot.cmdline,
    };
  }
  const loaders = config.guest.devices.filter((d) => d.driver === "loader");
  if (loaders.length > 0) return { kind: "raw", images: loaders.map(loaderImage) };
  throw new Error("firmware boot is not implemented yet");
}

/** `-device loader,file=F,addr=A[,cpu-num=N]` (QEMU's generic loader, raw files only). */
function loaderImage(device: RunConfig["guest"]["devices"][number]): {
  data: Uint8Array;
  address: number;
  cpu?: number;
} {
  const props = new Map(device.properties);
  for (const key of props.keys()) {
    if (!["file", "addr", "cpu-num", "force-raw"].includes(key)) {
      throw new Error(`-device loader: unknown property '${key}' (file, addr, cpu-num)`);
    }
  }
  const file = props.get("file");
  const addr = props.get("addr");
  if (file === undefined || addr === undefined) {
    throw new Error("-device loader: needs file= and addr= (data= loading is not implemented)");
  }
  const address = Number(addr);
  if (!Number.isSafeInteger(address) || address < 0) {
    throw new Error(`-device loader: addr=${addr} is not an address`);
  }
  const cpuNum = props.get("cpu-num");
  const cpu = cpuNum === undefined ? undefined : Number(cpuNum);
  if (cpu !== undefined && (!Number.isInteger(cpu) || cpu < 0)) {
    throw new Error(`-device loader: cpu-num=${cpuNum} is not a vCPU number`);
  }
  return { data: readImage(file, "loader file"), address, cpu };
}

interface Host {
  backends: Map<string, CharBackend>;
  quit: () => void;
}

async function openBackend(spec: ChardevBackend, io: CliIo, host: Host): Promise<CharBackend> {
  switch (spec.kind) {
    case "stdio":
      return new TerminalConsole(io, () => host.quit());
    case "null":
      return new NullCharBackend();
    case "file":
      return new FileCharBackend(spec.path);
    case "unix":
      if (spec.server && spec.wait) {
        throw new Error(
          `unix:${spec.path}: waiting for a client (wait=on) is not implemented yet; add wait=off`,
        );
      }
      return await UnixSocketCharBackend.open({ path: spec.path, server: spec.server });
  }
}

/** The process exit status for how the guest stopped (QEMU's conventions). */
function exitStatus(reason: StopReason): number {
  switch (reason.kind) {
    case "exit":
      return reason.status;
    case "error":
      throw new Error(reason.reason);
    default:
      return 0;
  }
}

export async function runVm(config: RunConfig, io: CliIo): Promise<number> {
  const type = resolveMachineType(config.guest.machine);
  const boot = bootImages(config);
  let current: PcMachine | undefined;
  let quitRequested = false;
  const host: Host = {
    backends: new Map(),
    quit: () => {
      quitRequested = true;
      current?.loop.requestStop({ kind: "host-quit" });
    },
  };
  try {
    for (const chardev of config.host.chardevs) {
      host.backends.set(chardev.id, await openBackend(chardev.backend, io, host));
    }
    const serial = config.guest.serialPorts.map((p) => host.backends.get(p.chardev));
    const debugExit = config.guest.devices.find((d) => d.driver === "isa-debug-exit");
    const prop = (name: string, fallback: number) => {
      const v = debugExit?.properties.find(([k]) => k === name)?.[1];
      return v === undefined ? fallback : Number(v);
    };
    for (;;) {
      const machine = new PcMachine({
        type,
        memoryBytes: config.guest.memoryBytes,
        cpus: config.guest.cpus.cpus,
        serial,
        debugExit:
          debugExit === undefined
            ? undefined
            : { iobase: prop("iobase", 0x501), iosize: prop("iosize", 2) },
      });
      current = machine;
      try {
        loadPcBoot(machine, boot);
        const reason = quitRequested ? ({ kind: "host-quit" } as const) : await machine.run();
        const rebooting =
          (reason.kind === "reset" || reason.kind === "shutdown") && !config.host.noReboot;
        if (!rebooting) return exitStatus(reason);
      } finally {
        machine.destroy();
        current = undefined;
      }
    }
  } finally {
    for (const b of host.backends.values()) await b.close();
  }
}
