/**
 * The tester's deterministic pseudo-random numbers: sfc32 (Chris Doty-Humphrey's
 * "small fast counting" generator, public domain), seeded through splitmix32
 * so that nearby seeds give unrelated streams. Same seed, same cases, on
 * every machine: a failure report's seed and case number reproduce it.
 *
 * Operand values are biased towards the edges where implementations go wrong
 * (0, 1, -1, the sign boundaries 0x7F/0x80, 0x7FFF/0x8000,
 * 0x7FFFFFFF/0x80000000, nibble carries for AF) and otherwise uniform.
 */

/** splitmix32 step: a well-mixed 32-bit value from `x`. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Derives a seed for a sub-stream (a group, a case) from a parent seed and a label. */
export function deriveSeed(seed: number, label: string | number): number {
  let h = mix32(seed >>> 0);
  const s = String(label);
  for (let i = 0; i < s.length; i++) h = mix32(h ^ s.charCodeAt(i));
  return h;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x1234567);
    this.c = mix32(this.b ^ 0x7654321);
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform unsigned 32-bit value. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** A uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /**
   * An operand value of `size` bits (8, 16 or 32), unsigned: about half the
   * time an edge value of that size, otherwise uniform.
   */
  value(size: number): number {
    const mask = size === 32 ? 0xffffffff : (1 << size) - 1;
    const top = 2 ** (size - 1);
    switch (this.int(16)) {
      case 0:
        return 0;
      case 1:
        return this.pick([1, 2, 0x0f, 0x10, 0x55, 0xaa]) & mask;
      case 2:
        return mask; // -1
      case 3:
        return this.pick([mask - 1, mask - 0x0f, mask ^ 0x10]); // -2, nibble edges
      case 4:
        return this.pick([top - 1, top, top + 1, top - 2]); // signed boundaries
      case 5:
        return 2 ** this.int(size); // one bit
      case 6:
        return (mask - 2 ** this.int(size)) >>> 0; // all bits but one
      case 7:
        return this.int(64); // small
      default:
        return (this.u32() & mask) >>> 0;
    }
  }

  /** Fills `bytes` with uniform random bytes. */
  fill(bytes: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= bytes.length; i += 4) {
      const v = this.u32();
      bytes[i] = v;
      bytes[i + 1] = v >>> 8;
      bytes[i + 2] = v >>> 16;
      bytes[i + 3] = v >>> 24;
    }
    for (; i < bytes.length; i++) bytes[i] = this.u32();
  }
}
