/**
 * Errors the command line reports to the user as one line, without a stack
 * trace. Anything else that reaches `main` is an internal error.
 */

/** Exit status for a command line tsvm cannot accept (same convention as most Unix tools). */
export const EXIT_USAGE = 2;
/** Exit status when the VM could not be started or failed while running. */
export const EXIT_FAILURE = 1;

/** The command line is malformed: unknown flag, missing argument, bad value. */
export class UsageError extends Error {
  /**
   * @param flag the flag the problem is about, as `-name` (or "" for none);
   *   it starts the message so the user knows what to fix.
   */
  constructor(
    readonly flag: string,
    detail: string,
  ) {
    super(flag === "" ? detail : `${flag}: ${detail}`);
    this.name = "UsageError";
  }
}

/** The command line is valid but asks for something a later issue implements. */
export class NotImplementedError extends Error {
  /** @param hint what does work instead, appended in parentheses */
  constructor(
    readonly feature: string,
    hint?: string,
  ) {
    super(`${feature} is not implemented yet${hint === undefined ? "" : ` (${hint})`}`);
    this.name = "NotImplementedError";
  }
}
