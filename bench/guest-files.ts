/**
 * Finds the Debian guest files that scripts/fetch-guests.sh puts in
 * .cache/guests/<arch>/, and builds the busybox initramfs for them.
 * Shared by the Linux boot benchmark and the Linux boot tests.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBusyboxInitramfs } from "../src/machine/initramfs/busybox-initramfs.js";

export type GuestArch = "i386" | "amd64";

export interface LinuxGuestFiles {
  readonly kernel: string;
  readonly initrd: string;
}

/** The repository root: the first folder above this module with package.json and guests/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "guests"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(".");
    dir = parent;
  }
}

/**
 * The kernel and a freshly built initramfs for `arch`, or undefined (with the
 * reason) when scripts/fetch-guests.sh has not fetched them.
 */
export function linuxGuestFiles(
  arch: GuestArch,
  then: "poweroff" | "shell" = "poweroff",
): LinuxGuestFiles | { missing: string } {
  const dir = join(repoRoot(), ".cache", "guests", arch);
  const kernel = join(dir, "vmlinuz");
  const busybox = join(dir, "busybox");
  if (!existsSync(kernel) || !existsSync(busybox)) {
    return { missing: `${dir} has no kernel or busybox: run scripts/fetch-guests.sh ${arch}` };
  }
  const initrd = join(dir, `initramfs-${then}.cpio.gz`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(initrd, buildBusyboxInitramfs({ busybox: readFileSync(busybox), then }));
  return { kernel, initrd };
}
