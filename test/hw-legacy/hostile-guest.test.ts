import { test } from "node:test";
import assert from "node:assert/strict";
import { IsaIrqRouter } from "../../src/hw/irq.js";
import {
  Debugcon,
  I8042,
  I8254,
  I8259,
  IsaDebugExit,
  Mc146818,
  NullCharBackend,
  Port80,
  Port92,
  Uart16550,
} from "../../src/hw/legacy/index.js";
import { rig } from "./helpers.js";

const PORTS = [
  0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x60, 0x64, 0x92,
  0x80, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x501, 0x502, 0xe9,
];

test("random port traffic and time never make a device throw, and every save reloads", () => {
  const r = rig(1_000_000);
  const router = new IsaIrqRouter();
  const pic = new I8259({ bus: r.bus });
  router.addSink(pic);
  const backend = new NullCharBackend();
  const devices = [
    pic,
    new I8254({ bus: r.bus, clock: r.clock, irq0: router.line(0) }),
    new Mc146818({ bus: r.bus, clock: r.clock, irq: router.line(8), startTime: new Date(0) }),
    new Uart16550({ bus: r.bus, clock: r.clock, base: 0x3f8, irq: router.line(4), backend }),
    new I8042({ bus: r.bus, irq1: router.line(1), irq12: router.line(12) }),
    new Port92({ bus: r.bus }),
    new Port80({ bus: r.bus }),
    new IsaDebugExit({ bus: r.bus, onExit: () => {} }),
    new Debugcon({ bus: r.bus, backend }),
  ];
  let seed = 0x2545f491;
  const random = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  for (let i = 0; i < 20_000; i++) {
    const port = PORTS[random(PORTS.length)];
    switch (random(4)) {
      case 0:
        r.inb(port);
        break;
      case 1:
        r.advance(random(3) === 0 ? random(50_000_000) : random(5_000));
        break;
      default:
        r.outb(port, random(256));
    }
    if (pic.hasInterrupt()) {
      const vector = pic.acknowledge();
      assert.ok(vector >= 0 && vector <= 0xff);
    }
    const next = r.clock.nextDeadline();
    assert.ok(next === undefined || Number.isFinite(next));
  }
  for (const device of devices) device.loadState(device.saveState());
});
