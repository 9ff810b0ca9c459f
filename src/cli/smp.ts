/**
 * `-smp [cpus=]N[,maxcpus=M][,sockets=S][,dies=D][,cores=C][,threads=T]`.
 *
 * The rules are QEMU's (docs: "-smp"; hw/core/machine-smp.c) for machine
 * types that prefer cores over sockets (QEMU 6.2 and later):
 * - omitted `maxcpus` equals `cpus`; omitted `cpus` equals `maxcpus`;
 * - an omitted `cores` is derived from the others (sockets and threads
 *   default to 1); otherwise an omitted `sockets` is derived; an omitted
 *   `threads` is derived last; `dies` defaults to 1;
 * - `sockets * dies * cores * threads` must equal `maxcpus`, and
 *   `maxcpus >= cpus`.
 */
import { UsageError } from "./cli-errors.js";
import { parsePositiveInteger } from "./option-list.js";
import type { CpuTopology } from "./run-config.js";

/** Keys `-smp` accepts; `cpus` is the implied first key. */
export const SMP_KEYS = ["cpus", "maxcpus", "sockets", "dies", "cores", "threads"] as const;

/**
 * Upper bound on any one count, to refuse absurd numbers early. The real
 * limit is the backend's `maxVcpus` capability, checked when the VM is built.
 */
const MAX_COUNT = 4096;

/**
 * Resolves `-smp` options (already merged across repeated flags) into a
 * consistent topology. With no options at all: one CPU.
 * @throws UsageError on a zero or malformed count, or an inconsistent topology
 */
export function resolveSmp(options: ReadonlyMap<string, string>, flag: string): CpuTopology {
  const read = (key: (typeof SMP_KEYS)[number]): number | undefined => {
    const text = options.get(key);
    return text === undefined ? undefined : parsePositiveInteger(text, flag, key, MAX_COUNT);
  };
  const givenCpus = read("cpus");
  const givenMax = read("maxcpus");
  let sockets = read("sockets");
  const dies = read("dies") ?? 1;
  let cores = read("cores");
  let threads = read("threads");

  const target = givenMax ?? givenCpus;
  if (target === undefined) {
    // Only topology members given: every missing member is 1.
    sockets ??= 1;
    cores ??= 1;
    threads ??= 1;
  } else if (cores === undefined) {
    sockets ??= 1;
    threads ??= 1;
    cores = Math.floor(target / (sockets * dies * threads));
  } else if (sockets === undefined) {
    threads ??= 1;
    sockets = Math.floor(target / (dies * cores * threads));
  } else if (threads === undefined) {
    threads = Math.floor(target / (sockets * dies * cores));
  }

  const product = sockets * dies * cores * threads;
  const maxCpus = givenMax ?? givenCpus ?? product;
  const cpus = givenCpus ?? maxCpus;
  if (product !== maxCpus) {
    throw new UsageError(
      flag,
      `sockets (${sockets}) * dies (${dies}) * cores (${cores}) * threads (${threads}) ` +
        `must equal maxcpus (${maxCpus})`,
    );
  }
  if (maxCpus < cpus) {
    throw new UsageError(flag, `maxcpus (${maxCpus}) must be at least cpus (${cpus})`);
  }
  if (maxCpus > MAX_COUNT) {
    throw new UsageError(flag, `at most ${MAX_COUNT} CPUs, not ${maxCpus}`);
  }
  return { cpus, maxCpus, sockets, dies, cores, threads };
}
