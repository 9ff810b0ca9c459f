/**
 * The tsvm PC: wires a Vm (soft backend), the bus tree, the legacy devices,
 * the interrupt controllers and the ACPI tables into one machine, loads a
 * guest, and runs it. Board wiring lives here; each device lives in src/hw.
 *
 * A machine is built once per boot: a guest reset makes the caller build a
 * fresh one (see runPc), so no device needs a "reset to power-on" path that
 * differs from construction.
 */
import { AddressSpace } from "../../hv/memory.js";
import type { SoftVcpu } from "../../hv/soft/vcpu.js";
import { SoftVm } from "../../hv/soft/vm.js";
import { CpuBus } from "../../hw/bus/index.js";
import { VirtualClock } from "../../hw/clock.js";
import { ACPI_PM_DEFAULT_PORTS, AcpiPm, GPE0_BLOCK_LENGTH } from "../../hw/acpi-pm.js";
import { FwCfg, FwCfgKey, le16, le64 } from "../../hw/fw-cfg/index.js";
import { Hpet, HPET_BASE, LegacyIrqGate } from "../../hw/hpet.js";
import { Ioapic } from "../../hw/ioapic.js";
import { ResetControl } from "../../hw/reset-control.js";
import type { GuestMemory } from "../../hv/soft/memory/guest-memory.js";
import { buildAcpiTables } from "../acpi/pc-tables.js";
import { IsaIrqRouter } from "../../hw/irq.js";
import {
  COM_PORTS,
  Debugcon,
  I8042,
  I8254,
  I8259,
  IsaDebugExit,
  Mc146818,
  Port80,
  Port92,
  Uart16550,
  type CharBackend,
} from "../../hw/legacy/index.js";
import type { MachineType } from "../machine-types.js";
import { DueTimers, RunLoop, type StopReason } from "../run-loop.js";
import { ramLayout, ramSlots, type RamLayout } from "./memory-layout.js";

export interface PcOptions {
  readonly type: MachineType;
  readonly memoryBytes: number;
  readonly cpus: number;
  /** Backends for COM1..COM4; a missing one leaves that UART unconnected. */
  readonly serial: readonly (CharBackend | undefined)[];
  /** QEMU's debugcon at port 0xE9. */
  readonly debugcon?: CharBackend;
  /** QEMU's isa-debug-exit device. */
  readonly debugExit?: { readonly iobase: number; readonly iosize: number };
}

export class PcMachine {
  readonly clock = new VirtualClock({ paused: true });
  /** Fires due timers where the guest reads time, not only between slices (run-loop.ts). */
  private readonly dueTimers = new DueTimers(this.clock);
  readonly bus = new CpuBus("pc");
  readonly vm: SoftVm;
  readonly layout: RamLayout;
  readonly irqs = new IsaIrqRouter();
  readonly pic: I8259;
  readonly ioapic: Ioapic;
  readonly hpet: Hpet;
  readonly acpiPm: AcpiPm;
  readonly fwCfg: FwCfg;
  readonly pit: I8254;
  readonly rtc: Mc146818;
  readonly uarts: Uart16550[] = [];
  readonly loop: RunLoop;
  readonly vcpus: SoftVcpu[] = [];
  /** Physical address of the ACPI RSDP once tables are installed. */
  acpiRsdp: number | undefined;

  constructor(readonly options: PcOptions) {
    if (options.cpus < 1) throw new RangeError("a PC needs at least one vCPU");
    this.vm = new SoftVm({
      accessHandler: this.dueTimers.beforeReads(this.bus),
      clock: this.dueTimers.observedClock(),
      onWake: () => this.loop?.wake(),
    });
    this.layout = ramLayout(options.memoryBytes, options.type.defaults.lowMemoryLimit);
    const low = this.vm.allocateMemory("pc.ram", this.layout.below4g);
    const high =
      this.layout.above4g > 0
        ? this.vm.allocateMemory("pc.ram.high", this.layout.above4g)
        : undefined;
    this.vm.setMemoryMap(AddressSpace.NORMAL, ramSlots(this.layout, low, high));

    const port = this.bus.port;
    const clock = this.clock;
    // Interrupt routing (DESIGN.md "Interrupts"): every ISA IRQ goes to both the
    // PIC pair and the IOAPIC; the PIC's output is LINT0 of vCPU 0 (ExtINT in
    // virtual-wire mode), the IOAPIC sends APIC-bus messages.
    this.pic = new I8259({
      bus: port,
      elcr: true,
      onOutput: (level) => this.vm.setLint(0, 0, level),
    });
    this.vm.setExtIntSource(this.dueTimers.beforeAcknowledge(this.pic));
    this.irqs.addSink(this.pic);
    this.ioapic = new Ioapic(this.vm, { base: IOAPIC_BASE, id: IOAPIC_ID });
    this.ioapic.register(this.bus.mmio);
    this.irqs.addSink({ setIrq: (irq, level) => this.ioapic.setIrq(isaIrqToGsi(irq), level) });
    // The HPET's legacy replacement mode takes IRQ0 and IRQ8 from the PIT and RTC.
    const pitIrq = new LegacyIrqGate(this.irqs.line(0));
    const rtcIrq = new LegacyIrqGate(this.irqs.line(8));
    this.pit = new I8254({ bus: port, clock, irq0: pitIrq, portB: true });
    this.rtc = new Mc146818({
      bus: port,
      clock,
      irq: rtcIrq,
      ram: { below4g: this.layout.below4g, above4g: this.layout.above4g },
    });
    options.serial.slice(0, COM_PORTS.length).forEach((backend, i) => {
      this.uarts.push(
        new Uart16550({
          bus: port,
          clock,
          base: COM_PORTS[i].base,
          irq: this.irqs.line(COM_PORTS[i].irq),
          backend,
          name: `serial${i}`,
        }),
      );
    });
    const stop = (reason: StopReason) => this.loop.requestStop(reason);
    new I8042({
      bus: port,
      irq1: this.irqs.line(1),
      irq12: this.irqs.line(12),
      onReset: () => stop({ kind: "reset" }),
    });
    new Port92({ bus: port, onReset: () => stop({ kind: "reset" }) });
    new Port80({ bus: port });
    if (options.debugcon !== undefined) new Debugcon({ bus: port, backend: options.debugcon });
    if (options.debugExit !== undefined) {
      new IsaDebugExit({
        bus: port,
        iobase: options.debugExit.iobase,
        iosize: options.debugExit.iosize,
        onExit: (status) => stop({ kind: "exit", status }),
      });
    }

    this.hpet = new Hpet({
      bus: this.bus.mmio,
      clock,
      base: HPET_BASE,
      irqForPin: (pin) => this.ioapic.line(pin),
      legacyIrq0: this.irqs.line(0),
      legacyIrq8: this.irqs.line(8),
      onLegacyReplacementChange: (on) => {
        pitIrq.setOpen(!on);
        rtcIrq.setOpen(!on);
      },
    });
    this.acpiPm = new AcpiPm({
      bus: port,
      clock,
      sci: this.irqs.line(SCI_IRQ),
      s5SleepType: S5_SLEEP_TYPE,
      ports: ACPI_PM_DEFAULT_PORTS,
      onPowerOff: () => stop({ kind: "poweroff" }),
    });
    new ResetControl({ bus: port, onReset: () => stop({ kind: "reset" }) });
    const memory = this.vm.guestMemory(AddressSpace.NORMAL);
    this.fwCfg = new FwCfg({ bus: port, memory });
    this.fwCfg.addItem(FwCfgKey.RAM_SIZE, le64(options.memoryBytes));
    this.fwCfg.addItem(FwCfgKey.NB_CPUS, le16(options.cpus));
    this.fwCfg.addItem(FwCfgKey.MAX_CPUS, le16(options.cpus));
    this.fwCfg.addItem(FwCfgKey.NOGRAPHIC, le16(1));
    this.fwCfg.addFile("etc/tsvm/machine-type", new TextEncoder().encode(options.type.name));

    for (let i = 0; i < options.cpus; i++) this.vcpus.push(this.vm.createVcpu(i) as SoftVcpu);
    this.acpiRsdp = this.installAcpiTables(memory);
    this.loop = new RunLoop({
      vcpus: this.vcpus,
      clock,
      dueTimers: this.dueTimers,
      afterRound: () => this.vm.notifiers.drain(),
    });
  }

  /** Builds the ACPI tables for this machine and copies them to ACPI_TABLES_BASE. */
  private installAcpiTables(memory: GuestMemory): number {
    const ports = ACPI_PM_DEFAULT_PORTS;
    const tables = buildAcpiTables(
      {
        apicIds: this.vcpus.map((v) => v.index),
        lapicAddress: LAPIC_BASE,
        ioapic: { id: IOAPIC_ID, address: IOAPIC_BASE, gsiBase: 0 },
        overrides: [
          { irq: 0, gsi: isaIrqToGsi(0), flags: 0 },
          // SCI: level-triggered, active high (MPS INTI flags: polarity 01, trigger 11).
          { irq: SCI_IRQ, gsi: isaIrqToGsi(SCI_IRQ), flags: 0x0d },
        ],
        hpetAddress: HPET_BASE,
        pm: {
          pm1aEvt: ports.pm1aEvt,
          pm1aCnt: ports.pm1aCnt,
          pmTmr: ports.pmTmr,
          gpe0: ports.gpe0,
          gpe0Length: GPE0_BLOCK_LENGTH,
        },
        sciIrq: SCI_IRQ,
        s5SleepType: S5_SLEEP_TYPE,
        reset: { port: 0xcf9, value: 0x06 },
        centuryIndex: 0x32,
        serialPorts: COM_PORTS.slice(0, this.uarts.length),
      },
      ACPI_TABLES_BASE,
    );
    memory.write(tables.base, tables.blob);
    return tables.rsdp;
  }

  run(): Promise<StopReason> {
    return this.loop.run();
  }

  destroy(): void {
    for (const u of this.uarts) u.detach();
    this.vm.destroy();
  }
}

/** Where the IOAPIC sits and which pin each ISA IRQ reaches (the MADT says the same). */
export const IOAPIC_BASE = 0xfec00000;
export const IOAPIC_ID = 0;
export const LAPIC_BASE = 0xfee00000;
/** The ACPI SCI: ISA IRQ 9, as on PIIX4-era PCs. */
export const SCI_IRQ = 9;
/** SLP_TYP for S5 (soft-off) in this machine type's DSDT and PM1 control block. */
export const S5_SLEEP_TYPE = 5;
/** Where the ACPI tables go: the reserved BIOS area, where a legacy RSDP scan looks. */
export const ACPI_TABLES_BASE = 0xf0000;
/**
 * ISA IRQ → IOAPIC pin (GSI): identity except IRQ0, which is wired to pin 2
 * as on PCs (the MADT carries the matching interrupt source override).
 */
export function isaIrqToGsi(irq: number): number {
  return irq === 0 ? 2 : irq;
}
