import assert from "node:assert/strict";
import { test } from "node:test";
import { HvError } from "../../src/hv/errors.js";
import { CpuidModel, FEAT_APIC } from "../../src/hv/soft/cpu/system/cpuid.js";
import { Tsc } from "../../src/hv/soft/cpu/system/tsc.js";

const isInvalid = (e: unknown) => e instanceof HvError && e.code === "invalid-argument";

test("CpuidModel refuses malformed configurations with a clear error", () => {
  assert.throws(() => new CpuidModel({ family: 0 }), isInvalid);
  assert.throws(() => new CpuidModel({ model: 256 }), isInvalid);
  assert.throws(() => new CpuidModel({ brand: "x".repeat(48) }), isInvalid);
  assert.throws(() => new CpuidModel({ brand: "caf\u00e9" }), isInvalid);
  assert.throws(() => new CpuidModel({ apicId: -1 }), isInvalid);
});

test("CpuidModel encodes extended family/model and the APIC ID", () => {
  const out = new Uint32Array(4);
  const m = new CpuidModel({ family: 0x10e, model: 0x3a, stepping: 9, apicId: 5, apic: true });
  m.query(1, 0, out);
  assert.equal(out[0], (0xff << 20) | (0x3 << 16) | (0xf << 8) | (0xa << 4) | 9);
  assert.equal(out[1] >>> 24, 5);
  assert.equal(out[3] & FEAT_APIC, FEAT_APIC);
});

test("CpuidModel get/set serve only defined leaves; subleaves of leaf 4 are indexed", () => {
  const m = new CpuidModel();
  const out = new Uint32Array(4);
  assert.equal(m.get(3, 0, out), false, "leaf 3 is not defined");
  assert.equal(m.set(0x80000009, 0, [1, 2, 3, 4]), false);
  assert.equal(m.set(5, 0, [1, 2, 3, 4]), true);
  m.query(5, 0, out);
  assert.deepEqual([...out], [1, 2, 3, 4]);
  m.query(4, 1, out);
  assert.deepEqual([...out], [0, 0, 0, 0], "undefined subleaf of an indexed leaf reads zeros");
  m.query(0x40000000, 0, out);
  assert.equal(String.fromCharCode(...new Uint8Array(out.buffer).slice(4, 16)), "TsvmTsvmTsvm");
});

test("Tsc refuses bad options and counts from 0 at creation", () => {
  assert.throws(() => new Tsc({ frequencyHz: 0 }), isInvalid);
  assert.throws(() => new Tsc({ ticksPerInstruction: 1.5 }), isInvalid);
  let now = 123_456_789n;
  const t = new Tsc({ clock: () => now });
  assert.equal(t.read(0), 0n);
  now += 500n;
  assert.equal(t.read(0), 500n);
  t.writeAdjust(1000n);
  assert.equal(t.read(0), 1500n);
  t.write(0n, 0);
  assert.equal(t.read(0), 0n);
  assert.equal(t.adjust, (1n << 64n) - 500n, "adjust moved by -1500, modulo 2^64");
});
