import { test } from "node:test";
import assert from "node:assert/strict";
import { DeviceOptionError } from "../../src/hw/legacy/errors.js";
import {
  RESET_CONTROL_PORT,
  ResetControl,
  type ResetControlOptions,
  type ResetKind,
} from "../../src/hw/reset-control.js";
import { StateError } from "../../src/migration/state/index.js";
import { io, makeRig } from "./helpers.js";

function setup(register = true) {
  const rig = makeRig();
  const resets: ResetKind[] = [];
  const device = new ResetControl({
    bus: register ? rig.bus.port : undefined,
    onReset: (kind) => resets.push(kind),
  });
  return { rig, device, resets };
}

test("0x06 and 0x0E request a hard reset, 0x04 a soft one, 0x02 none (Linux's reboot=pci)", () => {
  const { rig, resets } = setup();
  io.out8(rig.bus, RESET_CONTROL_PORT, 0x02);
  assert.deepEqual(resets, []);
  assert.equal(io.in8(rig.bus, RESET_CONTROL_PORT), 0x02);
  io.out8(rig.bus, RESET_CONTROL_PORT, 0x06);
  assert.deepEqual(resets, ["hard"]);
  assert.equal(io.in8(rig.bus, RESET_CONTROL_PORT), 0x02, "RST_CPU does not stick");
  io.out8(rig.bus, RESET_CONTROL_PORT, 0x0e);
  io.out8(rig.bus, RESET_CONTROL_PORT, 0x04);
  assert.deepEqual(resets, ["hard", "hard", "soft"]);
  assert.equal(io.in8(rig.bus, RESET_CONTROL_PORT), 0x00);
  io.out8(rig.bus, RESET_CONTROL_PORT, 0xf9); // bit 2 clear: no reset; only bit 3 kept
  assert.equal(resets.length, 3);
  assert.equal(io.in8(rig.bus, RESET_CONTROL_PORT), 0x08);
  // Only the one byte is claimed.
  assert.equal(io.in8(rig.bus, RESET_CONTROL_PORT + 1), 0xff);
  assert.equal(io.in8(rig.bus, RESET_CONTROL_PORT - 1), 0xff);
});

test("without a bus nothing is registered and a host bridge forwards byte accesses", () => {
  const { rig, device, resets } = setup(false);
  io.out8(rig.bus, RESET_CONTROL_PORT, 0x06);
  assert.deepEqual(resets, []);
  assert.equal(io.in8(rig.bus, RESET_CONTROL_PORT), 0xff);
  device.write(0x06);
  assert.deepEqual(resets, ["hard"]);
  assert.equal(device.read(), 0x02);
});

test("reset, options and a state round trip", () => {
  const { rig, device } = setup();
  io.out8(rig.bus, RESET_CONTROL_PORT, 0x0a);
  const section = device.saveState();
  device.reset();
  assert.equal(io.in8(rig.bus, RESET_CONTROL_PORT), 0);

  const target = setup();
  target.device.loadState(section);
  assert.equal(io.in8(target.rig.bus, RESET_CONTROL_PORT), 0x0a);
  const bad = Uint8Array.from(section);
  bad[bad.length - 1] = 0x04; // a value no register can hold
  assert.throws(() => target.device.loadState(bad), StateError);
  assert.equal(target.device.read(), 0x0a);

  assert.throws(() => new ResetControl({} as ResetControlOptions), DeviceOptionError);
  target.device.detach();
  assert.equal(io.in8(target.rig.bus, RESET_CONTROL_PORT), 0xff);
});
