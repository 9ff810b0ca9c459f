/**
 * The string comparison engine of PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM
 * (SDM vol. 2, 4.1 "Imm8 Control Byte Operation for PCMPESTRI / PCMPESTRM /
 * PCMPISTRI / PCMPISTRM"):
 *
 *   imm8[1:0] element format: unsigned bytes, unsigned words, signed bytes,
 *             signed words (16 or 8 elements);
 *   imm8[3:2] aggregation: equal any, ranges, equal each, equal ordered;
 *   imm8[5:4] polarity: positive, negative, masked positive, masked negative
 *             (negate only the result bits of valid src2 elements);
 *   imm8[6]   output: least/most significant index (xSTRI), or bit mask /
 *             expanded element mask (xSTRM).
 *
 * src1 is the register operand (the set, range pairs or needle), src2 the
 * register or memory operand (the text). Invalid elements (at or past the
 * length) force comparison results per SDM table 4-7.
 */

/** Elements of the two operands (sign- or zero-extended). */
const src1 = new Int32Array(16);
const src2 = new Int32Array(16);

/** The result of the last `compareStrings`: flags and IntRes2. */
export const strResult = {
  /** IntRes2: bit j set for a match at src2 element j. */
  mask: 0,
  /** Number of elements (16 for bytes, 8 for words). */
  count: 16,
  /** CF, ZF, SF, OF as booleans. */
  cf: false,
  zf: false,
  sf: false,
  of: false,
};

/** Loads the elements of slot `slot` from the byte view `v` (bytes at slot*16). */
function loadElements(out: Int32Array, v: Uint8Array, slot: number, imm: number): void {
  const words = (imm & 1) !== 0;
  const signed = (imm & 2) !== 0;
  const base = slot * 16;
  if (words) {
    for (let i = 0; i < 8; i++) {
      const w = v[base + 2 * i] | (v[base + 2 * i + 1] << 8);
      out[i] = signed ? (w << 16) >> 16 : w;
    }
  } else {
    for (let i = 0; i < 16; i++) out[i] = signed ? (v[base + i] << 24) >> 24 : v[base + i];
  }
}

/** Length of an implicit (null-terminated) operand. */
function implicitLength(e: Int32Array, count: number): number {
  for (let i = 0; i < count; i++) if (e[i] === 0) return i;
  return count;
}

/** Saturated absolute value of an explicit length (EAX/EDX, or RAX/RDX as a number). */
export function explicitLength(len: number, count: number): number {
  const a = Math.abs(len);
  return a > count ? count : a;
}

/**
 * Runs the comparison of slots `a` (src1) and `b` (src2) in byte view `v`.
 * `len1`/`len2` are explicit lengths already saturated, or -1 for implicit
 * (null-terminated) operands. Fills `strResult`.
 */
export function compareStrings(
  v: Uint8Array,
  a: number,
  b: number,
  imm: number,
  len1: number,
  len2: number,
): void {
  const count = (imm & 1) !== 0 ? 8 : 16;
  loadElements(src1, v, a, imm);
  loadElements(src2, v, b, imm);
  const l1 = len1 < 0 ? implicitLength(src1, count) : len1;
  const l2 = len2 < 0 ? implicitLength(src2, count) : len2;
  const agg = (imm >> 2) & 3;
  let res = 0;
  for (let j = 0; j < count; j++) {
    let bit = false;
    const v2 = j < l2;
    switch (agg) {
      case 0: // equal any: src2[j] equals some valid src1[i]
        for (let i = 0; i < l1 && v2; i++) if (src1[i] === src2[j]) bit = true;
        break;
      case 1: // ranges: src1[i] <= src2[j] <= src1[i+1] for a valid pair
        for (let i = 0; i + 1 < count && v2; i += 2) {
          if (i + 1 < l1 && src1[i] <= src2[j] && src2[j] <= src1[i + 1]) bit = true;
          // An invalid src1 element forces false; a pair needs both valid.
        }
        break;
      case 2: {
        // equal each: both invalid → true, one invalid → false
        const v1 = j < l1;
        bit = v1 && v2 ? src1[j] === src2[j] : !v1 && !v2;
        break;
      }
      default: {
        // equal ordered: src1 (the needle) starts at src2[j]
        bit = true;
        for (let k = 0; k + j < count && bit; k++) {
          const n1 = k < l1;
          const n2 = j + k < l2;
          if (!n1) break; // needle exhausted: forced true
          if (!n2)
            bit = false; // text exhausted while the needle continues
          else if (src1[k] !== src2[j + k]) bit = false;
        }
      }
    }
    if (bit) res |= 1 << j;
  }
  const all = (1 << count) - 1;
  switch ((imm >> 4) & 3) {
    case 1:
      res = ~res & all;
      break;
    case 3:
      res ^= (1 << l2) - 1;
      break;
  }
  strResult.mask = res;
  strResult.count = count;
  strResult.cf = res !== 0;
  strResult.zf = l2 < count;
  strResult.sf = l1 < count;
  strResult.of = (res & 1) !== 0;
}

/** The PCMPxSTRI index: least or most significant set bit (imm8[6]), or the element count. */
export function resultIndex(imm: number): number {
  const m = strResult.mask;
  if (m === 0) return strResult.count;
  return (imm & 0x40) !== 0 ? 31 - Math.clz32(m) : 31 - Math.clz32(m & -m);
}
