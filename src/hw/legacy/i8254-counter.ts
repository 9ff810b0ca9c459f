/**
 * One counter of an 8254 programmable interval timer (Intel 8254 datasheet,
 * order no. 231164), computed from time instead of ticked: the count and
 * OUT at any clock tick follow from when counting started, the initial
 * count and the mode. i8254.ts adds the ports, the timer and the IRQ.
 *
 * Modes (datasheet, "Mode Definitions"), with N the initial count and d the
 * ticks counted since it was loaded:
 *   0 interrupt on terminal count: OUT low, high once d reaches N.
 *   1 hardware one-shot: a GATE rising edge loads N; OUT low until d = N.
 *   2 rate generator: period N, OUT low for the one tick the count is 1.
 *   3 square wave: period N, OUT high for ceil(N/2) ticks, low for floor(N/2).
 *   4 software strobe: OUT low for the one tick after the count reaches 0.
 *   5 hardware strobe: as 4, started by a GATE rising edge.
 * GATE low pauses modes 0, 2, 3, 4 (and forces OUT high in 2 and 3); its
 * rising edge restarts modes 1, 2, 3 and 5 from the count register.
 *
 * Simplifications: a count is loaded at the write instead of the next CLK
 * edge (838 ns earlier); in mode 3 a new count takes effect at the end of the
 * period rather than of the half-period; counts of 1 in modes 2 and 3 (not
 * allowed by the datasheet) behave as 2.
 */
import { bool, f64, oneOf, struct, u16, u32, u8, type Codec } from "../../migration/state/index.js";

/** The 8254's input clock on a PC: 14.31818 MHz / 12. */
export const PIT_HZ = 1_193_182;

/** The state of one counter. Times are in PIT ticks since virtual time 0. */
export interface PitCounterState {
  mode: 0 | 1 | 2 | 3 | 4 | 5;
  /** Read/write access: 1 LSB, 2 MSB, 3 LSB then MSB. */
  access: 1 | 2 | 3;
  bcd: boolean;
  /** The count register (CR) as last written (0 means the maximum). */
  countRegister: number;
  /** Access 3: the LSB has been written and the MSB is next. */
  writeHighNext: boolean;
  /** The LSB written first in access 3. */
  lowByte: number;
  /** Access 3, unlatched reads: the MSB is next. */
  readHighNext: boolean;
  /** Output latch: 0 none, 1 LSB left, 2 MSB left, 3 LSB then MSB left. */
  latchState: 0 | 1 | 2 | 3;
  latchedCount: number;
  statusLatched: boolean;
  latchedStatus: number;
  gate: boolean;
  /** A count has been written since the control word. */
  armed: boolean;
  /** The counting element is decrementing. */
  running: boolean;
  /** Tick at which the current run started. */
  startTick: number;
  /** Ticks counted before `startTick` (a pause by GATE in modes 0 and 4). */
  elapsedBefore: number;
  /** N: the count being counted down, 1..65536 (10000 in BCD). */
  initialCount: number;
  /** Modes 2 and 3: a new count waits for the end of the period at `reloadTick`. */
  reloadPending: boolean;
  reloadTick: number;
  /** Status bit 6: the count register has not yet reached the counting element. */
  nullCount: boolean;
  /** What the counting element holds while not counting. */
  heldCount: number;
  /** The OUT level last sent to the IRQ line, and when it was checked (channel 0). */
  outputSent: boolean;
  lastCheckTick: number;
}

const tick = (): Codec<number> => f64();

/** The state description of one counter (nested in section "i8254"). */
export const pitCounterCodec: Codec<PitCounterState> = struct<PitCounterState>({
  mode: oneOf(u8(), [0, 1, 2, 3, 4, 5] as const),
  access: oneOf(u8(), [1, 2, 3] as const),
  bcd: bool(),
  countRegister: u16(),
  writeHighNext: bool(),
  lowByte: u8(),
  readHighNext: bool(),
  latchState: oneOf(u8(), [0, 1, 2, 3] as const),
  latchedCount: u16(),
  statusLatched: bool(),
  latchedStatus: u8(),
  gate: bool(),
  armed: bool(),
  running: bool(),
  startTick: tick(),
  elapsedBefore: tick(),
  initialCount: u32({ min: 1, max: 0x1_0000 }),
  reloadPending: bool(),
  reloadTick: tick(),
  nullCount: bool(),
  heldCount: u32({ max: 0x1_0000 }),
  outputSent: bool(),
  lastCheckTick: tick(),
});

/** A counter as after power-on: mode 0 unprogrammed, GATE as given. */
export function newPitCounter(gate: boolean): PitCounterState {
  return {
    mode: 0,
    access: 3,
    bcd: false,
    countRegister: 0,
    writeHighNext: false,
    lowByte: 0,
    readHighNext: false,
    latchState: 0,
    latchedCount: 0,
    statusLatched: false,
    latchedStatus: 0,
    gate,
    armed: false,
    running: false,
    startTick: 0,
    elapsedBefore: 0,
    initialCount: 0x1_0000,
    reloadPending: false,
    reloadTick: 0,
    nullCount: true,
    heldCount: 0,
    outputSent: false,
    lastCheckTick: 0,
  };
}

/** Decimal digits of a BCD word (invalid digits count as their binary value). */
export function fromBcd(value: number): number {
  return (
    ((value >> 12) & 0xf) * 1000 +
    ((value >> 8) & 0xf) * 100 +
    ((value >> 4) & 0xf) * 10 +
    (value & 0xf)
  );
}

function toBcd(value: number): number {
  return (
    (Math.floor(value / 1000) % 10) * 0x1000 +
    (Math.floor(value / 100) % 10) * 0x100 +
    (Math.floor(value / 10) % 10) * 0x10 +
    (value % 10)
  );
}

/** The counter's modulus: 65536 binary, 10000 BCD. */
function modulus(c: PitCounterState): number {
  return c.bcd ? 10_000 : 0x1_0000;
}

/** N for a count register value: 0 is the maximum count. */
function countFromRegister(c: PitCounterState): number {
  const value = c.bcd ? fromBcd(c.countRegister) : c.countRegister;
  return value === 0 ? modulus(c) : Math.min(value, modulus(c));
}

/** The period of modes 2 and 3 (see the file comment for counts of 1). */
export function period(c: PitCounterState): number {
  return Math.max(2, c.initialCount);
}

/** Ticks counted by `now`. */
export function elapsed(c: PitCounterState, now: number): number {
  return c.elapsedBefore + (c.running ? Math.max(0, now - c.startTick) : 0);
}

/** Applies a mode 2/3 count written during counting once its period has ended. */
export function syncReload(c: PitCounterState, now: number): void {
  if (!c.reloadPending || now < c.reloadTick) return;
  c.startTick = c.reloadTick;
  c.elapsedBefore = 0;
  c.initialCount = countFromRegister(c);
  c.reloadPending = false;
  c.nullCount = false;
}

/** Starts counting N from the count register at `now`. */
export function loadAndStart(c: PitCounterState, now: number, running: boolean): void {
  c.initialCount = countFromRegister(c);
  c.startTick = now;
  c.elapsedBefore = 0;
  c.running = running;
  c.reloadPending = false;
  c.nullCount = false;
}

/** The OUT pin at `now` (call `syncReload` first). */
export function counterOutput(c: PitCounterState, now: number): boolean {
  switch (c.mode) {
    case 0:
      return c.armed && elapsed(c, now) >= c.initialCount;
    case 1:
      return !c.running || elapsed(c, now) >= c.initialCount;
    case 2: {
      if (!c.running) return true;
      const n = period(c);
      return elapsed(c, now) % n !== n - 1;
    }
    case 3: {
      if (!c.running) return true;
      const n = period(c);
      return elapsed(c, now) % n < (n + 1) >> 1;
    }
    case 4:
      return !c.armed || elapsed(c, now) !== c.initialCount;
    case 5:
      return !c.running || elapsed(c, now) !== c.initialCount;
  }
}

/** The counting element at `now`, as the guest reads it (binary or BCD, 16 bits). */
export function counterValue(c: PitCounterState, now: number): number {
  const m = modulus(c);
  let value: number;
  if (!c.armed || ((c.mode === 1 || c.mode === 5) && !c.running)) {
    value = c.heldCount;
  } else if (c.mode === 2 || c.mode === 3) {
    const n = period(c);
    const phase = elapsed(c, now) % n;
    if (c.mode === 2) {
      value = n - phase;
    } else {
      // Mode 3 counts down by two, twice per period; an odd N loads N - 1 (datasheet, "Mode 3").
      const high = (n + 1) >> 1;
      const start = n & ~1;
      value = phase < high ? start - 2 * phase : start - 2 * (phase - high);
    }
  } else {
    value = (((c.initialCount - elapsed(c, now)) % m) + m) % m;
  }
  value %= m;
  return c.bcd ? toBcd(value) : value;
}

/** True when OUT has a rising edge in the ticks (from, to]. */
export function risingEdgeBetween(c: PitCounterState, from: number, to: number): boolean {
  if (!c.running || to <= from) return false;
  const a = elapsed(c, from);
  const b = elapsed(c, to);
  switch (c.mode) {
    case 0:
    case 1:
      return a < c.initialCount && b >= c.initialCount;
    case 2:
    case 3: {
      const n = period(c);
      return Math.floor(b / n) > Math.floor(a / n);
    }
    case 4:
    case 5:
      return a <= c.initialCount && b >= c.initialCount + 1;
  }
}

/** The first tick after `now` at which OUT changes, or -1 when it never will by itself. */
export function nextTransition(c: PitCounterState, now: number): number {
  if (!c.running) return -1;
  const d = elapsed(c, now);
  const n = c.initialCount;
  let next = -1;
  switch (c.mode) {
    case 0:
    case 1:
      next = d < n ? now + (n - d) : -1;
      break;
    case 2: {
      const p = period(c);
      const phase = d % p;
      next = phase < p - 1 ? now + (p - 1 - phase) : now + 1;
      break;
    }
    case 3: {
      const p = period(c);
      const phase = d % p;
      const high = (p + 1) >> 1;
      next = phase < high ? now + (high - phase) : now + (p - phase);
      break;
    }
    case 4:
    case 5:
      next = d < n ? now + (n - d) : d === n ? now + 1 : -1;
      break;
  }
  if (c.reloadPending && (next < 0 || c.reloadTick < next)) next = c.reloadTick;
  return next;
}

/** The read-back status byte (datasheet, "Status Byte"). */
export function counterStatus(c: PitCounterState, now: number): number {
  return (
    (counterOutput(c, now) ? 0x80 : 0) |
    (c.nullCount ? 0x40 : 0) |
    (c.access << 4) |
    (c.mode << 1) |
    (c.bcd ? 1 : 0)
  );
}
