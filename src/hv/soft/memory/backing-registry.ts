/**
 * A Vm's backings, in a dense list whose index is the backing's `id` (the
 * index that map entries carry, see physical-table.ts), plus the hook the
 * CPU uses to keep translated code coherent with writes.
 *
 * Code-write protocol (self-modifying code and code loaded by DMA):
 *  1. When the CPU translates code from a page, it sets
 *     `backing.codePages[page] = 1`.
 *  2. Any write to a page whose byte is non-zero — a DMA write through
 *     GuestMemory, or a CPU store (the CPU checks the byte itself and calls
 *     `codePageWritten`) — clears the byte, then calls every listener with
 *     `(backingIndex, page)`, after the bytes were written.
 *  3. A listener drops every translation built from that page; the CPU sets
 *     the byte again when it translates the page again.
 * Pages are backing pages, so aliases of one backing share one byte.
 */
import { HvError } from "../../errors.js";
import type { MemoryBacking } from "../../memory.js";
import { SoftBacking, type BackingOptions } from "./backing.js";
import { MAX_BACKINGS } from "./physical-table.js";

/** Called after a write hit a page that holds translated code. */
export type CodeWriteListener = (backingIndex: number, page: number) => void;

export class BackingRegistry {
  /** Dense: `list[i].id === i`. Append-only for the Vm's life. */
  readonly list: SoftBacking[] = [];
  private readonly listeners: CodeWriteListener[] = [];

  /** Allocates a zero-filled backing and gives it the next index. */
  allocate(name: string, size: number, options: BackingOptions): SoftBacking {
    if (this.list.length >= MAX_BACKINGS) {
      throw new HvError(
        "no-memory",
        `cannot allocate guest memory "${name}": a Vm has at most ${MAX_BACKINGS} backings`,
      );
    }
    const backing = new SoftBacking(this, this.list.length, name, size, options);
    this.list.push(backing);
    return backing;
  }

  /** Whether `backing` was allocated by this registry (i.e. belongs to this Vm). */
  owns(backing: MemoryBacking): backing is SoftBacking {
    return (
      backing instanceof SoftBacking && backing.owner === this && this.list[backing.id] === backing
    );
  }

  /**
   * Registers a code-write listener (the CPU's translation cache). Returns a
   * function that unregisters it.
   */
  addCodeWriteListener(listener: CodeWriteListener): () => void {
    if (typeof listener !== "function") {
      throw new HvError("invalid-argument", "code-write listener must be a function");
    }
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /**
   * Records that `page` of backing `backingIndex` was written while its
   * code byte was set: clears the byte and notifies every listener. If a
   * listener throws, the others still run and the first error is rethrown.
   */
  codePageWritten(backingIndex: number, page: number): void {
    this.list[backingIndex].codePages[page] = 0;
    let failure: unknown = undefined;
    let failed = false;
    for (const listener of this.listeners.slice()) {
      try {
        listener(backingIndex, page);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
    if (failed) throw failure;
  }

  /**
   * Bookkeeping after bytes were written to `count` pages of a backing,
   * starting at `firstPage`: dirty bits (if the slot logs) and code
   * invalidation. Used by GuestMemory; the CPU may use it or inline it.
   */
  noteWrite(backingIndex: number, firstPage: number, count: number, dirtyLog: boolean): void {
    const backing = this.list[backingIndex];
    if (dirtyLog) backing.dirty.markRange(firstPage, count);
    for (let page = firstPage; page < firstPage + count; page++) {
      if (backing.codePages[page] !== 0) this.codePageWritten(backingIndex, page);
    }
  }
}
