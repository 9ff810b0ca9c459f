/**
 * The one place that says which accepted flags do not work yet.
 *
 * `tsvm run` parses every flag it documents, so a command line written today
 * keeps working when the feature lands. Until then, using one of these fails
 * with "X is not implemented yet" — it is never silently ignored. When an
 * issue lands, delete its line here (and its test in test/cli).
 */
import { NotImplementedError } from "./cli-errors.js";
import type { RunConfig } from "./run-config.js";

/** Features that parse but cannot run yet, by the name the user wrote. */
export const NOT_YET_IMPLEMENTED: ReadonlySet<string> = new Set([
  "-drive",
  "-device", // every driver not in AVAILABLE_DEVICE_DRIVERS
  "-qmp",
  "-snapshot",
  "-S",
  "-accel kvm",
  "-smp maxcpus", // more possible than present CPUs means CPU hotplug
  "-machine help",
  "firmware boot", // neither -kernel nor -demo
]);

/** `-device` drivers that work today; any other is reported as not implemented. */
export const AVAILABLE_DEVICE_DRIVERS: ReadonlySet<string> = new Set(["isa-debug-exit", "loader"]);

/** A feature the configuration uses, with what to say about it. */
interface FeatureUse {
  readonly feature: string;
  /** How the user wrote it, for the message (defaults to `feature`). */
  readonly written?: string;
  readonly hint?: string;
}

/** Lists the features of the table above that `config` asks for, in command-line-ish order. */
function featuresUsed(config: RunConfig): FeatureUse[] {
  const { guest, host } = config;
  const uses: FeatureUse[] = [];
  if (host.accelerator === "kvm") uses.push({ feature: "-accel kvm", hint: "use -accel soft" });
  if (guest.machine === "help" || guest.machine === "?") uses.push({ feature: "-machine help" });
  if (guest.cpus.maxCpus !== guest.cpus.cpus) uses.push({ feature: "-smp maxcpus" });
  const startsCpu = guest.devices.some(
    (d) => d.driver === "loader" && d.properties.some(([k]) => k === "cpu-num"),
  );
  if (guest.boot.kind === "firmware" && !startsCpu) {
    uses.push({ feature: "firmware boot", hint: "give -kernel FILE or -demo" });
  }
  for (const device of guest.devices) {
    if (!AVAILABLE_DEVICE_DRIVERS.has(device.driver)) {
      const available = [...AVAILABLE_DEVICE_DRIVERS].join(", ");
      uses.push({
        feature: "-device",
        written: `-device ${device.driver}`,
        hint: `available: ${available}`,
      });
    }
  }
  if (host.blockBackends.length > 0) uses.push({ feature: "-drive" });
  if (host.qmp.length > 0) uses.push({ feature: "-qmp" });
  if (host.snapshot) uses.push({ feature: "-snapshot" });
  if (host.startPaused) uses.push({ feature: "-S" });
  return uses;
}

/**
 * Throws for the first feature `config` uses that is not implemented yet.
 * @throws NotImplementedError
 */
export function checkImplemented(config: RunConfig): void {
  for (const use of featuresUsed(config)) {
    if (NOT_YET_IMPLEMENTED.has(use.feature)) {
      throw new NotImplementedError(use.written ?? use.feature, use.hint);
    }
  }
}

/** Whether a flag as a whole is listed (for `--help`). */
export function isFlagNotYetImplemented(flag: string): boolean {
  return NOT_YET_IMPLEMENTED.has(flag);
}
