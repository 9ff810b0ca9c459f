import { test } from "node:test";
import assert from "node:assert/strict";
import { IsaIrqRouter } from "../../src/hw/irq.js";
import { I8259 } from "../../src/hw/legacy/i8259.js";
import { StateError } from "../../src/migration/state/index.js";
import { rig } from "./helpers.js";

/** A PC's PIC pair initialized as Linux does: vectors 0x20/0x28, cascade on IR2. */
function pic(options: { autoEoi?: boolean; sfnm?: boolean } = {}) {
  const r = rig();
  const outputs: boolean[] = [];
  const pair = new I8259({ bus: r.bus, onOutput: (level) => outputs.push(level) });
  const router = new IsaIrqRouter();
  router.addSink(pair);
  const icw4 = 0x01 | (options.autoEoi === true ? 0x02 : 0) | (options.sfnm === true ? 0x10 : 0);
  r.outb(0x20, 0x11); // ICW1: edge, cascade, ICW4 follows
  r.outb(0x21, 0x20); // ICW2
  r.outb(0x21, 0x04); // ICW3: slave on IR2
  r.outb(0x21, icw4);
  r.outb(0xa0, 0x11);
  r.outb(0xa1, 0x28);
  r.outb(0xa1, 0x02); // slave ID 2
  r.outb(0xa1, 0x01);
  r.outb(0x21, 0x00);
  r.outb(0xa1, 0x00);
  const readIsr = (port: number): number => {
    r.outb(port, 0x0b);
    return r.inb(port);
  };
  const readIrr = (port: number): number => {
    r.outb(port, 0x0a);
    return r.inb(port);
  };
  return { ...r, pair, router, outputs, readIsr, readIrr };
}

test("the init sequence sets the vector bases and an edge IRQ is delivered once", () => {
  const p = pic();
  assert.equal(p.pair.hasInterrupt(), false);
  p.router.line(1).pulse();
  assert.equal(p.pair.hasInterrupt(), true);
  assert.deepEqual(p.outputs, [true]);
  assert.equal(p.pair.acknowledge(), 0x21);
  assert.equal(p.pair.hasInterrupt(), false);
  assert.deepEqual(p.outputs, [true, false]);
  assert.equal(p.readIsr(0x20), 0x02);
  p.outb(0x20, 0x20); // non-specific EOI
  assert.equal(p.readIsr(0x20), 0);
  assert.equal(p.pair.hasInterrupt(), false);
});

test("ICW2 keeps only T7-T3 and a single-mode chip skips ICW3", () => {
  const r = rig();
  const pair = new I8259({ bus: r.bus });
  r.outb(0x20, 0x13); // single, ICW4
  r.outb(0x21, 0x47); // vector base 0x40
  r.outb(0x21, 0x01); // this is ICW4 (no ICW3 in single mode)
  r.outb(0x21, 0xfe); // now OCW1: mask all but IR0
  assert.equal(r.inb(0x21), 0xfe);
  pair.setIrq(0, true);
  assert.equal(pair.acknowledge(), 0x40);
});

test("priority: the lowest IR number wins, and a higher one nests over a lower in service", () => {
  const p = pic();
  p.router.line(5).pulse();
  p.router.line(3).pulse();
  assert.equal(p.pair.acknowledge(), 0x23);
  // IR5 is lower priority than IR3 in service: blocked.
  assert.equal(p.pair.hasInterrupt(), false);
  p.router.line(1).pulse();
  assert.equal(p.pair.hasInterrupt(), true);
  assert.equal(p.pair.acknowledge(), 0x21); // nests
  assert.equal(p.readIsr(0x20), 0x0a);
  p.outb(0x20, 0x20); // EOI clears the highest in service: IR1
  assert.equal(p.readIsr(0x20), 0x08);
  assert.equal(p.pair.hasInterrupt(), false);
  p.outb(0x20, 0x63); // specific EOI of IR3
  assert.equal(p.pair.acknowledge(), 0x25);
});

test("masked requests wait in IRR until unmasked", () => {
  const p = pic();
  p.outb(0x21, 0x10); // mask IR4
  p.router.line(4).pulse();
  assert.equal(p.pair.hasInterrupt(), false);
  assert.equal(p.readIrr(0x20), 0x10);
  p.outb(0x21, 0x00);
  assert.equal(p.pair.acknowledge(), 0x24);
  assert.equal(p.readIrr(0x20), 0);
});

test("specific rotation and set-priority change which IR is highest", () => {
  const p = pic();
  p.outb(0x20, 0xc4); // set priority: IR4 lowest, so IR5 highest
  p.router.line(3).pulse();
  p.router.line(6).pulse();
  assert.equal(p.pair.acknowledge(), 0x26);
  p.outb(0x20, 0xe6); // rotate on specific EOI of IR6: IR7 becomes highest
  p.router.line(7).pulse();
  assert.equal(p.pair.acknowledge(), 0x27);
  p.outb(0x20, 0xa0); // rotate on non-specific EOI (IR7): IR0 highest again
  p.router.line(0).pulse();
  assert.equal(p.pair.acknowledge(), 0x20);
  p.outb(0x20, 0x20);
  assert.equal(p.pair.acknowledge(), 0x23);
});

test("an ELCR level-triggered IRQ stays requested while high and re-fires after EOI", () => {
  const p = pic();
  p.outb(0x4d1, 0x0c); // IRQ 10 and 11 level-triggered
  assert.equal(p.inb(0x4d1), 0x0c);
  p.outb(0x4d0, 0xff); // IRQ 0-2 can never be level-triggered
  assert.equal(p.inb(0x4d0), 0xf8);
  p.outb(0x4d0, 0x00);
  p.router.line(10).setLevel(true);
  assert.equal(p.pair.acknowledge(), 0x2a);
  p.outb(0xa0, 0x20);
  p.outb(0x20, 0x20);
  assert.equal(p.pair.hasInterrupt(), true, "still high: requested again");
  assert.equal(p.pair.acknowledge(), 0x2a);
  p.router.line(10).setLevel(false);
  p.outb(0xa0, 0x20);
  p.outb(0x20, 0x20);
  assert.equal(p.pair.hasInterrupt(), false);
});

test("an edge IRQ is latched by a pulse; a held-high edge line does not re-fire", () => {
  const p = pic();
  p.router.line(3).setLevel(true);
  assert.equal(p.pair.acknowledge(), 0x23);
  p.outb(0x20, 0x20);
  assert.equal(p.pair.hasInterrupt(), false, "no new edge");
  p.router.line(3).setLevel(false);
  p.router.line(3).setLevel(true);
  assert.equal(p.pair.acknowledge(), 0x23);
});

test("a level request that vanishes before INTA gives the spurious IRQ 7 with no ISR bit", () => {
  const p = pic();
  p.outb(0x4d0, 0x20); // IRQ 5 level
  p.router.line(5).setLevel(true);
  assert.equal(p.pair.hasInterrupt(), true);
  p.router.line(5).setLevel(false);
  assert.equal(p.pair.acknowledge(), 0x27);
  assert.equal(p.readIsr(0x20), 0);
});

test("cascade: slave IRQs arrive through IR2 with the slave's vectors and nest", () => {
  const p = pic();
  p.router.line(12).pulse();
  assert.equal(p.pair.acknowledge(), 0x2c);
  assert.equal(p.readIsr(0x20), 0x04);
  assert.equal(p.readIsr(0xa0), 0x10);
  p.router.line(9).pulse(); // higher than 12 on the slave, but master IR2 is in service
  assert.equal(p.pair.hasInterrupt(), false);
  p.outb(0xa0, 0x64); // specific EOI IR4 on the slave
  p.outb(0x20, 0x62); // specific EOI IR2 on the master
  assert.equal(p.pair.acknowledge(), 0x29);
  p.router.line(0).pulse(); // IRQ 0 outranks the cascade in service
  assert.equal(p.pair.acknowledge(), 0x20);
});

test("special fully nested mode lets a higher slave IRQ through while IR2 is in service", () => {
  const p = pic({ sfnm: true });
  p.router.line(12).pulse();
  assert.equal(p.pair.acknowledge(), 0x2c);
  p.router.line(9).pulse();
  assert.equal(p.pair.acknowledge(), 0x29);
});

test("a cascaded request that vanished from the slave gives the spurious IRQ 15", () => {
  const p = pic();
  p.outb(0x4d1, 0x08); // IRQ 11 level
  p.router.line(11).setLevel(true);
  p.router.line(11).setLevel(false); // master IR2 already latched the slave's edge
  assert.equal(p.pair.acknowledge(), 0x2f);
  assert.equal(p.readIsr(0xa0), 0);
  assert.equal(p.readIsr(0x20), 0x04, "the master's cascade IR is in service");
});

test("auto-EOI leaves nothing in service, and rotate-in-auto-EOI rotates priority", () => {
  const p = pic({ autoEoi: true });
  p.router.line(3).pulse();
  assert.equal(p.pair.acknowledge(), 0x23);
  assert.equal(p.readIsr(0x20), 0);
  p.router.line(3).pulse();
  assert.equal(p.pair.acknowledge(), 0x23, "nothing blocks the same IR again");
  p.outb(0x20, 0x80); // set rotate in automatic EOI mode
  p.router.line(1).pulse();
  assert.equal(p.pair.acknowledge(), 0x21); // IR2 now highest
  p.router.line(0).pulse();
  p.router.line(4).pulse();
  assert.equal(p.pair.acknowledge(), 0x24);
});

test("poll mode: the read acknowledges the highest request and reports it", () => {
  const p = pic();
  p.router.line(6).pulse();
  p.router.line(4).pulse();
  p.outb(0x20, 0x0c); // OCW3 poll
  assert.equal(p.inb(0x20), 0x84);
  assert.equal(p.readIsr(0x20), 0x10);
  p.outb(0x20, 0x0c);
  assert.equal(p.inb(0x21), 0x00, "IR6 is blocked by IR4 in service");
  p.outb(0x20, 0x20);
  p.outb(0x20, 0x0c);
  assert.equal(p.inb(0x20), 0x86);
  assert.equal(p.inb(0x21), 0x00, "only one read is a poll");
});

test("special mask mode lets lower IRs interrupt while the masked one is in service", () => {
  const p = pic();
  p.router.line(3).pulse();
  assert.equal(p.pair.acknowledge(), 0x23);
  p.router.line(6).pulse();
  assert.equal(p.pair.hasInterrupt(), false);
  p.outb(0x21, 0x08); // mask IR3
  p.outb(0x20, 0x68); // OCW3: set special mask mode
  assert.equal(p.pair.acknowledge(), 0x26);
  p.outb(0x20, 0x48); // reset special mask mode
  assert.equal(p.readIsr(0x20), 0x48);
});

test("ICW1 clears the mask and in-service registers and resets edge sensing", () => {
  const p = pic();
  p.outb(0x21, 0xff);
  p.router.line(4).setLevel(true);
  p.outb(0x20, 0x11);
  p.outb(0x21, 0x30);
  p.outb(0x21, 0x04);
  p.outb(0x21, 0x01);
  assert.equal(p.inb(0x21), 0);
  assert.equal(p.pair.hasInterrupt(), false, "an already-high edge line must go low first");
  p.router.line(4).setLevel(false);
  p.router.line(4).setLevel(true);
  assert.equal(p.pair.acknowledge(), 0x34);
});

test("state save/load round-trips mid-operation and a refused section changes nothing", () => {
  const p = pic();
  p.outb(0x4d1, 0x04);
  p.router.line(5).pulse();
  p.router.line(3).pulse();
  p.outb(0x21, 0x80);
  assert.equal(p.pair.acknowledge(), 0x23);
  const saved = p.pair.saveState();
  const json = JSON.stringify(p.pair.state);

  const target = rig();
  const outputs: boolean[] = [];
  const fresh = new I8259({ bus: target.bus, onOutput: (l) => outputs.push(l) });
  fresh.loadState(saved);
  assert.equal(JSON.stringify(fresh.state), json);
  assert.deepEqual(outputs, [false], "output re-driven after load");
  // It carries on where the original was: IR5 waits behind IR3 in service.
  assert.equal(fresh.hasInterrupt(), false);
  target.outb(0x20, 0x20);
  assert.equal(fresh.acknowledge(), 0x25);

  const q = pic();
  const before = JSON.stringify(q.pair.state);
  assert.throws(() => q.pair.loadState(saved.slice(0, saved.length - 1)), StateError);
  assert.equal(JSON.stringify(q.pair.state), before);
});

test("reset returns the pair to its power-on state", () => {
  const p = pic();
  p.outb(0x4d0, 0x20);
  p.router.line(1).pulse();
  p.pair.reset();
  assert.equal(p.pair.state.master.elcr, 0);
  assert.equal(p.pair.state.master.irr, 0);
  assert.equal(p.pair.state.master.vectorBase, 0);
  assert.equal(p.pair.hasInterrupt(), false);
});
