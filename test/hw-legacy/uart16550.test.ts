import { test } from "node:test";
import assert from "node:assert/strict";
import type { CharBackend } from "../../src/hw/legacy/char-backend.js";
import { DeviceOptionError } from "../../src/hw/legacy/errors.js";
import { COM_PORTS, Uart16550 } from "../../src/hw/legacy/uart16550.js";
import { RecordingLine, rig } from "./helpers.js";

/** A backend the test drives: records output, can push back, and injects input. */
class TestBackend implements CharBackend {
  readonly written: number[] = [];
  writes = 0;
  accept = true;
  private input: ((bytes: Uint8Array) => void) | undefined;
  private drain: (() => void) | undefined;
  write(bytes: Uint8Array): boolean {
    this.writes++;
    this.written.push(...bytes);
    return this.accept;
  }
  onInput(callback: ((bytes: Uint8Array) => void) | undefined): void {
    this.input = callback;
  }
  onDrain(callback: (() => void) | undefined): void {
    this.drain = callback;
  }
  async close(): Promise<void> {}
  type(text: string): void {
    this.input?.(Buffer.from(text, "latin1"));
  }
  drained(): void {
    this.accept = true;
    this.drain?.();
  }
}

const BASE = COM_PORTS[0].base;
const THR = BASE;
const IER = BASE + 1;
const IIR = BASE + 2;
const FCR = BASE + 2;
const LCR = BASE + 3;
const MCR = BASE + 4;
const LSR = BASE + 5;
const MSR = BASE + 6;
const SCR = BASE + 7;
/** 8N1 at divisor 12 (9600 baud): 10 bits. */
const CHAR_NS = Math.ceil((10 * 12 * 1e9) / 115_200);

function setup() {
  const r = rig();
  const irq = new RecordingLine();
  const backend = new TestBackend();
  const uart = new Uart16550({ bus: r.bus, clock: r.clock, base: BASE, irq, backend });
  r.outb(LCR, 0x03);
  return { ...r, irq, backend, uart };
}

test("transmitted bytes reach the backend and THR is empty again at once", () => {
  const u = setup();
  u.outb(THR, 0x68);
  u.outb(THR, 0x69);
  assert.deepEqual(u.backend.written, [0x68, 0x69]);
  assert.equal(u.inb(LSR), 0x60, "THRE and TEMT");
  u.outb(SCR, 0x5a);
  assert.equal(u.inb(SCR), 0x5a);
});

test("DLAB switches offsets 0 and 1 to the divisor latch", () => {
  const u = setup();
  u.outb(LCR, 0x83);
  u.outb(THR, 0x01);
  u.outb(IER, 0x02);
  assert.equal(u.inb(THR), 0x01);
  assert.equal(u.inb(IER), 0x02);
  assert.equal(u.uart.state.divisor, 0x0201);
  u.outb(LCR, 0x03);
  assert.equal(u.inb(IER), 0, "IER untouched");
  assert.deepEqual(u.backend.written, []);
});

test("loopback: what is sent is received, not transmitted; MSR follows MCR", () => {
  const u = setup();
  u.outb(MCR, 0x10 | 0x0a); // loop, RTS, OUT2: Linux's check_loopback expects MSR 0x90
  assert.equal(u.inb(MSR) & 0xf0, 0x90);
  u.outb(THR, 0x41);
  assert.equal(u.inb(LSR) & 0x01, 0x01);
  assert.equal(u.inb(THR), 0x41);
  assert.equal(u.inb(LSR) & 0x01, 0);
  assert.deepEqual(u.backend.written, []);
  u.outb(MCR, 0x1f);
  assert.equal(u.inb(MSR) & 0xf0, 0xf0);
});

test("FIFO trigger levels: the data interrupt waits for 1, 4, 8 or 14 bytes", () => {
  for (const [bits, level] of [
    [0x00, 1],
    [0x40, 4],
    [0x80, 8],
    [0xc0, 14],
  ] as const) {
    const u = setup();
    u.outb(MCR, 0x10);
    u.outb(FCR, bits | 0x07);
    u.outb(IER, 0x01);
    for (let i = 0; i < level - 1; i++) u.outb(THR, i);
    assert.equal(u.inb(IIR), 0xc1, `below ${level}: no interrupt`);
    u.outb(THR, 0xee);
    assert.equal(u.inb(IIR), 0xc4, `at ${level}: received data available`);
  }
});

test("character timeout: data below the trigger level is reported after 4 character times", () => {
  const u = setup();
  u.outb(MCR, 0x10);
  u.outb(FCR, 0x81); // trigger 8
  u.outb(IER, 0x01);
  u.outb(THR, 1);
  u.outb(THR, 2);
  u.advance(4 * CHAR_NS - 1);
  assert.equal(u.inb(IIR), 0xc1);
  u.advance(1);
  assert.equal(u.inb(IIR), 0xcc);
  assert.equal(u.inb(THR), 1);
  assert.equal(u.inb(IIR), 0xc1, "a read clears the timeout");
  u.advance(4 * CHAR_NS);
  assert.equal(u.inb(IIR), 0xcc);
  assert.equal(u.inb(THR), 2);
  u.advance(10 * CHAR_NS);
  assert.equal(u.inb(IIR), 0xc1, "no timeout with an empty FIFO");
});

test("IIR reports interrupts in priority order and each source clears its own way", () => {
  const u = setup();
  u.outb(IER, 0x0f);
  u.outb(MCR, 0x10); // loopback: modem inputs drop, setting delta bits
  u.outb(THR, 1);
  u.outb(THR, 2); // no FIFO: overrun, the new byte replaces the old
  assert.equal(u.inb(IIR), 0x06, "line status first");
  assert.equal(u.inb(LSR) & 0x03, 0x03);
  assert.equal(u.inb(IIR), 0x04, "then received data");
  assert.equal(u.inb(THR), 2);
  assert.equal(u.inb(IIR), 0x02, "then THR empty");
  assert.equal(u.inb(IIR), 0x00, "reading THRE from IIR cleared it; modem status last");
  assert.equal(u.inb(MSR), 0x0b, "delta CTS, DSR and DCD");
  assert.equal(u.inb(IIR), 0x01);
  assert.equal(u.inb(MSR), 0x00);
});

test("enabling the THRE interrupt with THR empty raises it again (Linux's UART_BUG_THRE probe)", () => {
  const u = setup();
  u.outb(MCR, 0x08);
  u.outb(IER, 0x02);
  assert.equal(u.inb(IIR), 0x02);
  assert.equal(u.inb(IIR), 0x01, "cleared by the IIR read");
  u.outb(IER, 0x00);
  u.outb(IER, 0x02);
  assert.equal(u.irq.level, true);
  assert.equal(u.inb(IIR), 0x02, "raised again by the IER write");
  u.outb(IER, 0x02);
  assert.equal(u.inb(IIR), 0x01, "rewriting the same IER raises nothing");
  u.outb(THR, 0x30);
  assert.equal(u.inb(IIR), 0x02, "THR emptied after the byte went out");
});

test("the IRQ line is gated by OUT2 and is off in loopback", () => {
  const u = setup();
  u.outb(IER, 0x02);
  assert.equal(u.irq.level, false, "no OUT2");
  u.outb(MCR, 0x08);
  assert.equal(u.irq.level, true);
  u.outb(MCR, 0x18);
  assert.equal(u.irq.level, false, "loopback forces OUT2 inactive");
  u.outb(MCR, 0x08);
  assert.equal(u.irq.level, true);
  u.inb(IIR);
  assert.equal(u.irq.level, false);
});

test("host input arrives one character time apart and overruns a full FIFO", () => {
  const u = setup();
  u.outb(FCR, 0x01);
  u.backend.type("ABCDEFGHIJKLMNOPQRST");
  u.clock.runDue();
  assert.equal(u.inb(LSR) & 0x01, 0x01, "the first character at once");
  u.advance(CHAR_NS - 1);
  assert.equal(u.uart.state.rxCount, 1);
  u.advance(1);
  assert.equal(u.uart.state.rxCount, 2);
  u.advance(20 * CHAR_NS);
  assert.equal(u.uart.state.rxCount, 16);
  assert.equal(u.inb(LSR) & 0x02, 0x02, "overrun");
  assert.equal(u.inb(LSR) & 0x02, 0, "cleared by reading LSR");
  let text = "";
  while ((u.inb(LSR) & 1) !== 0) text += String.fromCharCode(u.inb(THR));
  assert.equal(text, "ABCDEFGHIJKLMNOP", "the FIFO kept the first 16; later ones were lost");
});

test("a guest that reads in time loses nothing, even from a burst of host input", () => {
  const u = setup();
  u.outb(FCR, 0x01);
  const message = "The quick brown fox jumps over the lazy dog";
  u.backend.type(message);
  let text = "";
  for (let i = 0; i < 100 && text.length < message.length; i++) {
    u.advance(CHAR_NS);
    while ((u.inb(LSR) & 1) !== 0) text += String.fromCharCode(u.inb(THR));
  }
  assert.equal(text, message);
  assert.equal(u.inb(LSR) & 0x02, 0);
});

test("backend push-back holds output in the FIFO with THRE clear, then drains it", () => {
  const u = setup();
  u.outb(FCR, 0x01);
  u.outb(MCR, 0x08);
  u.outb(IER, 0x02);
  u.inb(IIR);
  u.backend.accept = false;
  u.outb(THR, 0x31); // taken, but the backend asks us to wait
  u.outb(THR, 0x32);
  u.outb(THR, 0x33);
  assert.deepEqual(u.backend.written, [0x31]);
  assert.equal(u.inb(LSR) & 0x60, 0, "transmitter busy");
  assert.equal(u.irq.level, false);
  u.backend.drained();
  assert.deepEqual(u.backend.written, [0x31, 0x32, 0x33]);
  assert.equal(u.inb(LSR) & 0x60, 0x60);
  assert.equal(u.irq.level, true, "THRE interrupt once drained");
});

test("FCR clears FIFOs and disabling the FIFO drops its contents", () => {
  const u = setup();
  u.outb(MCR, 0x10);
  u.outb(FCR, 0x01);
  u.outb(THR, 1);
  u.outb(THR, 2);
  u.outb(FCR, 0x03);
  assert.equal(u.inb(LSR) & 1, 0);
  u.outb(THR, 3);
  u.outb(FCR, 0x00);
  assert.equal(u.inb(LSR) & 1, 0);
  assert.equal(u.inb(IIR) & 0xc0, 0, "FIFO bits clear in IIR");
});

test("save/load round-trips a UART with FIFO contents and pending input", () => {
  const u = setup();
  u.outb(FCR, 0x41);
  u.outb(IER, 0x05);
  u.outb(MCR, 0x10);
  for (const byte of [10, 20, 30]) u.outb(THR, byte);
  u.outb(MCR, 0x08);
  u.backend.type("xyz");
  u.clock.runDue();
  const saved = u.uart.saveState({ instance: 0 });
  const json = JSON.stringify(u.uart.state, (_k, v: unknown) =>
    v instanceof Uint8Array ? [...v] : v,
  );

  const target = rig(u.clock.now());
  const backend = new TestBackend();
  const irq = new RecordingLine();
  const copy = new Uart16550({ bus: target.bus, clock: target.clock, base: BASE, irq, backend });
  copy.loadState(saved);
  assert.equal(
    JSON.stringify(copy.state, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v)),
    json,
  );
  assert.equal(irq.level, true, "4 bytes at trigger 4: data interrupt re-driven");
  target.advance(5 * CHAR_NS);
  let received = "";
  while ((target.inb(LSR) & 1) !== 0) received += `${target.inb(THR)},`;
  assert.equal(received, "10,20,30,120,121,122,");
});

test("reset restores register defaults but keeps host input waiting", () => {
  const u = setup();
  u.outb(IER, 0x0f);
  u.outb(MCR, 0x1f);
  u.outb(FCR, 0xc1);
  u.backend.type("q");
  u.uart.reset();
  assert.equal(u.inb(IER), 0);
  assert.equal(u.inb(MCR), 0);
  assert.equal(u.inb(IIR), 0x01);
  assert.equal(u.inb(LSR), 0x60);
  u.clock.runDue();
  assert.equal(u.inb(THR), 0x71);
});

test("bad options are refused with a clear error", () => {
  const r = rig();
  assert.throws(
    () => new Uart16550({ bus: r.bus, clock: r.clock, base: 0xfffc }),
    (e: unknown) => e instanceof DeviceOptionError && /option "base"/.test(e.message),
  );
});
