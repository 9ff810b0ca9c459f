/**
 * Lane helpers for the integer tests: split a byte array into lanes of a
 * width as bigints (signed or not) and join them back, so reference
 * results are computed with plain arithmetic, independently of the typed
 * arrays the implementation uses.
 */
export function lanes(bytes: readonly number[], width: number, signed: boolean): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < bytes.length; i += width) {
    let v = 0n;
    for (let k = width - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i + k]);
    out.push(signed ? BigInt.asIntN(width * 8, v) : v);
  }
  return out;
}

/** Joins lanes (wrapped to `width` bytes) back into bytes. */
export function join(values: readonly bigint[], width: number): number[] {
  const out: number[] = [];
  for (const v of values) {
    let u = BigInt.asUintN(width * 8, v);
    for (let k = 0; k < width; k++) {
      out.push(Number(u & 0xffn));
      u >>= 8n;
    }
  }
  return out;
}

/** Clamps to the signed or unsigned range of `width` bytes. */
export function saturate(v: bigint, width: number, signed: boolean): bigint {
  const bits = BigInt(width * 8);
  const lo = signed ? -(1n << (bits - 1n)) : 0n;
  const hi = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  return v < lo ? lo : v > hi ? hi : v;
}

export function randomBytes(next: () => number, n: number): number[] {
  return Array.from({ length: n }, () => next() & 0xff);
}
