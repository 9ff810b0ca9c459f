/**
 * tsvm's version, read at run time from package.json so it is never out of
 * step with the release. The file is found by walking up from this module:
 * it sits at the package root both above src/cli/ (sources) and above
 * dist/src/cli/ (the compiled CLI that bin/tsvm.js runs).
 */
import { readFileSync } from "node:fs";

/** How many directories up to look before giving up. */
const MAX_LEVELS = 6;

/**
 * Returns the `version` of the nearest enclosing package.json named "tsvm".
 * @param from the module to start from (default: this one)
 * @throws Error when no such package.json is found or it has no version
 */
export function readVersion(from: URL = new URL(import.meta.url)): string {
  let dir = new URL("./", from);
  for (let level = 0; level < MAX_LEVELS; level++) {
    const manifest = readManifest(new URL("package.json", dir));
    if (manifest !== undefined && manifest.name === "tsvm") {
      if (typeof manifest.version !== "string") throw new Error("package.json has no version");
      return manifest.version;
    }
    const parent = new URL("../", dir);
    if (parent.href === dir.href) break;
    dir = parent;
  }
  throw new Error(`cannot find tsvm's package.json above ${from.pathname}`);
}

function readManifest(url: URL): { name?: unknown; version?: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(url, "utf8");
  } catch {
    return undefined; // no package.json at this level
  }
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === "object" && parsed !== null ? parsed : undefined;
}
