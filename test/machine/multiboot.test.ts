import assert from "node:assert/strict";
import test from "node:test";
import { AddressSpace, RegSet } from "../../src/hv/index.js";
import { SoftVm } from "../../src/hv/soft/vm.js";
import { E820_RAM, E820_RESERVED, type E820Entry } from "../../src/machine/boot/e820.js";
import { loadMultiboot, MultibootError } from "../../src/machine/boot/multiboot.js";

const MiB = 1024 * 1024;
const MAP: E820Entry[] = [
  { base: 0, length: 0x9fc00, type: E820_RAM },
  { base: 0xf0000, length: 0x10000, type: E820_RESERVED },
  { base: MiB, length: 15 * MiB, type: E820_RAM },
];

function ram() {
  const vm = new SoftVm({});
  const backing = vm.allocateMemory("ram", 16 * MiB);
  vm.setMemoryMap(AddressSpace.NORMAL, [
    { guestAddress: 0, size: 16 * MiB, backing, backingOffset: 0 },
  ]);
  return vm.guestMemory(AddressSpace.NORMAL);
}

/** An a.out-kludge image: header at offset 0, loaded at 1 MiB, 0x100 bytes of bss. */
function aoutKernel(body: number[]): Uint8Array {
  const image = new Uint8Array(32 + body.length);
  const v = new DataView(image.buffer);
  const flags = 0x10002;
  v.setUint32(0, 0x1badb002, true);
  v.setUint32(4, flags, true);
  v.setUint32(8, -(0x1badb002 + flags) >>> 0, true);
  v.setUint32(12, MiB, true); // header_addr
  v.setUint32(16, MiB, true); // load_addr
  v.setUint32(20, MiB + image.length, true); // load_end_addr
  v.setUint32(24, MiB + image.length + 0x100, true); // bss_end_addr
  v.setUint32(28, MiB + 32, true); // entry_addr
  image.set(body, 32);
  return image;
}

function regValue(entries: ReturnType<typeof loadMultiboot>["entry"], set: number, n: number) {
  const e = entries.find((x) => x.id.set === set && x.id.number === n);
  assert.ok(e, `register ${set}:${n} set`);
  return e.value;
}

test("a.out kludge image is placed at load_addr, bss zeroed, entry state per the spec", () => {
  const mem = ram();
  mem.fill(MiB + 36, 0x100, 0xaa); // junk where bss goes
  const load = loadMultiboot(
    { kernel: aoutKernel([0xf4, 0x90, 0x90, 0x90]), cmdline: "hello world", modules: [] },
    mem,
    MAP,
  );
  assert.equal(load.entryPoint, MiB + 32);
  assert.equal(mem.readU8(MiB + 32), 0xf4);
  assert.equal(mem.readU32(MiB), 0x1badb002);
  for (let i = 0; i < 0x100; i++) assert.equal(mem.readU8(MiB + 36 + i), 0, `bss byte ${i}`);
  assert.equal(regValue(load.entry, RegSet.GPR, 0), 0x2badb002n);
  assert.equal(regValue(load.entry, RegSet.GPR, 3), BigInt(load.infoAddress));
  assert.equal(regValue(load.entry, RegSet.RIP, 0), BigInt(MiB + 32));
  // Information structure: memory sizes in KiB, command line, memory map.
  const info = load.infoAddress;
  const flags = mem.readU32(info);
  assert.ok(flags & 1 && flags & 4 && flags & 64, `flags 0x${flags.toString(16)}`);
  assert.equal(mem.readU32(info + 4), 0x9fc00 / 1024);
  assert.equal(mem.readU32(info + 8), 15 * 1024);
  const cmd = mem.readU32(info + 16);
  const bytes = new Uint8Array(12);
  mem.read(cmd, bytes);
  assert.equal(new TextDecoder().decode(bytes), "hello world\0");
  const mmapLength = mem.readU32(info + 44);
  const mmapAddr = mem.readU32(info + 48);
  assert.equal(mmapLength, 24 * MAP.length);
  for (let i = 0; i < MAP.length; i++) {
    const p = mmapAddr + i * 24;
    assert.equal(mem.readU32(p), 20);
    assert.equal(mem.readU64(p + 4), BigInt(MAP[i].base));
    assert.equal(mem.readU64(p + 12), BigInt(MAP[i].length));
    assert.equal(mem.readU32(p + 20), MAP[i].type);
  }
});

test("modules are page-aligned after the kernel and listed with their command lines", () => {
  const mem = ram();
  const a = new Uint8Array(5000).fill(1);
  const b = new Uint8Array(10).fill(2);
  const load = loadMultiboot(
    {
      kernel: aoutKernel([0xf4]),
      cmdline: "",
      modules: [
        { data: a, cmdline: "initrd" },
        { data: b, cmdline: "second" },
      ],
    },
    mem,
    MAP,
  );
  const info = load.infoAddress;
  assert.ok(mem.readU32(info) & 8);
  assert.equal(mem.readU32(info + 20), 2);
  const table = mem.readU32(info + 24);
  const start0 = mem.readU32(table);
  const end0 = mem.readU32(table + 4);
  const start1 = mem.readU32(table + 16);
  assert.equal(start0 % 4096, 0);
  assert.equal(end0 - start0, 5000);
  assert.equal(start1, Math.ceil(end0 / 4096) * 4096);
  assert.equal(mem.readU8(start0 + 4999), 1);
  assert.equal(mem.readU8(start1 + 9), 2);
  assert.ok(load.end >= start1 + 10);
});

test("ELF kernels load by program header", () => {
  const mem = ram();
  const elf = new Uint8Array(0x200);
  const v = new DataView(elf.buffer);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(24, 0x200010, true); // entry
  v.setUint32(28, 52, true); // phoff
  v.setUint16(42, 32, true);
  v.setUint16(44, 1, true);
  v.setUint32(52, 1, true); // PT_LOAD
  v.setUint32(56, 0x100, true); // offset
  v.setUint32(64, 0x200000, true); // paddr
  v.setUint32(68, 0x100, true); // filesz
  v.setUint32(72, 0x1000, true); // memsz
  const flags = 0x2;
  v.setUint32(0x100, 0x1badb002, true);
  v.setUint32(0x104, flags, true);
  v.setUint32(0x108, -(0x1badb002 + flags) >>> 0, true);
  elf[0x110] = 0xf4;
  const load = loadMultiboot({ kernel: elf, cmdline: "", modules: [] }, mem, MAP);
  assert.equal(load.entryPoint, 0x200010);
  assert.equal(mem.readU8(0x200010), 0xf4);
  assert.equal(mem.readU32(0x200000), 0x1badb002);
});

test("bad images get a clear error", () => {
  const mem = ram();
  assert.throws(
    () => loadMultiboot({ kernel: new Uint8Array(64), cmdline: "", modules: [] }, mem, MAP),
    (e: unknown) => e instanceof MultibootError && /no Multiboot header/.test(e.message),
  );
  const img = aoutKernel([0xf4]);
  new DataView(img.buffer).setUint32(16, 0x40000000, true); // load_addr above header_addr
  assert.throws(
    () => loadMultiboot({ kernel: img, cmdline: "", modules: [] }, mem, MAP),
    MultibootError,
  );
  const outside = aoutKernel([0xf4]);
  const ov = new DataView(outside.buffer);
  for (const off of [12, 16]) ov.setUint32(off, 0x7000000, true);
  ov.setUint32(20, 0x7000000 + outside.length, true);
  ov.setUint32(24, 0, true);
  assert.throws(
    () => loadMultiboot({ kernel: outside, cmdline: "", modules: [] }, mem, MAP),
    /outside guest RAM/,
  );
});
