/**
 * Structs: a set of named fields, each with its own type, the section version
 * it appeared in (`since`), a default for older streams, and an optional
 * `neededIf` rule. A device's whole state is a struct (see describe.ts);
 * structs nest and may be array or list elements.
 *
 * Wire form: the fields whose `since` is at most the section's version, in
 * the order they are declared, with nothing between them. Declaration order is
 * therefore part of the format: append new fields, never reorder.
 *
 * Version rule (DESIGN.md, "a device writes the lowest version that can hold
 * its state"): the version a struct needs is the largest `since` among its
 * fields that are needed, and among what their own values need. A field
 * without `neededIf` is always needed. A field with `neededIf` is needed only
 * when `neededIf(struct)` returns true; when it returns false the device
 * promises that loading the field's default instead gives an equivalent
 * state, so a stream of an older version, which lacks the field, is enough.
 */
import { ByteWriter } from "./bytes.js";
import { wrongType, type Codec, type JsonObject } from "./codec.js";
import { FieldFault, StateError, rethrowWithSegment } from "./errors.js";

/** A field with options. A bare codec is the same as `{ codec }`. */
export interface FieldSpec<S, T> {
  /** The field's type. */
  readonly codec: Codec<T>;
  /** The section version in which the field appeared; 1 when omitted. */
  readonly since?: number;
  /** What loading a stream older than `since` puts here; the type's zero value when omitted. */
  readonly default?: T;
  /**
   * Whether the field is needed for this state of the enclosing struct. When
   * false, the field does not raise the version written. Allowed only on
   * fields newer than the minimum version (older ones are in every stream).
   */
  readonly neededIf?: (state: S) => boolean;
}

/** One field's declaration: a codec, or a codec with options. */
export type FieldDef<S, T> = Codec<T> | FieldSpec<S, T>;

/**
 * The fields of a struct of type `S`: every key of `S`, each with a codec of
 * exactly that key's type. Missing, extra or mistyped fields do not compile.
 */
export type FieldDefs<S> = { [K in keyof S]-?: FieldDef<S, S[K]> };

interface CompiledField {
  readonly key: string;
  readonly codec: Codec<unknown>;
  readonly since: number;
  readonly declaredDefault: { readonly value: unknown } | undefined;
  readonly neededIf: ((state: unknown) => boolean) | undefined;
}

function compileField(key: string, def: FieldDef<unknown, unknown>): CompiledField {
  const spec: FieldSpec<unknown, unknown> = "codec" in def ? def : { codec: def };
  return {
    key,
    codec: spec.codec,
    since: spec.since ?? 1,
    declaredDefault: "default" in spec ? { value: spec.default } : undefined,
    neededIf: spec.neededIf,
  };
}

/** A fresh copy of a field's default: loaded states never share objects with the description. */
function defaultOf(field: CompiledField): unknown {
  return field.declaredDefault === undefined
    ? field.codec.zero()
    : structuredClone(field.declaredDefault.value);
}

/** Checks one field against the section's versions; throws FieldFault("bad-description"). */
function checkField(field: CompiledField, minVersion: number, version: number): void {
  const { since } = field;
  if (!Number.isInteger(since) || since < 1 || since > version) {
    throw new FieldFault("bad-description", `since ${since} is outside 1..${version}`);
  }
  if (field.neededIf !== undefined && since <= minVersion) {
    throw new FieldFault(
      "bad-description",
      `neededIf is meaningless on a field since ${since}: every loadable version (${minVersion}..) has it`,
    );
  }
  if (field.declaredDefault !== undefined) {
    try {
      field.codec.encode(field.declaredDefault.value, new ByteWriter(), version);
    } catch (error) {
      if (!(error instanceof FieldFault)) throw error;
      throw new FieldFault("bad-description", `default is invalid: ${error.detail}`);
    }
  }
  field.codec.checkDescription(minVersion, version);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A struct of type `S` made of `fields`, in declaration order. Give `S`
 * explicitly (`struct<Channel>({...})`) so every field is checked against it.
 */
export function struct<S extends object>(fields: FieldDefs<S>): Codec<S> {
  const compiled: CompiledField[] = [];
  for (const [key, def] of Object.entries(fields)) {
    // Integer-like keys would be enumerated before the others, whatever the
    // declaration order, silently changing the wire order.
    if (/^(0|[1-9][0-9]*)$/.test(key)) {
      throw new StateError("bad-description", "", key, "field names must not be integers");
    }
    compiled.push(compileField(key, def as FieldDef<unknown, unknown>));
  }

  return {
    kind: "struct",
    encode: (value, out, version) => {
      if (!isObject(value)) wrongType("struct", "an object", value);
      for (const field of compiled) {
        if (field.since > version) continue;
        try {
          field.codec.encode(value[field.key], out, version);
        } catch (error) {
          rethrowWithSegment(error, field.key);
        }
      }
    },
    decode: (input, version) => {
      const result: Record<string, unknown> = {};
      for (const field of compiled) {
        if (field.since > version) {
          result[field.key] = defaultOf(field);
          continue;
        }
        try {
          result[field.key] = field.codec.decode(input, version);
        } catch (error) {
          rethrowWithSegment(error, field.key);
        }
      }
      return result as S;
    },
    zero: () => {
      const result: Record<string, unknown> = {};
      for (const field of compiled) result[field.key] = defaultOf(field);
      return result as S;
    },
    neededVersion: (value) => {
      if (!isObject(value)) wrongType("struct", "an object", value);
      let needed = 1;
      for (const field of compiled) {
        try {
          if (field.neededIf !== undefined && !field.neededIf(value)) continue;
          needed = Math.max(needed, field.since, field.codec.neededVersion(value[field.key]));
        } catch (error) {
          rethrowWithSegment(error, field.key);
        }
      }
      return needed;
    },
    minBytes: (version) => {
      let total = 0;
      for (const field of compiled) {
        if (field.since <= version) total += field.codec.minBytes(version);
      }
      return total;
    },
    apply: (current, fresh) => {
      if (!isObject(current)) return fresh;
      const source = fresh as Record<string, unknown>;
      for (const field of compiled) {
        current[field.key] = field.codec.apply(current[field.key], source[field.key]);
      }
      return current as S;
    },
    toJSON: (value) => {
      const result: JsonObject = {};
      const record = value as Record<string, unknown>;
      for (const field of compiled) result[field.key] = field.codec.toJSON(record[field.key]);
      return result;
    },
    checkDescription: (minVersion, version) => {
      for (const field of compiled) {
        try {
          checkField(field, minVersion, version);
        } catch (error) {
          rethrowWithSegment(error, field.key);
        }
      }
    },
  };
}
