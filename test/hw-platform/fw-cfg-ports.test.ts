import { test } from "node:test";
import assert from "node:assert/strict";
import { FwCfg, FwCfgKey, le16, le32, le64, type DmaMemory } from "../../src/hw/fw-cfg/index.js";
import { DeviceOptionError } from "../../src/hw/legacy/errors.js";
import { StateError } from "../../src/migration/state/index.js";
import { io, makeRig } from "./helpers.js";
import { DATA, DMA_HIGH, DMA_LOW, SELECTOR, be16, be32, setupFwCfg } from "./fw-cfg-helpers.js";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Parses the file directory as a driver would: name → { size, select }. */
function parseDirectory(readItem: (key: number, count: number) => Uint8Array) {
  const count = be32(readItem(FwCfgKey.FILE_DIR, 4), 0);
  const raw = readItem(FwCfgKey.FILE_DIR, 4 + 64 * count);
  const files = new Map<string, { size: number; select: number }>();
  for (let i = 0; i < count; i++) {
    const entry = raw.subarray(4 + 64 * i, 4 + 64 * (i + 1));
    const nameBytes = entry.subarray(8);
    const name = text(nameBytes.subarray(0, nameBytes.indexOf(0)));
    files.set(name, { size: be32(entry, 0), select: be16(entry, 4) });
    assert.equal(be16(entry, 6), 0, "reserved");
  }
  return files;
}

test("the signature, the ID's DMA bit and the DMA signature", () => {
  const { rig, readItem } = setupFwCfg();
  assert.equal(text(readItem(FwCfgKey.SIGNATURE, 4)), "QEMU");
  assert.deepEqual([...readItem(FwCfgKey.SIGNATURE, 6).subarray(4)], [0, 0], "0 past the end");
  assert.deepEqual(readItem(FwCfgKey.ID, 4), le32(0b11));
  // inl(0x514) and inl(0x518) give "QEMU CFG" in address order (a big-endian 64-bit value).
  const sig = new DataView(new ArrayBuffer(8));
  sig.setUint32(0, io.in32(rig.bus, DMA_HIGH), true);
  sig.setUint32(4, io.in32(rig.bus, DMA_LOW), true);
  assert.equal(sig.getBigUint64(0), 0x5145_4d55_2043_4647n);
  assert.equal(io.in8(rig.bus, DMA_HIGH + 1), "E".charCodeAt(0));

  const plain = setupFwCfg({ dma: false });
  assert.deepEqual(plain.readItem(FwCfgKey.ID, 4), le32(0b01));
  assert.equal(io.in32(plain.rig.bus, DMA_HIGH), 0xffff_ffff, "no DMA port without memory");
});

test("files are listed in the directory and read through the data port", () => {
  const { fwcfg, readItem, rig } = setupFwCfg();
  const acpi = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
  const name55 = "opt/" + "x".repeat(51);
  assert.equal(fwcfg.addFile("etc/acpi/tables", acpi), FwCfgKey.FILE_FIRST);
  assert.equal(
    fwcfg.addFile("bootorder", new TextEncoder().encode("/rom@genroms/linuxboot.bin\n")),
    0x21,
  );
  fwcfg.addFile(name55, new Uint8Array(0));
  const files = parseDirectory(readItem);
  assert.deepEqual([...files.keys()], ["etc/acpi/tables", "bootorder", name55]);
  assert.deepEqual(files.get("etc/acpi/tables"), { size: 300, select: 0x20 });
  assert.deepEqual(files.get(name55), { size: 0, select: 0x22 });
  const { select, size } = files.get("bootorder") ?? { select: 0, size: 0 };
  assert.equal(text(readItem(select, size)), "/rom@genroms/linuxboot.bin\n");
  assert.deepEqual(readItem(0x20, 300), acpi);
  // Bit 14 of the selector is ignored; byte reads at 0x510 read data too, as in QEMU.
  io.out16(rig.bus, SELECTOR, 0x4020);
  assert.equal(io.in8(rig.bus, SELECTOR), acpi[0]);
  assert.equal(io.in8(rig.bus, DATA), acpi[1]);
  io.out8(rig.bus, DATA, 0x55); // byte writes are ignored
  assert.equal(io.in8(rig.bus, DATA), acpi[2]);
  assert.equal(io.in16(rig.bus, SELECTOR), 0xffff, "the selector is not readable");
  assert.deepEqual(readItem(0x1234, 3), new Uint8Array(3), "an unknown key reads zeros");
});

test("numbered items use QEMU's keys; reserved and used keys are refused", () => {
  const { fwcfg, readItem } = setupFwCfg();
  fwcfg.addItem(FwCfgKey.NB_CPUS, le16(2));
  fwcfg.addItem(FwCfgKey.MAX_CPUS, le16(8));
  fwcfg.addItem(FwCfgKey.RAM_SIZE, le64(2n ** 33n));
  fwcfg.addItem(FwCfgKey.E820_TABLE, le32(0));
  assert.deepEqual(readItem(0x05, 2), Uint8Array.of(2, 0));
  assert.deepEqual(readItem(0x0f, 2), Uint8Array.of(8, 0));
  assert.deepEqual(readItem(0x03, 8), Uint8Array.of(0, 0, 0, 0, 2, 0, 0, 0));
  for (const key of [0x00, 0x01, 0x19, 0x20, 0x4005, 0x8020, -1, 0x1_0005]) {
    assert.throws(
      () => fwcfg.addItem(key, le16(1)),
      DeviceOptionError,
      `key 0x${key.toString(16)}`,
    );
  }
  assert.throws(() => fwcfg.addItem(FwCfgKey.NB_CPUS, le16(4)), DeviceOptionError);
  assert.deepEqual(readItem(0x05, 2), Uint8Array.of(2, 0), "a refused item changes nothing");
  assert.throws(() => le16(0x1_0000), RangeError);
});

test("file names, slots and options are checked", () => {
  const { fwcfg } = setupFwCfg({ fileSlots: 2 });
  fwcfg.addFile("a", Uint8Array.of(1));
  assert.throws(() => fwcfg.addFile("a", Uint8Array.of(2)), DeviceOptionError);
  assert.throws(() => fwcfg.addFile("", Uint8Array.of(2)), DeviceOptionError);
  assert.throws(() => fwcfg.addFile("y".repeat(56), Uint8Array.of(2)), DeviceOptionError);
  assert.throws(() => fwcfg.addFile("bad\nname", Uint8Array.of(2)), DeviceOptionError);
  fwcfg.addFile("b", Uint8Array.of(2));
  assert.throws(() => fwcfg.addFile("c", Uint8Array.of(3)), DeviceOptionError, "no slot left");
  assert.deepEqual(fwcfg.fileData("b"), Uint8Array.of(2));
  assert.equal(fwcfg.fileData("c"), undefined);

  const rig = makeRig();
  assert.throws(() => new FwCfg({ bus: rig.bus.port, iobase: 0xffff }), DeviceOptionError);
  assert.throws(() => new FwCfg({ bus: rig.bus.port, fileSlots: 0 }), DeviceOptionError);
  const broken = { read() {}, write() {} } as unknown as DmaMemory;
  assert.throws(() => new FwCfg({ bus: rig.bus.port, memory: broken }), DeviceOptionError);
});

test("state round trip mid-read: selection, offset and the pending DMA address half", () => {
  const source = setupFwCfg();
  const data = Uint8Array.from({ length: 40 }, (_, i) => 100 + i);
  source.fwcfg.addFile("etc/thing", data);
  source.readItem(0x20, 3);
  io.out32(source.rig.bus, DMA_HIGH, 0x0100_0000); // the high half 1, big-endian
  const section = source.fwcfg.saveState();

  const target = setupFwCfg();
  target.fwcfg.addFile("etc/thing", data); // the machine rebuilds the items
  target.fwcfg.loadState(section);
  assert.deepEqual(target.fwcfg.state, { selector: 0x20, offset: 3, dmaAddress: 1n << 32n });
  assert.equal(io.in8(target.rig.bus, DATA), 103);
  target.fwcfg.reset();
  assert.deepEqual(target.fwcfg.state, { selector: 0, offset: 0, dmaAddress: 0n });
  assert.equal(io.in8(target.rig.bus, DATA), "Q".charCodeAt(0));

  const damaged = section.subarray(0, section.length - 2);
  assert.throws(() => target.fwcfg.loadState(damaged), StateError);
  assert.deepEqual(target.fwcfg.state, { selector: 0, offset: 1, dmaAddress: 0n });
});
