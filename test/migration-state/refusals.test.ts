import { test } from "node:test";
import assert from "node:assert/strict";
import {
  StateError,
  array,
  bool,
  bytes,
  describe,
  list,
  oneOf,
  struct,
  u16,
  u32,
  u8,
  varBytes,
} from "../../src/migration/state/index.js";
import { le, sectionBytes } from "./helpers.js";

interface Pic {
  imr: number;
  mode: 0 | 1 | 4;
  autoEoi: boolean;
  irqs: { line: number; level: boolean }[];
  history: number[];
  elcr: Uint8Array;
  name: Uint8Array;
}

const pic = describe<Pic>({
  name: "i8259",
  version: 2,
  fields: {
    imr: u8(),
    mode: oneOf(u8(), [0, 1, 4] as const),
    autoEoi: bool(),
    irqs: array(struct<Pic["irqs"][number]>({ line: u8(), level: bool() }), 2),
    history: list(u16(), 3),
    elcr: bytes(2),
    name: { codec: varBytes(8), since: 2 },
  },
});

function picState(): Pic {
  return {
    imr: 0xfb,
    mode: 4,
    autoEoi: true,
    irqs: [
      { line: 0, level: true },
      { line: 8, level: false },
    ],
    history: [3, 1],
    elcr: Uint8Array.of(0x20, 0x0c),
    name: Uint8Array.of(0x61),
  };
}

/** Loads `section` into a fresh device state and checks the refusal and that nothing changed. */
function assertRefused(section: Uint8Array, expected: { code: string; message?: RegExp }): void {
  const target = picState();
  const before = structuredClone(target);
  const { irqs, elcr } = target;
  assert.throws(
    () => pic.load(section, target),
    (error: unknown) => {
      assert.ok(error instanceof StateError, `expected a StateError, got ${String(error)}`);
      assert.equal(error.code, expected.code, error.message);
      if (expected.message) assert.match(error.message, expected.message);
      return true;
    },
  );
  assert.deepEqual(target, before, "the target state must be unchanged");
  assert.equal(target.irqs, irqs);
  assert.equal(target.elcr, elcr);
}

// The version-2 payload of picState(), written out by hand.
const goodPayload = [
  0xfb,
  4,
  1,
  ...le(2, 4),
  0,
  1,
  8,
  0,
  ...le(2, 4),
  3,
  0,
  1,
  0,
  ...le(2, 4),
  0x20,
  0x0c,
  ...le(1, 4),
  0x61,
];

test("the hand-written stream is what save produces and loads", () => {
  assert.deepEqual(
    Array.from(pic.save(picState())),
    Array.from(sectionBytes("i8259", 2, goodPayload)),
  );
  const target: Pic = { ...picState(), imr: 0, name: new Uint8Array(0) };
  pic.load(sectionBytes("i8259", 2, goodPayload), target);
  assert.deepEqual(target, picState());
});

test("a newer version than the description knows is refused", () => {
  assertRefused(sectionBytes("i8259", 3, goodPayload), {
    code: "unknown-version",
    message: /state section "i8259": stream has version 3, newer than this build knows \(1\.\.2\)/,
  });
});

test("a version below the minimum is refused", () => {
  const strict = describe<{ a: number }>({
    name: "i8259",
    version: 3,
    minVersion: 2,
    fields: { a: u8() },
  });
  assert.throws(() => strict.decode(sectionBytes("i8259", 1, [1])), {
    code: "old-version",
    message: /version 1, older than this build loads \(2\.\.3\)/,
  });
});

test("a section of another device model is refused", () => {
  assertRefused(sectionBytes("i8254", 2, goodPayload), {
    code: "wrong-section",
    message: /state section "i8259": got a section of "i8254"/,
  });
});

test("every truncation of a valid section is refused", () => {
  const whole = sectionBytes("i8259", 2, goodPayload);
  for (let cut = 0; cut < whole.length; cut++) {
    assertRefused(whole.subarray(0, cut), { code: "truncated" });
  }
});

test("a payload that ends early is refused, naming the field", () => {
  // The header agrees with the payload, but the payload stops inside `history`.
  assertRefused(sectionBytes("i8259", 2, goodPayload.slice(0, 16)), {
    code: "truncated",
    message: /field history/,
  });
});

test("an over-long payload and bytes after the section are refused", () => {
  assertRefused(sectionBytes("i8259", 2, [...goodPayload, 0]), {
    code: "trailing-bytes",
    message: /1 byte\(s\) after the last field of version 2/,
  });
  // A version-1 payload must not carry the version-2 field.
  assertRefused(sectionBytes("i8259", 1, goodPayload), { code: "trailing-bytes" });
  const section = sectionBytes("i8259", 2, goodPayload);
  assertRefused(Uint8Array.from([...section, 0, 0]), {
    code: "trailing-bytes",
    message: /2 byte\(s\) follow the section/,
  });
});

test("array, list and buffer counts that break the description are refused", () => {
  const patch = (index: number, values: number[]): number[] => {
    const copy = [...goodPayload];
    copy.splice(index, values.length, ...values);
    return copy;
  };
  assertRefused(sectionBytes("i8259", 2, patch(3, le(3, 4))), {
    code: "bad-length",
    message: /field irqs: struct\[2\] has 3 elements in the stream, not 2/,
  });
  assertRefused(sectionBytes("i8259", 2, patch(11, le(4, 4))), {
    code: "bad-length",
    message: /field history: list<u16, max 3> has 4 elements, more than 3/,
  });
  assertRefused(sectionBytes("i8259", 2, patch(19, le(1, 4))), {
    code: "bad-length",
    message: /field elcr/,
  });
  assertRefused(sectionBytes("i8259", 2, patch(25, le(9, 4))), {
    code: "bad-length",
    message: /field name: bytes\[\.\.8\] length 9 exceeds the maximum 8/,
  });
});

test("a hostile element count is refused before anything is allocated", () => {
  interface Big {
    items: number[];
  }
  const desc = describe<Big>({
    name: "big",
    version: 1,
    fields: { items: list(u32(), 0x7fff_ffff) },
  });
  assert.throws(() => desc.decode(sectionBytes("big", 1, le(0x7fff_0000, 4))), {
    code: "truncated",
    message: /field items: .* of 2147418112 elements needs at least 8589672448 bytes/,
  });
});

test("out-of-range values are refused with the field path", () => {
  const patch = (index: number, value: number): number[] => {
    const copy = [...goodPayload];
    copy[index] = value;
    return copy;
  };
  assertRefused(sectionBytes("i8259", 2, patch(2, 2)), {
    code: "bad-value",
    message: /field autoEoi: bool byte is 2, not 0 or 1/,
  });
  assertRefused(sectionBytes("i8259", 2, patch(1, 3)), {
    code: "bad-value",
    message: /field mode: u8 value 3 is not one of 0, 1, 4/,
  });
  assertRefused(sectionBytes("i8259", 2, patch(10, 7)), {
    code: "bad-value",
    message: /field irqs\[1\]\.level: bool byte is 7/,
  });
});

test("a state that breaks its description is refused on save", () => {
  const cases: [Partial<Pic>, RegExp][] = [
    [{ imr: 256 }, /field imr: u8 value 256 is outside 0\.\.255/],
    [{ imr: 1.5 }, /field imr: u8 expects an integer, got 1\.5/],
    [{ mode: 2 as unknown as 0 }, /field mode: u8 value 2 is not one of 0, 1, 4/],
    [{ elcr: Uint8Array.of(1) }, /field elcr: bytes\[2\] has 1 elements, not 2/],
    [{ history: [1, 2, 3, 4] }, /field history: list<u16, max 3> has 4 elements/],
    [{ irqs: [{ line: 0, level: true }] }, /field irqs: struct\[2\] has 1 elements, not 2/],
    [{ name: new Uint8Array(9) }, /field name: bytes\[\.\.8\] has 9 bytes, more than 8/],
  ];
  for (const [change, message] of cases) {
    assert.throws(() => pic.save({ ...picState(), ...change }), { code: "bad-state", message });
  }
  const wrongNested = picState();
  (wrongNested.irqs[1] as { level: unknown }).level = 1;
  assert.throws(() => pic.save(wrongNested), {
    code: "bad-state",
    message: /field irqs\[1\]\.level: bool expects a boolean, got 1/,
  });
});
