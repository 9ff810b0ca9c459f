/**
 * Errors raised by the hypervisor API. Every failure carries a stable `code`
 * so callers can tell "you used a destroyed handle" from "bad argument"
 * without parsing messages (seed 002: "calls on a destroyed handle fail the
 * same way every time").
 */
export type HvErrorCode =
  | "destroyed" // the handle (Vm, Vcpu) was destroyed
  | "invalid-argument" // a value is out of range or malformed
  | "unsupported" // the backend or CPU model does not implement this
  | "busy" // the object is in a state that forbids the call (e.g. vCPU running)
  | "no-memory" // the host could not allocate what was asked
  | "wrong-thread"; // a vCPU was used from a thread it is not bound to

export class HvError extends Error {
  readonly code: HvErrorCode;
  constructor(code: HvErrorCode, message: string) {
    super(message);
    this.name = "HvError";
    this.code = code;
  }
}

/** Throws the one error every call on a destroyed handle gets. */
export function destroyedError(what: string): HvError {
  return new HvError("destroyed", `${what} has been destroyed`);
}
