/**
 * The x86 register catalog: every register of a vCPU, as `(set, number,
 * size, attributes, name)` (seed 002, "Next gen kvm api"; DESIGN.md,
 * "Register state as tag/value"). Both backends list the same catalog for the
 * same CPU model, so a state read from one can be written to the other.
 *
 * Portability choice: the catalog does not depend on the guest's mode or on
 * `longMode`. There are always 16 GPRs of 8 bytes and 16 XMM registers; on a
 * CPU without long mode, R8-R15 and XMM8-15 are state the guest cannot reach,
 * and the upper halves of the GPRs are simply zero. A state saved from one
 * model thus has the same shape as one saved from another, and a CPU model
 * differs only in its MSR and CPUID lists.
 */
import { HvError } from "../errors.js";
import {
  cpuidNumber,
  Ctl,
  Events,
  GPR_NAMES,
  Msr,
  MpState,
  RegAttr,
  regKey,
  RegSet,
  SEGMENT_LAYOUT,
  SEGMENT_NAMES,
  Smm,
  Sse,
  X87,
  type RegisterId,
  type RegisterRef,
} from "../registers.js";
import { cpuidName, describeRef, hex, msrName } from "./register-names.js";

/** What a CPU model tells the catalog. */
export interface X86CpuModel {
  /** The CPU implements long mode (recorded only: the catalog's shape never depends on it). */
  readonly longMode: boolean;
  /** Addresses of the MSRs the model implements (EFER included). */
  readonly msrs: readonly number[];
  /** CPUID `(leaf, subleaf)` pairs the model defines; subleaf 0 for leaves without subleaves. */
  readonly cpuidLeaves: readonly (readonly [number, number])[];
}

/**
 * MSRs whose value is fixed by the CPU model: setState refuses them. IA32_MTRRCAP
 * describes the MTRR hardware (SDM vol. 3, 12.11.1) and is read-only on every CPU.
 */
const READ_ONLY_MSRS: ReadonlySet<number> = new Set([Msr.MTRRCAP]);

/** x87 control/status registers: FXSAVE64 sizes (SDM vol. 1, 10.5.1, table 10-2). */
const X87_CONTROL: readonly (readonly [number, number, string])[] = [
  [X87.FCW, 2, "fcw"],
  [X87.FSW, 2, "fsw"],
  [X87.FTW, 2, "ftw"],
  [X87.FOP, 2, "fop"],
  [X87.FIP, 8, "fip"],
  [X87.FCS, 2, "fcs"],
  [X87.FDP, 8, "fdp"],
  [X87.FDS, 2, "fds"],
];

const EVENT_REGISTERS: readonly (readonly [number, number, string])[] = [
  [Events.EXCEPTION_PENDING, 1, "exception_pending"],
  [Events.EXCEPTION_VECTOR, 1, "exception_vector"],
  [Events.EXCEPTION_HAS_ERROR_CODE, 1, "exception_has_error_code"],
  [Events.EXCEPTION_ERROR_CODE, 4, "exception_error_code"],
  [Events.INTERRUPT_PENDING, 1, "interrupt_pending"],
  [Events.INTERRUPT_VECTOR, 1, "interrupt_vector"],
  [Events.NMI_PENDING, 1, "nmi_pending"],
  [Events.NMI_MASKED, 1, "nmi_masked"],
];

const SMM_REGISTERS: readonly (readonly [number, number, string])[] = [
  [Smm.IN_SMM, 1, "in_smm"],
  [Smm.SMBASE, 4, "smbase"],
  [Smm.PENDING_SMI, 1, "pending_smi"],
  [Smm.LATCHED_INIT, 1, "latched_init"],
];

/** X87 R0-R7 hold an 80-bit extended-precision value each. */
export const X87_REGISTER_SIZE = 10;
export const XMM_REGISTER_SIZE = 16;
export const CPUID_VALUE_SIZE = 16;

/**
 * Enumerates the complete state of an x86 vCPU for a CPU model. The order is
 * stable (set by set, numbers ascending within a set except MSR and CPUID,
 * which follow the model's lists) and every entry is frozen.
 */
export function x86RegisterCatalog(model: X86CpuModel): readonly RegisterId[] {
  checkModel(model);
  const out: RegisterId[] = [];
  const add = (set: RegSet, number: number, size: number, name: string, attributes?: RegAttr) =>
    out.push(
      Object.freeze({ set, number, size, name, attributes: attributes ?? RegAttr.READ_WRITE }),
    );

  GPR_NAMES.forEach((name, i) => add(RegSet.GPR, i, 8, name));
  add(RegSet.RIP, 0, 8, "rip");
  add(RegSet.RFLAGS, 0, 8, "rflags");
  SEGMENT_NAMES.forEach((name, i) => add(RegSet.SEGMENT, i, SEGMENT_LAYOUT.size, name));
  add(RegSet.CONTROL, Ctl.CR0, 8, "cr0");
  add(RegSet.CONTROL, Ctl.CR2, 8, "cr2");
  add(RegSet.CONTROL, Ctl.CR3, 8, "cr3");
  add(RegSet.CONTROL, Ctl.CR4, 8, "cr4");
  add(RegSet.CONTROL, Ctl.CR8, 8, "cr8");
  add(RegSet.CONTROL, Ctl.XCR0, 8, "xcr0");
  // DR4/DR5 are aliases of DR6/DR7 (SDM vol. 3, 18.2.2), so they hold no state.
  for (const dr of [0, 1, 2, 3, 6, 7]) add(RegSet.DEBUG, dr, 8, `dr${dr}`);
  for (let r = 0; r < 8; r++) add(RegSet.X87, X87.R0 + r, X87_REGISTER_SIZE, `r${r}`);
  for (const [number, size, name] of X87_CONTROL) add(RegSet.X87, number, size, name);
  for (let r = 0; r < 16; r++) add(RegSet.SSE, Sse.XMM0 + r, XMM_REGISTER_SIZE, `xmm${r}`);
  add(RegSet.SSE, Sse.MXCSR, 4, "mxcsr");
  for (const address of model.msrs) {
    const attr = READ_ONLY_MSRS.has(address) ? RegAttr.READ_ONLY : RegAttr.READ_WRITE;
    add(RegSet.MSR, address, 8, msrName(address), attr);
  }
  for (const [leaf, subleaf] of model.cpuidLeaves) {
    const number = cpuidNumber(leaf, subleaf);
    add(
      RegSet.CPUID,
      number,
      CPUID_VALUE_SIZE,
      cpuidName(leaf, subleaf),
      RegAttr.READ_ONLY_FOR_GUEST,
    );
  }
  add(RegSet.INTERRUPT_SHADOW, 0, 1, "interrupt_shadow");
  for (const [number, size, name] of EVENT_REGISTERS) add(RegSet.EVENTS, number, size, name);
  add(RegSet.MP_STATE, MpState.STATE, 1, "mp_state");
  add(RegSet.MP_STATE, MpState.SIPI_VECTOR, 1, "sipi_vector");
  for (const [number, size, name] of SMM_REGISTERS) add(RegSet.SMM, number, size, name);
  return Object.freeze(out);
}

function isU32(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

/** Refuses malformed or duplicate MSR and CPUID entries: each would break the catalog's keys. */
function checkModel(model: X86CpuModel): void {
  const msrs = new Set<number>();
  for (const address of model.msrs) {
    if (!isU32(address))
      throw new HvError("invalid-argument", `MSR address ${address} is not a u32`);
    if (msrs.has(address))
      throw new HvError("invalid-argument", `MSR ${hex(address)} listed twice`);
    msrs.add(address);
  }
  const leaves = new Set<number>();
  for (const [leaf, subleaf] of model.cpuidLeaves) {
    // The CPUID register number is leaf * 256 + subleaf, so subleaves stop at 255.
    const subleafOk = Number.isInteger(subleaf) && subleaf >= 0 && subleaf <= 0xff;
    if (!isU32(leaf) || !subleafOk) {
      throw new HvError("invalid-argument", `CPUID leaf (${leaf}, ${subleaf}) is out of range`);
    }
    const number = cpuidNumber(leaf, subleaf);
    if (leaves.has(number)) {
      throw new HvError("invalid-argument", `CPUID leaf ${cpuidName(leaf, subleaf)} listed twice`);
    }
    leaves.add(number);
  }
}

/**
 * A register list with O(1) lookup by `(set, number)`. Build one per CPU
 * model and share it between vCPUs.
 */
export class RegisterCatalog {
  /** Every register, in catalog order (frozen). */
  readonly registers: readonly RegisterId[];
  readonly #byKey = new Map<string, RegisterId>();

  constructor(registers: readonly RegisterId[]) {
    for (const id of registers) {
      if (!Number.isInteger(id.size) || id.size <= 0) {
        throw new HvError("invalid-argument", `register ${id.name} has invalid size ${id.size}`);
      }
      const key = regKey(id);
      const other = this.#byKey.get(key);
      if (other !== undefined) {
        throw new HvError(
          "invalid-argument",
          `registers ${other.name} and ${id.name} share ${describeRef(id)}`,
        );
      }
      this.#byKey.set(key, id);
    }
    this.registers = Object.isFrozen(registers) ? registers : Object.freeze([...registers]);
  }

  /** Number of registers. */
  get size(): number {
    return this.registers.length;
  }

  /** The register `ref` names, or `undefined` when this catalog has none. */
  find(ref: RegisterRef): RegisterId | undefined {
    if (typeof ref !== "object" || ref === null) return undefined;
    // A string "1" would build the same key as the number 1: accept numbers only.
    if (typeof ref.set !== "number" || typeof ref.number !== "number") return undefined;
    return this.#byKey.get(regKey(ref));
  }

  /** Like `find`, but an unknown or malformed reference is an `invalid-argument` error. */
  get(ref: RegisterRef): RegisterId {
    const id = this.find(ref);
    if (id !== undefined) return id;
    if (typeof ref !== "object" || ref === null) {
      throw new HvError("invalid-argument", `register reference must be {set, number}, got ${ref}`);
    }
    throw new HvError("invalid-argument", `no register with ${describeRef(ref)}`);
  }
}

/** O(1) lookup of `ref` in `catalog`; `undefined` when it is not there. */
export function findRegister(catalog: RegisterCatalog, ref: RegisterRef): RegisterId | undefined {
  return catalog.find(ref);
}
