/**
 * The decoded-block cache. A block is a run of decoded instructions starting
 * at one physical code address, ending at a control transfer or mode change
 * (F_ENDS_BLOCK), at the end of the page, or after MAX_BLOCK_INSNS.
 *
 * Blocks are keyed by *host* location — (backing index, byte offset in the
 * backing) — so aliases of the same RAM share blocks, and invalidation
 * follows the memory module's code-write protocol (memory/backing-registry.ts):
 * building a block sets the backing's code byte for its page; a write to such
 * a page (CPU store or DMA) calls `invalidatePage`, which drops every block
 * of the page. Instructions that cross a page are never cached (exec.ts
 * decodes them one at a time), so a block depends on exactly one page.
 *
 * Decoding also depends on the code size (CS.D, and 64-bit mode): a block
 * remembers its `CodeMode` and is rebuilt when executed in another one.
 */
import type { Cpu } from "./cpu.js";
import { Decoded } from "./decoded.js";
import { CodeReader, decode, OUT_OF_BYTES } from "./decoder.js";
import { F_ENDS_BLOCK } from "./ops.js";

/** How code is decoded: 16-bit, 32-bit (CS.D) or 64-bit mode. */
export const CODE16 = 0;
export const CODE32 = 1;
export const CODE64 = 2;

/** The code mode the CPU decodes in now. */
export function codeMode(cpu: Cpu): number {
  return cpu.mode64 ? CODE64 : cpu.code32 ? CODE32 : CODE16;
}

/** Upper bound of instructions per block (bounds the latency of interrupts and kicks). */
export const MAX_BLOCK_INSNS = 64;
/**
 * Cached blocks before the whole cache is dropped: a guest that jumps to
 * every byte of its memory must not make the monitor's heap grow without bound.
 */
export const MAX_CACHED_BLOCKS = 1 << 17;
const PAGE = 4096;
/** 2^32: keys are backingIndex * 2^32 + offset. */
const BACKING_STRIDE = 0x100000000;

/** Size of the direct-mapped front cache (a power of two). */
const RECENT_SIZE = 8192;

function recentSlot(offset: number): number {
  return (offset ^ (offset >>> 13)) & (RECENT_SIZE - 1);
}

export class Block {
  /** The instructions, `count` of them. */
  readonly insns: Decoded[] = [];
  count = 0;
  /** Bytes covered by the instructions. */
  byteLength = 0;
  /** False once invalidated (a stale reference must not run again). */
  valid = true;

  constructor(
    /** backingIndex * 2^32 + byte offset of the first instruction in the backing. */
    readonly key: number,
    /** CODE16/CODE32/CODE64: the mode the block was decoded in. */
    readonly mode: number,
  ) {}
}

export class BlockCache {
  private readonly byKey = new Map<number, Block>();
  /** Blocks per (backingIndex * 2^20 + page), for invalidation. */
  private readonly byPage = new Map<number, Block[]>();
  private readonly reader = new CodeReader();
  /** Direct-mapped front cache of `byKey` (a hit costs no hashing). */
  private readonly recent: (Block | null)[] = new Array<Block | null>(RECENT_SIZE).fill(null);
  /** Number of blocks built (statistics, tests). */
  built = 0;
  /** Number of blocks invalidated by code writes (statistics, tests). */
  invalidated = 0;

  /** The cached block at (backing, offset) decoded in code mode `mode`, or undefined. */
  find(backing: number, offset: number, mode: number): Block | undefined {
    const key = backing * BACKING_STRIDE + offset;
    const slot = recentSlot(offset);
    const recent = this.recent[slot];
    if (recent !== null && recent.key === key && recent.mode === mode && recent.valid) {
      return recent;
    }
    const block = this.byKey.get(key);
    if (block === undefined || block.mode !== mode) return undefined;
    this.recent[slot] = block;
    return block;
  }

  /**
   * Decodes and caches a block starting at byte `offset` of backing
   * `backing`, using at most `maxBytes` bytes (the CS limit). Returns null
   * when not even the first instruction fits (it crosses the page or the
   * limit): the caller then decodes it alone.
   */
  build(cpu: Cpu, backing: number, offset: number, maxBytes: number, mode: number): Block | null {
    const backingObj = cpu.physical.backings[backing];
    const bytes = backingObj.bytes;
    const pageEnd = offset - (offset % PAGE) + PAGE;
    const limit = Math.min(pageEnd, offset + maxBytes);
    const key = backing * BACKING_STRIDE + offset;
    const block = new Block(key, mode);
    const r = this.reader;
    let pos = offset;
    while (block.count < MAX_BLOCK_INSNS && pos < limit) {
      const d = new Decoded();
      r.setBlock(bytes, pos, limit);
      try {
        decode(r, d, mode !== CODE16, mode === CODE64);
      } catch (e) {
        if (e === OUT_OF_BYTES) break;
        throw e;
      }
      block.insns.push(d);
      block.count++;
      pos += d.length;
      if ((d.flags & F_ENDS_BLOCK) !== 0) break;
    }
    if (block.count === 0) return null;
    if (this.byKey.size >= MAX_CACHED_BLOCKS) this.clear();
    block.byteLength = pos - offset;
    const page = (offset - (offset % PAGE)) / PAGE;
    backingObj.codePages[page] = 1;
    this.byKey.set(key, block);
    this.recent[recentSlot(offset)] = block;
    const pageKey = backing * 0x100000 + page;
    const list = this.byPage.get(pageKey);
    if (list === undefined) this.byPage.set(pageKey, [block]);
    else list.push(block);
    this.built++;
    return block;
  }

  /** Drops every block built from `page` of backing `backing` (code-write listener). */
  invalidatePage(cpu: Cpu, backing: number, page: number): void {
    const pageKey = backing * 0x100000 + page;
    const list = this.byPage.get(pageKey);
    if (list === undefined) return;
    this.byPage.delete(pageKey);
    for (const block of list) {
      block.valid = false;
      if (this.byKey.get(block.key) === block) this.byKey.delete(block.key);
      this.invalidated++;
    }
    // The running block may be one of them: stop after the current instruction.
    cpu.blockStop = 1;
  }

  /** Drops everything (reset, state restore). */
  clear(): void {
    for (const list of this.byPage.values()) for (const b of list) b.valid = false;
    this.byKey.clear();
    this.byPage.clear();
    this.recent.fill(null);
  }

  /** Number of cached blocks. */
  get size(): number {
    return this.byKey.size;
  }
}
