import { test } from "node:test";
import assert from "node:assert/strict";
import {
  array,
  bigInt64Array,
  bigUint64Array,
  bool,
  bytes,
  describe,
  f64,
  float32Array,
  float64Array,
  i16,
  i32,
  i64,
  i8,
  int16Array,
  int32Array,
  int8Array,
  list,
  oneOf,
  struct,
  u16,
  u32,
  u64,
  u8,
  uint16Array,
  uint32Array,
  uint8Array,
  varBytes,
} from "../../src/migration/state/index.js";
import { payloadOf } from "./helpers.js";

interface Everything {
  a8: number;
  a16: number;
  a32: number;
  a64: bigint;
  s8: number;
  s16: number;
  s32: number;
  s64: bigint;
  flag: boolean;
  real: number;
  mode: 0 | 2 | 5;
  flags: boolean[];
  words: number[];
  u8s: Uint8Array;
  i8s: Int8Array;
  u16s: Uint16Array;
  i16s: Int16Array;
  u32s: Uint32Array;
  i32s: Int32Array;
  f32s: Float32Array;
  f64s: Float64Array;
  u64s: BigUint64Array;
  i64s: BigInt64Array;
  mac: Uint8Array;
  blob: Uint8Array;
}

const everything = describe<Everything>({
  name: "everything",
  version: 1,
  fields: {
    a8: u8(),
    a16: u16(),
    a32: u32(),
    a64: u64(),
    s8: i8(),
    s16: i16(),
    s32: i32(),
    s64: i64(),
    flag: bool(),
    real: f64(),
    mode: oneOf(u8(), [0, 2, 5] as const),
    flags: array(bool(), 3),
    words: array(u16(), 2),
    u8s: uint8Array(3),
    i8s: int8Array(2),
    u16s: uint16Array(2),
    i16s: int16Array(2),
    u32s: uint32Array(2),
    i32s: int32Array(2),
    f32s: float32Array(2),
    f64s: float64Array(2),
    u64s: bigUint64Array(2),
    i64s: bigInt64Array(2),
    mac: bytes(6),
    blob: varBytes(16),
  },
});

function sample(): Everything {
  return {
    a8: 0xff,
    a16: 0xbeef,
    a32: 0xdead_beef,
    a64: 0xffff_ffff_ffff_ffffn,
    s8: -128,
    s16: -2,
    s32: -0x8000_0000,
    s64: -(2n ** 63n),
    flag: true,
    real: -0.1,
    mode: 5,
    flags: [true, false, true],
    words: [1, 0xffff],
    u8s: Uint8Array.of(1, 2, 3),
    i8s: Int8Array.of(-1, 127),
    u16s: Uint16Array.of(0x1234, 0),
    i16s: Int16Array.of(-32768, 5),
    u32s: Uint32Array.of(0xffff_ffff, 7),
    i32s: Int32Array.of(-1, 0x7fff_ffff),
    f32s: Float32Array.of(1.5, -0),
    f64s: Float64Array.of(Math.PI, Number.NaN),
    u64s: BigUint64Array.of(1n, 2n ** 64n - 1n),
    i64s: BigInt64Array.of(-5n, 2n ** 63n - 1n),
    mac: Uint8Array.of(0x52, 0x54, 0, 0x12, 0x34, 0x56),
    blob: Uint8Array.of(9, 8, 7),
  };
}

test("every field type survives save and load", () => {
  const original = sample();
  const section = everything.save(original);
  const { state, version } = everything.decode(section);
  assert.equal(version, 1);
  assert.deepEqual(state, original);
  assert.ok(Object.is(state.f32s[1], -0), "negative zero kept");
  assert.ok(Number.isNaN(state.f64s[1]));
});

test("load writes into an existing state, every field replaced", () => {
  const target = everything.decode(everything.save(sample())).state;
  const other: Everything = { ...sample(), a8: 1, s64: 3n, flag: false, blob: new Uint8Array(0) };
  other.u16s = Uint16Array.of(9, 9);
  everything.load(everything.save(other), target);
  assert.deepEqual(target, other);
});

test("scalars are written little-endian at their declared widths", () => {
  interface Small {
    a: number;
    b: number;
    c: bigint;
    d: boolean;
    e: number;
  }
  const small = describe<Small>({
    name: "small",
    version: 1,
    fields: { a: u16(), b: i32(), c: u64(), d: bool(), e: f64() },
  });
  const payload = payloadOf(
    small.save({ a: 0x1234, b: -2, c: 0x0102030405060708n, d: true, e: 1 }),
  );
  assert.deepEqual(
    payload,
    [0x34, 0x12, 0xfe, 0xff, 0xff, 0xff, 8, 7, 6, 5, 4, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f],
  );
});

test("arrays and buffers carry a u32 count before their elements", () => {
  interface Buffers {
    words: number[];
    raw: Uint16Array;
    blob: Uint8Array;
  }
  const desc = describe<Buffers>({
    name: "buffers",
    version: 1,
    fields: { words: array(u8(), 2), raw: uint16Array(1), blob: varBytes(4) },
  });
  const payload = payloadOf(
    desc.save({ words: [7, 8], raw: Uint16Array.of(0xabcd), blob: Uint8Array.of(5) }),
  );
  assert.deepEqual(payload, [2, 0, 0, 0, 7, 8, 1, 0, 0, 0, 0xcd, 0xab, 1, 0, 0, 0, 5]);
});

interface Channel {
  count: number;
  latched: boolean;
  timer: { deadline: bigint; armed: boolean };
}
interface Pit {
  channels: Channel[];
  pending: Channel[];
  speaker: boolean;
}

const channel = struct<Channel>({
  count: u16(),
  latched: bool(),
  timer: struct<Channel["timer"]>({ deadline: u64(), armed: bool() }),
});
const pit = describe<Pit>({
  name: "i8254",
  version: 1,
  fields: { channels: array(channel, 3), pending: list(channel, 4), speaker: bool() },
});

function pitState(seed: number): Pit {
  const make = (i: number): Channel => ({
    count: seed * 10 + i,
    latched: (seed + i) % 2 === 0,
    timer: { deadline: BigInt(seed * 1000 + i), armed: i === 1 },
  });
  return {
    channels: [make(0), make(1), make(2)],
    pending: Array.from({ length: seed }, (_, i) => make(i + 5)),
    speaker: seed % 2 === 1,
  };
}

test("nested structs, arrays of structs and lists of structs round-trip", () => {
  for (const seed of [0, 1, 4]) {
    const original = pitState(seed);
    assert.deepEqual(pit.decode(pit.save(original)).state, original);
  }
});

test("load keeps the identity of nested objects, arrays and typed arrays", () => {
  interface Holder {
    inner: { regs: Uint32Array; list: number[] };
    items: { v: number }[];
  }
  const desc = describe<Holder>({
    name: "holder",
    version: 1,
    fields: {
      inner: struct<Holder["inner"]>({ regs: uint32Array(2), list: list(u8(), 4) }),
      items: array(struct<{ v: number }>({ v: u8() }), 2),
    },
  });
  const target: Holder = {
    inner: { regs: Uint32Array.of(0, 0), list: [1, 2, 3] },
    items: [{ v: 0 }, { v: 0 }],
  };
  const { inner, items } = target;
  const { regs } = inner;
  const firstItem = items[0];
  desc.load(
    desc.save({ inner: { regs: Uint32Array.of(5, 6), list: [9] }, items: [{ v: 1 }, { v: 2 }] }),
    target,
  );
  assert.equal(target.inner, inner);
  assert.equal(target.inner.regs, regs);
  assert.equal(target.items, items);
  assert.equal(target.items[0], firstItem);
  assert.deepEqual(Array.from(regs), [5, 6]);
  assert.deepEqual(target.inner.list, [9]);
  assert.deepEqual(target.items, [{ v: 1 }, { v: 2 }]);
});

test("loaded buffers are copies, not views of the input bytes", () => {
  interface Raw {
    data: Uint8Array;
  }
  const desc = describe<Raw>({ name: "raw", version: 1, fields: { data: bytes(2) } });
  const section = desc.save({ data: Uint8Array.of(1, 2) });
  const { state } = desc.decode(section);
  section.fill(0);
  assert.deepEqual(Array.from(state.data), [1, 2]);
});

test("integer ranges are enforced on save and accepted inside", () => {
  interface Ranged {
    level: number;
  }
  const desc = describe<Ranged>({
    name: "ranged",
    version: 1,
    fields: { level: u8({ min: 1, max: 3 }) },
  });
  assert.equal(desc.decode(desc.save({ level: 3 })).state.level, 3);
  assert.throws(() => desc.save({ level: 4 }), { name: "StateError", code: "bad-state" });
  assert.throws(() => desc.save({ level: 0 }), { code: "bad-state" });
});

test("large buffers round-trip (the writer grows as needed)", () => {
  interface Vram {
    planes: Uint32Array;
    text: Uint8Array;
  }
  const desc = describe<Vram>({
    name: "vga",
    version: 1,
    fields: { planes: uint32Array(65536), text: varBytes(1 << 20) },
  });
  const state: Vram = {
    planes: Uint32Array.from({ length: 65536 }, (_, i) => (i * 2654435761) >>> 0),
    text: Uint8Array.from({ length: 300_000 }, (_, i) => i & 0xff),
  };
  const section = desc.save(state);
  assert.equal(section.length, 1 + 3 + 10 + 4 + 65536 * 4 + 4 + 300_000); // header "vga", counts, data
  assert.deepEqual(desc.decode(section).state, state);
});
