/**
 * Builds and runs the VM a RunConfig describes. The machine layer
 * (src/machine/) is being written; until a machine type exists, starting a
 * VM fails with one clear line instead of doing nothing.
 */
import type { RunConfig } from "./run-config.js";
import type { CliIo } from "./runner.js";

export async function runVm(config: RunConfig, _io: CliIo): Promise<number> {
  throw new Error(
    `machine type '${config.guest.machine}' cannot run yet: the soft CPU and the PC board are not built`,
  );
}
