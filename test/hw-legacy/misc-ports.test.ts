import { test } from "node:test";
import assert from "node:assert/strict";
import { Debugcon } from "../../src/hw/legacy/debugcon.js";
import { DeviceOptionError } from "../../src/hw/legacy/errors.js";
import { I8042 } from "../../src/hw/legacy/i8042.js";
import { IsaDebugExit } from "../../src/hw/legacy/isa-debug-exit.js";
import { Port80 } from "../../src/hw/legacy/port80.js";
import { Port92 } from "../../src/hw/legacy/port92.js";
import type { CharBackend } from "../../src/hw/legacy/char-backend.js";
import { RecordingLine, rig } from "./helpers.js";

function kbc() {
  const r = rig();
  const a20: boolean[] = [];
  let resets = 0;
  const irq1 = new RecordingLine();
  const dev = new I8042({
    bus: r.bus,
    irq1,
    onA20Change: (on) => a20.push(on),
    onReset: () => resets++,
  });
  return { ...r, dev, a20, irq1, resets: () => resets };
}

test("i8042 self-test answers 0x55 and sets the system flag", () => {
  const k = kbc();
  assert.equal(k.inb(0x64) & 0x01, 0, "output buffer empty");
  k.outb(0x64, 0xaa);
  assert.equal(k.inb(0x64) & 0x05, 0x05, "OBF and SYS");
  assert.equal(k.inb(0x60), 0x55);
  assert.equal(k.inb(0x64) & 0x01, 0);
  assert.equal(k.inb(0x60), 0x55, "an empty buffer reads the last byte again");
  k.outb(0x64, 0xab);
  assert.equal(k.inb(0x60), 0x00, "keyboard interface test passes");
});

test("i8042 command byte read/write, and IRQ 1 when its interrupt bit is set", () => {
  const k = kbc();
  k.outb(0x64, 0x20);
  assert.equal(k.inb(0x60), 0x03);
  assert.equal(k.irq1.rises, 1, "the reply raised IRQ 1 (interrupt enabled)");
  k.outb(0x64, 0x60);
  assert.equal(k.inb(0x64) & 0x08, 0x08, "A2: last write was a command");
  k.outb(0x60, 0x74); // interrupts off, SYS, keyboard and aux disabled, translate
  assert.equal(k.inb(0x64) & 0x0c, 0x04);
  k.outb(0x64, 0x20);
  assert.equal(k.irq1.level, false);
  assert.equal(k.inb(0x60), 0x74);
  k.outb(0x64, 0xae);
  k.outb(0x64, 0xa8);
  k.outb(0x64, 0x20);
  assert.equal(k.inb(0x60), 0x44);
});

test("i8042 output port: A20 via 0xD1 and 0xDD/0xDF, read back with 0xD0", () => {
  const k = kbc();
  assert.equal(k.dev.a20Enabled, true);
  k.outb(0x64, 0xd1);
  k.outb(0x60, 0xdd); // A20 off, reset line high
  assert.equal(k.dev.a20Enabled, false);
  k.outb(0x64, 0xd0);
  assert.equal(k.inb(0x60) & 0x03, 0x01);
  k.outb(0x64, 0xdf);
  assert.equal(k.dev.a20Enabled, true);
  k.outb(0x64, 0xdd);
  assert.deepEqual(k.a20, [false, true, false]);
  assert.equal(k.resets(), 0);
});

test("i8042 reset: command 0xFE, or output port bit 0 written low", () => {
  const k = kbc();
  k.outb(0x64, 0xfe);
  assert.equal(k.resets(), 1);
  k.outb(0x64, 0xff); // pulses nothing
  assert.equal(k.resets(), 1);
  k.outb(0x64, 0xd1);
  k.outb(0x60, 0x02);
  assert.equal(k.resets(), 2);
});

test("i8042 state round-trips and reset restores A20", () => {
  const k = kbc();
  k.outb(0x64, 0xd1);
  k.outb(0x60, 0x01);
  k.outb(0x64, 0xd2);
  k.outb(0x60, 0x1c); // a byte as if from the keyboard, left unread
  const saved = k.dev.saveState();
  const other = kbc();
  other.dev.loadState(saved);
  assert.deepEqual(other.a20, [false]);
  assert.equal(other.inb(0x64) & 0x01, 0x01);
  assert.equal(other.inb(0x60), 0x1c);
  other.dev.reset();
  assert.deepEqual(other.a20, [false, true]);
});

test("port 0x92: fast A20 in bit 1, reset on bit 0 going high", () => {
  const r = rig();
  const a20: boolean[] = [];
  let resets = 0;
  const port = new Port92({
    bus: r.bus,
    onA20Change: (on) => a20.push(on),
    onReset: () => resets++,
  });
  r.outb(0x92, 0x02);
  assert.equal(port.a20Enabled, true);
  assert.equal(r.inb(0x92), 0x02);
  r.outb(0x92, 0x03);
  r.outb(0x92, 0x03);
  assert.equal(resets, 1, "only the 0-to-1 edge resets");
  port.reset();
  assert.equal(r.inb(0x92), 0x02);
  r.outb(0x92, 0x01);
  assert.equal(resets, 2);
  assert.deepEqual(a20, [true, false]);
  const copy = new Port92({ bus: rig().bus, onA20Change: (on) => a20.push(on) });
  copy.loadState(port.saveState());
  assert.equal(copy.state.value, 0x01);
});

test("port 0x80 remembers the last POST code", () => {
  const r = rig();
  const codes: number[] = [];
  const port = new Port80({ bus: r.bus, onPostCode: (c) => codes.push(c) });
  r.outb(0x80, 0x12);
  r.outb(0x80, 0x34);
  assert.equal(port.lastCode, 0x34);
  assert.deepEqual(codes, [0x12, 0x34]);
  assert.equal(r.inb(0x80), 0xff);
  const copy = new Port80({ bus: rig().bus });
  copy.loadState(port.saveState());
  assert.equal(copy.lastCode, 0x34);
});

test("isa-debug-exit exits with (v << 1) | 1 and validates its options", () => {
  const r = rig();
  const statuses: number[] = [];
  const dev = new IsaDebugExit({ bus: r.bus, onExit: (s) => statuses.push(s) });
  r.outb(0x501, 0);
  r.outb(0x501, 0x10);
  r.bus.writeNumber(0x501, 2, 0x1234, 0);
  assert.deepEqual(statuses, [1, 0x21, 0x2469]);
  assert.equal(r.bus.resolve(0x502)?.region, "isa-debug-exit");
  assert.equal(r.bus.resolve(0x503), undefined);
  dev.loadState(dev.saveState());

  const custom = rig();
  new IsaDebugExit({ bus: custom.bus, iobase: 0xf4, iosize: 4, onExit: (s) => statuses.push(s) });
  custom.bus.writeNumber(0xf4, 4, 3, 0);
  assert.equal(statuses.at(-1), 7);
  const bad = (options: object): void => {
    assert.throws(
      () => new IsaDebugExit({ bus: rig().bus, onExit: () => {}, ...options }),
      DeviceOptionError,
    );
  };
  bad({ iosize: 3 });
  bad({ iosize: 0 });
  bad({ iobase: 0xffff });
  bad({ iobase: -1 });
  assert.throws(
    () => new IsaDebugExit({ bus: rig().bus, onExit: () => {}, iosize: 8 }),
    /must be 1, 2 or 4/,
  );
});

test("debugcon sends bytes to its backend and reads back 0xE9", () => {
  const r = rig();
  const out: number[] = [];
  const backend: CharBackend = {
    write: (bytes) => {
      out.push(...bytes);
      return false; // push-back is ignored: debugcon cannot stall the guest
    },
    onInput: () => {},
    onDrain: () => {},
    close: async () => {},
  };
  const dev = new Debugcon({ bus: r.bus, backend });
  for (const c of "ok\n") r.outb(0xe9, c.charCodeAt(0));
  assert.equal(Buffer.from(out).toString(), "ok\n");
  assert.equal(r.inb(0xe9), 0xe9);
  dev.loadState(dev.saveState());
  assert.throws(() => new Debugcon({ bus: rig().bus, backend, readback: 300 }), DeviceOptionError);
});
