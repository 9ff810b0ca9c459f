/**
 * The few AML encodings the DSDT needs (ACPI 6.5, chapter 20, "ACPI Machine
 * Language Specification"). Not a compiler: just byte builders for names,
 * packages, integers and scopes, which is all a legacy-free PC's DSDT uses.
 */

const ZERO_OP = 0x00;
const ONE_OP = 0x01;
const NAME_OP = 0x08;
const BYTE_PREFIX = 0x0a;
const WORD_PREFIX = 0x0b;
const DWORD_PREFIX = 0x0c;
const STRING_PREFIX = 0x0d;
const PACKAGE_OP = 0x12;
const SCOPE_OP = 0x10;
const DEVICE_OP = [0x5b, 0x82];
const ONES_OP = 0xff;

function concat(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * PkgLength (20.2.4): the length of the package including the PkgLength
 * bytes themselves, in 1 to 4 bytes.
 */
export function pkgLength(contentLength: number): Uint8Array {
  for (let n = 1; n <= 4; n++) {
    const total = contentLength + n;
    if (n === 1 && total < 0x40) return new Uint8Array([total]);
    if (n > 1 && total < 1 << (4 + 8 * (n - 1))) {
      const bytes = [((n - 1) << 6) | (total & 0x0f)];
      for (let i = 1; i < n; i++) bytes.push((total >> (4 + 8 * (i - 1))) & 0xff);
      return new Uint8Array(bytes);
    }
  }
  throw new RangeError(`AML package too long: ${contentLength}`);
}

/** A NameSeg or a rooted/plain NameString of dotted 4-character segments ("\\_SB_.PCI0"). */
export function nameString(path: string): Uint8Array {
  const rooted = path.startsWith("\\");
  const segs = (rooted ? path.slice(1) : path).split(".").filter((s) => s.length > 0);
  for (const s of segs) {
    if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(s)) throw new Error(`AML: bad name segment '${s}'`);
  }
  const padded = segs.map((s) => s.padEnd(4, "_"));
  const prefix = rooted ? [0x5c] : [];
  const bytes = (s: string) => [...s].map((c) => c.charCodeAt(0));
  if (padded.length === 0) return new Uint8Array([...prefix, 0x00]);
  if (padded.length === 1) return new Uint8Array([...prefix, ...bytes(padded[0])]);
  if (padded.length === 2) return new Uint8Array([...prefix, 0x2e, ...padded.flatMap(bytes)]);
  return new Uint8Array([...prefix, 0x2f, padded.length, ...padded.flatMap(bytes)]);
}

/** The smallest encoding of an integer constant. */
export function integer(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`AML integer ${v}`);
  if (v === 0) return new Uint8Array([ZERO_OP]);
  if (v === 1) return new Uint8Array([ONE_OP]);
  if (v === 0xffffffff) return new Uint8Array([ONES_OP]);
  if (v <= 0xff) return new Uint8Array([BYTE_PREFIX, v]);
  if (v <= 0xffff) return new Uint8Array([WORD_PREFIX, v & 0xff, v >> 8]);
  return new Uint8Array([DWORD_PREFIX, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24]);
}

export function string(s: string): Uint8Array {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0x7f) throw new Error("AML strings are ASCII without NUL");
  }
  return concat([[STRING_PREFIX], [...s].map((c) => c.charCodeAt(0)), [0]]);
}

/** EISA ID encoding of a PNP ID such as "PNP0501" (compressed 3 letters + 4 hex digits). */
export function eisaId(id: string): Uint8Array {
  if (!/^[A-Z]{3}[0-9A-F]{4}$/.test(id)) throw new Error(`AML: bad EISA id '${id}'`);
  const c = (i: number) => id.charCodeAt(i) - 0x40;
  const hi = (c(0) << 10) | (c(1) << 5) | c(2);
  const lo = parseInt(id.slice(3), 16);
  // Stored big-endian as a DWORD: vendor in the first two bytes, product after.
  const v = ((hi >> 8) | ((hi & 0xff) << 8) | ((lo >> 8) << 16) | ((lo & 0xff) << 24)) >>> 0;
  return concat([[DWORD_PREFIX], [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24]]);
}

export function name(path: string, value: Uint8Array): Uint8Array {
  return concat([[NAME_OP], nameString(path), value]);
}

export function pkg(elements: readonly Uint8Array[]): Uint8Array {
  if (elements.length > 255) throw new RangeError("AML package with more than 255 elements");
  const content = concat([[elements.length], ...elements]);
  return concat([[PACKAGE_OP], pkgLength(content.length), content]);
}

export function scope(path: string, body: readonly Uint8Array[]): Uint8Array {
  const content = concat([nameString(path), ...body]);
  return concat([[SCOPE_OP], pkgLength(content.length), content]);
}

export function device(path: string, body: readonly Uint8Array[]): Uint8Array {
  const content = concat([nameString(path), ...body]);
  return concat([DEVICE_OP, pkgLength(content.length), content]);
}

export { concat as amlConcat };
