/**
 * Programming one 8254 counter (Intel 8254 datasheet, "Operation"): control
 * words, the counter latch and read-back latches, count reads and writes
 * in the selected access mode, and the GATE input. The counting itself is
 * in i8254-counter.ts.
 */
import {
  counterStatus,
  counterValue,
  elapsed,
  fromBcd,
  loadAndStart,
  period,
  syncReload,
  type PitCounterState,
} from "./i8254-counter.js";

/**
 * A control word for this counter: new mode, access and format. All control
 * logic resets: the count must be written again, latches are dropped, OUT
 * goes low in mode 0 and high in every other mode.
 */
export function setCounterMode(c: PitCounterState, control: number, now: number): void {
  syncReload(c, now);
  const value = counterValue(c, now);
  c.heldCount = c.bcd ? fromBcd(value) : value;
  const mode = (control >> 1) & 7;
  c.mode = (mode > 5 ? mode - 4 : mode) as PitCounterState["mode"];
  c.access = ((control >> 4) & 3) as PitCounterState["access"];
  c.bcd = (control & 1) !== 0;
  c.armed = false;
  c.running = false;
  c.elapsedBefore = 0;
  c.reloadPending = false;
  c.writeHighNext = false;
  c.readHighNext = false;
  c.latchState = 0;
  c.statusLatched = false;
  c.nullCount = true;
}

/** The counter latch command: holds the count until read (ignored while a count is latched). */
export function latchCount(c: PitCounterState, now: number): void {
  if (c.latchState !== 0) return;
  syncReload(c, now);
  c.latchedCount = counterValue(c, now);
  c.latchState = c.access;
}

/** Read-back's status latch (ignored while a status is latched). */
export function latchStatus(c: PitCounterState, now: number): void {
  if (c.statusLatched) return;
  syncReload(c, now);
  c.latchedStatus = counterStatus(c, now);
  c.statusLatched = true;
}

/** A read of the counter's port: a latched status, then a latched count, else the live count. */
export function readCounter(c: PitCounterState, now: number): number {
  if (c.statusLatched) {
    c.statusLatched = false;
    return c.latchedStatus;
  }
  if (c.latchState !== 0) {
    const state = c.latchState;
    c.latchState = state === 3 ? 2 : 0;
    return state === 2 ? c.latchedCount >> 8 : c.latchedCount & 0xff;
  }
  syncReload(c, now);
  const value = counterValue(c, now);
  switch (c.access) {
    case 1:
      return value & 0xff;
    case 2:
      return value >> 8;
    case 3: {
      const high = c.readHighNext;
      c.readHighNext = !high;
      return high ? value >> 8 : value & 0xff;
    }
  }
}

/** A write to the counter's port: one byte of a new count. */
export function writeCounter(c: PitCounterState, value: number, now: number): void {
  syncReload(c, now);
  switch (c.access) {
    case 1:
      loadCount(c, value, now);
      return;
    case 2:
      loadCount(c, value << 8, now);
      return;
    case 3:
      if (!c.writeHighNext) {
        c.lowByte = value;
        c.writeHighNext = true;
        // Mode 0: writing the first byte stops counting and sets OUT low (datasheet, "Mode 0").
        if (c.mode === 0 && c.armed) {
          c.heldCount = c.bcd ? fromBcd(counterValue(c, now)) : counterValue(c, now);
          c.armed = false;
          c.running = false;
        }
        return;
      }
      c.writeHighNext = false;
      loadCount(c, c.lowByte | (value << 8), now);
      return;
  }
}

function loadCount(c: PitCounterState, count: number, now: number): void {
  c.countRegister = count;
  c.nullCount = true;
  switch (c.mode) {
    case 0:
    case 4:
      c.armed = true;
      loadAndStart(c, now, c.gate);
      return;
    case 1:
    case 5:
      // Waits for a GATE rising edge; a running one-shot finishes with its old count.
      c.armed = true;
      return;
    case 2:
    case 3: {
      if (!c.armed || !c.running) {
        const wasArmed = c.armed;
        c.armed = true;
        if (!wasArmed) loadAndStart(c, now, c.gate);
        return;
      }
      const p = period(c);
      const d = elapsed(c, now);
      c.reloadTick = c.startTick - c.elapsedBefore + (Math.floor(d / p) + 1) * p;
      c.reloadPending = true;
      return;
    }
  }
}

/** A change of the GATE input. */
export function setCounterGate(c: PitCounterState, level: boolean, now: number): void {
  syncReload(c, now);
  if (level === c.gate) return;
  c.gate = level;
  switch (c.mode) {
    case 0:
    case 4:
      if (!c.armed) return;
      if (level) {
        c.startTick = now;
        c.running = true;
      } else {
        c.elapsedBefore = elapsed(c, now);
        c.running = false;
      }
      return;
    case 1:
    case 5:
      if (level && c.armed) loadAndStart(c, now, true);
      return;
    case 2:
    case 3:
      if (!c.armed) return;
      if (level) {
        loadAndStart(c, now, true);
      } else {
        c.elapsedBefore = elapsed(c, now);
        c.running = false;
        c.reloadPending = false;
      }
      return;
  }
}
