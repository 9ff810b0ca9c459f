/**
 * Help texts. The `run` flag list is generated from the flag table, and marks
 * what is not implemented yet from the same list the parser checks, so the
 * help cannot drift from what the command does.
 */
import { AVAILABLE_DEVICE_DRIVERS, NOT_YET_IMPLEMENTED } from "./not-implemented.js";
import { RUN_FLAGS, type FlagSpec } from "./run-flags.js";

/** `tsvm --help`. */
export function mainHelp(): string {
  return [
    "Usage: tsvm <command> [options]",
    "",
    "A virtual machine monitor for x86 PC guests.",
    "",
    "Commands:",
    "  run [options]    start a virtual machine (QEMU-style flags; see tsvm run --help)",
    "  help [command]   show help",
    "",
    "Options:",
    "  -h, --help       show this help",
    "  -V, --version    print the version",
    "",
  ].join("\n");
}

/** `tsvm run --help`. */
export function runHelp(): string {
  const lines = [
    "Usage: tsvm run [options]",
    "",
    "Start a virtual machine. Flags are spelled as in QEMU; -flag and --flag are the same.",
    "",
    "Options:",
  ];
  for (const spec of RUN_FLAGS) {
    lines.push(
      `  ${spec.names.map((name) => `-${name}`).join(", ")}${spec.arg ? ` ${spec.arg}` : ""}`,
    );
    lines.push(`        ${spec.help}${notYetNote(spec)}`);
  }
  lines.push(
    "  -h, -help, --help",
    "        show this help",
    "  -version, --version",
    "        print the version",
    "",
    "Examples:",
    "  tsvm run -demo",
    '  tsvm run -m 512M -kernel bzImage -initrd initrd.img -append "console=ttyS0" -nographic',
    "",
  );
  return lines.join("\n");
}

/** " (not implemented yet...)" for a flag listed in NOT_YET_IMPLEMENTED, else "". */
function notYetNote(spec: FlagSpec): string {
  const flag = `-${spec.names[0]}`;
  if (flag === "-device" && NOT_YET_IMPLEMENTED.has(flag)) {
    return ` (only ${[...AVAILABLE_DEVICE_DRIVERS].join(", ")} so far)`;
  }
  if (NOT_YET_IMPLEMENTED.has(flag)) return " (not implemented yet)";
  const parts = [...NOT_YET_IMPLEMENTED]
    .filter((feature) => feature.startsWith(`${flag} `))
    .map((feature) => feature.slice(flag.length + 1));
  return parts.length === 0 ? "" : ` (not implemented yet: ${parts.join(", ")})`;
}
