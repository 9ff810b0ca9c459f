import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bool,
  bytes,
  describe,
  list,
  struct,
  u16,
  u32,
  u8,
} from "../../src/migration/state/index.js";
import { payloadOf, sectionBytes } from "./helpers.js";

// An RTC-like device in two releases: version 2 added an alarm and a CMOS bank.
interface RtcV1 {
  seconds: number;
  running: boolean;
}
interface RtcV2 extends RtcV1 {
  alarm: number;
  bank: Uint8Array;
  divider: number;
}

const rtcV1 = describe<RtcV1>({
  name: "mc146818rtc",
  version: 1,
  fields: { seconds: u8(), running: bool() },
});

const rtcV2 = describe<RtcV2>({
  name: "mc146818rtc",
  version: 2,
  fields: {
    seconds: u8(),
    running: bool(),
    alarm: { codec: u8(), since: 2, default: 0xff },
    bank: { codec: bytes(2), since: 2 },
    divider: { codec: u16(), since: 2, default: 32768 },
  },
});

test("a version-1 stream loads into a version-2 description with defaults", () => {
  const old = rtcV1.save({ seconds: 42, running: true });
  const target: RtcV2 = {
    seconds: 1,
    running: false,
    alarm: 3,
    bank: Uint8Array.of(7, 7),
    divider: 1,
  };
  const result = rtcV2.load(old, target);
  assert.equal(result.version, 1);
  assert.deepEqual(target, {
    seconds: 42,
    running: true,
    alarm: 0xff, // declared default
    bank: new Uint8Array(2), // no default declared: the type's zero value
    divider: 32768,
  });
});

test("defaults are fresh copies, never shared between loads", () => {
  const shared = Uint8Array.of(1, 2);
  interface Dev {
    a: number;
    buf: Uint8Array;
  }
  const desc = describe<Dev>({
    name: "dev",
    version: 2,
    fields: { a: u8(), buf: { codec: bytes(2), since: 2, default: shared } },
  });
  const v1 = sectionBytes("dev", 1, [5]);
  const first = desc.decode(v1).state;
  first.buf[0] = 99;
  const second = desc.decode(v1).state;
  assert.deepEqual(Array.from(second.buf), [1, 2]);
  assert.deepEqual(Array.from(shared), [1, 2]);
});

test("a version-2 stream has the fields in declaration order", () => {
  const state: RtcV2 = {
    seconds: 9,
    running: true,
    alarm: 1,
    bank: Uint8Array.of(4, 5),
    divider: 0x102,
  };
  const section = rtcV2.save(state);
  assert.equal(rtcV2.versionFor(state), 2); // unconditional since-2 fields always need v2
  assert.deepEqual(payloadOf(section), [9, 1, 1, 2, 0, 0, 0, 4, 5, 2, 1]);
  assert.deepEqual(rtcV2.decode(section).state, state);
});

// The lowest-version rule: `neededIf` lets a field raise the version only when needed.
interface Uart {
  rbr: number;
  fifoEnabled: boolean;
  fifo: number[];
  timeout: number;
}
const uart = describe<Uart>({
  name: "ns16550a",
  version: 3,
  fields: {
    rbr: u8(),
    fifoEnabled: { codec: bool(), since: 2, neededIf: (s) => s.fifoEnabled },
    fifo: { codec: list(u8(), 16), since: 2, neededIf: (s) => s.fifo.length > 0 },
    timeout: { codec: u32(), since: 3, neededIf: (s) => s.timeout !== 0 },
  },
});

test("a state that needs no newer field is written as the lowest version", () => {
  const plain: Uart = { rbr: 0x41, fifoEnabled: false, fifo: [], timeout: 0 };
  assert.equal(uart.versionFor(plain), 1);
  const section = uart.save(plain);
  assert.deepEqual(Array.from(section), Array.from(sectionBytes("ns16550a", 1, [0x41])));
  // A build that only knows version 1 can load it.
  const oldUart = describe<{ rbr: number }>({
    name: "ns16550a",
    version: 1,
    fields: { rbr: u8() },
  });
  assert.deepEqual(oldUart.decode(section).state, { rbr: 0x41 });
});

test("each needed field raises the version to its own `since`, no further", () => {
  const withFifo: Uart = { rbr: 0, fifoEnabled: true, fifo: [1, 2], timeout: 0 };
  assert.equal(uart.versionFor(withFifo), 2);
  assert.deepEqual(payloadOf(uart.save(withFifo)), [0, 1, 2, 0, 0, 0, 1, 2]);
  const withTimeout: Uart = { rbr: 0, fifoEnabled: false, fifo: [], timeout: 7 };
  assert.equal(uart.versionFor(withTimeout), 3);
  // Version 3 carries every field with since <= 3, needed or not.
  assert.deepEqual(uart.decode(uart.save(withTimeout)).state, withTimeout);
});

test("neededIf inside list elements is judged per element", () => {
  interface Queue {
    entries: { addr: number; flags: number }[];
  }
  const entry = struct<Queue["entries"][number]>({
    addr: u32(),
    flags: { codec: u8(), since: 2, neededIf: (e) => e.flags !== 0 },
  });
  const desc = describe<Queue>({
    name: "queue",
    version: 2,
    fields: { entries: list(entry, 8) },
  });
  assert.equal(desc.versionFor({ entries: [] }), 1);
  assert.equal(desc.versionFor({ entries: [{ addr: 1, flags: 0 }] }), 1);
  const mixed = {
    entries: [
      { addr: 1, flags: 0 },
      { addr: 2, flags: 4 },
    ],
  };
  assert.equal(desc.versionFor(mixed), 2);
  assert.deepEqual(desc.decode(desc.save(mixed)).state, mixed);
});

test("minVersion raises the lowest version written", () => {
  interface Dev {
    a: number;
  }
  const desc = describe<Dev>({ name: "dev", version: 4, minVersion: 3, fields: { a: u8() } });
  assert.equal(desc.versionFor({ a: 1 }), 3);
  assert.equal(desc.decode(desc.save({ a: 1 })).version, 3);
});

test("save can be asked for a newer version, never for one too low to hold the state", () => {
  const plain: Uart = { rbr: 1, fifoEnabled: false, fifo: [], timeout: 0 };
  const forced = uart.save(plain, { version: 3 });
  assert.equal(uart.decode(forced).version, 3);
  assert.deepEqual(uart.decode(forced).state, plain);
  const needs3: Uart = { ...plain, timeout: 1 };
  assert.throws(() => uart.save(needs3, { version: 2 }), {
    code: "bad-state",
    message: /cannot write version 2: this state needs 3\.\.3/,
  });
  assert.throws(() => uart.save(plain, { version: 4 }), { code: "bad-state" });
});

test("inconsistent descriptions are refused when declared", () => {
  interface Dev {
    a: number;
  }
  const bad =
    (fields: Parameters<typeof describe<Dev>>[0]["fields"], version = 2, minVersion = 1) =>
    () =>
      describe<Dev>({ name: "dev", version, minVersion, fields });
  assert.throws(bad({ a: { codec: u8(), since: 3 } }), {
    code: "bad-description",
    message: /state section "dev", field a: since 3 is outside 1\.\.2/,
  });
  assert.throws(bad({ a: { codec: u8(), since: 0 } }), { code: "bad-description" });
  assert.throws(bad({ a: { codec: u8(), neededIf: () => true } }), {
    code: "bad-description",
    message: /neededIf is meaningless/,
  });
  assert.throws(bad({ a: { codec: u8(), since: 2, default: 300 } }), {
    code: "bad-description",
    message: /field a: default is invalid: u8 value 300/,
  });
  assert.throws(bad({ a: u8() }, 1, 2), { code: "bad-description", message: /versions 2\.\.1/ });
  assert.throws(bad({ a: u8() }, 0x10000), { code: "bad-description" });
  assert.throws(() => describe<Dev>({ name: "bad name", version: 1, fields: { a: u8() } }), {
    code: "bad-description",
  });
  // Nested structs are checked against the section's versions too.
  interface Outer {
    inner: { b: number };
  }
  assert.throws(
    () =>
      describe<Outer>({
        name: "outer",
        version: 1,
        fields: { inner: struct<Outer["inner"]>({ b: { codec: u8(), since: 2 } }) },
      }),
    { code: "bad-description", message: /field inner\.b: since 2/ },
  );
  assert.throws(() => u8({ max: 256 }), { code: "bad-description" });
});
