import { test } from "node:test";
import assert from "node:assert/strict";
import {
  array,
  bigUint64Array,
  bool,
  bytes,
  describe,
  f64,
  float32Array,
  i64,
  list,
  oneOf,
  struct,
  u32,
  u64,
  u8,
  uint16Array,
  varBytes,
} from "../../src/migration/state/index.js";

interface Timer {
  comparator: bigint;
  enabled: boolean;
}
interface Hpet {
  config: bigint;
  counter: bigint;
  offset: bigint;
  period: number;
  ratio: number;
  mode: 0 | 1;
  timers: Timer[];
  pending: number[];
  regs: Uint16Array;
  wide: BigUint64Array;
  floats: Float32Array;
  id: Uint8Array;
  blob: Uint8Array;
  added: number;
}

const hpet = describe<Hpet>({
  name: "hpet",
  version: 2,
  fields: {
    config: u64(),
    counter: u64(),
    offset: i64(),
    period: u32(),
    ratio: f64(),
    mode: oneOf(u8(), [0, 1] as const),
    timers: array(struct<Timer>({ comparator: u64(), enabled: bool() }), 2),
    pending: list(u8(), 4),
    regs: uint16Array(2),
    wide: bigUint64Array(1),
    floats: float32Array(2),
    id: bytes(3),
    blob: varBytes(4),
    added: { codec: u8(), since: 2, neededIf: (s) => s.added !== 0 },
  },
});

const state: Hpet = {
  config: 3n,
  counter: 0xffff_ffff_ffff_ffffn,
  offset: -5n,
  period: 10_000_000,
  ratio: Number.POSITIVE_INFINITY,
  mode: 1,
  timers: [
    { comparator: 2n ** 60n, enabled: true },
    { comparator: 0n, enabled: false },
  ],
  pending: [7],
  regs: Uint16Array.of(1, 0xffff),
  wide: BigUint64Array.of(2n ** 63n),
  floats: Float32Array.of(0.5, Number.NaN),
  id: Uint8Array.of(0x80, 0x86, 0x0a),
  blob: new Uint8Array(0),
  added: 0,
};

test("toJSON shows every field as plain JSON data", () => {
  const json = hpet.toJSON(state);
  assert.deepEqual(json, {
    config: "3",
    counter: "18446744073709551615",
    offset: "-5",
    period: 10_000_000,
    ratio: "Infinity",
    mode: 1,
    timers: [
      { comparator: "1152921504606846976", enabled: true },
      { comparator: "0", enabled: false },
    ],
    pending: [7],
    regs: [1, 65535],
    wide: ["9223372036854775808"],
    floats: [0.5, "NaN"],
    id: "80860a",
    blob: "",
    added: 0,
  });
});

test("toJSON output survives JSON text unchanged", () => {
  const json = hpet.toJSON(state);
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
});

test("toJSON follows the state, not a stored copy", () => {
  const changed: Hpet = { ...state, period: 1, added: 5 };
  const json = hpet.toJSON(changed);
  assert.equal(json.period, 1);
  assert.equal(json.added, 5);
  // The description is the same one that saves: the JSON matches a loaded copy.
  assert.deepEqual(hpet.toJSON(hpet.decode(hpet.save(changed)).state), json);
});
