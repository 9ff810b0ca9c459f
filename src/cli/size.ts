/**
 * Sizes written the way QEMU writes them: a decimal number with an optional
 * one-letter binary suffix (B, K, M, G, T, P, E; any case), e.g. `512M`,
 * `2G`, `1.5G`. A number without a suffix is in `defaultUnit` (for `-m`, QEMU
 * reads a bare `512` as 512 MiB).
 */
import { UsageError } from "./cli-errors.js";

/** A size suffix: bytes, KiB, MiB, GiB, TiB, PiB, EiB. */
export type SizeUnit = "B" | "K" | "M" | "G" | "T" | "P" | "E";

const SUFFIX_SHIFT: ReadonlyMap<string, bigint> = new Map<SizeUnit, bigint>([
  ["B", 0n],
  ["K", 10n],
  ["M", 20n],
  ["G", 30n],
  ["T", 40n],
  ["P", 50n],
  ["E", 60n],
]);

/**
 * Parses a size into a whole number of bytes.
 * @param defaultUnit suffix assumed when none is written
 * @throws UsageError when the text is not a size, is not a whole number of
 *   bytes, or does not fit in a safe integer
 */
export function parseSize(text: string, flag: string, defaultUnit: SizeUnit): number {
  const match = /^([0-9]+)(?:\.([0-9]+))?([A-Za-z]?)$/.exec(text);
  if (match === null) {
    throw new UsageError(flag, `'${text}' is not a size (examples: 512M, 2G)`);
  }
  const [, whole, fraction = "", suffix] = match;
  const unit = suffix === "" ? defaultUnit : suffix.toUpperCase();
  const shift = SUFFIX_SHIFT.get(unit);
  if (shift === undefined) {
    throw new UsageError(
      flag,
      `unknown size suffix '${suffix}' in '${text}' (use B, K, M, G, T, P or E)`,
    );
  }
  // Exact arithmetic: 1.5G is (15 << 30) / 10 bytes, and must come out whole.
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) << shift;
  if (scaled % scale !== 0n) {
    throw new UsageError(flag, `'${text}' is not a whole number of bytes`);
  }
  const bytes = scaled / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(flag, `'${text}' is too large`);
  }
  return Number(bytes);
}

/** Writes a byte count the short way (`512M`, `1536K`), for messages and help. */
export function formatSize(bytes: number): string {
  for (const [suffix, shift] of [
    ["G", 30],
    ["M", 20],
    ["K", 10],
  ] as const) {
    const unit = 2 ** shift;
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return `${bytes}B`;
}
