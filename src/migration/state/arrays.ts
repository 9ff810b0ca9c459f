/**
 * Array field types: `array` (a fixed number of elements) and `list` (up to a
 * declared maximum), of any element type, including structs.
 *
 * Wire form: a u32 element count, then the elements in order. For `array` the
 * count must equal the declared length; for `list` it must not exceed the
 * maximum. The count is also checked against the bytes left (each element
 * takes at least `minBytes`) before anything is allocated, so a hostile count
 * cannot make the monitor allocate a huge array.
 */
import type { ByteReader, ByteWriter } from "./bytes.js";
import { wrongType, type Codec } from "./codec.js";
import { FieldFault, StateError, rethrowWithSegment } from "./errors.js";

function checkBound(kind: string, bound: number): void {
  if (!Number.isInteger(bound) || bound < 0 || bound > 0x7fff_ffff) {
    throw new StateError("bad-description", "", "", `${kind} size ${bound} is invalid`);
  }
}

/** Elements shared by `array` and `list`; `checkCount` decides which counts are valid. */
function sequence<T>(
  kind: string,
  element: Codec<T>,
  fixedMinCount: number,
  checkCount: (count: number, code: "bad-state" | "bad-length") => void,
  zeroLength: number,
): Codec<T[]> {
  const encode = (value: T[], out: ByteWriter, version: number): void => {
    if (!Array.isArray(value)) wrongType(kind, "an array", value);
    checkCount(value.length, "bad-state");
    out.u32(value.length);
    for (let i = 0; i < value.length; i++) {
      try {
        element.encode(value[i], out, version);
      } catch (error) {
        rethrowWithSegment(error, `[${i}]`);
      }
    }
  };
  const decode = (input: ByteReader, version: number): T[] => {
    const count = input.u32();
    checkCount(count, "bad-length");
    const needed = count * element.minBytes(version);
    if (needed > input.remaining) {
      throw new FieldFault(
        "truncated",
        `${kind} of ${count} elements needs at least ${needed} bytes but only ${input.remaining} remain`,
      );
    }
    const result: T[] = [];
    for (let i = 0; i < count; i++) {
      try {
        result.push(element.decode(input, version));
      } catch (error) {
        rethrowWithSegment(error, `[${i}]`);
      }
    }
    return result;
  };
  return {
    kind,
    encode,
    decode,
    zero: () => Array.from({ length: zeroLength }, () => element.zero()),
    neededVersion: (value) => {
      if (!Array.isArray(value)) wrongType(kind, "an array", value);
      let needed = 1;
      for (const item of value) needed = Math.max(needed, element.neededVersion(item));
      return needed;
    },
    minBytes: (version) => 4 + fixedMinCount * element.minBytes(version),
    apply: (current, fresh) => {
      if (!Array.isArray(current)) return fresh;
      const target = current as T[];
      target.length = fresh.length;
      for (let i = 0; i < fresh.length; i++) target[i] = element.apply(target[i], fresh[i]);
      return target;
    },
    toJSON: (value) => value.map((item) => element.toJSON(item)),
    checkDescription: (minVersion, version) => element.checkDescription(minVersion, version),
  };
}

/**
 * Exactly `length` elements of `element` (a JavaScript array). Loading a stream
 * with another count is refused ("bad-length").
 */
export function array<T>(element: Codec<T>, length: number): Codec<T[]> {
  const kind = `${element.kind}[${length}]`;
  checkBound(kind, length);
  return sequence(
    kind,
    element,
    length,
    (count, code) => {
      if (count !== length) {
        const where = code === "bad-length" ? " in the stream" : "";
        throw new FieldFault(code, `${kind} has ${count} elements${where}, not ${length}`);
      }
    },
    length,
  );
}

/**
 * Between 0 and `maxLength` elements of `element`. A longer list is refused on
 * save ("bad-state") and on load ("bad-length"). Its zero value is empty.
 */
export function list<T>(element: Codec<T>, maxLength: number): Codec<T[]> {
  const kind = `list<${element.kind}, max ${maxLength}>`;
  checkBound(kind, maxLength);
  return sequence(
    kind,
    element,
    0,
    (count, code) => {
      if (count > maxLength) {
        throw new FieldFault(code, `${kind} has ${count} elements, more than ${maxLength}`);
      }
    },
    0,
  );
}
