/**
 * Test helpers: build section bytes by hand (independently of the library's
 * writer), so tests can check the documented format and feed crafted input.
 */

/** Little-endian bytes of an unsigned integer of `size` bytes. */
export function le(value: number | bigint, size: number): number[] {
  let v = BigInt(value);
  if (v < 0n) v += 1n << BigInt(size * 8);
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** A section as section.ts documents it: name length, name, u16 version, u32 instance, u32 length, payload. */
export function sectionBytes(
  name: string,
  version: number,
  payload: readonly number[],
  instance = 0,
): Uint8Array {
  return Uint8Array.from([
    name.length,
    ...Array.from(name, (c) => c.charCodeAt(0)),
    ...le(version, 2),
    ...le(instance, 4),
    ...le(payload.length, 4),
    ...payload,
  ]);
}

/** The payload of a section made of one field: skips the header of `section`. */
export function payloadOf(section: Uint8Array): number[] {
  const nameLength = section[0];
  return Array.from(section.subarray(1 + nameLength + 10));
}
