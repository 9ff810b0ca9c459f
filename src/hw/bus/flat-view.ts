/**
 * Flattening. A bus's tree of mappings (regions, and child buses behind
 * windows, each with a priority) is rendered into a sorted list of disjoint
 * segments, each naming the one device region that answers there. Lookups
 * then never walk the tree: they binary-search the segments (MMIO) or index a
 * 65536-entry table (ports). This is the idea of QEMU's FlatView; the code and
 * the rule below are ours.
 *
 * The rule: on each bus, mappings are painted from the highest priority down,
 * and a mapping only fills addresses nobody above it has claimed. A child
 * bus's window claims only the addresses its own (flattened) contents claim,
 * so where the child has a hole, lower-priority mappings of the parent show
 * through — the way a PC's ISA bridge answers whatever no PCI device
 * decodes (the PCI spec's subtractive decoding).
 */
import type { BusMapping, RegionTarget } from "./mapping.js";

/** Addresses `[start, end)` are answered by `region`, at offset `address - regionBase`. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly region: RegionTarget;
  readonly regionBase: number;
}

/** Renders the enabled mappings of one bus (child buses through their own `render()`). */
export function renderMappings(mappings: readonly BusMapping[]): Segment[] {
  // Equal priorities never overlap (checked at placement), so their order is irrelevant.
  const byPriority = mappings.filter((m) => m.enabled).sort((a, b) => b.priority - a.priority);
  let covered: Segment[] = [];
  for (const m of byPriority) {
    const target = m.target;
    const pieces =
      target.kind === "region"
        ? [{ start: m.start, end: m.end, region: target, regionBase: m.start }]
        : windowOnto(target.child.render(), m.start, m.length, target.childBase ?? m.start);
    covered = paintUnder(covered, pieces);
  }
  return covered;
}

/**
 * The part of a child's segments visible through a window of `length` bytes
 * at parent address `start`, which shows child addresses from `childBase`;
 * translated to parent addresses.
 */
function windowOnto(
  child: readonly Segment[],
  start: number,
  length: number,
  childBase: number,
): Segment[] {
  const delta = start - childBase;
  const childEnd = childBase + length;
  const out: Segment[] = [];
  for (const seg of child) {
    if (seg.end <= childBase || seg.start >= childEnd) continue;
    out.push({
      start: Math.max(seg.start, childBase) + delta,
      end: Math.min(seg.end, childEnd) + delta,
      region: seg.region,
      regionBase: seg.regionBase + delta,
    });
  }
  return out;
}

/**
 * Merges `pieces` (sorted, disjoint) into `covered` (sorted, disjoint),
 * keeping only the parts of the pieces that `covered` does not already hold.
 */
function paintUnder(covered: readonly Segment[], pieces: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  let ci = 0;
  for (const piece of pieces) {
    let at = piece.start;
    while (at < piece.end) {
      while (ci < covered.length && covered[ci].end <= at) out.push(covered[ci++]);
      if (ci < covered.length && covered[ci].start <= at) {
        at = covered[ci].end; // already claimed from here on; skip past it
        continue;
      }
      const stop = ci < covered.length ? Math.min(piece.end, covered[ci].start) : piece.end;
      out.push(
        at === piece.start && stop === piece.end ? piece : { ...piece, start: at, end: stop },
      );
      at = stop;
    }
  }
  while (ci < covered.length) out.push(covered[ci++]);
  return out;
}

/** Lookup over a rendering: which segment holds an address. */
export class FlatView {
  readonly segments: readonly Segment[];
  private readonly starts: Float64Array;
  /** The last segment found: accesses tend to hit the same device again. */
  private lastHit = 0;

  constructor(segments: readonly Segment[]) {
    this.segments = segments;
    this.starts = Float64Array.from(segments, (s) => s.start);
  }

  /** Index of the segment holding `address`, or -1. */
  find(address: number): number {
    const segments = this.segments;
    const cached = segments[this.lastHit];
    if (cached !== undefined && address >= cached.start && address < cached.end) {
      return this.lastHit;
    }
    const i = this.lastStartAtOrBelow(address);
    if (i < 0 || address >= segments[i].end) return -1;
    this.lastHit = i;
    return i;
  }

  /** Start of the first segment beginning after `address`; Infinity if none. */
  nextStart(address: number): number {
    const i = this.lastStartAtOrBelow(address) + 1;
    return i < this.starts.length ? this.starts[i] : Infinity;
  }

  /** Fills a port table: `table[port]` = segment index, or -1. */
  fillTable(table: Int32Array): void {
    table.fill(-1);
    this.segments.forEach((s, i) => table.fill(i, s.start, Math.min(s.end, table.length)));
  }

  /** Binary search: the last index whose start is <= address, or -1. */
  private lastStartAtOrBelow(address: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= address) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
