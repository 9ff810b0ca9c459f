/**
 * The PC's cascaded 8259A pair ("i8259"): the master at ports 0x20/0x21
 * takes ISA IRQs 0-7, the slave at 0xA0/0xA1 takes IRQs 8-15 and drives the
 * master's IR2. The edge/level control registers (ELCR) of the PIIX/ICH
 * chipsets sit at 0x4D0 (master) and 0x4D1 (slave); IRQs 0, 1, 2, 8 and 13
 * are always edge-triggered there (PIIX4 datasheet, ELCR1/ELCR2).
 *
 * The master's INT output drives a callback (the machine connects it to
 * LINT0 of vCPU 0), and the pair is the `ExtIntSource` whose `acknowledge`
 * is the CPU's INTA cycle. Chip logic is in i8259-chip.ts.
 */
import type { ExtIntSource } from "../../hv/api.js";
import { describe, type SaveOptions, type SectionInput } from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import type { IrqSink } from "../irq.js";
import {
  acknowledgePic,
  newPicChip,
  pendingIrq,
  picChipCodec,
  readPic,
  resetPicChip,
  setPicInput,
  writeElcr,
  writePicCommand,
  writePicData,
  type PicChipState,
} from "./i8259-chip.js";
import { DeviceOptionError } from "./errors.js";

/** The pair's whole state. */
export interface I8259State {
  master: PicChipState;
  slave: PicChipState;
}

/** Section "i8259": both chips. */
export const i8259StateDescription = describe<I8259State>({
  name: "i8259",
  version: 1,
  fields: { master: picChipCodec, slave: picChipCodec },
});

/** The master IR the slave's INT output is wired to. */
const CASCADE_IRQ = 2;
/** ELCR bits that may be set: not IRQ 0, 1, 2 (master), 8, 13 (slave). */
const MASTER_ELCR_WRITABLE = 0xf8;
const SLAVE_ELCR_WRITABLE = 0xde;

export interface I8259Options {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  /** Called when the master's INT output changes (the machine drives LINT0 of vCPU 0). */
  readonly onOutput?: (level: boolean) => void;
  /** Register the ELCR ports 0x4D0/0x4D1 (default true). */
  readonly elcr?: boolean;
}

/** The PC's master/slave 8259A pair. */
export class I8259 implements ExtIntSource, IrqSink {
  static readonly model = "i8259";
  readonly state: I8259State = { master: newPicChip(), slave: newPicChip() };
  private readonly onOutput: (level: boolean) => void;
  private outputLevel = false;
  private readonly mappings: BusMapping[] = [];

  constructor(options: I8259Options) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("i8259", "bus", "is required");
    }
    this.onOutput = options.onOutput ?? (() => {});
    const bus = options.bus;
    this.mappings.push(
      bus.register({
        name: "i8259-master",
        start: 0x20,
        length: 2,
        widths: [1],
        read: (offset) => this.readChip(this.state.master, offset === 1, true),
        write: (offset, _size, value) =>
          this.writeChip(this.state.master, offset === 1, Number(value)),
      }),
      bus.register({
        name: "i8259-slave",
        start: 0xa0,
        length: 2,
        widths: [1],
        read: (offset) => this.readChip(this.state.slave, offset === 1, false),
        write: (offset, _size, value) =>
          this.writeChip(this.state.slave, offset === 1, Number(value)),
      }),
    );
    if (options.elcr ?? true) {
      this.mappings.push(
        bus.register({
          name: "elcr",
          start: 0x4d0,
          length: 2,
          widths: [1],
          read: (offset) => (offset === 0 ? this.state.master.elcr : this.state.slave.elcr),
          write: (offset, _size, value) => {
            if (offset === 0) writeElcr(this.state.master, Number(value), MASTER_ELCR_WRITABLE);
            else writeElcr(this.state.slave, Number(value), SLAVE_ELCR_WRITABLE);
            this.update();
          },
        }),
      );
    }
  }

  /** Drives ISA IRQ `irq` (0-15); the IRQ router calls this. IRQ 2 is the cascade and is ignored. */
  setIrq(irq: number, level: boolean): void {
    if (irq < 0 || irq > 15 || irq === CASCADE_IRQ || !Number.isInteger(irq)) return;
    if (irq < 8) setPicInput(this.state.master, irq, level);
    else setPicInput(this.state.slave, irq - 8, level);
    this.update();
  }

  /** The master's INT output: an interrupt is waiting for INTA. */
  hasInterrupt(): boolean {
    return pendingIrq(this.state.master, true) >= 0;
  }

  /**
   * The INTA cycle: returns the vector and marks the interrupt in service.
   * With nothing left to acknowledge (the request went away, or was masked,
   * after INT was raised) the chip answers IR7: the spurious vector, with no
   * in-service bit set (datasheet, "Interrupt Sequence"). A cascaded request
   * that vanished from the slave gives the slave's IR7 (IRQ 15).
   */
  acknowledge(): number {
    const { master, slave } = this.state;
    const irq = pendingIrq(master, true);
    let vector: number;
    if (irq < 0) {
      vector = master.vectorBase + 7;
    } else {
      acknowledgePic(master, irq);
      if (irq === CASCADE_IRQ) {
        const slaveIrq = pendingIrq(slave, false);
        if (slaveIrq >= 0) acknowledgePic(slave, slaveIrq);
        vector = slave.vectorBase + (slaveIrq >= 0 ? slaveIrq : 7);
      } else {
        vector = master.vectorBase + irq;
      }
    }
    this.update();
    return vector & 0xff;
  }

  /** The level last given to `onOutput`. */
  get output(): boolean {
    return this.outputLevel;
  }

  /** Machine reset: both chips uninitialized, ELCR clear. */
  reset(): void {
    resetPicChip(this.state.master);
    resetPicChip(this.state.slave);
    this.update();
  }

  /** Saves section "i8259". */
  saveState(options?: SaveOptions): Uint8Array {
    return i8259StateDescription.save(this.state, options);
  }

  /** Loads section "i8259" (a refused section changes nothing) and re-drives the output. */
  loadState(section: SectionInput): void {
    i8259StateDescription.load(section, this.state);
    this.update(true);
  }

  /** Unregisters the ports. */
  detach(): void {
    for (const mapping of this.mappings) mapping.remove();
  }

  private readChip(chip: PicChipState, dataPort: boolean, isMaster: boolean): number {
    const wasPoll = chip.pollPending;
    const value = readPic(chip, dataPort, isMaster);
    if (wasPoll) this.update();
    return value;
  }

  private writeChip(chip: PicChipState, dataPort: boolean, value: number): void {
    if (dataPort) writePicData(chip, value);
    else writePicCommand(chip, value);
    this.update();
  }

  /** Propagates the slave's INT to master IR2 and the master's INT to `onOutput`. */
  private update(force = false): void {
    const slaveOut = pendingIrq(this.state.slave, false) >= 0;
    setPicInput(this.state.master, CASCADE_IRQ, slaveOut);
    const out = pendingIrq(this.state.master, true) >= 0;
    if (out !== this.outputLevel || force) {
      this.outputLevel = out;
      this.onOutput(out);
    }
  }
}
