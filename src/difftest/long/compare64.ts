/**
 * Judges one 64-bit case (the rules of compare.ts): the native result is the
 * reference; the exception (vector, error code, CR2), RIP, the sixteen GPRs,
 * RFLAGS and the data area must match, and XMM0-15 with MXCSR for SSE cases.
 * Ignored: undefined flags/registers the case marks, and RFLAGS.RF (set in
 * a fault's pushed image, SDM vol. 3, 17.3.1.1). A soft #UD where the host
 * ran counts as "unimplemented".
 */
import type { Comparison, Difference } from "../compare.js";
import { FX_MXCSR, FX_XMM, readU32 } from "../fxsave.js";
import { DATA_ADDR, RF, VEC_PF, VEC_UD, vectorName } from "../layout.js";
import { reg64Name } from "./builder64.js";
import type { CaseResult64, DiffCase64 } from "./case64.js";

const EFLAGS_BITS = 0x3f7fd5;

function h64(v: bigint): string {
  return v.toString(16).padStart(16, "0");
}

function h32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, "0");
}

function hexBytes(b: Uint8Array, from: number, to: number): string {
  return Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** Compares the soft result with the native one for case `c`. */
export function compareResults64(
  c: DiffCase64,
  native: CaseResult64,
  soft: CaseResult64,
  softFpu: boolean,
): Comparison {
  if (soft.vector === VEC_UD && native.vector !== VEC_UD) {
    return {
      verdict: "unimplemented",
      differences: [{ field: "vector", native: vectorName(native.vector), soft: "#UD" }],
    };
  }
  if (c.compareSse && !softFpu) {
    return {
      verdict: "unimplemented",
      differences: [{ field: "sse", native: "SSE state", soft: "no FPU module" }],
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
  const errorCoded = [12, 13, 14, 17].includes(native.vector);
  if (native.vector === soft.vector && errorCoded) {
    diff("error code", h32(native.errorCode), h32(soft.errorCode));
  }
  if (native.vector === VEC_PF && soft.vector === VEC_PF)
    diff("cr2", h64(native.cr2), h64(soft.cr2));
  diff("rip", h64(native.rip), h64(soft.rip));
  for (let i = 0; i < 16; i++) {
    if ((c.undefinedRegs & (1 << i)) !== 0) continue;
    diff(reg64Name(i, 64), h64(native.gpr[i]), h64(soft.gpr[i]));
  }
  const mask = EFLAGS_BITS & ~(c.undefinedFlags | RF);
  diff("rflags", h32(native.rflags & mask), h32(soft.rflags & mask));
  if (Buffer.compare(native.data, soft.data) !== 0) {
    let runs = 0;
    for (let i = 0; i < native.data.length && runs < 4; i++) {
      if (native.data[i] === soft.data[i]) continue;
      let end = i;
      while (end < native.data.length && end - i < 16 && native.data[end] !== soft.data[end]) end++;
      diff(`mem ${h32(DATA_ADDR + i)}`, hexBytes(native.data, i, end), hexBytes(soft.data, i, end));
      runs++;
      i = end;
    }
  }
  if (c.compareSse) {
    diff("mxcsr", h32(readU32(native.fxsave, FX_MXCSR)), h32(readU32(soft.fxsave, FX_MXCSR)));
    for (let i = 0; i < 16; i++) {
      const off = FX_XMM + 16 * i;
      diff(`xmm${i}`, hexBytes(native.fxsave, off, off + 16), hexBytes(soft.fxsave, off, off + 16));
    }
  }
  return out.length === 0
    ? { verdict: "pass", differences: [] }
    : { verdict: "mismatch", differences: out };
}
