/**
 * Codecs for the wide register values whose layouts src/hv/registers.ts fixes
 * (SEGMENT, CPUID, x87 R0-R7, XMM), and `checkValue`, the one place that
 * decides whether a value fits a register. All multi-byte fields are
 * little-endian.
 */
import { HvError } from "../errors.js";
import { SEGMENT_LAYOUT, type RegisterId, type RegisterValue } from "../registers.js";
import { describeRef } from "./register-names.js";

/** A segment register, GDTR or IDTR, decoded (see SEGMENT_LAYOUT). */
export interface SegmentValue {
  /** Linear base address (u64). */
  readonly base: bigint;
  /** Limit in bytes, already scaled by the G flag (u32). */
  readonly limit: number;
  /** Selector (u16); 0 for GDTR and IDTR. */
  readonly selector: number;
  /** Access byte in bits 0-7, AVL/L/D/G in bits 12-15 (u16); 0 when unusable. */
  readonly attributes: number;
}

/** One CPUID leaf's output registers (each u32). */
export interface CpuidValue {
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
}

/** An 80-bit extended-precision value (SDM vol. 1, 4.2.2, figure 4-3). */
export interface X87Value {
  /** Bits 0-63, including the explicit integer bit 63 (u64). */
  readonly significand: bigint;
  /** Bits 64-79: sign in bit 15, biased exponent in bits 0-14 (u16). */
  readonly signExponent: number;
}

const CPUID_SIZE = 16;
const X87_SIZE = 10;
const XMM_SIZE = 16;

function bad(message: string): HvError {
  return new HvError("invalid-argument", message);
}

function checkUint(what: string, value: number, bits: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw bad(`${what} must be an integer in [0, 2^${bits}), got ${value}`);
  }
}

function checkBigUint(what: string, value: bigint, bits: number): void {
  if (typeof value !== "bigint" || value < 0n || value >= 1n << BigInt(bits)) {
    throw bad(`${what} must be a bigint in [0, 2^${bits}), got ${String(value)}`);
  }
}

function viewOf(bytes: Uint8Array, size: number, what: string): DataView {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw bad(`${what} must be a Uint8Array of ${size} bytes, got ${describeValue(bytes)}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Packs a segment into its 16-byte register value. */
export function encodeSegment(segment: SegmentValue): Uint8Array {
  checkBigUint("segment base", segment.base, 64);
  checkUint("segment limit", segment.limit, 32);
  checkUint("segment selector", segment.selector, 16);
  checkUint("segment attributes", segment.attributes, 16);
  const bytes = new Uint8Array(SEGMENT_LAYOUT.size);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(SEGMENT_LAYOUT.base, segment.base, true);
  view.setUint32(SEGMENT_LAYOUT.limit, segment.limit, true);
  view.setUint16(SEGMENT_LAYOUT.selector, segment.selector, true);
  view.setUint16(SEGMENT_LAYOUT.attributes, segment.attributes, true);
  return bytes;
}

/** Unpacks a 16-byte segment register value. */
export function decodeSegment(bytes: Uint8Array): SegmentValue {
  const view = viewOf(bytes, SEGMENT_LAYOUT.size, "a segment value");
  return {
    base: view.getBigUint64(SEGMENT_LAYOUT.base, true),
    limit: view.getUint32(SEGMENT_LAYOUT.limit, true),
    selector: view.getUint16(SEGMENT_LAYOUT.selector, true),
    attributes: view.getUint16(SEGMENT_LAYOUT.attributes, true),
  };
}

const CPUID_FIELDS = ["eax", "ebx", "ecx", "edx"] as const;

/** Packs a CPUID leaf's output into 16 bytes: eax, ebx, ecx, edx. */
export function encodeCpuid(value: CpuidValue): Uint8Array {
  const bytes = new Uint8Array(CPUID_SIZE);
  const view = new DataView(bytes.buffer);
  CPUID_FIELDS.forEach((field, i) => {
    checkUint(`CPUID ${field}`, value[field], 32);
    view.setUint32(4 * i, value[field], true);
  });
  return bytes;
}

/** Unpacks a 16-byte CPUID register value. */
export function decodeCpuid(bytes: Uint8Array): CpuidValue {
  const view = viewOf(bytes, CPUID_SIZE, "a CPUID value");
  const [eax, ebx, ecx, edx] = CPUID_FIELDS.map((_, i) => view.getUint32(4 * i, true));
  return { eax, ebx, ecx, edx };
}

/** Packs an 80-bit x87 value: significand (8 bytes) then sign+exponent (2 bytes). */
export function encodeX87(value: X87Value): Uint8Array {
  checkBigUint("x87 significand", value.significand, 64);
  checkUint("x87 sign+exponent", value.signExponent, 16);
  const bytes = new Uint8Array(X87_SIZE);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, value.significand, true);
  view.setUint16(8, value.signExponent, true);
  return bytes;
}

/** Unpacks a 10-byte x87 register value. */
export function decodeX87(bytes: Uint8Array): X87Value {
  const view = viewOf(bytes, X87_SIZE, "an x87 value");
  return { significand: view.getBigUint64(0, true), signExponent: view.getUint16(8, true) };
}

/** Packs a 128-bit integer into a 16-byte XMM value (little-endian). */
export function encodeXmm(value: bigint): Uint8Array {
  checkBigUint("XMM value", value, 128);
  const bytes = new Uint8Array(XMM_SIZE);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, value & 0xffff_ffff_ffff_ffffn, true);
  view.setBigUint64(8, value >> 64n, true);
  return bytes;
}

/** Unpacks a 16-byte XMM value into a 128-bit integer. */
export function decodeXmm(bytes: Uint8Array): bigint {
  const view = viewOf(bytes, XMM_SIZE, "an XMM value");
  return view.getBigUint64(0, true) | (view.getBigUint64(8, true) << 64n);
}

/** A short description of any value, for error messages (never the bytes themselves). */
function describeValue(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (value === null) return "null";
  if (typeof value === "object") return `an object`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Checks that `value` fits register `id`: a bigint in [0, 2^(8*size)) for
 * registers of at most 8 bytes, a Uint8Array of exactly `size` bytes
 * otherwise. Throws an `invalid-argument` HvError naming the register.
 */
export function checkValue(id: RegisterId, value: unknown): asserts value is RegisterValue {
  const where = `register ${id.name} (${describeRef(id)})`;
  if (id.size <= 8) {
    const limit = 1n << BigInt(8 * id.size);
    if (typeof value !== "bigint" || value < 0n || value >= limit) {
      throw bad(`${where} takes a bigint in [0, 2^${8 * id.size}), got ${describeValue(value)}`);
    }
    return;
  }
  if (!(value instanceof Uint8Array) || value.length !== id.size) {
    throw bad(`${where} takes a Uint8Array of ${id.size} bytes, got ${describeValue(value)}`);
  }
}

/** A copy that shares no memory with `value` (bigints are immutable and returned as they are). */
export function copyValue(value: RegisterValue): RegisterValue {
  // `new Uint8Array(view)` copies; `slice()` would not on a Node Buffer.
  return typeof value === "bigint" ? value : new Uint8Array(value);
}
