/**
 * How an instruction stops early. Handlers never return error codes: a fault
 * (an x86 exception raised by the instruction, SDM vol. 3 ch. 6) or an exit
 * to the caller (`internal-error`, `shutdown`) *throws one preallocated
 * object per CPU*, so raising costs no allocation. The execution loop
 * (exec.ts) catches it, restores EIP to the instruction's start (faults
 * restart the instruction) and delivers the exception or returns the exit.
 *
 * Rule for handlers: do every access that can fault *before* changing any
 * architectural state (or write memory before updating ESP), so that a
 * restarted instruction sees the state it started with. REP string
 * instructions update ESI/EDI/ECX per iteration, so they restart at the
 * iteration that faulted.
 */
import type { VcpuExit } from "../../exits.js";
import {
  VEC_AC,
  VEC_DE,
  VEC_GP,
  VEC_NM,
  VEC_NP,
  VEC_PF,
  VEC_SS,
  VEC_TS,
  VEC_UD,
} from "./constants.js";

/** An x86 exception raised by the current instruction. One instance per CPU, reused. */
export class CpuFault extends Error {
  vector = 0;
  hasError = false;
  errorCode = 0;
  constructor() {
    super("x86 exception (preallocated; see vector)");
    this.name = "CpuFault";
  }
}

/** An exit that ends the current instruction (internal error, shutdown). One per CPU. */
export class CpuExitSignal extends Error {
  exit: VcpuExit = { kind: "internal-error", reason: "none" };
  constructor() {
    super("soft CPU exit (preallocated; see exit)");
    this.name = "CpuExitSignal";
  }
}

/** What fault raising needs of the CPU (implemented by `Cpu`). */
export interface FaultHolder {
  readonly fault: CpuFault;
  readonly exitSignal: CpuExitSignal;
  cr2: number;
}

/** Raises exception `vector` (with an error code if `hasError`). Never returns. */
export function raiseFault(
  cpu: FaultHolder,
  vector: number,
  hasError: boolean,
  errorCode: number,
): never {
  const f = cpu.fault;
  f.vector = vector;
  f.hasError = hasError;
  f.errorCode = errorCode;
  throw f;
}

/** #UD: invalid opcode. */
export function raiseUD(cpu: FaultHolder): never {
  return raiseFault(cpu, VEC_UD, false, 0);
}

/** #GP(errorCode). Most general-protection faults use error code 0. */
export function raiseGP(cpu: FaultHolder, errorCode: number): never {
  return raiseFault(cpu, VEC_GP, true, errorCode);
}

/** #SS(errorCode): stack-segment fault. */
export function raiseSS(cpu: FaultHolder, errorCode: number): never {
  return raiseFault(cpu, VEC_SS, true, errorCode);
}

/** #NP(errorCode): segment not present. */
export function raiseNP(cpu: FaultHolder, errorCode: number): never {
  return raiseFault(cpu, VEC_NP, true, errorCode);
}

/** #TS(errorCode): invalid TSS. */
export function raiseTS(cpu: FaultHolder, errorCode: number): never {
  return raiseFault(cpu, VEC_TS, true, errorCode);
}

/** #DE: divide error. */
export function raiseDE(cpu: FaultHolder): never {
  return raiseFault(cpu, VEC_DE, false, 0);
}

/** #NM: device not available (FPU with CR0.TS/EM). */
export function raiseNM(cpu: FaultHolder): never {
  return raiseFault(cpu, VEC_NM, false, 0);
}

/** #AC(0): alignment check. */
export function raiseAC(cpu: FaultHolder): never {
  return raiseFault(cpu, VEC_AC, true, 0);
}

/**
 * #PF with CR2 = `linear` (already in the form tlb.ts `normalizeLinear`
 * gives: unsigned 32-bit, or signed canonical in long mode) and the given
 * error code (PF_* bits, constants.ts).
 */
export function raisePF(cpu: FaultHolder, linear: number, errorCode: number): never {
  cpu.cr2 = linear;
  return raiseFault(cpu, VEC_PF, true, errorCode);
}

/**
 * Stops the CPU with an `internal-error` exit: the emulator met something it
 * does not implement (not a guest error: guest errors are x86 exceptions).
 */
export function raiseInternalError(cpu: FaultHolder, reason: string): never {
  const s = cpu.exitSignal;
  s.exit = { kind: "internal-error", reason };
  throw s;
}

/** Stops the CPU with a `shutdown` exit (triple fault, shutdown special cycle). */
export function raiseShutdown(cpu: FaultHolder, reason: string): never {
  const s = cpu.exitSignal;
  s.exit = { kind: "shutdown", reason };
  throw s;
}
