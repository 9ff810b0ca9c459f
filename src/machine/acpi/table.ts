/**
 * Helpers for building ACPI tables: the 36-byte System Description Table
 * header (ACPI 6.5, 5.2.6), the byte checksum, and Generic Address
 * Structures (5.2.3.2). Tables are built as little-endian byte arrays.
 */

export const OEM_ID = "TSVM  ";
export const OEM_TABLE_ID = "TSVMPC  ";
export const CREATOR_ID = "TSVM";
export const HEADER_SIZE = 36;

/** A growable little-endian byte writer. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): this {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }
  u64(v: number | bigint): this {
    this.ensure(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
    return this;
  }
  ascii(s: string, size: number): this {
    if (s.length !== size) throw new Error(`ACPI: '${s}' must be ${size} characters`);
    for (let i = 0; i < size; i++) this.u8(s.charCodeAt(i));
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Sum of all bytes modulo 256. */
export function byteSum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + bytes[i]) & 0xff;
  return sum;
}

/** Sets byte `at` so that bytes [start, end) sum to zero. */
export function fixChecksum(bytes: Uint8Array, at: number, start = 0, end = bytes.length): void {
  bytes[at] = 0;
  bytes[at] = (0x100 - byteSum(bytes, start, end)) & 0xff;
}

/** Wraps a table body with its header: fills length and checksum. */
export function sdt(signature: string, revision: number, body: Uint8Array): Uint8Array {
  const w = new ByteWriter()
    .ascii(signature, 4)
    .u32(HEADER_SIZE + body.length)
    .u8(revision)
    .u8(0) // checksum, fixed below
    .ascii(OEM_ID, 6)
    .ascii(OEM_TABLE_ID, 8)
    .u32(1) // OEM revision
    .ascii(CREATOR_ID, 4)
    .u32(1) // creator revision
    .bytes(body);
  const table = w.result();
  fixChecksum(table, 9);
  return table;
}

/** Address space IDs of a Generic Address Structure. */
export const GAS_MEMORY = 0;
export const GAS_IO = 1;

/** Appends a 12-byte Generic Address Structure. */
export function gas(
  w: ByteWriter,
  space: number,
  bitWidth: number,
  accessSize: number,
  address: number,
): void {
  w.u8(space).u8(bitWidth).u8(0).u8(accessSize).u64(address);
}
