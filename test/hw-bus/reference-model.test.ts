/**
 * Randomized check of the whole dispatch path against a brute-force model:
 * byte-backed devices of random widths, priorities and placements on a root
 * bus and a child bus; every access's bytes must match, byte by byte, what the
 * highest-priority claimant of each address holds (0xff where nobody does).
 * For RAM-like devices splitting and widening never change the bytes, so the
 * model can ignore widths entirely.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bus, BusConflictError, type AccessSize } from "../../src/hw/bus/index.js";
import { prng, testDevice, type TestDevice } from "./helpers.js";

const SPACE = 0x200; // a small window of the MMIO space, so regions collide often
const WIDTH_SETS: readonly (readonly AccessSize[])[] = [
  [1],
  [2],
  [4],
  [8],
  [1, 4],
  [2, 8],
  [1, 2, 4, 8],
];
const SIZES: readonly AccessSize[] = [1, 2, 4, 8];

interface Placed {
  readonly device: TestDevice;
  readonly start: number;
  readonly length: number;
  /** Priority path from the root: [window priority, region priority] for the child bus. */
  readonly rank: readonly number[];
}

function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`random layout ${seed}: every byte comes from the highest-priority claimant`, () => {
    const random = prng(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const root = new Bus({ name: "root", space: "mmio" });
    const child = new Bus({ name: "child", space: "mmio" });
    const windowStart = 0x80;
    const windowLength = 0x100;
    const windowPriority = 1;
    root.mount(child, { start: windowStart, length: windowLength, priority: windowPriority });
    const placed: Placed[] = [];
    for (let i = 0; i < 24; i++) {
      const widths = pick(WIDTH_SETS);
      const unit = Math.min(...widths);
      const length = unit * (1 + Math.floor(random() * 6));
      const start = Math.floor(random() * (SPACE - length));
      const priority = Math.floor(random() * 3);
      const onChild = random() < 0.4;
      const device = testDevice(`d${i}`, start, length, widths, {
        priority,
        fill: () => Math.floor(random() * 256),
      });
      try {
        (onChild ? child : root).register(device.spec);
      } catch (error) {
        if (error instanceof BusConflictError) continue;
        throw error;
      }
      if (!onChild) {
        placed.push({ device, start, length, rank: [priority] });
        continue;
      }
      const visibleStart = Math.max(start, windowStart);
      const visibleEnd = Math.min(start + length, windowStart + windowLength);
      if (visibleStart < visibleEnd) {
        placed.push({ device, start, length, rank: [windowPriority, priority] });
      }
    }
    const inWindow = (p: Placed, a: number) =>
      p.rank.length === 1 || (a >= windowStart && a < windowStart + windowLength);
    const expectedByte = (address: number): number => {
      let best: Placed | undefined;
      for (const p of placed) {
        if (address < p.start || address >= p.start + p.length || !inWindow(p, address)) continue;
        if (best === undefined || compareRank(p.rank, best.rank) > 0) best = p;
      }
      return best === undefined ? 0xff : best.device.bytes[address - best.start];
    };
    for (let i = 0; i < 400; i++) {
      const size = pick(SIZES);
      const address = Math.floor(random() * (SPACE - size));
      let expected = 0n;
      for (let b = size - 1; b >= 0; b--)
        expected = (expected << 8n) | BigInt(expectedByte(address + b));
      const got = root.read(address, size, 0);
      assert.equal(BigInt(got), expected, `read ${size} at 0x${address.toString(16)}`);
      // Writing back what was read must leave every device unchanged (RMW included).
      const before = placed.map((p) => [...p.device.bytes]);
      root.write(address, size, got, 0);
      assert.deepEqual(
        placed.map((p) => [...p.device.bytes]),
        before,
      );
    }
  });
}
