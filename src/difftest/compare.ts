/**
 * Judges one case: the native result is the reference, the soft result must
 * match it in every architecturally defined bit — the exception that ended
 * the case (vector, error code, CR2), EIP, the eight GPRs, EFLAGS, the data
 * area, and for x87/MMX cases the FPU state of the FXSAVE image.
 *
 * Ignored on purpose:
 *   - flags and registers the case marks undefined (undefined-flags.ts);
 *   - EFLAGS.RF: the processor sets it in the image a fault pushes (SDM
 *     vol. 3, 17.3.1.1); that belongs to event delivery, not to the
 *     instruction, and the kernel and the soft stubs record it differently;
 *   - FOP/FIP/FCS/FDP/FDS of the image: AMD's FXSAVE only stores them while
 *     an x87 exception is pending (the host is AMD), and they say nothing
 *     about the results;
 *   - x87 status-word bits the case marks undefined (C0-C3 per instruction).
 *
 * A soft #UD where the host ran is "unimplemented" rather than a mismatch:
 * the instruction is not written yet.
 */
import type { CaseResult, DiffCase } from "./case.js";
import { regName } from "./encoder.js";
import {
  FSW_C2,
  FSW_TOP,
  FSW_TOP_SHIFT,
  FX_FCW,
  FX_FSW,
  FX_FTW,
  FX_MXCSR,
  FX_ST,
  readU16,
  readU32,
} from "./fxsave.js";
import { DATA_ADDR, RF, VEC_PF, VEC_UD, vectorName } from "./layout.js";

export type Verdict = "pass" | "mismatch" | "unimplemented";

export interface Difference {
  readonly field: string;
  readonly native: string;
  readonly soft: string;
}

export interface Comparison {
  readonly verdict: Verdict;
  readonly differences: readonly Difference[];
}

const PASS: Comparison = Object.freeze({ verdict: "pass", differences: Object.freeze([]) });

/** EFLAGS bits that exist (others read 0 on both sides). */
const EFLAGS_BITS = 0x3f7fd5;

function h32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, "0");
}

function hexBytes(b: Uint8Array, from: number, to: number): string {
  return Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** Vectors whose error code the tester compares (Linux reports it for these). */
function comparesErrorCode(vector: number): boolean {
  return vector === 13 || vector === 14 || vector === 12 || vector === 17;
}

/** Compares the soft result with the native one for case `c`. */
export function compareResults(
  c: DiffCase,
  native: CaseResult,
  soft: CaseResult,
  softFpu: boolean,
): Comparison {
  if (soft.vector === VEC_UD && native.vector !== VEC_UD) {
    return {
      verdict: "unimplemented",
      differences: [{ field: "vector", native: vectorName(native.vector), soft: "#UD" }],
    };
  }
  if (c.compareFpu && !softFpu) {
    return {
      verdict: "unimplemented",
      differences: [{ field: "fpu", native: "x87 state", soft: "no FPU module" }],
    };
  }
  const out: Difference[] = [];
  const diff = (field: string, n: string, s: string): void => {
    if (n !== s) out.push({ field, native: n, soft: s });
  };
  const softVector =
    soft.detail !== undefined
      ? `${vectorName(soft.vector)} (${soft.detail})`
      : vectorName(soft.vector);
  diff(
    "vector",
    vectorName(native.vector),
    native.vector === soft.vector ? vectorName(soft.vector) : softVector,
  );
  if (native.vector === soft.vector && comparesErrorCode(native.vector)) {
    diff("error code", h32(native.errorCode), h32(soft.errorCode));
  }
  if (native.vector === VEC_PF && soft.vector === VEC_PF)
    diff("cr2", h32(native.cr2), h32(soft.cr2));
  diff("eip", h32(native.eip), h32(soft.eip));
  for (let i = 0; i < 8; i++) {
    if ((c.undefinedRegs & (1 << i)) !== 0) continue;
    diff(regName(i, 32), h32(native.gpr[i]), h32(soft.gpr[i]));
  }
  const flagMask = EFLAGS_BITS & ~(c.undefinedFlags | RF);
  diff("eflags", h32(native.eflags & flagMask), h32(soft.eflags & flagMask));
  compareData(native.data, soft.data, out);
  if (c.compareFpu) compareFpu(c, native.fxsave, soft.fxsave, out);
  return out.length === 0 ? PASS : { verdict: "mismatch", differences: out };
}

/** Data area: reports each differing run of bytes (at most 4 runs). */
function compareData(n: Uint8Array, s: Uint8Array, out: Difference[]): void {
  if (Buffer.compare(n, s) === 0) return;
  let runs = 0;
  for (let i = 0; i < n.length && runs < 4; i++) {
    if (n[i] === s[i]) continue;
    let end = i;
    while (end < n.length && end - i < 16 && n[end] !== s[end]) end++;
    out.push({
      field: `mem ${h32(DATA_ADDR + i)}`,
      native: hexBytes(n, i, end),
      soft: hexBytes(s, i, end),
    });
    runs++;
    i = end;
  }
}

/** x87/MMX state: control word, status word, tags, non-empty registers, MXCSR. */
function compareFpu(c: DiffCase, n: Uint8Array, s: Uint8Array, out: Difference[]): void {
  const diff = (field: string, a: string, b: string): void => {
    if (a !== b) out.push({ field, native: a, soft: b });
  };
  const h16 = (v: number): string => v.toString(16).padStart(4, "0");
  diff("fcw", h16(readU16(n, FX_FCW)), h16(readU16(s, FX_FCW)));
  const fswMask = 0xffff & ~c.undefinedFsw;
  diff("fsw", h16(readU16(n, FX_FSW) & fswMask), h16(readU16(s, FX_FSW) & fswMask));
  diff("ftw", n[FX_FTW].toString(2).padStart(8, "0"), s[FX_FTW].toString(2).padStart(8, "0"));
  diff("mxcsr", h32(readU32(n, FX_MXCSR)), h32(readU32(s, FX_MXCSR)));
  const top = (readU16(n, FX_FSW) & FSW_TOP) >> FSW_TOP_SHIFT;
  const partial = c.partialRemainder && (readU16(n, FX_FSW) & FSW_C2) !== 0;
  for (let i = 0; i < 8; i++) {
    const p = (top + i) & 7;
    if ((n[FX_FTW] & (1 << p)) === 0) continue; // empty on the host: contents do not matter
    if (i === 0 && partial) continue;
    const off = FX_ST + 16 * i;
    if (c.fpuUlps > 0 && ulpDistance(n, s, off) <= c.fpuUlps) continue;
    diff(`st${i}`, f80Text(n, off), f80Text(s, off));
  }
}

/**
 * Distance in units in the last place between two 80-bit values at `off`:
 * how many representable values lie between them. With the explicit
 * integer bit, value number = (exponent - 1) * 2^63 + significand for
 * normals and = significand for denormals (exponent 0), which runs on
 * without a gap across exponents. Infinity when signs differ or either is
 * infinite/NaN (those must match exactly).
 */
export function ulpDistance(a: Uint8Array, b: Uint8Array, off: number): number {
  const index = (x: Uint8Array): bigint => {
    const exp = BigInt(readU16(x, off + 8) & 0x7fff);
    let sig = 0n;
    for (let i = 7; i >= 0; i--) sig = (sig << 8n) | BigInt(x[off + i]);
    return exp === 0n ? sig : ((exp - 1n) << 63n) + sig;
  };
  if ((a[off + 9] & 0x80) !== (b[off + 9] & 0x80)) return Infinity;
  const special = (x: Uint8Array): boolean => (readU16(x, off + 8) & 0x7fff) === 0x7fff;
  if (special(a) || special(b)) return f80Text(a, off) === f80Text(b, off) ? 0 : Infinity;
  const d = index(a) - index(b);
  return Number(d < 0n ? -d : d);
}

/** An 80-bit register as "sign exponent significand" hex. */
function f80Text(b: Uint8Array, off: number): string {
  const se = readU16(b, off + 8);
  const sig = hexBytes(b, off, off + 8)
    .split(" ")
    .reverse()
    .join("");
  return `${se.toString(16).padStart(4, "0")}:${sig}`;
}
