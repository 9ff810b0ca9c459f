/**
 * Character device specs in QEMU's short form, as `-serial` and `-qmp` take
 * them (QEMU docs, "-serial dev"):
 *
 *   stdio | null | file:PATH | unix:PATH[,server[=on|off]][,wait=on|off|,nowait]
 *
 * `file:` takes the rest of the text as the path, commas included. `unix:`
 * takes an option list whose implied first key is the path (so a comma in
 * the path is written `,,`). A server waits for its first client before the
 * guest starts unless `wait=off`; `wait` means nothing for a client.
 */
import { UsageError } from "./cli-errors.js";
import { parseBoolean, parseOptionList, toOptionMap } from "./option-list.js";
import type { ChardevBackend } from "./run-config.js";

/**
 * Longest UNIX socket path: `sun_path` holds 108 bytes on Linux, one of
 * which is the terminating NUL (unix(7)).
 */
const MAX_UNIX_PATH_BYTES = 107;

/** The spec forms, for error messages. */
const FORMS = "stdio, null, file:PATH or unix:PATH[,server][,wait=off]";

/**
 * Parses a short-form character device spec.
 * @throws UsageError on an unknown backend or a bad option
 */
export function parseChardevSpec(spec: string, flag: string): ChardevBackend {
  if (spec === "stdio") return { kind: "stdio" };
  if (spec === "null") return { kind: "null" };
  if (spec.startsWith("file:")) {
    const path = spec.slice("file:".length);
    if (path === "") throw new UsageError(flag, "file: needs a path");
    return { kind: "file", path };
  }
  if (spec.startsWith("unix:")) return parseUnix(spec.slice("unix:".length), flag);
  const backend = spec.split(":", 1)[0];
  throw new UsageError(flag, `unsupported backend '${backend}' (expected ${FORMS})`);
}

function parseUnix(rest: string, flag: string): ChardevBackend {
  const options = toOptionMap(parseOptionList(rest, flag, "path"), flag, [
    "path",
    "server",
    "wait",
  ]);
  const path = options.get("path") ?? "";
  if (path === "") throw new UsageError(flag, "unix: needs a socket path");
  if (Buffer.byteLength(path) > MAX_UNIX_PATH_BYTES) {
    throw new UsageError(flag, `socket path is longer than ${MAX_UNIX_PATH_BYTES} bytes: ${path}`);
  }
  const serverText = options.get("server");
  const server = serverText === undefined ? false : parseBoolean(serverText, flag, "server");
  const waitText = options.get("wait");
  if (waitText === undefined) return { kind: "unix", path, server, wait: server };
  const wait = parseBoolean(waitText, flag, "wait");
  if (!server) {
    // QEMU refuses this too: a client connects; there is nothing to wait for.
    throw new UsageError(flag, "'wait' only applies to a socket with 'server'");
  }
  return { kind: "unix", path, server, wait };
}
