/**
 * The ACPI tables of a tsvm PC (ACPI 6.5, chapter 5): RSDP, RSDT, XSDT, FADT
 * (with FACS and DSDT), MADT and HPET. They describe the platform exactly as
 * the machine builds it, so every address and IRQ here comes from the
 * machine's constants, not from literals of its own.
 */
import { amlConcat, device, eisaId, integer, name, pkg, scope, string } from "./aml.js";
import { ByteWriter, fixChecksum, gas, GAS_IO, GAS_MEMORY, OEM_ID, sdt } from "./table.js";

export interface AcpiPlatform {
  /** Local APIC IDs, one per vCPU, in processor order. */
  readonly apicIds: readonly number[];
  readonly lapicAddress: number;
  readonly ioapic: { readonly id: number; readonly address: number; readonly gsiBase: number };
  /** ISA IRQ → GSI overrides with MPS INTI flags (polarity bits 0-1, trigger 2-3). */
  readonly overrides: readonly {
    readonly irq: number;
    readonly gsi: number;
    readonly flags: number;
  }[];
  readonly hpetAddress?: number;
  /** PM1a event block (4 bytes), control block (2 bytes), PM timer (4 bytes), GPE0 block. */
  readonly pm: {
    readonly pm1aEvt: number;
    readonly pm1aCnt: number;
    readonly pmTmr: number;
    readonly gpe0: number;
    readonly gpe0Length: number;
  };
  readonly sciIrq: number;
  /** The value the DSDT's \_S5 package gives for SLP_TYPa. */
  readonly s5SleepType: number;
  /** Reset register (an I/O port) and the value to write. */
  readonly reset: { readonly port: number; readonly value: number };
  /** The RTC CMOS century byte index. */
  readonly centuryIndex: number;
  /** 16550 UARTs to describe: I/O base and ISA IRQ. */
  readonly serialPorts: readonly { readonly base: number; readonly irq: number }[];
}

export interface AcpiTables {
  /** One blob holding every table, to copy to `base`. */
  readonly blob: Uint8Array;
  readonly base: number;
  /** Physical address of the RSDP (inside the blob). */
  readonly rsdp: number;
  /** Offsets of each table in the blob, by signature. */
  readonly offsets: ReadonlyMap<string, number>;
}

// FADT flags (5.2.9, table 5.10) and IA-PC boot architecture flags (5.2.9.3).
const FADT_WBINVD = 1 << 0;
const FADT_PROC_C1 = 1 << 2;
const FADT_SLP_BUTTON = 1 << 5;
const FADT_RESET_REG_SUP = 1 << 10;
const BOOT_LEGACY_DEVICES = 1 << 0;
const BOOT_VGA_NOT_PRESENT = 1 << 2;
const BOOT_MSI_NOT_SUPPORTED = 1 << 3;

function facs(): Uint8Array {
  // 5.2.10: no header of the usual kind; 64 bytes, version 2.
  const w = new ByteWriter()
    .ascii("FACS", 4)
    .u32(64)
    .u32(0)
    .u32(0)
    .u32(0)
    .u32(0)
    .u8(2)
    .zeros(3)
    .u32(0);
  return w.zeros(64 - w.length).result();
}

function dsdt(p: AcpiPlatform): Uint8Array {
  const uarts = p.serialPorts.map((u, i) =>
    device(`COM${i + 1}`, [
      name("_HID", eisaId("PNP0501")),
      name("_UID", integer(i + 1)),
      name("_CRS", resourceTemplate(u.base, 8, u.irq)),
    ]),
  );
  const body = amlConcat([
    name("\\_S5", pkg([integer(p.s5SleepType), integer(p.s5SleepType), integer(0), integer(0)])),
    scope("\\_SB", [
      device("PWRB", [name("_HID", eisaId("PNP0C0C")), name("_UID", integer(0))]),
      ...uarts,
      device("RTC", [name("_HID", eisaId("PNP0B00")), name("_CRS", resourceTemplate(0x70, 2, 8))]),
    ]),
    name("\\TSVM", string("tsvm")),
  ]);
  return sdt("DSDT", 2, body);
}

/** A _CRS buffer with one I/O port range (6.4.2.5) and one IRQ (6.4.2.1), then the end tag. */
function resourceTemplate(port: number, length: number, irq: number): Uint8Array {
  const res = [
    0x47, 0x01, port & 0xff, port >> 8, port & 0xff, port >> 8, 0x01, length, // IO, decode16
    0x22, (1 << irq) & 0xff, (1 << irq) >> 8, // IRQNoFlags
    0x79, 0x00, // End tag, checksum 0 (= "treat as summed")
  ]; // prettier-ignore
  const content = amlConcat([integer(res.length), res]);
  // BufferOp (0x11) PkgLength BufferSize ByteList
  const len = content.length + 1;
  if (len >= 0x40) throw new Error("resource template too long");
  return amlConcat([[0x11, len], content]);
}

function fadt(p: AcpiPlatform, facsAddr: number, dsdtAddr: number): Uint8Array {
  const w = new ByteWriter();
  w.u32(facsAddr).u32(dsdtAddr);
  w.u8(0).u8(0); // reserved; preferred PM profile: unspecified
  w.u16(p.sciIrq);
  w.u32(0).u8(0).u8(0).u8(0).u8(0); // SMI_CMD 0: ACPI mode is always on, no transition
  w.u32(p.pm.pm1aEvt).u32(0).u32(p.pm.pm1aCnt).u32(0).u32(0).u32(p.pm.pmTmr);
  w.u32(p.pm.gpe0).u32(0);
  w.u8(4).u8(2).u8(0).u8(4).u8(p.pm.gpe0Length).u8(0).u8(0).u8(0);
  w.u16(0x65).u16(0x3e9); // C2/C3 latencies above the limits: C2 and C3 not supported
  w.u16(0).u16(0).u8(0).u8(0);
  w.u8(0).u8(0).u8(p.centuryIndex);
  w.u16(BOOT_LEGACY_DEVICES | BOOT_VGA_NOT_PRESENT | BOOT_MSI_NOT_SUPPORTED).u8(0);
  w.u32(FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_RESET_REG_SUP);
  gas(w, GAS_IO, 8, 1, p.reset.port);
  w.u8(p.reset.value).u16(0).u8(0); // reset value, ARM boot flags, minor version
  w.u64(facsAddr).u64(dsdtAddr);
  gas(w, GAS_IO, 32, 2, p.pm.pm1aEvt);
  gas(w, 0, 0, 0, 0);
  gas(w, GAS_IO, 16, 2, p.pm.pm1aCnt);
  gas(w, 0, 0, 0, 0);
  gas(w, 0, 0, 0, 0);
  gas(w, GAS_IO, 32, 3, p.pm.pmTmr);
  gas(w, GAS_IO, p.pm.gpe0Length * 8, 1, p.pm.gpe0);
  gas(w, 0, 0, 0, 0);
  gas(w, 0, 0, 0, 0); // sleep control
  gas(w, 0, 0, 0, 0); // sleep status
  w.ascii("TSVM    ", 8); // hypervisor vendor identity
  return sdt("FACP", 6, w.result());
}

function madt(p: AcpiPlatform): Uint8Array {
  const w = new ByteWriter().u32(p.lapicAddress).u32(1); // PCAT_COMPAT: 8259s present
  p.apicIds.forEach((apicId, uid) => w.u8(0).u8(8).u8(uid).u8(apicId).u32(1));
  w.u8(1).u8(12).u8(p.ioapic.id).u8(0).u32(p.ioapic.address).u32(p.ioapic.gsiBase);
  for (const o of p.overrides) w.u8(2).u8(10).u8(0).u8(o.irq).u32(o.gsi).u16(o.flags);
  w.u8(4).u8(6).u8(0xff).u16(0).u8(1); // LINT1 of every processor is NMI
  return sdt("APIC", 4, w.result());
}

function hpet(address: number): Uint8Array {
  // Event timer block ID: rev 1, 3 comparators (NUM_TIM_CAP = 2), 64-bit counter,
  // legacy replacement capable, PCI vendor 0x8086 (IA-PC HPET spec 1.0a, table 3).
  const blockId = (0x8086 << 16) | (1 << 15) | (1 << 13) | (2 << 8) | 1;
  const w = new ByteWriter().u32(blockId);
  gas(w, GAS_MEMORY, 64, 0, address);
  w.u8(0).u16(0x80).u8(0);
  return sdt("HPET", 1, w.result());
}

/** Builds every table into one blob to be copied to guest-physical `base`. */
export function buildAcpiTables(p: AcpiPlatform, base: number): AcpiTables {
  const out = new ByteWriter();
  const offsets = new Map<string, number>();
  const place = (sig: string, bytes: Uint8Array, align = 16): number => {
    out.zeros((align - (out.length % align)) % align);
    offsets.set(sig, out.length);
    out.bytes(bytes);
    return base + (offsets.get(sig) ?? 0);
  };
  // RSDP first, on a 16-byte boundary, so the legacy scan of 0xE0000-0xFFFFF finds it.
  out.zeros(36);
  offsets.set("RSD PTR ", 0);
  const facsAddr = place("FACS", facs(), 64);
  const dsdtAddr = place("DSDT", dsdt(p));
  const tables = [place("FACP", fadt(p, facsAddr, dsdtAddr)), place("APIC", madt(p))];
  if (p.hpetAddress !== undefined) tables.push(place("HPET", hpet(p.hpetAddress)));
  const rsdt = new ByteWriter();
  for (const t of tables) rsdt.u32(t);
  const rsdtAddr = place("RSDT", sdt("RSDT", 1, rsdt.result()));
  const xsdt = new ByteWriter();
  for (const t of tables) xsdt.u64(t);
  const xsdtAddr = place("XSDT", sdt("XSDT", 1, xsdt.result()));

  const blob = out.result();
  const r = new ByteWriter()
    .ascii("RSD PTR ", 8)
    .u8(0)
    .ascii(OEM_ID, 6)
    .u8(2)
    .u32(rsdtAddr)
    .u32(36)
    .u64(xsdtAddr)
    .u8(0)
    .zeros(3)
    .result();
  fixChecksum(r, 8, 0, 20); // ACPI 1.0 checksum over the first 20 bytes
  fixChecksum(r, 32, 0, 36); // extended checksum over all 36
  blob.set(r, 0);
  return { blob, base, rsdp: base, offsets };
}
