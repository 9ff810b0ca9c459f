/**
 * The contract between the command line and the code that runs a VM
 * (src/cli/run.ts exports `runVm` with this signature).
 */
import type { RunConfig } from "./run-config.js";

/** Where output goes; `process.stdout` and `process.stderr` fit. */
export interface OutputSink {
  write(chunk: string | Uint8Array): unknown;
}

/** The terminal a command talks to. Injectable so tests can capture it. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
}

/**
 * Builds and runs the VM `config` describes, until it powers off (or exits
 * another way `config.host` allows). Resolves to the process exit status.
 * Rejects with an Error whose message is one line for the user.
 */
export type RunVm = (config: RunConfig, io: CliIo) => Promise<number>;
