/**
 * Device state descriptions: declare a device's state once, then save it as a
 * versioned section, load it back (refusing bad input before changing
 * anything), and show it as JSON. The section format is documented in
 * section.ts, the version rule in struct.ts, save/load in describe.ts.
 */
export { StateError, type StateErrorCode } from "./errors.js";
export type { Codec, JsonObject, JsonValue } from "./codec.js";
export { bool, f64, i16, i32, i64, i8, oneOf, u16, u32, u64, u8 } from "./scalars.js";
export type { BigIntRange, IntRange } from "./scalars.js";
export {
  bigInt64Array,
  bigUint64Array,
  bytes,
  float32Array,
  float64Array,
  int16Array,
  int32Array,
  int8Array,
  uint16Array,
  uint32Array,
  uint8Array,
  varBytes,
} from "./buffers.js";
export { array, list } from "./arrays.js";
export { struct, type FieldDef, type FieldDefs, type FieldSpec } from "./struct.js";
export {
  MAX_INSTANCE,
  MAX_SECTION_VERSION,
  isValidSectionName,
  readSection,
  walkSections,
  type SectionView,
} from "./section.js";
export {
  StateDescription,
  describe,
  type DecodedSection,
  type DescriptionSpec,
  type SaveOptions,
  type SectionInput,
} from "./describe.js";
