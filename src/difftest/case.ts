/**
 * One differential test case, and what running it produced on either side.
 */

/** Bytes at `offset` in the data area. */
export interface DataSpan {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** Everything needed to run one case on both sides and judge the outcome. */
export interface DiffCase {
  /** Instruction group (groups/index.ts), e.g. "alu-rr". */
  readonly group: string;
  /** Instruction form, e.g. "ADD r/m32, r32": the unit of coverage. */
  readonly form: string;
  /** Disassembly-ish text of the code under test, for reports. */
  readonly text: string;
  /** Position of this case in its group's sequence (with the seed, reproduces it). */
  readonly index: number;
  /** The code, ending with INT3 (the tester appends it). */
  readonly code: Uint8Array;
  /** Initial EAX..EDI (x86 encoding order), unsigned. */
  readonly gpr: Uint32Array;
  /** Initial EFLAGS (user-settable bits only; IF set, TF/AC clear). */
  readonly eflags: number;
  /** Initial FXSAVE image (x87/MMX/SSE state). */
  readonly fxsave: Uint8Array;
  /** Initial data area: these spans, zeros everywhere else (keeps cases small). */
  readonly dataInit: readonly DataSpan[];
  /** EFLAGS bits the SDM leaves undefined after this code (ignored by the comparison). */
  readonly undefinedFlags: number;
  /** Bit i set: GPR i's final value is architecturally undefined (ignored). */
  readonly undefinedRegs: number;
  /** x87 status-word bits left undefined (C0-C3 per instruction; ignored). */
  readonly undefinedFsw: number;
  /** Compare the x87/MMX state of the FXSAVE image. */
  readonly compareFpu: boolean;
  /**
   * Largest difference, in units in the last place, accepted between the
   * two sides' x87 register values (transcendentals only; 0 = exact).
   */
  readonly fpuUlps: number;
  /**
   * FPREM/FPREM1: when the host reports a partial remainder (C2 = 1), ST(0)
   * is implementation-dependent (SDM vol. 2, FPREM: "N is an
   * implementation-dependent number between 32 and 63") and is not compared.
   */
  readonly partialRemainder: boolean;
}

/**
 * The state a case left behind on one side. `vector` is the exception that
 * ended it: 3 (#BP) for the INT3 end marker, a fault vector otherwise, or
 * VEC_TIMEOUT / VEC_SOFT_EXIT (layout.ts).
 */
export interface CaseResult {
  readonly vector: number;
  /** Error code of #GP/#PF/#SS/#AC etc. (0 when there is none). */
  readonly errorCode: number;
  /** CR2 for #PF (0 otherwise). */
  readonly cr2: number;
  /** EIP after INT3, or of the faulting instruction. */
  readonly eip: number;
  /** EAX..EDI, unsigned. */
  readonly gpr: Uint32Array;
  readonly eflags: number;
  readonly fxsave: Uint8Array;
  readonly data: Uint8Array;
  /** Soft side only: why the CPU stopped if it was not an exception (internal error text). */
  readonly detail?: string;
}

/** Fields of a hand-written case (tests, probes); the rest get neutral defaults. */
export interface ManualCase {
  /** Code without the final INT3 (appended here). */
  readonly code: readonly number[];
  readonly gpr?: readonly number[];
  readonly eflags?: number;
  readonly fxsave?: Uint8Array;
  readonly dataInit?: readonly DataSpan[];
  readonly text?: string;
  readonly compareFpu?: boolean;
}

/** A hand-written case: zero registers, EFLAGS 0x202, FNINIT x87 state unless given. */
export function manualCase(m: ManualCase, defaultFx: Uint8Array): DiffCase {
  return {
    group: "manual",
    form: "manual",
    text: m.text ?? "manual",
    index: 0,
    code: Uint8Array.from([...m.code, 0xcc]),
    gpr: Uint32Array.from(m.gpr ?? [0, 0, 0, 0, 0, 0, 0, 0]),
    eflags: m.eflags ?? 0x202,
    fxsave: m.fxsave ?? defaultFx,
    dataInit: m.dataInit ?? [],
    undefinedFlags: 0,
    undefinedRegs: 0,
    undefinedFsw: 0,
    compareFpu: m.compareFpu ?? false,
    fpuUlps: 0,
    partialRemainder: false,
  };
}
