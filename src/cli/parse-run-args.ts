/**
 * Reads the arguments of `tsvm run`. Flags are written `-name` or `--name`
 * (QEMU accepts both); a flag's argument is always the next word, even if it
 * starts with a dash (as in QEMU, so `-append -v` works).
 */
import { UsageError } from "./cli-errors.js";
import { buildRunConfig } from "./build-run-config.js";
import type { RunConfig } from "./run-config.js";
import { emptyRunArgsState, findRunFlag, HELP_FLAGS, VERSION_FLAGS } from "./run-flags.js";

/** What the `run` arguments ask for. */
export type RunArgs =
  | { readonly action: "run"; readonly config: RunConfig }
  | { readonly action: "help" }
  | { readonly action: "version" };

/**
 * Parses the words after `tsvm run`.
 * @throws UsageError for an unknown flag, a missing argument or a bad value
 */
export function parseRunArgs(argv: readonly string[]): RunArgs {
  const state = emptyRunArgsState();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    const name = flagName(word);
    if (name === undefined) {
      throw new UsageError("", `unexpected argument '${word}' (disk images go in -drive file=...)`);
    }
    if (HELP_FLAGS.includes(name)) return { action: "help" };
    if (VERSION_FLAGS.includes(name)) return { action: "version" };
    const spec = findRunFlag(name);
    if (spec === undefined) {
      throw new UsageError("", `unknown option '${word}' (see tsvm run --help)`);
    }
    const flag = `-${name}`;
    if (spec.arg === undefined) {
      spec.apply(state, "", flag);
      continue;
    }
    if (i + 1 >= argv.length) throw new UsageError(flag, `needs an argument: ${flag} ${spec.arg}`);
    i++;
    spec.apply(state, argv[i], flag);
  }
  return { action: "run", config: buildRunConfig(state) };
}

/** `-name` or `--name` → `name`; anything else → undefined. */
function flagName(word: string): string | undefined {
  if (!word.startsWith("-") || word === "-") return undefined;
  return word.startsWith("--") ? word.slice(2) : word.slice(1);
}
