/**
 * Boot time of Debian's kernel + the busybox initramfs to the first
 * userspace line (the marker /init prints), through the real `tsvm` command.
 * Prints each run and the median, in wall seconds.
 *
 *   node dist/bench/boot-linux.js [--arch i386|amd64] [--runs 3] [--smp 1] [--qemu] [--crypto-tests]
 *
 * --qemu also times qemu-system-{i386,x86_64} -accel tcg on the same files.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { USERSPACE_MARKER } from "../src/machine/initramfs/busybox-initramfs.js";
import { linuxGuestFiles, repoRoot, type GuestArch } from "./guest-files.js";

interface Timing {
  readonly markerSeconds: number | undefined;
  readonly totalSeconds: number;
  readonly exitCode: number | null;
}

function timeBoot(command: string, args: string[], timeoutMs: number): Promise<Timing> {
  return new Promise((resolvePromise) => {
    const start = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let marker: number | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString("latin1");
      if (marker === undefined && output.includes(USERSPACE_MARKER)) marker = seconds();
      if (output.length > 1 << 20) output = output.slice(-4096);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (marker === undefined)
        process.stderr.write(`no marker; last output:\n${output.slice(-2000)}\n`);
      resolvePromise({ markerSeconds: marker, totalSeconds: seconds(), exitCode: code });
    });
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      arch: { type: "string", default: "i386" },
      runs: { type: "string", default: "3" },
      smp: { type: "string", default: "1" },
      memory: { type: "string", default: "256M" },
      qemu: { type: "boolean", default: false },
      timeout: { type: "string", default: "900" },
      "crypto-tests": { type: "boolean", default: false },
    },
  });
  const arch = values.arch as GuestArch;
  if (arch !== "i386" && arch !== "amd64") throw new Error("--arch is i386 or amd64");
  const files = linuxGuestFiles(arch);
  if ("missing" in files) throw new Error(files.missing);
  const runs = Number(values.runs);
  const timeoutMs = Number(values.timeout) * 1000;
  // Debian's kernel runs its crypto self-tests at boot (crypto_algapi_init):
  // about 110 s of pure CPU work on the soft CPU. cryptomgr.notests skips
  // them, for tsvm and QEMU alike; --crypto-tests keeps them.
  const append = `console=ttyS0 panic=-1 quiet${values["crypto-tests"] ? "" : " cryptomgr.notests"}`;
  const common = [
    "-m",
    values.memory,
    "-smp",
    values.smp,
    "-kernel",
    files.kernel,
    "-initrd",
    files.initrd,
  ];
  const subjects: { name: string; command: string; args: string[] }[] = [
    {
      name: "tsvm -accel soft",
      command: process.execPath,
      args: [
        join(repoRoot(), "bin", "tsvm.js"),
        "run",
        ...common,
        "-append",
        append,
        "-nographic",
        "-no-reboot",
      ],
    },
  ];
  if (values.qemu) {
    subjects.push({
      name: "qemu -accel tcg",
      command: arch === "i386" ? "qemu-system-i386" : "qemu-system-x86_64",
      args: [...common, "-append", append, "-nographic", "-no-reboot", "-accel", "tcg"],
    });
  }
  console.log(
    `Linux boot to the userspace marker: Debian ${arch}, -smp ${values.smp}, -m ${values.memory}`,
  );
  let failed = false;
  for (const s of subjects) {
    const marks: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = await timeBoot(s.command, s.args, timeoutMs);
      const mark = t.markerSeconds === undefined ? "no marker" : `${t.markerSeconds.toFixed(2)} s`;
      console.log(
        `  ${s.name} run ${i + 1}: marker ${mark}, exit ${t.exitCode} after ${t.totalSeconds.toFixed(2)} s`,
      );
      if (t.markerSeconds === undefined) failed = true;
      else marks.push(t.markerSeconds);
    }
    if (marks.length > 0)
      console.log(`${s.name}: median ${median(marks).toFixed(2)} s over ${marks.length} runs`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(`boot-linux: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  },
);
