/**
 * Little-endian byte writer and bounds-checked reader used by the state codecs.
 *
 * The reader never reads past its end: every read checks first and throws a
 * FieldFault("truncated"), so a short or hostile stream is refused cleanly.
 */
import { FieldFault } from "./errors.js";

/** A growable little-endian output buffer. */
export class ByteWriter {
  private buffer = new Uint8Array(64);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  /** Number of bytes written so far. */
  get size(): number {
    return this.length;
  }

  /**
   * Reserves `count` bytes and returns the offset where they start. It may
   * replace `buffer` and `view`, so callers read those only after calling it.
   */
  private reserve(count: number): number {
    const at = this.length;
    const needed = at + count;
    if (needed > this.buffer.length) {
      let capacity = this.buffer.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = needed;
    return at;
  }

  u8(value: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, value);
  }
  u16(value: number): void {
    const at = this.reserve(2);
    this.view.setUint16(at, value, true);
  }
  u32(value: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, value, true);
  }
  i8(value: number): void {
    const at = this.reserve(1);
    this.view.setInt8(at, value);
  }
  i16(value: number): void {
    const at = this.reserve(2);
    this.view.setInt16(at, value, true);
  }
  i32(value: number): void {
    const at = this.reserve(4);
    this.view.setInt32(at, value, true);
  }
  u64(value: bigint): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, value, true);
  }
  i64(value: bigint): void {
    const at = this.reserve(8);
    this.view.setBigInt64(at, value, true);
  }
  f32(value: number): void {
    const at = this.reserve(4);
    this.view.setFloat32(at, value, true);
  }
  f64(value: number): void {
    const at = this.reserve(8);
    this.view.setFloat64(at, value, true);
  }
  bytes(data: Uint8Array): void {
    const at = this.reserve(data.length);
    this.buffer.set(data, at);
  }

  /** Overwrites a u32 written earlier (used to patch a length once it is known). */
  patchU32(offset: number, value: number): void {
    this.view.setUint32(offset, value, true);
  }

  /** A copy of everything written. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** A bounds-checked little-endian reader over part of a byte array. */
export class ByteReader {
  private readonly view: DataView;
  private readonly data: Uint8Array;
  private pos = 0;

  constructor(data: Uint8Array) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.data.length - this.pos;
  }

  /** Current offset from the start of the data. */
  get offset(): number {
    return this.pos;
  }

  /** Claims `count` bytes and returns their offset; refuses to run past the end. */
  private take(count: number): number {
    if (count > this.remaining) {
      throw new FieldFault(
        "truncated",
        `needs ${count} more byte(s) but only ${this.remaining} remain`,
      );
    }
    const at = this.pos;
    this.pos += count;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }
  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  i8(): number {
    return this.view.getInt8(this.take(1));
  }
  i16(): number {
    return this.view.getInt16(this.take(2), true);
  }
  i32(): number {
    return this.view.getInt32(this.take(4), true);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.take(8), true);
  }
  i64(): bigint {
    return this.view.getBigInt64(this.take(8), true);
  }
  f32(): number {
    return this.view.getFloat32(this.take(4), true);
  }
  f64(): number {
    return this.view.getFloat64(this.take(8), true);
  }
  /** A copy of the next `count` bytes (never a view: the loaded state owns its memory). */
  bytes(count: number): Uint8Array {
    const at = this.take(count);
    return this.data.slice(at, at + count);
  }
}
