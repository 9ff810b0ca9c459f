/**
 * The 8042 keyboard controller ("i8042") at ports 0x60 (data) and 0x64
 * (status / command), as much of it as a PC needs without a keyboard yet:
 * the A20 gate and system reset lines of its output port, the controller
 * self-test, the command byte and its RAM, and the status bits firmware and
 * Linux check. Commands follow the IBM PC AT technical reference (and what
 * QEMU's model answers); keyboard and mouse bytes are ignored for now.
 *
 * Reading the data port with nothing pending returns the last byte read
 * again, as the real output buffer does.
 */
import {
  bool,
  bytes,
  describe,
  list,
  struct,
  u8,
  type SaveOptions,
  type SectionInput,
} from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import { NO_IRQ, type IrqLine } from "../irq.js";
import { DeviceOptionError } from "./errors.js";

/** A byte waiting in the output buffer: from the keyboard side or the aux (mouse) side. */
export interface I8042Byte {
  value: number;
  aux: boolean;
}

export interface I8042State {
  /** Controller RAM; byte 0 is the command byte. */
  ram: Uint8Array;
  /** Output port: bit 0 system reset (active low), bit 1 A20 gate. */
  outputPort: number;
  /** A command waiting for its data byte on port 0x60 (0: none). */
  pendingCommand: number;
  /** Bytes for the output buffer, oldest first. */
  queue: I8042Byte[];
  /** The last byte read from port 0x60. */
  lastData: number;
  /** Status bit 2, the system flag (set by the self-test or the command byte). */
  systemFlag: boolean;
  /** Status bit 3: the last write went to the command port. */
  lastWasCommand: boolean;
}

const QUEUE_LIMIT = 16;

/** Section "i8042". */
export const i8042StateDescription = describe<I8042State>({
  name: "i8042",
  version: 1,
  fields: {
    ram: bytes(32),
    outputPort: u8(),
    pendingCommand: u8(),
    queue: list(struct<I8042Byte>({ value: u8(), aux: bool() }), QUEUE_LIMIT),
    lastData: u8(),
    systemFlag: bool(),
    lastWasCommand: bool(),
  },
});

// Command byte bits.
const CMD_KBD_INT = 0x01;
const CMD_AUX_INT = 0x02;
const CMD_SYS = 0x04;
const CMD_KBD_DISABLE = 0x10;
const CMD_AUX_DISABLE = 0x20;
// Output port bits.
const OUT_RESET = 0x01;
const OUT_A20 = 0x02;

export interface I8042Options {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  /** ISA IRQ 1 (keyboard-side output buffer full). */
  readonly irq1?: IrqLine;
  /** ISA IRQ 12 (aux-side output buffer full). */
  readonly irq12?: IrqLine;
  /** Called when the output port's A20 gate bit changes. */
  readonly onA20Change?: (enabled: boolean) => void;
  /** Called when the guest pulses the reset line (command 0xFE, or output port bit 0 low). */
  readonly onReset?: () => void;
}

/** The 8042 keyboard controller. */
export class I8042 {
  static readonly model = "i8042";
  readonly state: I8042State = I8042.initialState();
  private readonly irq1: IrqLine;
  private readonly irq12: IrqLine;
  private readonly onA20Change: (enabled: boolean) => void;
  private readonly onReset: () => void;
  private readonly mappings: BusMapping[] = [];
  private irq1Level = false;
  private irq12Level = false;

  constructor(options: I8042Options) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("i8042", "bus", "is required");
    }
    this.irq1 = options.irq1 ?? NO_IRQ;
    this.irq12 = options.irq12 ?? NO_IRQ;
    this.onA20Change = options.onA20Change ?? (() => {});
    this.onReset = options.onReset ?? (() => {});
    this.mappings.push(
      options.bus.register({
        name: "i8042-data",
        start: 0x60,
        length: 1,
        widths: [1],
        read: () => this.readData(),
        write: (_o, _s, value) => this.writeData(Number(value)),
      }),
      options.bus.register({
        name: "i8042-cmd",
        start: 0x64,
        length: 1,
        widths: [1],
        read: () => this.readStatus(),
        write: (_o, _s, value) => this.writeCommand(Number(value)),
      }),
    );
  }

  private static initialState(): I8042State {
    const ram = new Uint8Array(32);
    ram[0] = CMD_KBD_INT | CMD_AUX_INT;
    return {
      ram,
      outputPort: OUT_RESET | OUT_A20,
      pendingCommand: 0,
      queue: [],
      lastData: 0,
      systemFlag: false,
      lastWasCommand: true,
    };
  }

  /** The output port's A20 gate. */
  get a20Enabled(): boolean {
    return (this.state.outputPort & OUT_A20) !== 0;
  }

  /** Machine reset: as after power-on (A20 enabled again, reported if it changes). */
  reset(): void {
    const wasA20 = this.a20Enabled;
    Object.assign(this.state, I8042.initialState());
    if (!wasA20) this.onA20Change(true);
    this.updateIrqs();
  }

  /** Saves section "i8042". */
  saveState(options?: SaveOptions): Uint8Array {
    return i8042StateDescription.save(this.state, options);
  }

  /** Loads section "i8042" (a refused section changes nothing); reports A20 and re-drives the IRQs. */
  loadState(section: SectionInput): void {
    i8042StateDescription.load(section, this.state);
    this.onA20Change(this.a20Enabled);
    this.updateIrqs(true);
  }

  /** Unregisters the ports. */
  detach(): void {
    for (const mapping of this.mappings) mapping.remove();
  }

  private readStatus(): number {
    const s = this.state;
    const head = s.queue[0];
    return (
      (head !== undefined ? 0x01 : 0) | // OBF
      (s.systemFlag ? 0x04 : 0) |
      (s.lastWasCommand ? 0x08 : 0) |
      0x10 | // keyboard not inhibited (key lock open)
      (head?.aux === true ? 0x20 : 0)
    );
  }

  private readData(): number {
    const s = this.state;
    const head = s.queue.shift();
    if (head !== undefined) s.lastData = head.value;
    this.updateIrqs();
    return s.lastData;
  }

  private writeCommand(command: number): void {
    const s = this.state;
    s.lastWasCommand = true;
    s.pendingCommand = 0;
    if (command >= 0x20 && command <= 0x3f) {
      this.queue(s.ram[command & 0x1f], false);
    } else if ((command >= 0x60 && command <= 0x7f) || (command >= 0xd1 && command <= 0xd4)) {
      s.pendingCommand = command;
    } else if (command >= 0xf0) {
      // Pulse output port bits 0-3 low where the command's bits are 0; bit 0 is reset.
      if ((command & 0x01) === 0) this.onReset();
    } else {
      this.simpleCommand(command);
    }
    this.updateIrqs();
  }

  private simpleCommand(command: number): void {
    const s = this.state;
    switch (command) {
      case 0xa7: // disable aux interface
        s.ram[0] |= CMD_AUX_DISABLE;
        break;
      case 0xa8: // enable aux interface
        s.ram[0] &= ~CMD_AUX_DISABLE;
        break;
      case 0xa9: // aux interface test: 0 = no error
      case 0xab: // keyboard interface test
        this.queue(0x00, false);
        break;
      case 0xaa: // controller self-test
        s.systemFlag = true;
        this.queue(0x55, false);
        break;
      case 0xad: // disable keyboard interface
        s.ram[0] |= CMD_KBD_DISABLE;
        break;
      case 0xae: // enable keyboard interface
        s.ram[0] &= ~CMD_KBD_DISABLE;
        break;
      case 0xc0: // read input port: keyboard not locked
        this.queue(0x80, false);
        break;
      case 0xd0: // read output port; bits 4 and 5 show the buffer's state
        this.queue((s.outputPort & 0xcf) | this.outputBufferBits(), false);
        break;
      case 0xdd: // A20 off (HP Vectra style; QEMU answers it too)
        this.setOutputPort(s.outputPort & ~OUT_A20);
        break;
      case 0xdf: // A20 on
        this.setOutputPort(s.outputPort | OUT_A20);
        break;
      default:
        break; // unknown commands are ignored
    }
  }

  private writeData(value: number): void {
    const s = this.state;
    const command = s.pendingCommand;
    s.lastWasCommand = false;
    s.pendingCommand = 0;
    if (command >= 0x60 && command <= 0x7f) {
      s.ram[command & 0x1f] = value;
      if (command === 0x60) s.systemFlag = (value & CMD_SYS) !== 0;
    } else if (command === 0xd1) {
      this.setOutputPort(value);
    } else if (command === 0xd2) {
      this.queue(value, false);
    } else if (command === 0xd3) {
      this.queue(value, true);
    }
    // 0xd4 (to the mouse) and plain keyboard bytes: no device attached yet.
    this.updateIrqs();
  }

  private setOutputPort(value: number): void {
    const s = this.state;
    const old = s.outputPort;
    s.outputPort = value & 0xff;
    if (((old ^ value) & OUT_A20) !== 0) this.onA20Change((value & OUT_A20) !== 0);
    if ((value & OUT_RESET) === 0) this.onReset();
  }

  private queue(value: number, aux: boolean): void {
    if (this.state.queue.length < QUEUE_LIMIT) this.state.queue.push({ value, aux });
  }

  /** Output port bits 4 (keyboard byte waiting) and 5 (aux byte waiting). */
  private outputBufferBits(): number {
    const head = this.state.queue[0];
    if (head === undefined) return 0;
    return head.aux ? 0x20 : 0x10;
  }

  private updateIrqs(force = false): void {
    const s = this.state;
    const head = s.queue[0];
    const kbd = head !== undefined && !head.aux && (s.ram[0] & CMD_KBD_INT) !== 0;
    const aux = head !== undefined && head.aux && (s.ram[0] & CMD_AUX_INT) !== 0;
    if (kbd !== this.irq1Level || force) {
      this.irq1Level = kbd;
      this.irq1.setLevel(kbd);
    }
    if (aux !== this.irq12Level || force) {
      this.irq12Level = aux;
      this.irq12.setLevel(aux);
    }
  }
}
