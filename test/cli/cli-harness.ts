/**
 * Runs `main` with captured output and a fake VM runner that records the
 * configuration it receives.
 */
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";
import type { RunConfig } from "../../src/cli/run-config.js";

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Configurations that reached the runner (empty if it was never called). */
  readonly configs: RunConfig[];
}

/**
 * @param runnerStatus what the fake runner returns, or an Error it rejects with
 */
export async function runCli(argv: string[], runnerStatus: number | Error = 0): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const text = (chunk: string | Uint8Array): string =>
    typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
  const configs: RunConfig[] = [];
  const status = await main(argv, {
    stdin: new PassThrough(),
    stdout: { write: (chunk) => (stdout += text(chunk)) },
    stderr: { write: (chunk) => (stderr += text(chunk)) },
    debug: false,
    runVm: async (config) => {
      configs.push(config);
      if (runnerStatus instanceof Error) throw runnerStatus;
      return runnerStatus;
    },
  });
  return { status, stdout, stderr, configs };
}
