/**
 * Access sizes and values, and their little-endian byte layout.
 *
 * Values of 1, 2 and 4 bytes are unsigned numbers; 8-byte values (MMIO only)
 * are bigints, as in `AccessHandler` (src/hv/api.ts). Byte i of a value is the
 * byte at address + i (x86 is little-endian: Intel SDM vol. 1, 1.3.1).
 */

export type AccessSize = 1 | 2 | 4 | 8;
export type PortAccessSize = 1 | 2 | 4;
export type BusValue = number | bigint;

export const ALL_ONES_64 = 0xffff_ffff_ffff_ffffn;

/** All ones of a 1, 2 or 4-byte access. */
export function allOnesNumber(size: number): number {
  return size === 4 ? 0xffff_ffff : size === 2 ? 0xffff : 0xff;
}

/** All ones of any access size: a bigint for 8 bytes. */
export function allOnes(size: AccessSize): BusValue {
  return size === 8 ? ALL_ONES_64 : allOnesNumber(size);
}

/**
 * Truncates a value to an unsigned 1, 2 or 4-byte number. Devices may hand
 * back sign-extended or oversized results; the guest must only see `size`
 * bytes.
 */
export function toUnsigned(value: BusValue, size: number): number {
  if (typeof value === "bigint") return Number(BigInt.asUintN(size * 8, value));
  // One uint32 operation for every size: mixing `>>> 0` (uint32) and `&` (int32)
  // results makes V8 box the result as a heap number on the fast path.
  return (value & (size === 4 ? -1 : size === 2 ? 0xffff : 0xff)) >>> 0;
}

/** Truncates a value to an unsigned 64-bit bigint (non-finite numbers become 0). */
export function toUint64(value: BusValue): bigint {
  if (typeof value === "bigint") return BigInt.asUintN(64, value);
  return Number.isFinite(value) ? BigInt.asUintN(64, BigInt(Math.trunc(value))) : 0n;
}

/** Normalizes a value to the type of its size: number for 1-4 bytes, bigint for 8. */
export function normalize(value: BusValue, size: AccessSize): BusValue {
  return size === 8 ? toUint64(value) : toUnsigned(value, size);
}

/** Writes `size` bytes of `value` into `bytes` at `pos`, least significant first. */
export function storeLE(value: BusValue, size: AccessSize, bytes: Uint8Array, pos: number): void {
  if (size === 8) {
    const v = toUint64(value);
    storeLE(Number(v & 0xffff_ffffn), 4, bytes, pos);
    storeLE(Number(v >> 32n), 4, bytes, pos + 4);
    return;
  }
  let v = toUnsigned(value, size);
  for (let i = 0; i < size; i++) {
    bytes[pos + i] = v & 0xff;
    v >>>= 8;
  }
}

/** Reads a 1, 2 or 4-byte little-endian number at `pos`. */
export function loadNumberLE(bytes: Uint8Array, pos: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[pos + i];
  return v;
}

/** Reads an 8-byte little-endian value at `pos`. */
export function loadBigLE(bytes: Uint8Array, pos: number): bigint {
  return (BigInt(loadNumberLE(bytes, pos + 4, 4)) << 32n) | BigInt(loadNumberLE(bytes, pos, 4));
}

/** Reads `size` bytes at `pos` as a little-endian value (bigint for 8 bytes). */
export function loadLE(bytes: Uint8Array, pos: number, size: AccessSize): BusValue {
  return size === 8 ? loadBigLE(bytes, pos) : loadNumberLE(bytes, pos, size);
}

/** True for 1, 2, 4 and 8. */
export function isAccessSize(size: number): size is AccessSize {
  return size === 1 || size === 2 || size === 4 || size === 8;
}
