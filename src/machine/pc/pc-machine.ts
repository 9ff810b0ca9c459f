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
import { Ioapic } from "../../hw/ioapic.js";
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
import { RunLoop, type StopReason } from "../run-loop.js";
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
  readonly bus = new CpuBus("pc");
  readonly vm: SoftVm;
  readonly layout: RamLayout;
  readonly irqs = new IsaIrqRouter();
  readonly pic: I8259;
  readonly ioapic: Ioapic;
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
      accessHandler: this.bus,
      clock: this.clock,
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
    this.vm.setExtIntSource(this.pic);
    this.irqs.addSink(this.pic);
    this.ioapic = new Ioapic(this.vm, { base: IOAPIC_BASE, id: IOAPIC_ID });
    this.ioapic.register(this.bus.mmio);
    this.irqs.addSink({ setIrq: (irq, level) => this.ioapic.setIrq(isaIrqToGsi(irq), level) });
    this.pit = new I8254({ bus: port, clock, irq0: this.irqs.line(0), portB: true });
    this.rtc = new Mc146818({
      bus: port,
      clock,
      irq: this.irqs.line(8),
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

    for (let i = 0; i < options.cpus; i++) this.vcpus.push(this.vm.createVcpu(i) as SoftVcpu);
    this.loop = new RunLoop({
      vcpus: this.vcpus,
      clock,
      afterRound: () => this.vm.notifiers.drain(),
    });
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
/**
 * ISA IRQ → IOAPIC pin (GSI): identity except IRQ0, which is wired to pin 2
 * as on PCs (the MADT carries the matching interrupt source override).
 */
export function isaIrqToGsi(irq: number): number {
  return irq === 0 ? 2 : irq;
}
