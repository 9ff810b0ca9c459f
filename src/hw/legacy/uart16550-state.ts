/**
 * The state of a 16550A UART (National Semiconductor PC16550D datasheet) and
 * its description, section "uart16550a", with the pure functions of it: the
 * FIFO rings (kept in the state object itself, so save and load need no
 * conversion), interrupt identification, modem inputs and character time.
 * uart16550.ts is the device.
 */
import {
  bool,
  bytes,
  describe,
  f64,
  oneOf,
  u16,
  u8,
  varBytes,
} from "../../migration/state/index.js";

/** FIFO depth of a 16550A. */
export const FIFO_SIZE = 16;
/** Host input waiting for the line, at most (more is dropped and counted). */
export const MAX_PENDING_INPUT = 64 * 1024;

export interface UartState {
  /** Baud rate divisor latch (DLM:DLL). */
  divisor: number;
  /** Interrupt enable register, bits 0-3. */
  ier: number;
  /** Line control register (bit 7 is DLAB). */
  lcr: number;
  /** Modem control register, bits 0-4 (bit 4 is loopback). */
  mcr: number;
  scratch: number;
  /** FCR bit 0. */
  fifoEnabled: boolean;
  /** FCR bits 7-6 as a byte count. */
  rxTrigger: 1 | 4 | 8 | 14;
  /** LSR bit 1, until LSR is read. */
  overrunError: boolean;
  /** MSR bits 0-3 (delta CTS, delta DSR, trailing edge RI, delta DCD), until MSR is read. */
  msrDeltas: number;
  /** MSR bits 4-7 (CTS, DSR, RI, DCD) as last seen. */
  modemInputs: number;
  /** A THRE interrupt is waiting (cleared by reading it from IIR or writing THR). */
  thrInterruptPending: boolean;
  /** A character timeout is being indicated (FIFO mode). */
  timeoutPending: boolean;
  rxFifo: Uint8Array;
  rxHead: number;
  rxCount: number;
  txFifo: Uint8Array;
  txHead: number;
  txCount: number;
  /** Virtual time of the last RX FIFO activity (a character in or out), for the timeout. */
  rxActivityNs: number;
  /** Host input not yet on the line: it arrives one character time apart. */
  pendingInput: Uint8Array;
  /** Virtual time before which the line is still busy with the previous character. */
  lineFreeNs: number;
}

/** Section "uart16550a". */
export const uartStateDescription = describe<UartState>({
  name: "uart16550a",
  version: 1,
  fields: {
    divisor: u16(),
    ier: u8({ max: 0x0f }),
    lcr: u8(),
    mcr: u8({ max: 0x1f }),
    scratch: u8(),
    fifoEnabled: bool(),
    rxTrigger: oneOf(u8(), [1, 4, 8, 14] as const),
    overrunError: bool(),
    msrDeltas: u8({ max: 0x0f }),
    modemInputs: u8(),
    thrInterruptPending: bool(),
    timeoutPending: bool(),
    rxFifo: bytes(FIFO_SIZE),
    rxHead: u8({ max: FIFO_SIZE - 1 }),
    rxCount: u8({ max: FIFO_SIZE }),
    txFifo: bytes(FIFO_SIZE),
    txHead: u8({ max: FIFO_SIZE - 1 }),
    txCount: u8({ max: FIFO_SIZE }),
    rxActivityNs: f64(),
    pendingInput: varBytes(MAX_PENDING_INPUT),
    lineFreeNs: f64(),
  },
});

/** Modem inputs with nothing attached to control them: CTS, DSR and DCD asserted. */
export const IDLE_MODEM_INPUTS = 0xb0;

/** A UART as after power-on or a master reset (divisor 12: 9600 baud). */
export function newUartState(): UartState {
  return {
    divisor: 12,
    ier: 0,
    lcr: 0,
    mcr: 0,
    scratch: 0,
    fifoEnabled: false,
    rxTrigger: 1,
    overrunError: false,
    msrDeltas: 0,
    modemInputs: IDLE_MODEM_INPUTS,
    thrInterruptPending: false,
    timeoutPending: false,
    rxFifo: new Uint8Array(FIFO_SIZE),
    rxHead: 0,
    rxCount: 0,
    txFifo: new Uint8Array(FIFO_SIZE),
    txHead: 0,
    txCount: 0,
    rxActivityNs: 0,
    pendingInput: new Uint8Array(0),
    lineFreeNs: 0,
  };
}

/** Which FIFO of the state a helper works on. */
export type FifoName = "rx" | "tx";

/** Appends a byte; the caller checks there is room. */
export function fifoPush(s: UartState, which: FifoName, byte: number): void {
  if (which === "rx") {
    s.rxFifo[(s.rxHead + s.rxCount) % FIFO_SIZE] = byte;
    s.rxCount++;
  } else {
    s.txFifo[(s.txHead + s.txCount) % FIFO_SIZE] = byte;
    s.txCount++;
  }
}

/** Removes and returns the oldest byte; the caller checks the FIFO is not empty. */
export function fifoShift(s: UartState, which: FifoName): number {
  if (which === "rx") {
    const byte = s.rxFifo[s.rxHead];
    s.rxHead = (s.rxHead + 1) % FIFO_SIZE;
    s.rxCount--;
    return byte;
  }
  const byte = s.txFifo[s.txHead];
  s.txHead = (s.txHead + 1) % FIFO_SIZE;
  s.txCount--;
  return byte;
}

/** Empties a FIFO. */
export function fifoClear(s: UartState, which: FifoName): void {
  if (which === "rx") {
    s.rxHead = 0;
    s.rxCount = 0;
  } else {
    s.txHead = 0;
    s.txCount = 0;
  }
}

// IIR interrupt identifications (datasheet table 4).
export const IIR_NONE = 0x01;
const IIR_LINE_STATUS = 0x06;
const IIR_RX_DATA = 0x04;
const IIR_TIMEOUT = 0x0c;
export const IIR_THRE = 0x02;
const IIR_MODEM = 0x00;

/** The highest-priority pending interrupt's IIR identification, IIR_NONE if none. */
export function interruptId(s: UartState): number {
  if ((s.ier & 0x04) !== 0 && s.overrunError) return IIR_LINE_STATUS;
  if ((s.ier & 0x01) !== 0) {
    if (s.rxCount >= (s.fifoEnabled ? s.rxTrigger : 1)) return IIR_RX_DATA;
    if (s.timeoutPending) return IIR_TIMEOUT;
  }
  if ((s.ier & 0x02) !== 0 && s.thrInterruptPending) return IIR_THRE;
  if ((s.ier & 0x08) !== 0 && s.msrDeltas !== 0) return IIR_MODEM;
  return IIR_NONE;
}

/**
 * Recomputes MSR bits 4-7: in loopback they follow MCR (RTS to CTS, DTR to
 * DSR, OUT1 to RI, OUT2 to DCD); otherwise the idle lines. Changes set the
 * delta bits (RI only on its trailing edge).
 */
export function updateModemInputs(s: UartState): void {
  const m = s.mcr;
  const inputs =
    (m & 0x10) !== 0
      ? ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4)
      : IDLE_MODEM_INPUTS;
  const changed = inputs ^ s.modemInputs;
  let deltas = 0;
  if ((changed & 0x10) !== 0) deltas |= 0x01;
  if ((changed & 0x20) !== 0) deltas |= 0x02;
  if ((s.modemInputs & 0x40) !== 0 && (inputs & 0x40) === 0) deltas |= 0x04;
  if ((changed & 0x80) !== 0) deltas |= 0x08;
  s.msrDeltas |= deltas;
  s.modemInputs = inputs;
}

/** The UART's reference clock: 1.8432 MHz / 16. */
const BAUD_BASE = 115_200;

/** One character on the line: start bit, data, parity and stop bits at the divisor's rate. */
export function characterTimeNs(s: UartState): number {
  const lcr = s.lcr;
  const dataBits = 5 + (lcr & 3);
  const stopBits = (lcr & 0x04) === 0 ? 1 : dataBits === 5 ? 1.5 : 2;
  const bits = 1 + dataBits + ((lcr & 0x08) !== 0 ? 1 : 0) + stopBits;
  const divisor = s.divisor === 0 ? 0x1_0000 : s.divisor;
  return Math.ceil((bits * divisor * 1e9) / BAUD_BASE);
}
