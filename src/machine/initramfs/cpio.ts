/**
 * A writer for the "newc" cpio format (SVR4 with no CRC), the format the
 * Linux kernel unpacks as an initramfs (Documentation/driver-api/
 * early-userspace/buffer-format.rst). Each entry: a 110-byte ASCII header of
 * "070701" and thirteen 8-digit hex fields, the name with its NUL, padding
 * to 4 bytes, the data, padding to 4 bytes. The archive ends with an entry
 * named "TRAILER!!!".
 */

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

export interface CpioEntry {
  /** Path inside the archive, without a leading slash ("bin/busybox"). */
  readonly name: string;
  /** File type and permission bits (S_IFREG | 0o755, ...). */
  readonly mode: number;
  /** File contents, or the target for a symlink. */
  readonly data?: Uint8Array | string;
  /** Device number for character/block devices. */
  readonly rdev?: { major: number; minor: number };
}

const encoder = new TextEncoder();

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new RangeError(`cpio field out of range: ${n}`);
  return n.toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** Builds an uncompressed newc archive. Names must be unique, relative and NUL-free. */
export function buildCpio(entries: readonly CpioEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const seen = new Set<string>();
  const push = (b: Uint8Array) => {
    parts.push(b);
    total += b.length;
  };
  let ino = 1;
  const write = (e: CpioEntry) => {
    if (e.name.startsWith("/") || e.name.includes("\0") || e.name.length === 0) {
      throw new Error(`cpio: bad entry name '${e.name}'`);
    }
    if (seen.has(e.name)) throw new Error(`cpio: duplicate entry '${e.name}'`);
    seen.add(e.name);
    const data =
      typeof e.data === "string" ? encoder.encode(e.data) : (e.data ?? new Uint8Array(0));
    const name = encoder.encode(`${e.name}\0`);
    const isDir = (e.mode & 0o170000) === S_IFDIR;
    const fields = [
      ino++, // c_ino
      e.mode,
      0, // uid
      0, // gid
      isDir ? 2 : 1, // nlink
      0, // mtime: fixed, so archives are reproducible
      data.length,
      0, // devmajor
      0, // devminor
      e.rdev?.major ?? 0,
      e.rdev?.minor ?? 0,
      name.length,
      0, // check
    ];
    const header = encoder.encode(`070701${fields.map(hex8).join("")}`);
    push(header);
    push(name);
    push(new Uint8Array(pad4(header.length + name.length)));
    push(data);
    push(new Uint8Array(pad4(data.length)));
  };
  for (const e of entries) write(e);
  write({ name: "TRAILER!!!", mode: 0 });
  const out = new Uint8Array(total + pad4(total));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
