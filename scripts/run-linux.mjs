#!/usr/bin/env node
// `npm run linux [-- i386|amd64]`: fetches Debian's kernel and busybox when
// missing (scripts/fetch-guests.sh), then boots them on tsvm with a busybox
// shell on the terminal (C-a x quits). Run after `npm run build`.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arch = process.argv[2] ?? "i386";
if (arch !== "i386" && arch !== "amd64") {
  console.error(`run-linux: unknown architecture '${arch}' (i386 or amd64)`);
  process.exit(2);
}
const fetched = spawnSync(join(root, "scripts", "fetch-guests.sh"), [arch], { stdio: "inherit" });
if (fetched.status !== 0) process.exit(fetched.status ?? 1);

const { linuxGuestFiles } = await import("../dist/bench/guest-files.js");
const files = linuxGuestFiles(arch, "shell");
if ("missing" in files) {
  console.error(`run-linux: ${files.missing}`);
  process.exit(1);
}
const { main } = await import("../dist/src/cli/main.js");
process.exitCode = await main([
  "run",
  "-m", "512M",
  "-smp", "2",
  "-kernel", files.kernel,
  "-initrd", files.initrd,
  "-append", "console=ttyS0 quiet cryptomgr.notests",
  "-nographic",
]);
