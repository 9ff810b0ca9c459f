import { test } from "node:test";
import assert from "node:assert/strict";
import {
  StateError,
  bool,
  describe,
  readSection,
  u16,
  u8,
  walkSections,
} from "../../src/migration/state/index.js";
import { le, sectionBytes } from "./helpers.js";

const pit = describe<{ count: number }>({ name: "i8254", version: 1, fields: { count: u16() } });
const uart = describe<{ lsr: number; dlab: boolean }>({
  name: "ns16550a",
  version: 1,
  fields: { lsr: u8(), dlab: bool() },
});

test("the header is name length, name, u16 version, u32 instance, u32 payload length", () => {
  const section = pit.save({ count: 0x1234 }, { instance: 0x01020304 });
  // prettier-ignore
  assert.deepEqual(Array.from(section), [
    5, 0x69, 0x38, 0x32, 0x35, 0x34, // "i8254"
    1, 0, // version
    4, 3, 2, 1, // instance
    2, 0, 0, 0, // payload length
    0x34, 0x12, // count
  ]);
});

test("a stream of sections can be walked, identified and skipped", () => {
  const stream = Uint8Array.from([
    ...uart.save({ lsr: 0x60, dlab: false }, { instance: 0 }),
    ...sectionBytes("virtio-net-pci", 7, [1, 2, 3, 4, 5]), // unknown here: skipped
    ...uart.save({ lsr: 0x61, dlab: true }, { instance: 1 }),
    ...pit.save({ count: 9 }),
  ]);
  const seen = Array.from(walkSections(stream), (s) => `${s.name}#${s.instance}@v${s.version}`);
  assert.deepEqual(seen, ["ns16550a#0@v1", "virtio-net-pci#0@v7", "ns16550a#1@v1", "i8254#0@v1"]);

  const uarts = [
    { lsr: 0, dlab: false },
    { lsr: 0, dlab: false },
  ];
  const pitState = { count: 0 };
  for (const section of walkSections(stream)) {
    if (section.name === uart.name) uart.load(section, uarts[section.instance]);
    else if (section.name === pit.name) pit.load(section, pitState);
  }
  assert.deepEqual(uarts, [
    { lsr: 0x60, dlab: false },
    { lsr: 0x61, dlab: true },
  ]);
  assert.deepEqual(pitState, { count: 9 });
});

test("readSection reports where a section starts and ends", () => {
  const first = pit.save({ count: 1 });
  const stream = Uint8Array.from([...first, ...pit.save({ count: 2 })]);
  const second = readSection(stream, first.length);
  assert.equal(second.start, first.length);
  assert.equal(second.end, stream.length);
  assert.deepEqual(Array.from(second.payload), [2, 0]);
});

test("malformed headers are refused with a StateError", () => {
  const cases: [number[], string, RegExp][] = [
    [[0, 1, 0], "bad-header", /section name is empty/],
    [[2, 0x20, 0x41, ...le(1, 2), ...le(0, 8)], "bad-header", /invalid section name " A"/],
    [[1, 0xc3, ...le(1, 2), ...le(0, 8)], "bad-header", /invalid section name/],
    [[1, 0x61, ...le(0, 2), ...le(0, 8)], "bad-header", /version 0 is invalid/],
    [[1, 0x61, ...le(1, 2), 0, 0], "truncated", /header ends/],
    [[1, 0x61, ...le(1, 2), ...le(0, 4), ...le(3, 4), 1], "truncated", /payload of 3 bytes/],
  ];
  for (const [bytes, code, message] of cases) {
    assert.throws(
      () => readSection(Uint8Array.from(bytes)),
      (error: unknown) => {
        assert.ok(error instanceof StateError);
        assert.equal(error.code, code);
        assert.match(error.message, message);
        return true;
      },
    );
  }
  assert.throws(() => Array.from(walkSections(Uint8Array.from([...pit.save({ count: 1 }), 9]))), {
    code: "truncated",
  });
});

test("an instance that is not a u32 is refused on save", () => {
  assert.throws(() => pit.save({ count: 1 }, { instance: -1 }), { code: "bad-state" });
  assert.throws(() => pit.save({ count: 1 }, { instance: 2 ** 32 }), { code: "bad-state" });
});
