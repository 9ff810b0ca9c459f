import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { eisaId, nameString, pkgLength } from "../../src/machine/acpi/aml.js";
import { buildAcpiTables, type AcpiPlatform } from "../../src/machine/acpi/pc-tables.js";

const PLATFORM: AcpiPlatform = {
  apicIds: [0, 1, 2],
  lapicAddress: 0xfee00000,
  ioapic: { id: 3, address: 0xfec00000, gsiBase: 0 },
  overrides: [
    { irq: 0, gsi: 2, flags: 0 },
    { irq: 9, gsi: 9, flags: 0x0d },
  ],
  hpetAddress: 0xfed00000,
  pm: { pm1aEvt: 0x600, pm1aCnt: 0x604, pmTmr: 0x608, gpe0: 0x620, gpe0Length: 4 },
  sciIrq: 9,
  s5SleepType: 5,
  reset: { port: 0xcf9, value: 0x06 },
  centuryIndex: 0x32,
  serialPorts: [
    { base: 0x3f8, irq: 4 },
    { base: 0x2f8, irq: 3 },
  ],
};
const BASE = 0xf0000;

function sum(b: Uint8Array): number {
  return b.reduce((s, x) => (s + x) & 0xff, 0);
}

function tableAt(blob: Uint8Array, address: number): Uint8Array {
  const off = address - BASE;
  const len = new DataView(blob.buffer, blob.byteOffset).getUint32(off + 4, true);
  return blob.subarray(off, off + len);
}

test("AML primitive encodings follow the specification's examples", () => {
  assert.deepEqual([...pkgLength(5)], [6]);
  assert.deepEqual([...pkgLength(62)], [63]);
  // 63 content bytes + 2 length bytes = 65 = 0x41: lead byte 0x41 with 1 follow byte, low nibble 1.
  assert.deepEqual([...pkgLength(63)], [0x41, 0x04]);
  assert.deepEqual([...nameString("\\_SB.PCI0")], [0x5c, 0x2e, ...Buffer.from("_SB_PCI0")]);
  // PNP0501 → 0x0105D041 stored little-endian as 41 D0 05 01.
  assert.deepEqual([...eisaId("PNP0501")], [0x0c, 0x41, 0xd0, 0x05, 0x01]);
});

test("every table checksums to zero and the RSDP points at RSDT and XSDT", () => {
  const t = buildAcpiTables(PLATFORM, BASE);
  const blob = t.blob;
  const dv = new DataView(blob.buffer, blob.byteOffset);
  const rsdp = blob.subarray(0, 36);
  assert.equal(Buffer.from(rsdp.subarray(0, 8)).toString("latin1"), "RSD PTR ");
  assert.equal(sum(rsdp.subarray(0, 20)), 0);
  assert.equal(sum(rsdp), 0);
  assert.equal(t.rsdp % 16, 0);
  const rsdt = tableAt(blob, dv.getUint32(16, true));
  const xsdt = tableAt(blob, Number(dv.getBigUint64(24, true)));
  assert.equal(Buffer.from(rsdt.subarray(0, 4)).toString(), "RSDT");
  assert.equal(Buffer.from(xsdt.subarray(0, 4)).toString(), "XSDT");
  const sigs: string[] = [];
  for (let i = 36; i < rsdt.length; i += 4) {
    const table = tableAt(blob, new DataView(rsdt.buffer, rsdt.byteOffset).getUint32(i, true));
    assert.equal(sum(table), 0, "checksum");
    sigs.push(Buffer.from(table.subarray(0, 4)).toString());
  }
  assert.deepEqual(sigs, ["FACP", "APIC", "HPET"]);
  const fadt = tableAt(blob, BASE + (t.offsets.get("FACP") ?? 0));
  const f = new DataView(fadt.buffer, fadt.byteOffset);
  assert.equal(fadt.length, 276);
  assert.equal(f.getUint16(46, true), 9, "SCI_INT");
  assert.equal(f.getUint32(64, true), 0x604, "PM1a_CNT_BLK");
  assert.equal(f.getUint32(76, true), 0x608, "PM_TMR_BLK");
  assert.equal(fadt[108], 0x32, "century");
  assert.equal(f.getUint32(140 + 0, true), BASE + (t.offsets.get("DSDT") ?? 0), "X_DSDT low");
  const dsdt = tableAt(blob, f.getUint32(40, true));
  assert.equal(sum(dsdt), 0);
  // MADT: one type-0 entry per CPU with the given APIC ids.
  const madt = tableAt(blob, BASE + (t.offsets.get("APIC") ?? 0));
  const ids: number[] = [];
  for (let i = 44; i < madt.length; i += madt[i + 1]) if (madt[i] === 0) ids.push(madt[i + 3]);
  assert.deepEqual(ids, [0, 1, 2]);
});

test("iasl disassembles every table without errors (when acpica-tools is installed)", (t) => {
  if (spawnSync("iasl", ["-v"]).error) {
    t.skip("iasl is not installed");
    return;
  }
  const tables = buildAcpiTables(PLATFORM, BASE);
  const dir = mkdtempSync(join(tmpdir(), "tsvm-acpi-"));
  for (const sig of ["DSDT", "FACP", "APIC", "HPET"]) {
    const off = tables.offsets.get(sig) ?? -1;
    const table = tableAt(tables.blob, BASE + off);
    const file = join(dir, `${sig}.dat`);
    writeFileSync(file, table);
    const r = spawnSync("iasl", ["-d", file], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, `${sig}: ${r.stdout}${r.stderr}`);
    const dsl = readFileSync(join(dir, `${sig}.dsl`), "utf8");
    assert.doesNotMatch(dsl, /\*\*\*\* Unknown|Invalid|ACPI Error/i, `${sig} disassembly:\n${dsl}`);
    if (sig === "DSDT") {
      assert.match(dsl, /Name \(\\_S5, Package \(0x04\)/);
      assert.match(dsl, /EisaId \("PNP0501"\)/);
      assert.match(dsl, /IO \(Decode16,\s*0x03F8/);
    }
    if (sig === "APIC") assert.match(dsl, /Local Apic ID : 02/);
  }
});
