/**
 * A device's state description: its section name, versions and fields,
 * declared once and used to save (snapshots, migration), load, and show the
 * state to the monitor (DESIGN.md, "Every device's state is described once").
 *
 * Saving writes the lowest version that can hold the state (the rule is in
 * struct.ts). Loading decodes the whole section into a fresh object first and
 * only then copies it into the device's state, so every refusal — wrong name,
 * unknown or too old a version, short or long payload, bad count or value —
 * leaves the device exactly as it was.
 */
import { ByteReader, ByteWriter } from "./bytes.js";
import type { Codec, JsonObject } from "./codec.js";
import { StateError, toStateError } from "./errors.js";
import {
  MAX_SECTION_VERSION,
  isValidSectionName,
  readSection,
  writeSectionHeader,
  type SectionView,
} from "./section.js";
import { struct, type FieldDefs } from "./struct.js";

/** What `describe` takes. */
export interface DescriptionSpec<S> {
  /** The section name: the guest-visible device model, e.g. "i8254". */
  readonly name: string;
  /** The newest version: the one whose layout has every field. */
  readonly version: number;
  /** The oldest version this build still loads; 1 when omitted. */
  readonly minVersion?: number;
  /** Every field of the state, in wire order (append new ones at the end). */
  readonly fields: FieldDefs<S>;
}

/** Options of {@link StateDescription.save}. */
export interface SaveOptions {
  /** Which device of this model (see section.ts); 0 when omitted. */
  readonly instance?: number;
  /**
   * Write this version instead of the lowest that holds the state. It must be
   * at least that lowest one and at most the description's version.
   */
  readonly version?: number;
}

/** A section decoded but not yet applied to a device. */
export interface DecodedSection<S> {
  readonly version: number;
  readonly instance: number;
  readonly state: S;
}

/** Where a section came from: the bytes of exactly one section, or a walked view. */
export type SectionInput = Uint8Array | SectionView;

/** The saved form of one device model's state. Build it with {@link describe}. */
export class StateDescription<S extends object> {
  readonly name: string;
  readonly version: number;
  readonly minVersion: number;
  private readonly body: Codec<S>;

  constructor(spec: DescriptionSpec<S>) {
    const { name, version } = spec;
    const minVersion = spec.minVersion ?? 1;
    if (!isValidSectionName(name)) {
      throw new StateError(
        "bad-description",
        "",
        "",
        `invalid section name ${JSON.stringify(name)}`,
      );
    }
    const validVersion = (v: number): boolean =>
      Number.isInteger(v) && v >= 1 && v <= MAX_SECTION_VERSION;
    if (!validVersion(version) || !validVersion(minVersion) || minVersion > version) {
      throw new StateError(
        "bad-description",
        name,
        "",
        `versions ${minVersion}..${version} are invalid (need 1 <= minVersion <= version <= ${MAX_SECTION_VERSION})`,
      );
    }
    this.name = name;
    this.version = version;
    this.minVersion = minVersion;
    try {
      this.body = struct<S>(spec.fields);
      this.body.checkDescription(minVersion, version);
    } catch (error) {
      if (error instanceof StateError) {
        throw new StateError(error.code, name, error.field, error.detail);
      }
      throw toStateError(error, name);
    }
  }

  /** The version {@link save} writes for `state`: the lowest that can hold it. */
  versionFor(state: S): number {
    try {
      return Math.max(this.minVersion, this.body.neededVersion(state));
    } catch (error) {
      throw toStateError(error, this.name);
    }
  }

  /**
   * Saves `state` as one section (header and payload). Throws StateError
   * ("bad-state") if the state breaks the description, e.g. a u8 of 300.
   */
  save(state: S, options: SaveOptions = {}): Uint8Array {
    const lowest = this.versionFor(state);
    const version = options.version ?? lowest;
    if (!Number.isInteger(version) || version < lowest || version > this.version) {
      throw new StateError(
        "bad-state",
        this.name,
        "",
        `cannot write version ${version}: this state needs ${lowest}..${this.version}`,
      );
    }
    const out = new ByteWriter();
    const lengthOffset = writeSectionHeader(out, this.name, version, options.instance ?? 0);
    const payloadStart = out.size;
    try {
      this.body.encode(state, out, version);
    } catch (error) {
      throw toStateError(error, this.name);
    }
    out.patchU32(lengthOffset, out.size - payloadStart);
    return out.finish();
  }

  /**
   * Decodes a section into a fresh state object without touching any device.
   * Fields the stream's version lacks get their defaults. Throws StateError
   * for a wrong name, a version outside minVersion..version, or a payload
   * that is short, long, or holds a bad count or value.
   */
  decode(section: SectionInput): DecodedSection<S> {
    const view = section instanceof Uint8Array ? this.readWhole(section) : section;
    if (view.name !== this.name) {
      throw new StateError(
        "wrong-section",
        this.name,
        "",
        `got a section of ${JSON.stringify(view.name)}`,
      );
    }
    if (view.version > this.version) {
      throw new StateError(
        "unknown-version",
        this.name,
        "",
        `stream has version ${view.version}, newer than this build knows (${this.minVersion}..${this.version})`,
      );
    }
    if (view.version < this.minVersion) {
      throw new StateError(
        "old-version",
        this.name,
        "",
        `stream has version ${view.version}, older than this build loads (${this.minVersion}..${this.version})`,
      );
    }
    const input = new ByteReader(view.payload);
    let state: S;
    try {
      state = this.body.decode(input, view.version);
    } catch (error) {
      throw toStateError(error, this.name);
    }
    if (input.remaining > 0) {
      throw new StateError(
        "trailing-bytes",
        this.name,
        "",
        `payload has ${input.remaining} byte(s) after the last field of version ${view.version}`,
      );
    }
    return { version: view.version, instance: view.instance, state };
  }

  /**
   * Loads a section into `target`, the device's state. Everything is decoded
   * and checked first; on any refusal `target` is unchanged. Buffers, arrays
   * and nested structs of the same shape are updated in place.
   */
  load(section: SectionInput, target: S): { version: number; instance: number } {
    const decoded = this.decode(section);
    this.body.apply(target, decoded.state);
    return { version: decoded.version, instance: decoded.instance };
  }

  /**
   * The state as plain JSON data, for the monitor: every field, whatever the
   * version. 64-bit integers become decimal strings, byte buffers lowercase
   * hex strings, non-finite numbers "NaN"/"Infinity"/"-Infinity".
   */
  toJSON(state: S): JsonObject {
    return this.body.toJSON(state) as JsonObject;
  }

  /** Reads bytes that must hold exactly one section. */
  private readWhole(data: Uint8Array): SectionView {
    const view = readSection(data);
    if (view.end !== data.length) {
      throw new StateError(
        "trailing-bytes",
        view.name,
        "",
        `${data.length - view.end} byte(s) follow the section`,
      );
    }
    return view;
  }
}

/**
 * Declares a device's state. Give the state type explicitly so every field is
 * checked against it: `describe<PitState>({ name: "i8254", version: 1, fields })`.
 * Throws StateError("bad-description") for an inconsistent description.
 */
export function describe<S extends object>(spec: DescriptionSpec<S>): StateDescription<S> {
  return new StateDescription(spec);
}
