/**
 * Test devices for the bus tests: a RAM-like region that logs every call the
 * bus makes, so tests can check both the values and how accesses were split.
 */
import type { AccessSize, BusValue, RegionSpec } from "../../src/hw/bus/index.js";

export interface LoggedCall {
  readonly device: string;
  readonly op: "read" | "write";
  readonly offset: number;
  readonly size: AccessSize;
  /** Written value (writes) or value returned (reads). */
  readonly value: BusValue;
  readonly vcpu: number;
}

export interface TestDevice {
  readonly spec: RegionSpec;
  /** The device's storage, little-endian. */
  readonly bytes: Uint8Array;
  readonly calls: LoggedCall[];
}

/** A byte-backed device taking `widths`; its contents start as `fill(i)` for byte i. */
export function testDevice(
  name: string,
  start: number,
  length: number,
  widths: readonly AccessSize[],
  options: { priority?: number; fill?: (i: number) => number; calls?: LoggedCall[] } = {},
): TestDevice {
  const bytes = new Uint8Array(length);
  const fill = options.fill ?? ((i: number) => (i * 7 + 1) & 0xff);
  for (let i = 0; i < length; i++) bytes[i] = fill(i);
  const calls: LoggedCall[] = options.calls ?? [];
  const spec: RegionSpec = {
    name,
    start,
    length,
    widths,
    priority: options.priority,
    read(offset, size, vcpu) {
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]);
      const value = size === 8 ? v : Number(v);
      calls.push({ device: name, op: "read", offset, size, value, vcpu });
      return value;
    },
    write(offset, size, value, vcpu) {
      calls.push({ device: name, op: "write", offset, size, value, vcpu });
      let v = BigInt(value);
      for (let i = 0; i < size; i++) {
        bytes[offset + i] = Number(v & 0xffn);
        v >>= 8n;
      }
    },
  };
  return { spec, bytes, calls };
}

/**
 * The calls as compact strings ("r1@0", "w4@4=0x11223344"; with `named`,
 * "dev:r1@0"), for readable assertions.
 */
export function summary(calls: readonly LoggedCall[], named = false): string[] {
  return calls.map((c) => {
    const access =
      c.op === "read"
        ? `r${c.size}@${c.offset}`
        : `w${c.size}@${c.offset}=0x${c.value.toString(16)}`;
    return named ? `${c.device}:${access}` : access;
  });
}

/** A small seeded PRNG (mulberry32), so randomized tests are reproducible. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
