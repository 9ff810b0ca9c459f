/**
 * Save/load plumbing shared by the legacy devices. Each device keeps its
 * whole migratable state in one plain object described with `describe`
 * (src/migration/state); these helpers add the checks the codecs cannot
 * express (times must be finite, non-negative integers) without changing
 * the device when a section is refused.
 */
import {
  StateError,
  type SectionInput,
  type StateDescription,
} from "../../migration/state/index.js";

/**
 * Loads `section` into `target` after `check` accepted the decoded state.
 * `check` throws (see `requireTime`) to refuse it; `target` is then unchanged.
 */
export function loadChecked<S extends object>(
  description: StateDescription<S>,
  section: SectionInput,
  target: S,
  check: (state: S) => void,
): void {
  check(description.decode(section).state);
  description.load(section, target);
}

/**
 * Refuses a time (ns or ticks) that is not a safe integer, or is negative
 * unless `allowNegative` (a phase reference may lie before virtual time 0).
 */
export function requireTime(
  description: { readonly name: string },
  field: string,
  value: number,
  allowNegative = false,
): void {
  if (!Number.isSafeInteger(value) || (value < 0 && !allowNegative)) {
    refuseField(description, field, `${value} is not a valid time`);
  }
}

/** Refuses a loaded field with `detail` (a StateError "bad-value" naming the field). */
export function refuseField(
  description: { readonly name: string },
  field: string,
  detail: string,
): never {
  throw new StateError("bad-value", description.name, field, detail);
}
