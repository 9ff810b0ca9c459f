import assert from "node:assert/strict";
import test from "node:test";
import { AddressSpace, RegSet, Seg } from "../../src/hv/index.js";
import { SoftVm } from "../../src/hv/soft/vm.js";
import { decodeSegment } from "../../src/hv/x86/register-values.js";
import {
  LINUX_CMDLINE,
  LINUX_GDT_ADDRESS,
  LINUX_ZERO_PAGE,
  LinuxBootError,
  loadLinux,
  parseBzImage,
} from "../../src/machine/boot/linux.js";
import { ramLayout } from "../../src/machine/pc/memory-layout.js";

const MiB = 1024 * 1024;

/** A minimal bzImage: 1 setup sector + boot sector, then a recognisable payload. */
function bzImage(
  options: { protocol?: number; payload?: number; initrdMax?: number } = {},
): Uint8Array {
  const payload = options.payload ?? 8192;
  const img = new Uint8Array(1024 + payload);
  const v = new DataView(img.buffer);
  img[0x1f1] = 1; // setup_sects
  v.setUint16(0x1fe, 0xaa55, true);
  img[0x200] = 0xeb;
  img[0x201] = 0x66; // jump over the header: header ends at 0x268
  v.setUint32(0x202, 0x53726448, true); // "HdrS"
  v.setUint16(0x206, options.protocol ?? 0x20f, true);
  img[0x211] = 0x01; // LOADED_HIGH
  v.setUint32(0x214, 0x100000, true);
  v.setUint32(0x22c, options.initrdMax ?? 0x37ffffff, true);
  v.setUint32(0x230, 0x200000, true);
  img[0x234] = 1; // relocatable
  v.setUint32(0x238, 2047, true);
  v.setBigUint64(0x258, 0x1000000n, true); // pref_address 16 MiB
  v.setUint32(0x260, 0x20000, true); // init_size
  for (let i = 0; i < payload; i++) img[1024 + i] = (i * 7 + 3) & 0xff;
  return img;
}

function machine(mem = 64 * MiB) {
  const vm = new SoftVm({});
  const backing = vm.allocateMemory("ram", mem);
  vm.setMemoryMap(AddressSpace.NORMAL, [{ guestAddress: 0, size: mem, backing, backingOffset: 0 }]);
  return { memory: vm.guestMemory(AddressSpace.NORMAL), layout: ramLayout(mem, 0xc0000000) };
}

test("parseBzImage reads the setup header", () => {
  const info = parseBzImage(bzImage());
  assert.equal(info.protocol, 0x20f);
  assert.equal(info.setupBytes, 1024);
  assert.equal(info.prefAddress, 0x1000000);
  assert.equal(info.relocatable, true);
});

test("loadLinux fills the zero page, places kernel and initrd, and enters per the 32-bit protocol", () => {
  const { memory, layout } = machine();
  const kernel = bzImage();
  const initrd = new Uint8Array(10000).fill(0x5a);
  const load = loadLinux(
    { kernel, initrd, cmdline: "console=ttyS0 quiet", acpiRsdp: 0xe0000 },
    memory,
    layout.e820,
  );
  assert.equal(load.kernelAddress, 0x1000000);
  assert.equal(memory.readU8(0x1000000 + 5), (5 * 7 + 3) & 0xff);
  const zp = LINUX_ZERO_PAGE;
  assert.equal(memory.readU32(zp + 0x202), 0x53726448, "header copied");
  assert.equal(memory.readU8(zp + 0x210), 0xff, "type_of_loader");
  assert.equal(memory.readU8(zp + 0x211) & 0x81, 0x81, "LOADED_HIGH | CAN_USE_HEAP");
  assert.equal(memory.readU32(zp + 0x228), LINUX_CMDLINE);
  const cmd = new Uint8Array(20);
  memory.read(LINUX_CMDLINE, cmd);
  assert.equal(new TextDecoder().decode(cmd), "console=ttyS0 quiet\0");
  // initrd: page-aligned, as high as possible, above the kernel's init_size, inside RAM.
  const at = memory.readU32(zp + 0x218);
  assert.equal(at, load.initrdAddress);
  assert.equal(at % 4096, 0);
  assert.equal(memory.readU32(zp + 0x21c), 10000);
  assert.ok(at + 10000 <= 64 * MiB && at > 64 * MiB - 4096 * 4, `initrd at 0x${at.toString(16)}`);
  assert.equal(memory.readU8(at + 9999), 0x5a);
  // E820 table.
  assert.equal(memory.readU8(zp + 0x1e8), layout.e820.length);
  layout.e820.forEach((e, i) => {
    assert.equal(memory.readU64(zp + 0x2d0 + i * 20), BigInt(e.base));
    assert.equal(memory.readU64(zp + 0x2d0 + i * 20 + 8), BigInt(e.length));
    assert.equal(memory.readU32(zp + 0x2d0 + i * 20 + 16), e.type);
  });
  assert.equal(memory.readU64(zp + 0x70), 0xe0000n, "acpi_rsdp_addr");
  // GDT with __BOOT_CS and __BOOT_DS, and the entry registers.
  assert.equal(memory.readU64(LINUX_GDT_ADDRESS + 0x10), 0x00cf9b000000ffffn);
  assert.equal(memory.readU64(LINUX_GDT_ADDRESS + 0x18), 0x00cf93000000ffffn);
  const get = (set: number, n: number) =>
    load.entry.find((e) => e.id.set === set && e.id.number === n)?.value;
  assert.equal(get(RegSet.GPR, 6), BigInt(zp), "ESI = zero page");
  assert.equal(get(RegSet.RIP, 0), 0x1000000n);
  const cs = decodeSegment(get(RegSet.SEGMENT, Seg.CS) as Uint8Array);
  assert.equal(cs.selector, 0x10);
  assert.equal(cs.limit, 0xffffffff);
  const gdtr = decodeSegment(get(RegSet.SEGMENT, Seg.GDTR) as Uint8Array);
  assert.equal(gdtr.base, BigInt(LINUX_GDT_ADDRESS));
});

test("the initrd respects initrd_addr_max", () => {
  const { memory, layout } = machine();
  const load = loadLinux(
    { kernel: bzImage({ initrdMax: 0x1ffffff }), initrd: new Uint8Array(4096), cmdline: "" },
    memory,
    layout.e820,
  );
  assert.ok(load.initrdAddress !== undefined && load.initrdAddress + 4096 <= 0x2000000);
});

test("bad kernels and command lines get clear errors", () => {
  const { memory, layout } = machine();
  assert.throws(
    () => loadLinux({ kernel: new Uint8Array(4096), cmdline: "" }, memory, layout.e820),
    /not a Linux bzImage/,
  );
  assert.throws(
    () => loadLinux({ kernel: bzImage({ protocol: 0x204 }), cmdline: "" }, memory, layout.e820),
    /older than 2.06/,
  );
  assert.throws(
    () => loadLinux({ kernel: bzImage(), cmdline: "x".repeat(3000) }, memory, layout.e820),
    (e: unknown) => e instanceof LinuxBootError && /at most 2047/.test(e.message),
  );
  const small = machine(8 * MiB);
  assert.throws(
    () => loadLinux({ kernel: bzImage(), cmdline: "" }, small.memory, small.layout.e820),
    /not enough RAM/,
  );
});

test("the 64-bit entry: identity-mapped page tables, long mode, entry at load address + 0x200", () => {
  const { memory, layout } = machine();
  const kernel = bzImage({ protocol: 0x20f });
  new DataView(kernel.buffer).setUint16(0x236, 1, true); // XLF_KERNEL_64
  const load = loadLinux({ kernel, cmdline: "", prefer64BitEntry: true }, memory, layout.e820);
  assert.equal(load.entryMode, 64);
  const get = (set: number, n: number) =>
    load.entry.find((e) => e.id.set === set && e.id.number === n)?.value;
  assert.equal(get(RegSet.RIP, 0), BigInt(0x1000000 + 0x200));
  assert.equal(get(RegSet.GPR, 6), BigInt(LINUX_ZERO_PAGE));
  assert.equal(get(RegSet.CONTROL, 0), 0x80000011n);
  assert.equal(get(RegSet.CONTROL, 4), 0x20n);
  assert.equal(get(RegSet.MSR, 0xc0000080), 0x500n);
  const cs = decodeSegment(get(RegSet.SEGMENT, Seg.CS) as Uint8Array);
  assert.equal(cs.selector, 0x10);
  assert.equal(cs.attributes & 0x2000, 0x2000, "CS.L");
  // Walk the tables for a few addresses: each maps to itself.
  const cr3 = Number(get(RegSet.CONTROL, 3));
  for (const va of [0, 0x7000, 0x1000200, 0x3fffffff, 0xfee00000]) {
    const pml4e = memory.readU64(cr3 + ((va / 2 ** 39) & 511) * 8);
    const pdpte = memory.readU64(Number(pml4e & ~0xfffn) + (Math.floor(va / 2 ** 30) & 511) * 8);
    const pde = memory.readU64(Number(pdpte & ~0xfffn) + (Math.floor(va / 2 ** 21) & 511) * 8);
    assert.equal(pde & 0x81n, 0x81n, "present 2 MiB page");
    assert.equal(Number(pde & ~0x1fffffn & 0xfffffffffn) + (va % 2 ** 21), va);
  }
  // Without XLF_KERNEL_64, or when not asked, the 32-bit entry is used.
  const k32 = loadLinux(
    { kernel: bzImage(), cmdline: "", prefer64BitEntry: true },
    memory,
    layout.e820,
  );
  assert.equal(k32.entryMode, 32);
});
