/**
 * The APIC's 256-bit vector registers (IRR, ISR, TMR: SDM vol. 3, 11.8.4) as
 * eight 32-bit words, word i holding vectors 32*i .. 32*i+31 — the same
 * layout as the registers at offsets 0x100/0x180/0x200 + 0x10*i.
 */

/** Words in a vector set. */
export const VECTOR_WORDS = 8;

export function hasVector(set: Uint32Array, vector: number): boolean {
  return (set[vector >>> 5] & (1 << (vector & 31))) !== 0;
}

export function addVector(set: Uint32Array, vector: number): void {
  set[vector >>> 5] |= 1 << (vector & 31);
}

export function removeVector(set: Uint32Array, vector: number): void {
  set[vector >>> 5] &= ~(1 << (vector & 31));
}

/** The highest vector in the set, or -1 when it is empty. */
export function highestVector(set: Uint32Array): number {
  for (let word = VECTOR_WORDS - 1; word >= 0; word--) {
    const bits = set[word];
    if (bits !== 0) return word * 32 + 31 - Math.clz32(bits);
  }
  return -1;
}
