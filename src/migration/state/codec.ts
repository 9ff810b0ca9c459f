/**
 * The codec contract every field type implements, plus helpers shared by the
 * field type files (scalars, buffers, arrays, struct).
 *
 * A `Codec<T>` turns a `T` into bytes for a given section version and back.
 * It is invariant in `T` on purpose: a `Codec<number>` cannot describe a
 * `bigint` field, and a field typed `0 | 1 | 2` needs `oneOf`, because a plain
 * `u8` could load 7 into it.
 */
import type { ByteReader, ByteWriter } from "./bytes.js";
import { FieldFault } from "./errors.js";

/** What introspection produces: plain data that JSON.stringify takes as is. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** How one type of value is saved, loaded, checked and shown. */
export interface Codec<T> {
  /** Short type name for messages: "u8", "bytes[16]", "list<u8, max 8>", "struct". */
  readonly kind: string;
  /**
   * Writes `value` as section version `version`. Throws FieldFault("bad-state")
   * when the value breaks the description (a device bug: u8 of 300, wrong length).
   */
  readonly encode: (value: T, out: ByteWriter, version: number) => void;
  /** Reads a value written as `version`; throws FieldFault for short or invalid data. */
  readonly decode: (input: ByteReader, version: number) => T;
  /** The smallest valid value: the default of a later-added field that declares none. */
  readonly zero: () => T;
  /** The lowest section version that can hold `value` (1 when nothing in it needs more). */
  readonly neededVersion: (value: T) => number;
  /** The fewest bytes one value takes at `version`; bounds counts before allocating. */
  readonly minBytes: (version: number) => number;
  /**
   * Puts a freshly decoded, already validated `fresh` where `current` was and
   * returns what to store. Buffers, arrays and structs of matching shape are
   * updated in place, so references the device holds stay valid. Never throws.
   */
  readonly apply: (current: unknown, fresh: T) => T;
  /** The value as plain JSON data, for the monitor. */
  readonly toJSON: (value: T) => JsonValue;
  /**
   * Checks nested fields against the section's versions (`since` in range,
   * `neededIf` only where meaningful, defaults valid). Throws
   * FieldFault("bad-description").
   */
  readonly checkDescription: (minVersion: number, version: number) => void;
}

/** The parts a fixed-size leaf codec (a scalar or fixed buffer) must supply. */
export interface LeafParts<T> {
  readonly kind: string;
  readonly bytes: number;
  readonly encode: (value: T, out: ByteWriter) => void;
  readonly decode: (input: ByteReader) => T;
  readonly zero: () => T;
  readonly toJSON: (value: T) => JsonValue;
  readonly apply?: (current: unknown, fresh: T) => T;
}

/** Builds a codec for a value with no nested fields and a fixed encoded size. */
export function leafCodec<T>(parts: LeafParts<T>): Codec<T> {
  return {
    kind: parts.kind,
    encode: (value, out) => parts.encode(value, out),
    decode: (input) => parts.decode(input),
    zero: parts.zero,
    neededVersion: () => 1,
    minBytes: () => parts.bytes,
    apply: parts.apply ?? ((_current, fresh) => fresh),
    toJSON: parts.toJSON,
    checkDescription: () => {},
  };
}

/** A short, safe rendering of an unexpected value for an error message. */
export function showValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value.slice(0, 32));
  if (typeof value === "object") {
    const name = value.constructor?.name;
    return typeof name === "string" && name !== "" ? `a ${name}` : "an object";
  }
  return String(value);
}

/** Throws the save-time fault for a value of the wrong JavaScript type. */
export function wrongType(kind: string, expected: string, value: unknown): never {
  throw new FieldFault("bad-state", `${kind} expects ${expected}, got ${showValue(value)}`);
}

/** Lowercase hex of a byte buffer, for JSON introspection. */
export function toHex(data: Uint8Array): string {
  let hex = "";
  for (const byte of data) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** A number as JSON: NaN and infinities become strings, since JSON has no such numbers. */
export function numberToJSON(value: number): JsonValue {
  return Number.isFinite(value) ? value : String(value);
}
