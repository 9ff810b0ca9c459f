/**
 * The section format: how one device's saved state is framed, so a stream of
 * sections can be walked, and each section identified or skipped, without
 * knowing the devices' descriptions.
 *
 * All integers are little-endian. A section is:
 *
 *   offset     size  field
 *   0          1     name length N (1..255)
 *   1          N     name: the device model ("i8254"), ASCII letters, digits
 *                    and . _ - : (first one a letter or digit)
 *   1+N        2     version (u16, 1..65535): the layout of the payload
 *   3+N        4     instance (u32): tells apart devices of the same model
 *                    (the machine assigns it, e.g. 0 and 1 for two UARTs)
 *   7+N        4     payload length L (u32)
 *   11+N       L     payload
 *
 * Sections follow one another with nothing in between. The payload is the
 * device's state struct as encoded by its description (struct.ts): the fields
 * present in that version, in declaration order; each scalar in its fixed
 * width, each bool one byte 0/1, each array, list or buffer a u32 count then
 * its elements, each nested struct its fields. There are no per-field tags:
 * the name and version fix the layout, and the payload length lets a loader
 * refuse a payload whose fields end early or late.
 */
import { ByteReader, type ByteWriter } from "./bytes.js";
import { FieldFault, StateError } from "./errors.js";

/** One section found in a byte stream. */
export interface SectionView {
  /** The device model the section belongs to. */
  readonly name: string;
  /** The payload's layout version. */
  readonly version: number;
  /** Which device of that model. */
  readonly instance: number;
  /** The payload bytes (a view into the stream, not a copy). */
  readonly payload: Uint8Array;
  /** Offset of the section's first header byte in the stream. */
  readonly start: number;
  /** Offset just past the payload: where the next section starts. */
  readonly end: number;
}

/** Fixed header bytes besides the name. */
const HEADER_FIXED_BYTES = 1 + 2 + 4 + 4;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;
export const MAX_SECTION_VERSION = 0xffff;
export const MAX_INSTANCE = 0xffff_ffff;

/** Whether `name` can be a section name. */
export function isValidSectionName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/**
 * Writes a section header with a zero payload length, and returns the offset
 * of that length so the caller can patch it once the payload is written.
 */
export function writeSectionHeader(
  out: ByteWriter,
  name: string,
  version: number,
  instance: number,
): number {
  if (!isValidSectionName(name)) {
    throw new StateError("bad-description", "", "", `invalid section name ${JSON.stringify(name)}`);
  }
  if (!Number.isInteger(instance) || instance < 0 || instance > MAX_INSTANCE) {
    throw new StateError("bad-state", name, "", `instance ${instance} is not a u32`);
  }
  out.u8(name.length);
  for (let i = 0; i < name.length; i++) out.u8(name.charCodeAt(i));
  out.u16(version);
  out.u32(instance);
  const lengthOffset = out.size;
  out.u32(0);
  return lengthOffset;
}

/**
 * Reads the section that starts at `offset` in `data`. Refuses ("bad-header",
 * "truncated") a malformed header or a payload that runs past the data.
 */
export function readSection(data: Uint8Array, offset = 0): SectionView {
  if (!Number.isInteger(offset) || offset < 0 || offset > data.length) {
    throw new StateError("bad-header", "", "", `offset ${offset} is outside the data`);
  }
  const input = new ByteReader(data.subarray(offset));
  let name = "";
  try {
    const nameLength = input.u8();
    if (nameLength === 0) throw new FieldFault("bad-header", "section name is empty");
    const nameBytes = input.bytes(nameLength);
    name = String.fromCharCode(...nameBytes);
    if (!isValidSectionName(name)) {
      const shown = JSON.stringify(name);
      name = "";
      throw new FieldFault("bad-header", `invalid section name ${shown} at offset ${offset}`);
    }
    if (input.remaining < HEADER_FIXED_BYTES - 1) {
      throw new FieldFault("truncated", `header ends after ${input.offset} bytes`);
    }
    const version = input.u16();
    if (version === 0) throw new FieldFault("bad-header", "version 0 is invalid");
    const instance = input.u32();
    const length = input.u32();
    if (length > input.remaining) {
      throw new FieldFault(
        "truncated",
        `payload of ${length} bytes but only ${input.remaining} remain`,
      );
    }
    const payloadStart = offset + input.offset;
    const end = payloadStart + length;
    return {
      name,
      version,
      instance,
      payload: data.subarray(payloadStart, end),
      start: offset,
      end,
    };
  } catch (error) {
    if (error instanceof FieldFault) {
      throw new StateError(error.code, name, "", error.detail);
    }
    throw error;
  }
}

/** Every section of a stream of back-to-back sections, in order. */
export function* walkSections(data: Uint8Array): Generator<SectionView> {
  let offset = 0;
  while (offset < data.length) {
    const section = readSection(data, offset);
    yield section;
    offset = section.end;
  }
}
