import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HvError } from "../../src/hv/errors.js";
import { RegAttr, RegSet, type RegisterId } from "../../src/hv/registers.js";
import {
  checkValue,
  copyValue,
  decodeCpuid,
  decodeSegment,
  decodeX87,
  decodeXmm,
  encodeCpuid,
  encodeSegment,
  encodeX87,
  encodeXmm,
} from "../../src/hv/x86/register-values.js";

/** A small deterministic PRNG (xorshift64*), so failures reproduce. */
function makeRandom(seed: bigint): (bits: number) => bigint {
  let state = seed;
  const next64 = () => {
    state ^= state >> 12n;
    state ^= (state << 25n) & 0xffff_ffff_ffff_ffffn;
    state ^= state >> 27n;
    return (state * 0x2545f4914f6cdd1dn) & 0xffff_ffff_ffff_ffffn;
  };
  return (bits) => {
    let value = 0n;
    for (let got = 0; got < bits; got += 64) value = (value << 64n) | next64();
    return value & ((1n << BigInt(bits)) - 1n);
  };
}

const invalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof HvError && e.code === "invalid-argument" && pattern.test(e.message);

describe("segment codec", () => {
  it("round-trips random segments", () => {
    const random = makeRandom(0x5e6n);
    for (let i = 0; i < 200; i++) {
      const segment = {
        base: random(64),
        limit: Number(random(32)),
        selector: Number(random(16)),
        attributes: Number(random(16)),
      };
      assert.deepEqual(decodeSegment(encodeSegment(segment)), segment);
    }
  });

  it("places each field as SEGMENT_LAYOUT says, little-endian", () => {
    const bytes = encodeSegment({
      base: 0x0807060504030201n,
      limit: 0x0c0b0a09,
      selector: 0x0e0d,
      attributes: 0x100f,
    });
    assert.deepEqual([...bytes], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  it("refuses out-of-range fields and wrong lengths", () => {
    const ok = { base: 0n, limit: 0, selector: 0, attributes: 0 };
    assert.throws(() => encodeSegment({ ...ok, base: 1n << 64n }), invalid(/base/));
    assert.throws(() => encodeSegment({ ...ok, base: -1n }), invalid(/base/));
    assert.throws(() => encodeSegment({ ...ok, limit: 2 ** 32 }), invalid(/limit/));
    assert.throws(() => encodeSegment({ ...ok, selector: 0x10000 }), invalid(/selector/));
    assert.throws(() => encodeSegment({ ...ok, attributes: 1.5 }), invalid(/attributes/));
    assert.throws(() => decodeSegment(new Uint8Array(15)), invalid(/16 bytes/));
  });

  it("decodes a view into a larger buffer at its own offset", () => {
    const big = new Uint8Array(32);
    big.set(encodeSegment({ base: 0xabcn, limit: 0xffff, selector: 0x10, attributes: 0x93 }), 8);
    assert.deepEqual(decodeSegment(big.subarray(8, 24)), {
      base: 0xabcn,
      limit: 0xffff,
      selector: 0x10,
      attributes: 0x93,
    });
  });
});

describe("CPUID codec", () => {
  it("round-trips random leaves and orders eax, ebx, ecx, edx", () => {
    const random = makeRandom(0xc9n);
    for (let i = 0; i < 200; i++) {
      const [eax, ebx, ecx, edx] = [0, 1, 2, 3].map(() => Number(random(32)));
      assert.deepEqual(decodeCpuid(encodeCpuid({ eax, ebx, ecx, edx })), { eax, ebx, ecx, edx });
    }
    // "GenuineIntel" is ebx, edx, ecx of leaf 0: check byte placement against that.
    const leaf0 = encodeCpuid({ eax: 0xd, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 });
    const text = new TextDecoder().decode(leaf0);
    assert.equal(text.slice(4, 8) + text.slice(12, 16) + text.slice(8, 12), "GenuineIntel");
  });

  it("refuses values that are not u32", () => {
    assert.throws(() => encodeCpuid({ eax: 0, ebx: -1, ecx: 0, edx: 0 }), invalid(/ebx/));
    assert.throws(() => encodeCpuid({ eax: 0, ebx: 0, ecx: 0, edx: 2 ** 32 }), invalid(/edx/));
    assert.throws(() => decodeCpuid(new Uint8Array(12)), invalid(/CPUID/));
  });
});

describe("x87 and XMM codecs", () => {
  it("round-trips random 80-bit values", () => {
    const random = makeRandom(0x87n);
    for (let i = 0; i < 200; i++) {
      const value = { significand: random(64), signExponent: Number(random(16)) };
      const bytes = encodeX87(value);
      assert.equal(bytes.length, 10);
      assert.deepEqual(decodeX87(bytes), value);
    }
  });

  it("stores 1.0 as significand 0x8000000000000000 and exponent 0x3fff", () => {
    const bytes = encodeX87({ significand: 1n << 63n, signExponent: 0x3fff });
    assert.deepEqual([...bytes], [0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f]);
    assert.throws(() => encodeX87({ significand: 1n << 64n, signExponent: 0 }), invalid(/sig/));
    assert.throws(() => encodeX87({ significand: 0n, signExponent: 0x10000 }), invalid(/sign/));
  });

  it("round-trips random 128-bit XMM values, low byte first", () => {
    const random = makeRandom(0x3a3n);
    for (let i = 0; i < 200; i++) {
      const value = random(128);
      assert.equal(decodeXmm(encodeXmm(value)), value);
    }
    const bytes = encodeXmm((0x0fn << 120n) | 0x01n);
    assert.equal(bytes[0], 1);
    assert.equal(bytes[15], 0x0f);
    assert.throws(() => encodeXmm(1n << 128n), invalid(/XMM/));
    assert.throws(() => decodeXmm(new Uint8Array(8)), invalid(/XMM/));
  });
});

describe("checkValue", () => {
  const reg = (size: number): RegisterId => ({
    set: RegSet.MSR,
    number: 0x1234,
    size,
    attributes: RegAttr.READ_WRITE,
    name: `test${size}`,
  });

  it("accepts bigints in [0, 2^(8*size)) for registers up to 8 bytes", () => {
    for (const size of [1, 2, 4, 8]) {
      const max = (1n << BigInt(8 * size)) - 1n;
      checkValue(reg(size), 0n);
      checkValue(reg(size), max);
      assert.throws(() => checkValue(reg(size), max + 1n), invalid(new RegExp(`test${size}`)));
      assert.throws(() => checkValue(reg(size), -1n), invalid(/-1n/));
    }
  });

  it("refuses numbers, byte arrays and other types for narrow registers", () => {
    for (const value of [5, "5", null, undefined, new Uint8Array(8), {}]) {
      assert.throws(
        () => checkValue(reg(8), value),
        invalid(/test8 \(set MSR \(0x7\), number 0x1234\)/),
      );
    }
  });

  it("accepts only a Uint8Array of exactly size bytes for wide registers", () => {
    for (const size of [10, 16]) {
      checkValue(reg(size), new Uint8Array(size));
      for (const value of [
        new Uint8Array(size - 1),
        new Uint8Array(size + 1),
        new Uint16Array(size / 2),
        0n,
        [...new Uint8Array(size)],
      ]) {
        assert.throws(() => checkValue(reg(size), value), invalid(new RegExp(`${size} bytes`)));
      }
    }
  });
});

describe("copyValue", () => {
  it("copies byte values, including Node Buffers, so nothing is shared", () => {
    const buffer = Buffer.from([1, 2, 3]);
    const copy = copyValue(buffer);
    buffer[0] = 9;
    assert.deepEqual([...(copy as Uint8Array)], [1, 2, 3]);
    assert.equal(copyValue(7n), 7n);
  });
});
