/**
 * Builds the busybox initramfs tsvm boots Linux with: /bin/busybox, an /init
 * that mounts /proc, /sys and /dev, loads the given kernel modules, prints a
 * marker line with the uptime and CPU count, and then either starts a shell
 * or powers off. The marker is how tests and the boot-time benchmark know
 * userspace ran.
 */
import { gzipSync } from "node:zlib";
import { buildCpio, S_IFCHR, S_IFDIR, S_IFREG, type CpioEntry } from "./cpio.js";

/** The line /init prints first; the rest of the line is `uptime=<s> cpus=<n>`. */
export const USERSPACE_MARKER = "tsvm-userspace-ready";

export interface InitramfsOptions {
  readonly busybox: Uint8Array;
  /** Module files to include and load in order: archive name → contents. */
  readonly modules?: readonly { readonly name: string; readonly data: Uint8Array }[];
  /** After the marker: "poweroff" (default) or "shell" (an interactive shell on the console). */
  readonly then?: "poweroff" | "shell";
}

function initScript(modules: readonly string[], then: "poweroff" | "shell"): string {
  const load = modules.map((m) => `insmod /lib/modules/${m} || echo "init: insmod ${m} failed"`);
  const finish =
    then === "shell"
      ? ["echo 'tsvm: busybox shell; poweroff -f to stop'", "exec setsid cttyhack sh"]
      : ["poweroff -f"];
  return [
    "#!/bin/busybox sh",
    "/bin/busybox --install -s /bin",
    "mount -t proc proc /proc",
    "mount -t sysfs sysfs /sys",
    "mount -t devtmpfs devtmpfs /dev 2>/dev/null",
    ...load,
    `echo "${USERSPACE_MARKER} uptime=$(cut -d' ' -f1 /proc/uptime) cpus=$(grep -c ^processor /proc/cpuinfo)"`,
    ...finish,
    "",
  ].join("\n");
}

/** Returns a gzip-compressed newc archive. */
export function buildBusyboxInitramfs(options: InitramfsOptions): Uint8Array {
  const modules = options.modules ?? [];
  const dir = (name: string): CpioEntry => ({ name, mode: S_IFDIR | 0o755 });
  const entries: CpioEntry[] = [
    dir("bin"),
    dir("dev"),
    dir("proc"),
    dir("sys"),
    dir("tmp"),
    dir("lib"),
    dir("lib/modules"),
    // The console node must exist before devtmpfs is mounted: the kernel opens it for init.
    { name: "dev/console", mode: S_IFCHR | 0o600, rdev: { major: 5, minor: 1 } },
    { name: "bin/busybox", mode: S_IFREG | 0o755, data: options.busybox },
    {
      name: "init",
      mode: S_IFREG | 0o755,
      data: initScript(
        modules.map((m) => m.name),
        options.then ?? "poweroff",
      ),
    },
    ...modules.map((m) => ({ name: `lib/modules/${m.name}`, mode: S_IFREG | 0o644, data: m.data })),
  ];
  return gzipSync(buildCpio(entries), { level: 6 });
}
