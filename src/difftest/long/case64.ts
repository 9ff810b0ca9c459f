/**
 * A 64-bit-mode differential test case and its outcome on either side: the
 * 64-bit twin of case.ts, with sixteen 64-bit GPRs, RFLAGS and RIP.
 */
import type { DataSpan } from "../case.js";

/** Everything needed to run one 64-bit case on both sides and judge it. */
export interface DiffCase64 {
  /** Instruction group (long/groups.ts), e.g. "alu64-rr". */
  readonly group: string;
  /** Instruction form, e.g. "ADD r/m64, r64 (reg)": the unit of coverage. */
  readonly form: string;
  /** Assembly text of the code under test, for reports. */
  readonly text: string;
  readonly index: number;
  /** The code, ending with INT3. */
  readonly code: Uint8Array;
  /** Initial RAX..R15 (x86 encoding order). */
  readonly gpr: BigUint64Array;
  /** Initial RFLAGS (user-settable bits; IF set, TF/AC clear). */
  readonly rflags: number;
  /** Initial FXSAVE image (64-bit layout: XMM0-15). */
  readonly fxsave: Uint8Array;
  /** Initial data area: these spans, zeros elsewhere. */
  readonly dataInit: readonly DataSpan[];
  /** RFLAGS bits the SDM leaves undefined after this code. */
  readonly undefinedFlags: number;
  /** Bit i set: GPR i's final value is undefined (ignored). */
  readonly undefinedRegs: number;
  /** Compare XMM0-15 and MXCSR. */
  readonly compareSse: boolean;
}

/** What a 64-bit case left behind on one side (see CaseResult in case.ts). */
export interface CaseResult64 {
  readonly vector: number;
  readonly errorCode: number;
  readonly cr2: bigint;
  /** RIP after the INT3, or of the faulting instruction. */
  readonly rip: bigint;
  readonly gpr: BigUint64Array;
  readonly rflags: number;
  readonly fxsave: Uint8Array;
  readonly data: Uint8Array;
  /** Soft side only: why the CPU stopped when it was not an exception. */
  readonly detail?: string;
}

/** A hand-written 64-bit case (tests, probes): code without the final INT3. */
export function manualCase64(
  code: readonly number[],
  fxsave: Uint8Array,
  gpr: readonly bigint[] = [],
  rflags = 0x202,
): DiffCase64 {
  const regs = new BigUint64Array(16);
  gpr.forEach((v, i) => (regs[i] = BigInt.asUintN(64, v)));
  return {
    group: "manual",
    form: "manual",
    text: "manual",
    index: 0,
    code: Uint8Array.from([...code, 0xcc]),
    gpr: regs,
    rflags,
    fxsave,
    dataInit: [],
    undefinedFlags: 0,
    undefinedRegs: 0,
    compareSse: false,
  };
}
