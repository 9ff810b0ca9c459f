import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { readVersion } from "../../src/cli/version.js";

/** Makes root/package.json (tsvm) and root/a/b/package.json (another package). */
function makeTree(rootManifest: object | undefined): { root: string; module: URL } {
  const root = mkdtempSync(join(tmpdir(), "tsvm-version-"));
  const inner = join(root, "a", "b");
  mkdirSync(join(inner, "cli"), { recursive: true });
  if (rootManifest !== undefined) {
    writeFileSync(join(root, "package.json"), JSON.stringify(rootManifest));
  }
  writeFileSync(join(inner, "package.json"), JSON.stringify({ name: "other", version: "0.0.1" }));
  return { root, module: pathToFileURL(join(inner, "cli", "main.js")) };
}

test("the nearest package.json named tsvm wins, skipping other packages", () => {
  const { root, module } = makeTree({ name: "tsvm", version: "9.8.7-rc.1" });
  try {
    assert.equal(readVersion(module), "9.8.7-rc.1");
  } finally {
    rmSync(root, { recursive: true });
  }
});

test("a missing version or a missing package.json is a clear error", () => {
  const noVersion = makeTree({ name: "tsvm" });
  try {
    assert.throws(() => readVersion(noVersion.module), { message: "package.json has no version" });
  } finally {
    rmSync(noVersion.root, { recursive: true });
  }
  // Nothing named tsvm anywhere above a fresh temporary directory.
  const none = makeTree(undefined);
  try {
    assert.throws(() => readVersion(none.module), /cannot find tsvm's package.json above/);
  } finally {
    rmSync(none.root, { recursive: true });
  }
});
