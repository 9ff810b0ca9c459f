/**
 * Shared pieces of the SSE groups: a random XMM/MXCSR state in the case's
 * FXSAVE image (lanes biased to floating-point edge values or to integer
 * edges), XMM/m128 operands, and the *dump*: the tester compares memory but
 * not XMM registers, so every SSE case ends by storing XMM0-7 into the two
 * 64-byte ends of the data area (offsets 0-3F and 1FC0-1FFF, which random
 * memory operands never use; CaseBuilder.dataOffset picks 40..1FBF).
 * MXCSR is compared through `compareFpu`.
 */
import type { CaseBuilder } from "../builder.js";
import { type Mem32, memText } from "../encoder.js";
import { FX_MXCSR, FX_XMM, writeU32 } from "../fxsave.js";
import { DATA_ADDR, DATA_SIZE, ESP } from "../layout.js";
import type { Rng } from "../rng.js";

/** Data-area offsets of the XMM dump: XMM0-3 at the start, XMM4-7 at the end. */
function dumpOffset(n: number): number {
  return n < 4 ? n * 16 : DATA_SIZE - 64 + (n - 4) * 16;
}

/** A single-precision bit pattern biased to edges: zeros, denormals, limits, NaNs, ties. */
export function singleBits(rng: Rng): number {
  const sign = rng.chance(0.5) ? 0x80000000 : 0;
  const exp = rng.pick([0, 0, 1, 2, 0x7e, 0x7f, 0x80, 0x96, 0x97, 0xfd, 0xfe, 0xff, rng.int(256)]);
  const frac = rng.pick([0, 1, 0x400000, 0x3fffff, 0x7fffff, 0x400001, rng.u32() & 0x7fffff]);
  return (sign | (exp << 23) | frac) >>> 0;
}

/** A double as two dwords [lo, hi], biased like `singleBits`. */
export function doubleBits(rng: Rng): [number, number] {
  const sign = rng.chance(0.5) ? 0x80000000 : 0;
  const exp = rng.pick([
    0,
    0,
    1,
    2,
    0x3fe,
    0x3ff,
    0x400,
    0x433,
    0x434,
    0x7fd,
    0x7fe,
    0x7ff,
    rng.int(0x800),
  ]);
  const top = rng.pick([0, 1, 0x80000, 0x7ffff, 0xfffff, rng.u32() & 0xfffff]);
  const lo = rng.pick([0, 1, 0xffffffff, 0x80000000, rng.u32()]);
  return [lo >>> 0, (sign | (exp << 20) | top) >>> 0];
}

/** Sixteen bytes of floating-point lanes (singles or doubles). */
export function floatLanes(rng: Rng, double: boolean): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 4; i += double ? 2 : 1) {
    if (double) {
      const [lo, hi] = doubleBits(rng);
      dv.setUint32(4 * i, lo, true);
      dv.setUint32(4 * i + 4, hi, true);
    } else {
      dv.setUint32(4 * i, singleBits(rng), true);
    }
  }
  // Sometimes make lane pairs related (equal values, ties after operations).
  if (rng.chance(0.2)) out.copyWithin(double ? 8 : 4, 0, double ? 8 : 4);
  return out;
}

/** Sixteen bytes of integer lanes biased to 0, -1, the signed limits. */
export function intLanes(rng: Rng): Uint8Array {
  const out = new Uint8Array(16);
  rng.fill(out);
  for (let i = 0; i < 16; i++) {
    if (rng.chance(0.25)) out[i] = rng.pick([0, 0xff, 0x80, 0x7f, 1]);
  }
  return out;
}

/**
 * Fills XMM0-7 of the image (`float`: float lanes, single or double at
 * random per register; else integer lanes), picks an MXCSR (random RC,
 * FTZ, DAZ; all exceptions masked unless `unmasked` hits) and turns on the
 * FPU comparison (which includes MXCSR).
 */
export function sseState(b: CaseBuilder, float: boolean, unmaskedChance = 0.05): void {
  const rng = b.rng;
  for (let i = 0; i < 8; i++) {
    b.fxsave.set(float ? floatLanes(rng, rng.chance(0.5)) : intLanes(rng), FX_XMM + 16 * i);
  }
  let mxcsr = 0x1f80 | (rng.int(4) << 13);
  if (rng.chance(0.25)) mxcsr |= 0x8000; // FTZ
  if (rng.chance(0.25)) mxcsr |= 0x40; // DAZ
  if (rng.chance(unmaskedChance)) mxcsr &= ~(rng.int(64) << 7);
  if (rng.chance(0.2)) mxcsr |= rng.int(64); // sticky flags already set
  writeU32(b.fxsave, FX_MXCSR, mxcsr);
  b.compareFpu = true;
  safeStack(b);
}

/**
 * Keeps the case's ESP out of the native runner's own image: when ESP
 * points into the runner's signal stack (it is loaded at 0x08048000) the
 * kernel takes the INT3 as a nested signal and kills the runner
 * ("overflowed sigaltstack"); ESP = 0 does the same. Any ESP outside them
 * works, and SSE instructions never use the stack, so such a value is
 * replaced by a fixed one. (The runner could use SS_AUTODISARM instead.)
 */
export function safeStack(b: CaseBuilder): void {
  const esp = b.gpr[ESP];
  if (esp === 0 || (esp >= 0x08000000 && esp < 0x09000000)) b.set(ESP, 0x7ffffff0);
}

/** Writes `bytes` into XMMn of the image. */
export function setXmm(b: CaseBuilder, n: number, bytes: Uint8Array): void {
  b.fxsave.set(bytes, FX_XMM + 16 * n);
}

/**
 * A 16-byte memory operand: 16-byte aligned when `aligned` (sometimes
 * deliberately not, when `misalign` allows: the aligned forms then fault).
 */
export function xmmMem(
  b: CaseBuilder,
  init: Uint8Array,
  aligned: boolean,
  misalign = 0.05,
): { mem: Mem32; text: string } {
  const offset = b.dataOffset(16, aligned ? 16 : 1) + (aligned && b.rng.chance(misalign) ? 8 : 0);
  const { mem } = b.mem(16, { offset, init });
  return { mem, text: memText(mem) };
}

/** Appends MOVDQU stores of XMM0-7 into the dump area (zeroed in the initial data). */
export function dumpXmm(b: CaseBuilder): void {
  b.poke(0, new Uint8Array(64));
  b.poke(DATA_SIZE - 64, new Uint8Array(64));
  for (let n = 0; n < 8; n++) {
    b.asm.byte(0xf3, 0x0f, 0x7f, 0x05 | (n << 3)).imm((DATA_ADDR + dumpOffset(n)) >>> 0, 4);
  }
}

/** "xmmN" / "mmN". */
export const xmm = (n: number): string => `xmm${n}`;
