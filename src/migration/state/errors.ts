/**
 * Errors of device state descriptions, saving and loading.
 *
 * Every refusal is a {@link StateError} that names the section (the device
 * model, e.g. "i8254") and, where one is at fault, the field path (e.g.
 * "channels[1].mode"), and carries a stable `code` so callers can tell a
 * version mismatch from a corrupt stream without parsing messages.
 */

export type StateErrorCode =
  | "unknown-version" // the stream is newer than this build knows
  | "old-version" // the stream is older than the description's minimum
  | "wrong-section" // the section belongs to another device model
  | "bad-header" // a section header is malformed
  | "truncated" // the data ends before the section or a field does
  | "trailing-bytes" // the payload is longer than its fields
  | "bad-length" // a length or count breaks the description
  | "bad-value" // a loaded value is out of its declared range
  | "bad-state" // a device's state breaks its own description (on save)
  | "bad-description"; // the description itself is inconsistent

export class StateError extends Error {
  readonly code: StateErrorCode;
  /** The section name (device model), or "" when not yet known. */
  readonly section: string;
  /** The field path at fault, e.g. "channels[1].mode"; "" for the whole section. */
  readonly field: string;
  /** The message without the section and field prefix. */
  readonly detail: string;

  constructor(code: StateErrorCode, section: string, field: string, detail: string) {
    const where = section === "" ? "state" : `state section "${section}"`;
    super(field === "" ? `${where}: ${detail}` : `${where}, field ${field}: ${detail}`);
    this.name = "StateError";
    this.code = code;
    this.section = section;
    this.field = field;
    this.detail = detail;
  }
}

/**
 * A problem found inside a field while encoding or decoding. Codecs throw it
 * without knowing where they sit; each enclosing struct or array adds its
 * path segment on the way out, and the section turns it into a StateError.
 * Internal to this folder.
 */
export class FieldFault extends Error {
  readonly code: StateErrorCode;
  readonly detail: string;
  /** Path segments, outermost first: "channels", "[1]", "mode". */
  readonly segments: string[] = [];

  constructor(code: StateErrorCode, detail: string) {
    super(detail);
    this.name = "FieldFault";
    this.code = code;
    this.detail = detail;
  }
}

/** Adds a path segment to a FieldFault passing through; rethrows anything else as is. */
export function rethrowWithSegment(error: unknown, segment: string): never {
  if (error instanceof FieldFault) error.segments.unshift(segment);
  throw error;
}

/** Joins path segments: keys with ".", indices ("[3]") glued to what precedes them. */
export function formatPath(segments: readonly string[]): string {
  let path = "";
  for (const segment of segments) {
    if (segment.startsWith("[") || path === "") path += segment;
    else path += `.${segment}`;
  }
  return path;
}

/** Converts a FieldFault to the public StateError for `section`; other errors pass through. */
export function toStateError(error: unknown, section: string): unknown {
  if (error instanceof FieldFault) {
    return new StateError(error.code, section, formatPath(error.segments), error.detail);
  }
  return error;
}
