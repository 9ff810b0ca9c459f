/**
 * Every way `tsvm run` refuses a command line: exit status 2, exactly one
 * "tsvm: " line on stderr that names the flag, nothing on stdout, and the
 * runner never called.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./cli-harness.js";

async function assertRefused(argv: string[], message: string): Promise<void> {
  const result = await runCli(argv);
  const what = argv.join(" ");
  assert.equal(result.stderr, `tsvm: ${message}\n`, what);
  assert.equal(result.status, 2, what);
  assert.equal(result.stdout, "", what);
  assert.equal(result.configs.length, 0, what);
}

/** [arguments after `run -demo`, expected message] */
const USAGE_ERRORS: [string[], string][] = [
  [["-m", "banana"], "-m: 'banana' is not a size (examples: 512M, 2G)"],
  [["-m", "0"], "-m: memory size must be at least 1M, not '0'"],
  [["-m", "512K"], "-m: memory size must be at least 1M, not '512K'"],
  [["-m", ""], "-m: needs a size, as in -m 512M"],
  [["-m", "size="], "-m: needs a size, as in -m 512M"],
  [["-m", "1G,maxmem=4G"], "-m: unknown option 'maxmem' (expected size)"],
  [["-m"], "-m: needs an argument: -m [size=]SIZE"],
  [["-smp", "0"], "-smp: 'cpus' must be at least 1"],
  [["-smp", "two"], "-smp: 'cpus' must be a positive integer, not 'two'"],
  [
    ["-smp", "cpus=4,sockets=1,cores=2,threads=1"],
    "-smp: sockets (1) * dies (1) * cores (2) * threads (1) must equal maxcpus (4)",
  ],
  [
    ["-smp", "2,clusters=1"],
    "-smp: unknown option 'clusters' (expected cpus, maxcpus, sockets, dies, cores, threads)",
  ],
  [["-accel", "xen"], "-accel: unknown accelerator 'xen' (expected soft or kvm)"],
  [["-accel", "tcg"], "-accel: unknown accelerator 'tcg' (expected soft or kvm)"],
  [["-accel", ""], "-accel: unknown accelerator '' (expected soft or kvm)"],
  [["-accel", "soft,thread=single"], "-accel: unknown option 'thread' (expected accel)"],
  [["-accel", "soft", "-accel", "soft"], "-accel: given twice (fallback lists are not supported)"],
  [["-accel", "soft", "-M", "pc,accel=soft"], "-accel: cannot be combined with -machine accel="],
  [["-machine", "pc,accel=hvf"], "-machine: unknown accelerator 'hvf' (expected soft or kvm)"],
  [["-M", "pc,usb=on"], "-M: unknown option 'usb' (expected type, accel)"],
  [["-M", "p c"], "-M: bad type name 'p c'"],
  [["-bogus"], "unknown option '-bogus' (see tsvm run --help)"],
  [["--bogus", "1"], "unknown option '--bogus' (see tsvm run --help)"],
  [["--"], "unknown option '--' (see tsvm run --help)"],
  [["disk.img"], "unexpected argument 'disk.img' (disk images go in -drive file=...)"],
  [
    ["-serial", "vc"],
    "-serial: unsupported backend 'vc' (expected stdio, null, file:PATH or unix:PATH[,server][,wait=off])",
  ],
  [["-serial", "stdio", "-serial", "stdio"], "-serial: stdio is already used by serial0"],
  [["-qmp", "stdio"], "-qmp: stdio is already used by serial0"],
  [["-serial", "null", "-qmp", "file:/x"], "-qmp: expected unix:PATH,server[,wait=off] or stdio"],
  [["-qmp", "unix:/q,wait=off"], "-qmp: 'wait' only applies to a socket with 'server'"],
  [["-qmp"], "-qmp: needs an argument: -qmp unix:PATH,server[,wait=off]|stdio"],
  [["-kernel", "k"], "-demo: cannot be combined with -kernel"],
  [["-initrd", "i"], "-initrd: needs -kernel"],
  [["-append", "quiet"], "-append: needs -kernel"],
  [["-device", ""], "-device: needs a driver name, as in -device isa-debug-exit,iobase=0xf4"],
  [["-device", "id=x"], "-device: needs a driver name, as in -device isa-debug-exit,iobase=0xf4"],
  [["-device", "bad!name"], "-device: bad driver name 'bad!name'"],
  [
    ["-device", "isa-debug-exit,id=1st"],
    "-device: id '1st' must start with a letter and hold only A-Z a-z 0-9 - . _",
  ],
  [["-device", "isa-debug-exit,iobase=1,iobase=2"], "-device: option 'iobase' given twice"],
  [["-device", '{"driver":'], "-device: bad JSON: Unexpected end of JSON input"],
  [["-device", '{"driver":"x","n":null}'], "-device: 'n' must be a string, number or boolean"],
  [["-device", "[1]"], "-device: bad driver name '[1]'"],
  [
    ["-device", "isa-debug-exit,id=a", "-device", "isa-debug-exit,id=a"],
    "-device: duplicate id 'a'",
  ],
  [["-device", "virtio-blk-pci,drive=nope"], "-device: no -drive has id 'nope'"],
  [
    ["-drive", "file=a,id=d", "-device", "virtio-blk-pci,drive=d"],
    "-device: drive 'd' needs if=none to be used by a -device",
  ],
  [
    ["-drive", "file=a,if=none,id=d", "-device", "ide-hd,drive=d", "-device", "ide-hd,drive=d"],
    "-device: drive 'd' is already used by ide-hd",
  ],
  [
    ["-drive", "file=a,if=usb"],
    "-drive: unknown interface if=usb (expected ide, scsi, floppy, pflash, virtio, sd, mtd, none)",
  ],
  [
    ["-drive", "a.img"],
    "-drive: unknown option 'a.img' (expected file, if, format, id, index, media, readonly, snapshot)",
  ],
  [
    ["-drive", "file=a,cache=none"],
    "-drive: unknown option 'cache' (expected file, if, format, id, index, media, readonly, snapshot)",
  ],
  [["-drive", "file=a,media=tape"], "-drive: media must be disk or cdrom, not 'tape'"],
  [["-drive", "if=virtio"], "-drive: a disk needs file=PATH (only media=cdrom may be empty)"],
  [["-drive", "file="], "-drive: file= needs a path"],
  [["-drive", "file=a,index=one"], "-drive: index must be 0..255, not 'one'"],
  [["-drive", "file=a,format=Raw!"], "-drive: bad format name 'Raw!'"],
  [["-drive", "file=a,media=cdrom,readonly=off"], "-drive: a cdrom is always read-only"],
  [["-drive", "file=a,readonly=maybe"], "-drive: 'readonly' must be on or off, not 'maybe'"],
  [["-drive", "file=a,id=d", "-drive", "file=b,id=d"], "-drive: duplicate id 'd'"],
];

test("usage errors: exit 2 and one line naming the flag", async () => {
  for (const [argv, message] of USAGE_ERRORS) {
    await assertRefused(["run", "-demo", ...argv], message);
  }
});

test("five serial ports are one too many", async () => {
  const five = Array.from({ length: 5 }, () => ["-serial", "null"]).flat();
  await assertRefused(["run", "-demo", ...five], "-serial: at most 4 serial ports");
});

test("an empty -kernel, and a missing argument at the very end", async () => {
  await assertRefused(["run", "-kernel", ""], "-kernel: needs a file name");
  await assertRefused(["run", "-kernel"], "-kernel: needs an argument: -kernel FILE");
});

test("unknown commands", async () => {
  await assertRefused(["start"], "unknown command 'start' (see tsvm --help)");
  await assertRefused(["-m", "512"], "unknown command '-m' (see tsvm --help)");
});
