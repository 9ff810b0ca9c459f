/**
 * Scalar field types: fixed-width integers, bool, f64, and `oneOf` for
 * enumerations. Integers may declare a narrower range; a loaded value outside
 * it is refused ("bad-value") before any state changes, and saving one is a
 * device bug ("bad-state").
 *
 * Wire form: little-endian, two's complement for signed types, IEEE 754
 * binary64 for f64, one byte 0/1 for bool.
 */
import { ByteWriter, type ByteReader } from "./bytes.js";
import { leafCodec, numberToJSON, showValue, wrongType, type Codec } from "./codec.js";
import { FieldFault, StateError } from "./errors.js";

/** An optional narrower range for an integer field (inclusive). */
export interface IntRange {
  readonly min?: number;
  readonly max?: number;
}

/** An optional narrower range for a 64-bit integer field (inclusive). */
export interface BigIntRange {
  readonly min?: bigint;
  readonly max?: bigint;
}

/** Picks the declared range inside the type's own, refusing one that does not fit. */
function narrow<N extends number | bigint>(
  kind: string,
  lo: N,
  hi: N,
  range: { readonly min?: N; readonly max?: N } | undefined,
): [N, N] {
  const min = range?.min ?? lo;
  const max = range?.max ?? hi;
  if (min < lo || max > hi || min > max) {
    throw new StateError("bad-description", "", "", `${kind} range ${min}..${max} is invalid`);
  }
  return [min, max];
}

function intCodec(
  kind: string,
  bytes: number,
  lo: number,
  hi: number,
  write: (out: ByteWriter, value: number) => void,
  read: (input: ByteReader) => number,
  range: IntRange | undefined,
): Codec<number> {
  const [min, max] = narrow(kind, lo, hi, range);
  return leafCodec<number>({
    kind,
    bytes,
    encode: (value, out) => {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        wrongType(kind, "an integer", value);
      }
      if (value < min || value > max) {
        throw new FieldFault("bad-state", `${kind} value ${value} is outside ${min}..${max}`);
      }
      write(out, value);
    },
    decode: (input) => {
      const value = read(input);
      if (value < min || value > max) {
        throw new FieldFault("bad-value", `${kind} value ${value} is outside ${min}..${max}`);
      }
      return value;
    },
    zero: () => (min > 0 ? min : max < 0 ? max : 0),
    toJSON: (value) => value,
  });
}

function bigIntCodec(
  kind: string,
  lo: bigint,
  hi: bigint,
  write: (out: ByteWriter, value: bigint) => void,
  read: (input: ByteReader) => bigint,
  range: BigIntRange | undefined,
): Codec<bigint> {
  const [min, max] = narrow(kind, lo, hi, range);
  return leafCodec<bigint>({
    kind,
    bytes: 8,
    encode: (value, out) => {
      if (typeof value !== "bigint") wrongType(kind, "a bigint", value);
      if (value < min || value > max) {
        throw new FieldFault("bad-state", `${kind} value ${value} is outside ${min}..${max}`);
      }
      write(out, value);
    },
    decode: (input) => {
      const value = read(input);
      if (value < min || value > max) {
        throw new FieldFault("bad-value", `${kind} value ${value} is outside ${min}..${max}`);
      }
      return value;
    },
    zero: () => (min > 0n ? min : max < 0n ? max : 0n),
    // Decimal strings: JSON numbers lose precision above 2^53.
    toJSON: (value) => value.toString(),
  });
}

/** Unsigned 8-bit integer (JavaScript number). */
export const u8 = (range?: IntRange): Codec<number> =>
  intCodec(
    "u8",
    1,
    0,
    0xff,
    (o, v) => o.u8(v),
    (i) => i.u8(),
    range,
  );
/** Unsigned 16-bit integer, little-endian. */
export const u16 = (range?: IntRange): Codec<number> =>
  intCodec(
    "u16",
    2,
    0,
    0xffff,
    (o, v) => o.u16(v),
    (i) => i.u16(),
    range,
  );
/** Unsigned 32-bit integer, little-endian. */
export const u32 = (range?: IntRange): Codec<number> =>
  intCodec(
    "u32",
    4,
    0,
    0xffff_ffff,
    (o, v) => o.u32(v),
    (i) => i.u32(),
    range,
  );
/** Signed 8-bit integer. */
export const i8 = (range?: IntRange): Codec<number> =>
  intCodec(
    "i8",
    1,
    -0x80,
    0x7f,
    (o, v) => o.i8(v),
    (i) => i.i8(),
    range,
  );
/** Signed 16-bit integer, little-endian. */
export const i16 = (range?: IntRange): Codec<number> =>
  intCodec(
    "i16",
    2,
    -0x8000,
    0x7fff,
    (o, v) => o.i16(v),
    (i) => i.i16(),
    range,
  );
/** Signed 32-bit integer, little-endian. */
export const i32 = (range?: IntRange): Codec<number> =>
  intCodec(
    "i32",
    4,
    -0x8000_0000,
    0x7fff_ffff,
    (o, v) => o.i32(v),
    (i) => i.i32(),
    range,
  );
/** Unsigned 64-bit integer (bigint), little-endian. */
export const u64 = (range?: BigIntRange): Codec<bigint> =>
  bigIntCodec(
    "u64",
    0n,
    0xffff_ffff_ffff_ffffn,
    (o, v) => o.u64(v),
    (i) => i.u64(),
    range,
  );
/** Signed 64-bit integer (bigint), little-endian. */
export const i64 = (range?: BigIntRange): Codec<bigint> =>
  bigIntCodec(
    "i64",
    -(2n ** 63n),
    2n ** 63n - 1n,
    (o, v) => o.i64(v),
    (i) => i.i64(),
    range,
  );

/** A boolean stored as one byte; any byte other than 0 or 1 is refused on load. */
export const bool = (): Codec<boolean> =>
  leafCodec<boolean>({
    kind: "bool",
    bytes: 1,
    encode: (value, out) => {
      if (typeof value !== "boolean") wrongType("bool", "a boolean", value);
      out.u8(value ? 1 : 0);
    },
    decode: (input) => {
      const byte = input.u8();
      if (byte > 1) throw new FieldFault("bad-value", `bool byte is ${byte}, not 0 or 1`);
      return byte === 1;
    },
    zero: () => false,
    toJSON: (value) => value,
  });

/** A double (IEEE 754 binary64, little-endian); NaN, infinities and -0 survive. */
export const f64 = (): Codec<number> =>
  leafCodec<number>({
    kind: "f64",
    bytes: 8,
    encode: (value, out) => {
      if (typeof value !== "number") wrongType("f64", "a number", value);
      out.f64(value);
    },
    decode: (input) => input.f64(),
    zero: () => 0,
    toJSON: numberToJSON,
  });

/**
 * An enumeration: `base` restricted to the listed values, typed as their
 * union. Example: `oneOf(u8(), [0, 1, 2, 3] as const)` is a `Codec<0 | 1 | 2 | 3>`.
 * The first listed value is the zero value.
 */
export function oneOf<T extends number | bigint, const V extends readonly [T, ...T[]]>(
  base: Codec<T>,
  values: V,
): Codec<V[number]> {
  const allowed = new Set<T>(values);
  const kind = `${base.kind} in {${values.join(", ")}}`;
  const check = (value: T, code: "bad-state" | "bad-value"): V[number] => {
    if (!allowed.has(value)) {
      throw new FieldFault(
        code,
        `${base.kind} value ${showValue(value)} is not one of ${values.join(", ")}`,
      );
    }
    return value as V[number];
  };
  for (const value of values) {
    try {
      base.encode(value, new ByteWriter(), 1);
    } catch (error) {
      const why = error instanceof FieldFault ? error.detail : String(error);
      throw new StateError("bad-description", "", "", `oneOf lists an invalid value: ${why}`);
    }
  }
  return {
    ...(base as Codec<V[number]>),
    kind,
    encode: (value, out, version) => base.encode(check(value, "bad-state"), out, version),
    decode: (input, version) => check(base.decode(input, version), "bad-value"),
    zero: () => values[0],
  };
}
