/**
 * Type safety of descriptions. The `@ts-expect-error` lines below are checked
 * by the compiler: if a wrong description ever type-checks, the build fails
 * with "Unused '@ts-expect-error' directive". The runtime test makes sure the
 * correct description next to them works.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  array,
  bool,
  describe,
  oneOf,
  struct,
  u16,
  u64,
  u8,
  uint8Array,
} from "../../src/migration/state/index.js";

interface Kbd {
  status: number;
  mode: 0 | 1 | 2;
  queue: number[];
  ram: Uint8Array;
  clock: bigint;
  enabled: boolean;
  port: { command: number };
}

function correct() {
  return describe<Kbd>({
    name: "i8042",
    version: 2,
    fields: {
      status: u8(),
      mode: oneOf(u8(), [0, 1, 2] as const),
      queue: array(u8(), 4),
      ram: uint8Array(32),
      clock: u64(),
      enabled: { codec: bool(), since: 2, default: true, neededIf: (s) => !s.enabled },
      port: struct<Kbd["port"]>({ command: u8() }),
    },
  });
}

// Never called: it exists for the compiler's checks.
export function wrongDescriptionsDoNotCompile(): void {
  describe<Kbd>({
    name: "i8042",
    version: 1,
    // @ts-expect-error -- a field of the state is missing
    fields: { status: u8(), mode: oneOf(u8(), [0, 1, 2] as const), queue: array(u8(), 4) },
  });
  describe<{ clock: bigint }>({
    name: "x",
    version: 1,
    // @ts-expect-error -- a number codec for a bigint field
    fields: { clock: u16() },
  });
  describe<{ mode: 0 | 1 }>({
    name: "x",
    version: 1,
    // @ts-expect-error -- a plain u8 could load 7 into a 0 | 1 field
    fields: { mode: u8() },
  });
  describe<{ a: number }>({
    name: "x",
    version: 1,
    // @ts-expect-error -- a field that is not in the state
    fields: { a: u8(), extra: u8() },
  });
  describe<{ a: number }>({
    name: "x",
    version: 2,
    // @ts-expect-error -- a default of the wrong type
    fields: { a: { codec: u8(), since: 2, default: 1n } },
  });
  describe<{ a: number }>({
    name: "x",
    version: 2,
    // @ts-expect-error -- neededIf sees the state's type
    fields: { a: { codec: u8(), since: 2, neededIf: (s) => s.missing } },
  });
  describe<{ q: boolean[] }>({
    name: "x",
    version: 1,
    // @ts-expect-error -- an array of the wrong element type
    fields: { q: array(u8(), 2) },
  });
}

test("the correct description compiles and works", () => {
  const kbd = correct();
  const state: Kbd = {
    status: 0x1c,
    mode: 2,
    queue: [1, 2, 3, 4],
    ram: new Uint8Array(32).fill(7),
    clock: 123n,
    enabled: false,
    port: { command: 0xd1 },
  };
  assert.equal(kbd.versionFor(state), 2);
  assert.deepEqual(kbd.decode(kbd.save(state)).state, state);
  assert.equal(kbd.versionFor({ ...state, enabled: true }), 1);
});
