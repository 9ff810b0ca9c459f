/**
 * QEMU's `key=value,key=value` option syntax, as used by `-device`, `-drive`,
 * `-machine`, `-smp`, `-m` and the `unix:` character device:
 *
 * - Options are separated by `,`. Inside a value, `,,` stands for one `,`
 *   (names cannot contain `,` or `=`).
 * - Some flags have an implied first key: `-device e1000` means
 *   `driver=e1000`, `-m 512` means `size=512`. It applies only to the first
 *   option, and only when that option has no `=`.
 * - Any other option without `=` is a boolean flag: `server` means
 *   `server=on` and `nowait` means `wait=off`.
 * - A trailing `,` is allowed.
 */
import { UsageError } from "./cli-errors.js";

/** One parsed option, in command-line order. */
export type OptionEntry = [key: string, value: string];

/**
 * Splits `text` into ordered `[key, value]` pairs.
 * @param flag the flag being parsed, named in error messages
 * @param impliedKey the key of a first option written without `key=`
 * @throws UsageError on an empty option name
 */
export function parseOptionList(text: string, flag: string, impliedKey?: string): OptionEntry[] {
  const entries: OptionEntry[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nameEnd = findNameEnd(text, pos);
    let entry: OptionEntry;
    if (text[nameEnd] === "=") {
      const value = readValue(text, nameEnd + 1);
      entry = [text.slice(pos, nameEnd), value.text];
      pos = value.end;
    } else if (entries.length === 0 && impliedKey !== undefined) {
      const value = readValue(text, pos);
      entry = [impliedKey, value.text];
      pos = value.end;
    } else {
      const name = text.slice(pos, nameEnd);
      entry = name.startsWith("no") && name.length > 2 ? [name.slice(2), "off"] : [name, "on"];
      pos = nameEnd;
    }
    if (entry[0] === "") {
      throw new UsageError(flag, `empty option name in '${text}'`);
    }
    entries.push(entry);
    pos += 1; // past the ',' (or past the end)
  }
  return entries;
}

/** Index of the first `=` or `,` at or after `from`, or the text's length. */
function findNameEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "=" || text[i] === ",") return i;
  }
  return text.length;
}

/** Reads a value starting at `from` up to a single `,`, undoing `,,` escapes. */
function readValue(text: string, from: number): { text: string; end: number } {
  let value = "";
  let pos = from;
  while (true) {
    const comma = text.indexOf(",", pos);
    if (comma < 0) return { text: value + text.slice(pos), end: text.length };
    if (text[comma + 1] !== ",") return { text: value + text.slice(pos, comma), end: comma };
    value += text.slice(pos, comma + 1);
    pos = comma + 2;
  }
}

/**
 * Turns entries into a map, refusing keys not in `allowed` and keys given
 * twice in the same option string.
 */
export function toOptionMap(
  entries: readonly OptionEntry[],
  flag: string,
  allowed: readonly string[],
): Map<string, string> {
  const map = new Map<string, string>();
  for (const [key, value] of entries) {
    if (!allowed.includes(key)) {
      throw new UsageError(flag, `unknown option '${key}' (expected ${allowed.join(", ")})`);
    }
    if (map.has(key)) throw new UsageError(flag, `option '${key}' given twice`);
    map.set(key, value);
  }
  return map;
}

const TRUE_WORDS = ["on", "yes", "true", "y"];
const FALSE_WORDS = ["off", "no", "false", "n"];

/** Parses a QEMU boolean (`on`/`off`, `yes`/`no`, `true`/`false`, `y`/`n`). */
export function parseBoolean(value: string, flag: string, key: string): boolean {
  if (TRUE_WORDS.includes(value)) return true;
  if (FALSE_WORDS.includes(value)) return false;
  throw new UsageError(flag, `'${key}' must be on or off, not '${value}'`);
}

/** Parses a positive decimal integer no larger than `max`. */
export function parsePositiveInteger(
  value: string,
  flag: string,
  key: string,
  max: number,
): number {
  if (!/^[0-9]+$/.test(value)) {
    throw new UsageError(flag, `'${key}' must be a positive integer, not '${value}'`);
  }
  const n = Number(value);
  if (n === 0) throw new UsageError(flag, `'${key}' must be at least 1`);
  if (n > max) throw new UsageError(flag, `'${key}' must be at most ${max}, not ${value}`);
  return n;
}
