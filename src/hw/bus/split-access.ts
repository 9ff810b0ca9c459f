/**
 * The general (slow) path of an access: whatever the fast path in bus.ts
 * cannot pass straight to one device. The access is a byte range
 * `[address, address + size)`; its value lives in a little-endian byte array.
 *
 * 1. Straddling: the range is cut at segment boundaries, ascending. Each
 *    piece goes to the region holding it; bytes nobody holds are unclaimed
 *    (read as 0xff, dropped on write).
 * 2. Widths, per piece of `count` bytes at region offset `offset`:
 *    - if the device takes `count` bytes, one access (even if unaligned);
 *    - else, ascending, the largest accepted width that fits the remaining
 *      bytes and is naturally aligned (relative to the region start);
 *    - where none fits (the device only takes wider accesses), the aligned
 *      word of the device's smallest width that holds the bytes is read; for
 *      a write the bytes are merged into it and the word written back
 *      (read-modify-write: the device sees a read, then a write, of the whole
 *      word — a device whose reads have side effects should accept narrow
 *      widths itself).
 *    A widened word may include bytes that a higher-priority mapping hides;
 *    the device still sees its own bytes there.
 */
import type { FlatView } from "./flat-view.js";
import type { RegionTarget } from "./mapping.js";
import { isAccessSize, loadLE, storeLE, type AccessSize } from "./values.js";

/**
 * Performs a read (fills `bytes`) or write (sends `bytes`) of `bytes.length`
 * bytes at `address` through `view`. Returns true if any byte was unclaimed.
 */
export function accessBytes(
  view: FlatView,
  address: number,
  bytes: Uint8Array,
  write: boolean,
  vcpu: number,
): boolean {
  const end = address + bytes.length;
  let at = address;
  let unclaimed = false;
  while (at < end) {
    const index = view.find(at);
    if (index < 0) {
      const stop = Math.min(end, view.nextStart(at));
      if (!write) bytes.fill(0xff, at - address, stop - address);
      unclaimed = true;
      at = stop;
      continue;
    }
    const segment = view.segments[index];
    const stop = Math.min(end, segment.end);
    accessRegion(
      segment.region,
      at - segment.regionBase,
      bytes,
      at - address,
      stop - at,
      write,
      vcpu,
    );
    at = stop;
  }
  return unclaimed;
}

/** Sends `count` bytes of `bytes` from `pos` to `region` at `offset`, in widths it takes. */
function accessRegion(
  region: RegionTarget,
  offset: number,
  bytes: Uint8Array,
  pos: number,
  count: number,
  write: boolean,
  vcpu: number,
): void {
  if (isAccessSize(count) && region.accepts[count] === 1) {
    accessDirect(region, offset, count, bytes, pos, write, vcpu);
    return;
  }
  while (count > 0) {
    const width = largestAlignedWidth(region, offset, count);
    let done: number;
    if (width !== 0) {
      accessDirect(region, offset, width, bytes, pos, write, vcpu);
      done = width;
    } else {
      done = accessWidened(region, offset, count, bytes, pos, write, vcpu);
    }
    offset += done;
    pos += done;
    count -= done;
  }
}

/** The largest accepted width <= count that `offset` is aligned to; 0 if none. */
function largestAlignedWidth(region: RegionTarget, offset: number, count: number): AccessSize | 0 {
  for (const width of region.widthsDescending) {
    if (width <= count && offset % width === 0) return width;
  }
  return 0;
}

function accessDirect(
  region: RegionTarget,
  offset: number,
  width: AccessSize,
  bytes: Uint8Array,
  pos: number,
  write: boolean,
  vcpu: number,
): void {
  if (write) region.write(offset, width, loadLE(bytes, pos, width), vcpu);
  else storeLE(region.read(offset, width, vcpu), width, bytes, pos);
}

/**
 * Reads (and for a write, merges and writes back) the aligned word of the
 * region's smallest width that holds `offset`. Returns how many of the
 * `count` bytes it covered.
 */
function accessWidened(
  region: RegionTarget,
  offset: number,
  count: number,
  bytes: Uint8Array,
  pos: number,
  write: boolean,
  vcpu: number,
): number {
  const wide = region.minWidth;
  const wordOffset = offset - (offset % wide);
  const inWord = offset - wordOffset;
  const take = Math.min(count, wide - inWord);
  const word = new Uint8Array(wide);
  storeLE(region.read(wordOffset, wide, vcpu), wide, word, 0);
  if (write) {
    word.set(bytes.subarray(pos, pos + take), inWord);
    region.write(wordOffset, wide, loadLE(word, 0, wide), vcpu);
  } else {
    bytes.set(word.subarray(inWord, inWord + take), pos);
  }
  return take;
}
