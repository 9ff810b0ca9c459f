/**
 * A 16550A UART ("uart16550a"; PC16550D datasheet), as a PC's COM1-COM4.
 *
 * Registers (offset: read / write; DLAB = LCR bit 7):
 *   0 RBR / THR (DLL with DLAB)     4 MCR
 *   1 IER (DLM with DLAB)           5 LSR
 *   2 IIR / FCR                     6 MSR
 *   3 LCR                           7 SCR
 *
 * Interrupts, highest priority first (datasheet table 4): line status
 * (overrun), received data at the trigger level, character timeout (FIFO
 * mode: data below the trigger level and no activity for 4 character
 * times), THR empty, modem status. As on PCs the IRQ line is driven only
 * while MCR.OUT2 is set, and not in loopback, where the datasheet forces
 * OUT2 inactive.
 *
 * Transmission is immediate: the THR is empty again as soon as the byte is
 * handed to the backend, unless the backend asks to wait (see
 * char-backend.ts); bytes then stay in the transmit FIFO, THRE stays clear
 * and nothing is lost. Input arrives one character time apart (from the
 * divisor and LCR), so a paste is not an instant overrun, but a guest that
 * does not read gets overruns (LSR.OE) as on a real line.
 */
import type { SaveOptions, SectionInput } from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import type { Timer, VirtualClock } from "../clock.js";
import { NO_IRQ, type IrqLine } from "../irq.js";
import { NullCharBackend, type CharBackend } from "./char-backend.js";
import { loadChecked, requireTime } from "./device-state.js";
import { DeviceOptionError, checkPortRange } from "./errors.js";
import {
  FIFO_SIZE,
  IIR_NONE,
  IIR_THRE,
  MAX_PENDING_INPUT,
  characterTimeNs,
  fifoClear,
  fifoPush,
  fifoShift,
  interruptId,
  newUartState,
  uartStateDescription,
  updateModemInputs,
  type UartState,
} from "./uart16550-state.js";

export { uartStateDescription, type UartState } from "./uart16550-state.js";

/** Where a PC's serial ports are: COM1-COM4. */
export const COM_PORTS: readonly { readonly base: number; readonly irq: number }[] = [
  { base: 0x3f8, irq: 4 },
  { base: 0x2f8, irq: 3 },
  { base: 0x3e8, irq: 4 },
  { base: 0x2e8, irq: 3 },
];

const RX_TRIGGERS = [1, 4, 8, 14] as const;

const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;

export interface Uart16550Options {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  readonly clock: VirtualClock;
  /** First of the 8 ports (COM_PORTS[i].base). */
  readonly base: number;
  /** The ISA IRQ line (COM_PORTS[i].irq). */
  readonly irq?: IrqLine;
  /** Host end; default a null backend. */
  readonly backend?: CharBackend;
  /** Shown in the bus listing; default "uart16550a@0x3f8" and so on. */
  readonly name?: string;
}

/** A 16550A UART. See the file comment. */
export class Uart16550 {
  static readonly model = "uart16550a";
  readonly state: UartState = newUartState();
  /** Host input bytes dropped because more than 64 KiB waited for the line. */
  droppedInput = 0;
  /** Guest output bytes dropped because the guest overfilled the transmit FIFO. */
  droppedOutput = 0;
  private readonly clock: VirtualClock;
  private readonly irq: IrqLine;
  private readonly backend: CharBackend;
  private readonly receiveTimer: Timer;
  private readonly timeoutTimer: Timer;
  private readonly mapping: BusMapping;
  private irqLevel = false;
  /** The backend asked us to wait for its drain callback. */
  private txBlocked = false;

  constructor(options: Uart16550Options) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("uart16550a", "bus", "is required");
    }
    if (options.clock === undefined)
      throw new DeviceOptionError("uart16550a", "clock", "is required");
    checkPortRange("uart16550a", "base", options.base, 8);
    this.clock = options.clock;
    this.irq = options.irq ?? NO_IRQ;
    this.backend = options.backend ?? new NullCharBackend();
    const name = options.name ?? `uart16550a@0x${options.base.toString(16)}`;
    this.receiveTimer = this.clock.createTimer(() => this.receiveFromLine(), `${name} receive`);
    this.timeoutTimer = this.clock.createTimer(() => this.characterTimeout(), `${name} timeout`);
    this.mapping = options.bus.register({
      name,
      start: options.base,
      length: 8,
      widths: [1],
      read: (offset) => this.read(offset),
      write: (offset, _size, value) => this.write(offset, Number(value)),
    });
    this.backend.onInput((bytes) => this.hostInput(bytes));
    this.backend.onDrain(() => {
      this.txBlocked = false;
      this.transmit();
      this.updateIrq();
    });
  }

  /** Master reset: registers to their reset values, FIFOs empty. Host input waiting stays. */
  reset(): void {
    const pending = this.state.pendingInput;
    Object.assign(this.state, newUartState(), { pendingInput: pending });
    this.timeoutTimer.cancel();
    this.scheduleReceive();
    this.updateIrq();
  }

  /** Saves section "uart16550a"; `options.instance` tells the four ports apart. */
  saveState(options?: SaveOptions): Uint8Array {
    return uartStateDescription.save(this.state, options);
  }

  /** Loads section "uart16550a" (a refused section changes nothing). */
  loadState(section: SectionInput): void {
    loadChecked(uartStateDescription, section, this.state, (s) => {
      requireTime(uartStateDescription, "rxActivityNs", s.rxActivityNs);
      requireTime(uartStateDescription, "lineFreeNs", s.lineFreeNs);
    });
    this.txBlocked = false;
    this.scheduleReceive();
    this.scheduleTimeout();
    this.transmit();
    this.updateIrq(true);
  }

  /** Unregisters the ports, stops the timers and lets go of the backend. */
  detach(): void {
    this.mapping.remove();
    this.receiveTimer.cancel();
    this.timeoutTimer.cancel();
    this.backend.onInput(undefined);
    this.backend.onDrain(undefined);
  }

  /** The level of the IRQ line. */
  get irqAsserted(): boolean {
    return this.irqLevel;
  }

  private get dlab(): boolean {
    return (this.state.lcr & 0x80) !== 0;
  }

  private get loopback(): boolean {
    return (this.state.mcr & MCR_LOOP) !== 0;
  }

  private read(offset: number): number {
    const s = this.state;
    switch (offset) {
      case 0:
        return this.dlab ? s.divisor & 0xff : this.readReceiver();
      case 1:
        return this.dlab ? s.divisor >> 8 : s.ier;
      case 2:
        return this.readIir();
      case 3:
        return s.lcr;
      case 4:
        return s.mcr;
      case 5:
        return this.readLsr();
      case 6: {
        const value = s.modemInputs | s.msrDeltas;
        s.msrDeltas = 0;
        this.updateIrq();
        return value;
      }
      default:
        return s.scratch;
    }
  }

  private write(offset: number, value: number): void {
    const s = this.state;
    switch (offset) {
      case 0:
        if (this.dlab) s.divisor = (s.divisor & 0xff00) | value;
        else this.writeTransmitter(value);
        break;
      case 1:
        if (this.dlab) s.divisor = (s.divisor & 0xff) | (value << 8);
        else this.writeIer(value);
        break;
      case 2:
        this.writeFcr(value);
        break;
      case 3:
        s.lcr = value;
        break;
      case 4:
        this.writeMcr(value);
        break;
      case 5:
      case 6:
        break; // LSR and MSR writes are factory test only
      default:
        s.scratch = value;
    }
    this.updateIrq();
  }

  private readIir(): number {
    const id = interruptId(this.state);
    // Reading IIR while it shows THRE is what clears that interrupt (datasheet table 4).
    if (id === IIR_THRE) this.state.thrInterruptPending = false;
    this.updateIrq();
    return id | (this.state.fifoEnabled ? 0xc0 : 0);
  }

  private readLsr(): number {
    const s = this.state;
    const empty = s.txCount === 0;
    const value = (s.rxCount > 0 ? 0x01 : 0) | (s.overrunError ? 0x02 : 0) | (empty ? 0x60 : 0);
    s.overrunError = false;
    this.updateIrq();
    return value;
  }

  private readReceiver(): number {
    const s = this.state;
    if (s.rxCount === 0) return 0;
    const byte = fifoShift(s, "rx");
    s.timeoutPending = false;
    s.rxActivityNs = this.clock.now();
    this.scheduleTimeout();
    this.updateIrq();
    return byte;
  }

  private writeIer(value: number): void {
    const s = this.state;
    const enabling = value & ~s.ier;
    s.ier = value & 0x0f;
    // Enabling the THRE interrupt while THR is empty raises it at once, even if it
    // had been cleared by an IIR read; Linux's 8250 driver probes exactly this.
    if ((enabling & 0x02) !== 0 && s.txCount === 0) s.thrInterruptPending = true;
  }

  private writeFcr(value: number): void {
    const s = this.state;
    const enable = (value & 0x01) !== 0;
    if (enable !== s.fifoEnabled) {
      fifoClear(s, "rx");
      fifoClear(s, "tx");
      s.timeoutPending = false;
      s.fifoEnabled = enable;
    }
    if (!enable) return; // FCR bits other than 0 are written only with FIFOs enabled
    if ((value & 0x02) !== 0) {
      fifoClear(s, "rx");
      s.timeoutPending = false;
    }
    if ((value & 0x04) !== 0 && s.txCount > 0) {
      fifoClear(s, "tx");
      s.thrInterruptPending = true;
    }
    s.rxTrigger = RX_TRIGGERS[value >> 6];
    this.scheduleTimeout();
  }

  private writeMcr(value: number): void {
    const s = this.state;
    const wasLoopback = this.loopback;
    s.mcr = value & 0x1f;
    updateModemInputs(this.state);
    if (wasLoopback !== this.loopback) {
      this.transmit();
      this.scheduleReceive();
    }
  }

  private writeTransmitter(byte: number): void {
    const s = this.state;
    s.thrInterruptPending = false;
    if (s.txCount >= (s.fifoEnabled ? FIFO_SIZE : 1)) {
      this.droppedOutput++; // the guest ignored THRE
      return;
    }
    fifoPush(s, "tx", byte);
    this.transmit();
  }

  /** Moves the transmit FIFO to the line: the receiver in loopback, else the backend. */
  private transmit(): void {
    const s = this.state;
    if (s.txCount === 0) return;
    if (this.loopback) {
      while (s.txCount > 0) this.receive(fifoShift(s, "tx"));
    } else {
      if (this.txBlocked) return;
      const out = new Uint8Array(s.txCount);
      for (let i = 0; i < out.length; i++) out[i] = fifoShift(s, "tx");
      if (!this.backend.write(out)) this.txBlocked = true;
    }
    s.thrInterruptPending = true;
  }

  /**
   * A character reaches the receiver. With the FIFO (or, without FIFOs, the
   * holding register) full it is an overrun: in FIFO mode the new character
   * is lost, otherwise it replaces the unread one (datasheet, LSR bit 1).
   */
  private receive(byte: number): void {
    const s = this.state;
    if (s.rxCount >= (s.fifoEnabled ? FIFO_SIZE : 1)) {
      s.overrunError = true;
      if (!s.fifoEnabled) s.rxFifo[s.rxHead] = byte;
    } else {
      fifoPush(s, "rx", byte);
    }
    s.timeoutPending = false;
    s.rxActivityNs = this.clock.now();
    this.scheduleTimeout();
  }

  /** Bytes from the host: queued for the line. */
  private hostInput(bytes: Uint8Array): void {
    const s = this.state;
    const room = MAX_PENDING_INPUT - s.pendingInput.length;
    const taken = bytes.length <= room ? bytes : bytes.subarray(0, Math.max(0, room));
    this.droppedInput += bytes.length - taken.length;
    if (taken.length === 0) return;
    const joined = new Uint8Array(s.pendingInput.length + taken.length);
    joined.set(s.pendingInput);
    joined.set(taken, s.pendingInput.length);
    s.pendingInput = joined;
    this.scheduleReceive();
  }

  /** Arms the receive timer for the next host character (none in loopback: the line is cut). */
  private scheduleReceive(): void {
    const s = this.state;
    if (s.pendingInput.length === 0 || this.loopback) this.receiveTimer.cancel();
    else if (!this.receiveTimer.armed)
      this.receiveTimer.arm(Math.max(this.clock.now(), s.lineFreeNs));
  }

  private receiveFromLine(): void {
    const s = this.state;
    if (s.pendingInput.length === 0 || this.loopback) return;
    const byte = s.pendingInput[0];
    s.pendingInput = s.pendingInput.subarray(1);
    if (s.pendingInput.length === 0) s.pendingInput = new Uint8Array(0);
    this.receive(byte);
    s.lineFreeNs = this.clock.now() + characterTimeNs(this.state);
    this.scheduleReceive();
    this.updateIrq();
  }

  /** Arms the character timeout: FIFO mode, data waiting, 4 character times after activity. */
  private scheduleTimeout(): void {
    const s = this.state;
    if (!s.fifoEnabled || s.rxCount === 0 || s.timeoutPending) this.timeoutTimer.cancel();
    else this.timeoutTimer.arm(s.rxActivityNs + 4 * characterTimeNs(this.state));
  }

  private characterTimeout(): void {
    const s = this.state;
    if (!s.fifoEnabled || s.rxCount === 0) return;
    s.timeoutPending = true;
    this.updateIrq();
  }

  private updateIrq(force = false): void {
    const s = this.state;
    const level =
      interruptId(this.state) !== IIR_NONE && (s.mcr & MCR_OUT2) !== 0 && (s.mcr & MCR_LOOP) === 0;
    if (level !== this.irqLevel || force) {
      this.irqLevel = level;
      this.irq.setLevel(level);
    }
  }
}
