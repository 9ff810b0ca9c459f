/**
 * One dirty bit per 4 KiB page of a backing (DESIGN.md, "Dirty logging by
 * range and by work").
 *
 * The bitmap lives with the backing, not with a slot, so replacing the memory
 * map while logging can never drop a dirty page: the bits do not move when
 * slots do. Bit `p` of the map is bit `p & 31` of word `p >>> 5`.
 *
 * The words are an Int32Array so that, when the backing sits in a
 * SharedArrayBuffer and vCPUs run in workers, setters can use `Atomics.or`
 * and the queries `Atomics.and`/`Atomics.exchange`: a page dirtied by another
 * thread between "read" and "clear" is never lost. The queries always use
 * Atomics (they also work on non-shared arrays); `mark` only when shared,
 * because it sits on the CPU's store path.
 */
import { HvError } from "../../errors.js";

export class DirtyBitmap {
  /** The raw words, for a CPU that wants to inline `words[p >>> 5] |= 1 << (p & 31)`. */
  readonly words: Int32Array;
  /** Number of pages covered. */
  readonly pages: number;
  /** True when `words` is backed by a SharedArrayBuffer (use Atomics to set bits). */
  readonly shared: boolean;

  constructor(pages: number, shared: boolean) {
    const wordCount = Math.ceil(pages / 32);
    const buffer = shared ? new SharedArrayBuffer(wordCount * 4) : new ArrayBuffer(wordCount * 4);
    this.words = new Int32Array(buffer);
    this.pages = pages;
    this.shared = shared;
  }

  /** Records a write to `page`. The caller guarantees `0 <= page < pages`. */
  mark(page: number): void {
    const bit = 1 << (page & 31);
    if (this.shared) Atomics.or(this.words, page >>> 5, bit);
    else this.words[page >>> 5] |= bit;
  }

  /** Marks `count` pages starting at `first` (a DMA write spanning pages). */
  markRange(first: number, count: number): void {
    for (let page = first; page < first + count; page++) this.mark(page);
  }

  /** Whether `page` is dirty, without clearing it. */
  isDirty(page: number): boolean {
    return (this.words[page >>> 5] & (1 << (page & 31))) !== 0;
  }

  /**
   * Returns the dirty pages in `[firstPage, endPage)`, ascending, and clears
   * exactly those bits (bits outside the range are untouched).
   */
  takeRange(firstPage: number, endPage: number): number[] {
    this.checkPage(firstPage, "first page");
    this.checkPage(endPage, "end page");
    const out: number[] = [];
    let page = firstPage;
    while (page < endPage) {
      const word = page >>> 5;
      const lowBit = page & 31;
      const bitsInWord = Math.min(32 - lowBit, endPage - page);
      const mask = bitsInWord === 32 ? -1 : ((1 << bitsInWord) - 1) << lowBit;
      if ((this.words[word] & mask) !== 0) {
        const taken = Atomics.and(this.words, word, ~mask) & mask;
        collectBits(taken, word << 5, out);
      }
      page += bitsInWord;
    }
    return out;
  }

  /**
   * Returns at most `maxPages` dirty pages at or after `startPage`, ascending,
   * clearing them. `next` is the page to continue from, or `undefined` when
   * the scan reached the end of the bitmap.
   */
  takeSome(startPage: number, maxPages: number): { pages: number[]; next: number | undefined } {
    this.checkPage(startPage, "continuation token");
    const out: number[] = [];
    let page = startPage;
    while (page < this.pages && out.length < maxPages) {
      const word = page >>> 5;
      const current = this.words[word] & (-1 << (page & 31));
      if (current === 0) {
        page = (word + 1) << 5;
        continue;
      }
      // Take bits from the lowest up until the budget is used; the rest stay set.
      let take = current;
      const room = maxPages - out.length;
      let kept = 0;
      for (let n = popcount(take); n > room; n--) {
        const highest = 31 - Math.clz32(take);
        take &= ~(1 << highest);
        kept = highest;
      }
      const taken = Atomics.and(this.words, word, ~take) & take;
      collectBits(taken, word << 5, out);
      page = kept !== 0 ? (word << 5) + kept : (word + 1) << 5;
    }
    return { pages: out, next: page < this.pages ? page : undefined };
  }

  /** Sets every bit (a migration's first pass treats all memory as dirty). */
  markAll(): void {
    for (let word = 0; word < this.words.length; word++) {
      const valid = Math.min(32, this.pages - (word << 5));
      const bits = valid === 32 ? -1 : (1 << valid) - 1;
      Atomics.or(this.words, word, bits);
    }
  }

  private checkPage(page: number, what: string): void {
    if (!Number.isInteger(page) || page < 0 || page > this.pages) {
      throw new HvError(
        "invalid-argument",
        `dirty log: ${what} ${page} is outside the backing's ${this.pages} pages`,
      );
    }
  }
}

/** Appends `base + i` for every set bit `i` of `bits`, lowest first. */
function collectBits(bits: number, base: number, out: number[]): void {
  while (bits !== 0) {
    const lowest = bits & -bits;
    out.push(base + 31 - Math.clz32(lowest));
    bits ^= lowest;
  }
}

function popcount(bits: number): number {
  let count = 0;
  while (bits !== 0) {
    bits &= bits - 1;
    count++;
  }
  return count;
}
