/**
 * Buffer field types: typed arrays of a fixed length, fixed byte buffers, and
 * length-prefixed byte buffers with a declared maximum.
 *
 * Wire form: every buffer is a u32 element count followed by the elements in
 * order, each little-endian. For a fixed-length buffer the count must equal the
 * declared length (so a device that changed a size without a new version is
 * caught, not misparsed); for `varBytes` it must not exceed the declared
 * maximum. Both are checked before anything is allocated.
 *
 * On load, a fixed typed array is copied into the device's existing array when
 * it has the same type and length, so views the device handed out stay valid.
 */
import type { ByteReader, ByteWriter } from "./bytes.js";
import { leafCodec, numberToJSON, toHex, wrongType, type Codec, type JsonValue } from "./codec.js";
import { FieldFault, StateError } from "./errors.js";

/** The subset of a typed array's interface the codecs use. */
interface TypedArrayOf<E> {
  readonly length: number;
  [index: number]: E;
  set(source: ArrayLike<E>): void;
}

/** How one typed array type is created, written and read. */
interface TypedIo<A extends TypedArrayOf<E>, E> {
  readonly ctor: { new (length: number): A; readonly name: string };
  readonly elementBytes: number;
  readonly put: (out: ByteWriter, element: E) => void;
  readonly get: (input: ByteReader) => E;
  readonly toJSON: (array: A) => JsonValue;
}

/** Refuses a length that is not a non-negative integer below 2^31. */
function checkLength(kind: string, length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > 0x7fff_ffff) {
    throw new StateError("bad-description", "", "", `${kind} length ${length} is invalid`);
  }
}

/** Reads the u32 count of a fixed-length buffer or array and refuses any other count. */
export function readFixedCount(input: ByteReader, kind: string, length: number): void {
  const count = input.u32();
  if (count !== length) {
    throw new FieldFault(
      "bad-length",
      `${kind} has ${count} elements in the stream, not ${length}`,
    );
  }
}

function fixedTypedArray<A extends TypedArrayOf<E>, E>(
  io: TypedIo<A, E>,
  length: number,
  kind = `${io.ctor.name}[${length}]`,
): Codec<A> {
  checkLength(kind, length);
  return leafCodec<A>({
    kind,
    bytes: 4 + length * io.elementBytes,
    encode: (value, out) => {
      if (!(value instanceof io.ctor)) wrongType(kind, `a ${io.ctor.name}`, value);
      if (value.length !== length) {
        throw new FieldFault("bad-state", `${kind} has ${value.length} elements, not ${length}`);
      }
      out.u32(length);
      for (let i = 0; i < length; i++) io.put(out, value[i]);
    },
    decode: (input) => {
      readFixedCount(input, kind, length);
      const array = new io.ctor(length);
      for (let i = 0; i < length; i++) array[i] = io.get(input);
      return array;
    },
    zero: () => new io.ctor(length),
    toJSON: io.toJSON,
    apply: (current, fresh) => {
      if (current instanceof io.ctor && current.length === fresh.length) {
        current.set(fresh);
        return current;
      }
      return fresh;
    },
  });
}

const numbers = (array: ArrayLike<number>): JsonValue => Array.from(array, numberToJSON);
const bigints = (array: ArrayLike<bigint>): JsonValue => Array.from(array, (v) => v.toString());

const uint8Io: TypedIo<Uint8Array, number> = {
  ctor: Uint8Array,
  elementBytes: 1,
  put: (o, v) => o.u8(v),
  get: (i) => i.u8(),
  toJSON: toHex,
};

/** A fixed-length byte buffer: one copy each way instead of a per-element loop. */
function byteBuffer(length: number, kind: string): Codec<Uint8Array> {
  const codec = fixedTypedArray(uint8Io, length, kind);
  return {
    ...codec,
    encode: (value, out, version) => {
      if (!(value instanceof Uint8Array) || value.length !== length) {
        codec.encode(value, out, version); // throws the precise fault
        return;
      }
      out.u32(length);
      out.bytes(value);
    },
    decode: (input) => {
      readFixedCount(input, kind, length);
      return input.bytes(length);
    },
  };
}

/** A Uint8Array of exactly `length` elements (JSON: a hex string). */
export const uint8Array = (length: number): Codec<Uint8Array> =>
  byteBuffer(length, `Uint8Array[${length}]`);

/** A fixed-size byte buffer: `uint8Array(length)` named for what it holds (JSON: hex). */
export const bytes = (length: number): Codec<Uint8Array> => byteBuffer(length, `bytes[${length}]`);

/** Shorthand for a TypedIo, one line per typed array type. */
function io<A extends TypedArrayOf<E>, E>(
  ctor: TypedIo<A, E>["ctor"],
  elementBytes: number,
  put: TypedIo<A, E>["put"],
  get: TypedIo<A, E>["get"],
  toJSON: TypedIo<A, E>["toJSON"],
): TypedIo<A, E> {
  return { ctor, elementBytes, put, get, toJSON };
}

// One line per type reads best as a table, which prettier would unfold.
// prettier-ignore
const ios = {
  int8: io<Int8Array, number>(Int8Array, 1, (o, v) => o.i8(v), (i) => i.i8(), numbers),
  uint16: io<Uint16Array, number>(Uint16Array, 2, (o, v) => o.u16(v), (i) => i.u16(), numbers),
  int16: io<Int16Array, number>(Int16Array, 2, (o, v) => o.i16(v), (i) => i.i16(), numbers),
  uint32: io<Uint32Array, number>(Uint32Array, 4, (o, v) => o.u32(v), (i) => i.u32(), numbers),
  int32: io<Int32Array, number>(Int32Array, 4, (o, v) => o.i32(v), (i) => i.i32(), numbers),
  f32: io<Float32Array, number>(Float32Array, 4, (o, v) => o.f32(v), (i) => i.f32(), numbers),
  f64: io<Float64Array, number>(Float64Array, 8, (o, v) => o.f64(v), (i) => i.f64(), numbers),
  u64: io<BigUint64Array, bigint>(BigUint64Array, 8, (o, v) => o.u64(v), (i) => i.u64(), bigints),
  i64: io<BigInt64Array, bigint>(BigInt64Array, 8, (o, v) => o.i64(v), (i) => i.i64(), bigints),
};

/** An Int8Array of exactly `length` elements. */
export const int8Array = (length: number): Codec<Int8Array> => fixedTypedArray(ios.int8, length);
/** A Uint16Array of exactly `length` elements. */
export const uint16Array = (length: number): Codec<Uint16Array> =>
  fixedTypedArray(ios.uint16, length);
/** An Int16Array of exactly `length` elements. */
export const int16Array = (length: number): Codec<Int16Array> => fixedTypedArray(ios.int16, length);
/** A Uint32Array of exactly `length` elements. */
export const uint32Array = (length: number): Codec<Uint32Array> =>
  fixedTypedArray(ios.uint32, length);
/** An Int32Array of exactly `length` elements. */
export const int32Array = (length: number): Codec<Int32Array> => fixedTypedArray(ios.int32, length);
/** A Float32Array of exactly `length` elements. */
export const float32Array = (length: number): Codec<Float32Array> =>
  fixedTypedArray(ios.f32, length);
/** A Float64Array of exactly `length` elements. */
export const float64Array = (length: number): Codec<Float64Array> =>
  fixedTypedArray(ios.f64, length);
/** A BigUint64Array of exactly `length` elements (JSON: decimal strings). */
export const bigUint64Array = (length: number): Codec<BigUint64Array> =>
  fixedTypedArray(ios.u64, length);
/** A BigInt64Array of exactly `length` elements (JSON: decimal strings). */
export const bigInt64Array = (length: number): Codec<BigInt64Array> =>
  fixedTypedArray(ios.i64, length);

/**
 * A byte buffer of 0..`maxLength` bytes, written as a u32 length and the bytes.
 * A longer buffer is refused on save ("bad-state") and on load ("bad-length").
 */
export function varBytes(maxLength: number): Codec<Uint8Array> {
  const kind = `bytes[..${maxLength}]`;
  checkLength(kind, maxLength);
  return {
    kind,
    encode: (value, out) => {
      if (!(value instanceof Uint8Array)) wrongType(kind, "a Uint8Array", value);
      if (value.length > maxLength) {
        throw new FieldFault(
          "bad-state",
          `${kind} has ${value.length} bytes, more than ${maxLength}`,
        );
      }
      out.u32(value.length);
      out.bytes(value);
    },
    decode: (input) => {
      const length = input.u32();
      if (length > maxLength) {
        throw new FieldFault(
          "bad-length",
          `${kind} length ${length} exceeds the maximum ${maxLength}`,
        );
      }
      return input.bytes(length);
    },
    zero: () => new Uint8Array(0),
    neededVersion: () => 1,
    minBytes: () => 4,
    apply: (_current, fresh) => fresh,
    toJSON: toHex,
    checkDescription: () => {},
  };
}
