/**
 * Each `tsvm run` flag's accepted forms and the RunConfig they produce. Flags
 * that work today go through `main` to the (fake) runner; flags not
 * implemented yet are checked at the parser, which accepts them already.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRunArgs } from "../../src/cli/parse-run-args.js";
import type { RunConfig } from "../../src/cli/run-config.js";
import { runCli } from "./cli-harness.js";

const MiB = 2 ** 20;

function parse(...argv: string[]): RunConfig {
  const parsed = parseRunArgs(argv);
  assert.equal(parsed.action, "run");
  return parsed.config;
}

/** Runs `tsvm run -demo ARGV` through main and returns what reached the runner. */
async function runDemo(...argv: string[]): Promise<RunConfig> {
  const result = await runCli(["run", "-demo", ...argv]);
  assert.equal(result.stderr, "");
  assert.equal(result.status, 0);
  assert.equal(result.configs.length, 1);
  return result.configs[0];
}

test("-demo alone: QEMU's PC defaults, COM1 on the terminal", async () => {
  assert.deepEqual(await runDemo(), {
    guest: {
      machine: "pc",
      memoryBytes: 128 * MiB,
      cpus: { cpus: 1, maxCpus: 1, sockets: 1, dies: 1, cores: 1, threads: 1 },
      boot: { kind: "demo" },
      serialPorts: [{ index: 0, chardev: "serial0" }],
      devices: [],
      disks: [],
    },
    host: {
      accelerator: "soft",
      chardevs: [{ id: "serial0", backend: { kind: "stdio" } }],
      blockBackends: [],
      qmp: [],
      noGraphic: false,
      noReboot: false,
      startPaused: false,
      snapshot: false,
    },
  });
});

test("-m: bare MiB, suffixes, size=, rounding to pages, last one wins", async () => {
  const cases: [string[], number][] = [
    [["-m", "512"], 512 * MiB],
    [["-m", "512M"], 512 * MiB],
    [["-m", "2G"], 2048 * MiB],
    [["-m", "size=1G"], 1024 * MiB],
    [["--m", "1.5G"], 1536 * MiB],
    [["-m", "1025K"], 1028 * 1024],
    [["-m", "1G", "-m", "256"], 256 * MiB],
  ];
  for (const [argv, bytes] of cases) {
    assert.equal((await runDemo(...argv)).guest.memoryBytes, bytes, argv.join(" "));
  }
});

test("-smp: plain count, full topology, options merged across flags", async () => {
  assert.equal((await runDemo("-smp", "2")).guest.cpus.cores, 2);
  const full = await runDemo("-smp", "cpus=2,sockets=1,cores=2,threads=1");
  assert.deepEqual(full.guest.cpus, {
    cpus: 2,
    maxCpus: 2,
    sockets: 1,
    dies: 1,
    cores: 2,
    threads: 1,
  });
  const merged = await runDemo("-smp", "4", "--smp", "sockets=2");
  assert.deepEqual([merged.guest.cpus.sockets, merged.guest.cpus.cores], [2, 2]);
});

test("-M / -machine: type and accel=", async () => {
  assert.equal((await runDemo("-M", "pc-2026.12")).guest.machine, "pc-2026.12");
  const machine = await runDemo("-machine", "pc,accel=soft");
  assert.equal(machine.guest.machine, "pc");
  assert.equal(machine.host.accelerator, "soft");
  assert.equal((await runDemo("--machine", "type=pc-x")).guest.machine, "pc-x");
  // Repeated -machine flags merge: the type stays when only accel is added.
  const merged = await runDemo("-M", "pc-1", "-machine", "accel=soft");
  assert.equal(merged.guest.machine, "pc-1");
});

test("-accel soft|kvm and -accel accel=...", async () => {
  assert.equal((await runDemo("-accel", "soft")).host.accelerator, "soft");
  assert.equal((await runDemo("--accel", "accel=soft")).host.accelerator, "soft");
  assert.equal(parse("-demo", "-accel", "kvm").host.accelerator, "kvm");
  assert.equal(parse("-demo", "-machine", "accel=kvm").host.accelerator, "kvm");
});

test("-kernel, -initrd, -append: images on the host side, cmdline on the guest side", async () => {
  const result = await runCli([
    "run",
    "-kernel",
    "/img/bz,Image",
    "-initrd",
    "/img/initrd.gz",
    "-append",
    "console=ttyS0 -v",
  ]);
  assert.equal(result.status, 0, result.stderr);
  const [config] = result.configs;
  assert.deepEqual(config.guest.boot, { kind: "linux", cmdline: "console=ttyS0 -v" });
  assert.deepEqual(config.host.bootImages, { kernel: "/img/bz,Image", initrd: "/img/initrd.gz" });
  const bare = await runCli(["run", "-kernel", "vmlinuz", "-append", "-quiet"]);
  assert.deepEqual(bare.configs[0].guest.boot, { kind: "linux", cmdline: "-quiet" });
  assert.deepEqual(bare.configs[0].host.bootImages, { kernel: "vmlinuz" });
});

test("-serial: each port names its own chardev; none drops the default", async () => {
  const config = await runDemo(
    "-serial",
    "file:/tmp/com1.log",
    "-serial",
    "null",
    "--serial",
    "unix:/tmp/com3,server,nowait",
    "-serial",
    "stdio",
  );
  assert.deepEqual(config.guest.serialPorts, [
    { index: 0, chardev: "serial0" },
    { index: 1, chardev: "serial1" },
    { index: 2, chardev: "serial2" },
    { index: 3, chardev: "serial3" },
  ]);
  assert.deepEqual(config.host.chardevs, [
    { id: "serial0", backend: { kind: "file", path: "/tmp/com1.log" } },
    { id: "serial1", backend: { kind: "null" } },
    { id: "serial2", backend: { kind: "unix", path: "/tmp/com3", server: true, wait: false } },
    { id: "serial3", backend: { kind: "stdio" } },
  ]);
  const none = await runDemo("-serial", "none");
  assert.deepEqual([none.guest.serialPorts, none.host.chardevs], [[], []]);
  const afterNone = await runDemo("-serial", "none", "-serial", "null");
  assert.deepEqual(afterNone.host.chardevs, [{ id: "serial0", backend: { kind: "null" } }]);
});

test("-nographic, -no-reboot", async () => {
  const config = await runDemo("-nographic", "--no-reboot");
  assert.equal(config.host.noGraphic, true);
  assert.equal(config.host.noReboot, true);
  assert.equal(config.host.startPaused, false);
});

test("-device isa-debug-exit keeps its options raw and in order", async () => {
  const config = await runDemo(
    "-device",
    "isa-debug-exit,iobase=0xf4,iosize=0x04",
    "--device",
    "driver=isa-debug-exit,id=exit2,note=a,,b",
  );
  assert.deepEqual(config.guest.devices, [
    {
      driver: "isa-debug-exit",
      properties: [
        ["iobase", "0xf4"],
        ["iosize", "0x04"],
      ],
    },
    { driver: "isa-debug-exit", id: "exit2", properties: [["note", "a,b"]] },
  ]);
  const json = await runDemo("-device", '{"driver":"isa-debug-exit","iobase":244,"flag":true}');
  assert.deepEqual(json.guest.devices[0].properties, [
    ["iobase", "244"],
    ["flag", "on"],
  ]);
});

test("-drive: a host backend linked by name to a guest disk", () => {
  const config = parse(
    "-demo",
    "-drive",
    "file=/img/root,,1.img,if=virtio,format=raw",
    "-drive",
    "if=ide,media=cdrom,index=2",
    "-drive",
    "file=data.qcow2,if=none,id=data,readonly=on,snapshot=on",
    "-device",
    "virtio-blk-pci,drive=data",
  );
  assert.deepEqual(config.host.blockBackends, [
    { id: "drive0", file: "/img/root,1.img", format: "raw", readOnly: false, snapshot: false },
    { id: "drive1", readOnly: true, snapshot: false },
    { id: "data", file: "data.qcow2", readOnly: true, snapshot: true },
  ]);
  assert.deepEqual(config.guest.disks, [
    { interface: "virtio", media: "disk", backend: "drive0" },
    { interface: "ide", index: 2, media: "cdrom", backend: "drive1" },
  ]);
  // The default interface is IDE; automatic ids skip explicit ones.
  const auto = parse("-demo", "-drive", "file=a,id=drive0", "-drive", "file=b");
  assert.deepEqual(
    auto.host.blockBackends.map((b) => b.id),
    ["drive0", "drive1"],
  );
  assert.equal(auto.guest.disks[1].interface, "ide");
});

test("-snapshot applies to drives that do not say otherwise", () => {
  const config = parse("-demo", "-snapshot", "-drive", "file=a", "-drive", "file=b,snapshot=off");
  assert.equal(config.host.snapshot, true);
  assert.deepEqual(
    config.host.blockBackends.map((b) => b.snapshot),
    [true, false],
  );
});

test("-qmp: unix socket server with wait=off or server=on, and stdio", () => {
  const config = parse(
    "-demo",
    "-serial",
    "null",
    "-qmp",
    "unix:/tmp/qmp.sock,server,wait=off",
    "--qmp",
    "unix:/tmp/q2,server=on",
    "-qmp",
    "stdio",
  );
  assert.deepEqual(config.host.qmp, [
    { chardev: "qmp0" },
    { chardev: "qmp1" },
    { chardev: "qmp2" },
  ]);
  assert.deepEqual(config.host.chardevs.slice(1), [
    { id: "qmp0", backend: { kind: "unix", path: "/tmp/qmp.sock", server: true, wait: false } },
    { id: "qmp1", backend: { kind: "unix", path: "/tmp/q2", server: true, wait: true } },
    { id: "qmp2", backend: { kind: "stdio" } },
  ]);
});

test("-S", () => {
  assert.equal(parse("-demo", "-S").host.startPaused, true);
});

test("no -kernel and no -demo means firmware boot", () => {
  assert.deepEqual(parse().guest.boot, { kind: "firmware" });
});

test("help and version inside run stop parsing, even after other flags", () => {
  assert.deepEqual(parseRunArgs(["-m", "1G", "--help"]), { action: "help" });
  assert.deepEqual(parseRunArgs(["-h"]), { action: "help" });
  assert.deepEqual(parseRunArgs(["-version"]), { action: "version" });
  // ...but not when they are another flag's argument.
  assert.equal(parseRunArgs(["-kernel", "k", "-append", "--help"]).action, "run");
});
