/**
 * Why `Vcpu.run()` returned. A discriminated union on `kind`; every exit names
 * the vCPU through the Vcpu it was returned from.
 *
 * Port and MMIO exits are only seen when the Vm has no AccessHandler
 * (see api.ts): then the caller performs the access and calls
 * `vcpu.completeAccess(value)` before the next `run()`. With a handler
 * installed, accesses are dispatched synchronously inside `run()` and never
 * appear here. Which of the two a Vm uses is fixed when it is created.
 */

export interface PortIoExit {
  readonly kind: "io";
  readonly port: number;
  /** 1, 2 or 4 bytes. */
  readonly size: 1 | 2 | 4;
  readonly write: boolean;
  /** Value written (for writes); 0 for reads. */
  readonly value: number;
}

export interface MmioExit {
  readonly kind: "mmio";
  /** Guest-physical address. */
  readonly address: number;
  /** 1, 2, 4 or 8 bytes. */
  readonly size: 1 | 2 | 4 | 8;
  readonly write: boolean;
  /** Value written (a bigint only for 8-byte accesses); 0 for reads. */
  readonly value: number | bigint;
}

export interface HltExit {
  readonly kind: "hlt";
}

/** Triple fault or similar: the machine must be reset or stopped. */
export interface ShutdownExit {
  readonly kind: "shutdown";
  readonly reason: string;
}

/** The guest asked for a reset or a power-off through a platform device. */
export interface SystemEventExit {
  readonly kind: "system-event";
  readonly event: "reset" | "poweroff";
}

/** The guest can now take an external interrupt (requested by the caller). */
export interface InterruptWindowExit {
  readonly kind: "interrupt-window";
}

/** A debug event: single step, breakpoint, watchpoint. */
export interface DebugExit {
  readonly kind: "debug";
  readonly reason: "single-step" | "breakpoint" | "watchpoint";
  readonly address: bigint;
}

/** The backend could not continue; `reason` says why. */
export interface InternalErrorExit {
  readonly kind: "internal-error";
  readonly reason: string;
}

/**
 * `kick()` was called: the run stopped at an instruction boundary because it
 * was asked to, not because the guest did anything. Kept apart from every
 * guest-caused exit (seed 002: "stop requested" vs "exited for a reason").
 */
export interface KickedExit {
  readonly kind: "kicked";
}

/**
 * The run budget given to `run()` was used up (soft backend: instructions;
 * the caller gets control back to service timers and the event loop).
 */
export interface BudgetExit {
  readonly kind: "budget";
}

export type VcpuExit =
  | PortIoExit
  | MmioExit
  | HltExit
  | ShutdownExit
  | SystemEventExit
  | InterruptWindowExit
  | DebugExit
  | InternalErrorExit
  | KickedExit
  | BudgetExit;

export type VcpuExitKind = VcpuExit["kind"];
