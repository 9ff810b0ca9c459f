/**
 * Interrupt request lines.
 *
 * An `IrqLine` is the wire a device drives: a level it holds (`setLevel`), or
 * an edge it makes (`pulse`, high then low). An `IrqSink` is a controller with
 * numbered inputs (the PIC pair, later the IOAPIC). The `IsaIrqRouter` joins
 * them as a PC's ISA bus does: each of the 16 ISA IRQs reaches every
 * controller attached, so the PIC and the IOAPIC see the same edges. Driving
 * a line allocates nothing.
 */

/** A wire from a device to an interrupt controller input. */
export interface IrqLine {
  /** Holds the line high (`true`) or low. */
  setLevel(level: boolean): void;
  /** An edge for edge-triggered inputs: the line goes high, then low again. */
  pulse(): void;
}

/** An interrupt controller's numbered inputs. */
export interface IrqSink {
  setIrq(irq: number, level: boolean): void;
}

/** Thrown for a bad IRQ number or router use. */
export class IrqError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IrqError";
  }
}

/** A line that goes nowhere (an unconnected output). */
export const NO_IRQ: IrqLine = Object.freeze({
  setLevel(): void {},
  pulse(): void {},
});

/** A line that calls `drive(level)` on every change of level a device makes. */
export function irqLine(drive: (level: boolean) => void): IrqLine {
  return {
    setLevel: drive,
    pulse(): void {
      drive(true);
      drive(false);
    },
  };
}

/** Number of ISA IRQs (0-15; 2 is the PIC cascade). */
export const ISA_IRQ_COUNT = 16;

/** One ISA IRQ of a router. */
class RoutedLine implements IrqLine {
  constructor(
    private readonly router: IsaIrqRouter,
    private readonly irq: number,
  ) {}

  setLevel(level: boolean): void {
    this.router.setIrq(this.irq, level);
  }

  pulse(): void {
    this.router.setIrq(this.irq, true);
    this.router.setIrq(this.irq, false);
  }
}

/**
 * Fans each ISA IRQ out to every attached sink. Levels are forwarded as they
 * come, even when unchanged: each sink keeps its own input state (so after a
 * snapshot is loaded, a device re-driving its line reaches the controller
 * whatever the router saw before).
 */
export class IsaIrqRouter implements IrqSink {
  private readonly sinks: IrqSink[] = [];
  private readonly levels = new Uint8Array(ISA_IRQ_COUNT);
  private readonly lines: readonly IrqLine[];

  constructor() {
    const lines: IrqLine[] = [];
    for (let irq = 0; irq < ISA_IRQ_COUNT; irq++) lines.push(new RoutedLine(this, irq));
    this.lines = lines;
  }

  /**
   * Attaches a controller. It is told at once which IRQs are currently high,
   * so one attached after devices started driving their lines is in step.
   */
  addSink(sink: IrqSink): void {
    if (this.sinks.includes(sink)) throw new IrqError("this IRQ sink is already attached");
    this.sinks.push(sink);
    for (let irq = 0; irq < ISA_IRQ_COUNT; irq++) {
      if (this.levels[irq] === 1) sink.setIrq(irq, true);
    }
  }

  /** Detaches a controller; harmless if it is not attached. */
  removeSink(sink: IrqSink): void {
    const index = this.sinks.indexOf(sink);
    if (index >= 0) this.sinks.splice(index, 1);
  }

  /** The line of ISA IRQ `irq` (0-15), for a device to drive. */
  line(irq: number): IrqLine {
    checkIrq(irq);
    return this.lines[irq];
  }

  /** Drives ISA IRQ `irq` on every sink. */
  setIrq(irq: number, level: boolean): void {
    checkIrq(irq);
    this.levels[irq] = level ? 1 : 0;
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].setIrq(irq, level);
  }

  /** The level last driven on `irq`. */
  level(irq: number): boolean {
    checkIrq(irq);
    return this.levels[irq] === 1;
  }
}

function checkIrq(irq: number): void {
  if (!Number.isInteger(irq) || irq < 0 || irq >= ISA_IRQ_COUNT) {
    throw new IrqError(`ISA IRQ ${irq} does not exist (0-${ISA_IRQ_COUNT - 1})`);
  }
}
