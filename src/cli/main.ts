/**
 * The `tsvm` command (bin/tsvm.js calls `main`).
 *
 *   tsvm run [QEMU-style flags]    tsvm --help    tsvm --version
 *
 * Every failure the user can cause is reported as one line on stderr starting
 * with "tsvm: ", never a stack trace: exit status 2 for a command line that
 * cannot be accepted (including features not implemented yet), 1 when the VM
 * fails. Set TSVM_DEBUG=1 to see the stack of an unexpected error.
 */
import { EXIT_FAILURE, EXIT_USAGE, NotImplementedError, UsageError } from "./cli-errors.js";
import { mainHelp, runHelp } from "./help.js";
import { checkImplemented } from "./not-implemented.js";
import { parseRunArgs } from "./parse-run-args.js";
import type { CliIo, OutputSink, RunVm } from "./runner.js";
import { readVersion } from "./version.js";

/** What `main` uses from the outside world; every field defaults to the real thing. */
export interface MainDeps {
  /** Runs the VM (default: `runVm` from ./run.js, loaded only when a VM is started). */
  readonly runVm?: RunVm;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: OutputSink;
  readonly stderr?: OutputSink;
  /** Show stack traces of unexpected errors (default: TSVM_DEBUG=1 in the environment). */
  readonly debug?: boolean;
}

/**
 * Runs the command line `argv` (without the node and script paths).
 * @returns the process exit status
 */
export async function main(argv: readonly string[], deps: MainDeps = {}): Promise<number> {
  const io: CliIo = {
    stdin: deps.stdin ?? process.stdin,
    stdout: deps.stdout ?? process.stdout,
    stderr: deps.stderr ?? process.stderr,
  };
  try {
    return await dispatch(argv, io, deps);
  } catch (error) {
    return reportError(error, io.stderr, deps.debug ?? process.env.TSVM_DEBUG === "1");
  }
}

async function dispatch(argv: readonly string[], io: CliIo, deps: MainDeps): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      io.stderr.write(mainHelp());
      return EXIT_USAGE;
    case "-h":
    case "--help":
    case "help":
      io.stdout.write(command === "help" && rest[0] === "run" ? runHelp() : mainHelp());
      return 0;
    case "-V":
    case "--version":
      io.stdout.write(`tsvm ${readVersion()}\n`);
      return 0;
    case "run":
      return await run(rest, io, deps);
    default:
      throw new UsageError("", `unknown command '${command}' (see tsvm --help)`);
  }
}

async function run(argv: readonly string[], io: CliIo, deps: MainDeps): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed.action === "help") {
    io.stdout.write(runHelp());
    return 0;
  }
  if (parsed.action === "version") {
    io.stdout.write(`tsvm ${readVersion()}\n`);
    return 0;
  }
  checkImplemented(parsed.config);
  const runVm: RunVm = deps.runVm ?? (await import("./run.js")).runVm;
  return await runVm(parsed.config, io);
}

/** Writes `error` as one "tsvm: ..." line and picks the exit status. */
function reportError(error: unknown, stderr: OutputSink, debug: boolean): number {
  const usage = error instanceof UsageError || error instanceof NotImplementedError;
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`tsvm: ${message.trim().replace(/\s*\n\s*/g, " ")}\n`);
  if (debug && !usage && error instanceof Error && error.stack !== undefined) {
    stderr.write(`${error.stack}\n`);
  }
  return usage ? EXIT_USAGE : EXIT_FAILURE;
}
