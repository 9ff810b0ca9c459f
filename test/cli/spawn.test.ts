/**
 * The compiled CLI in a real process: exit status and stderr exactly as a
 * shell sees them (no stack trace, no unhandled rejection noise).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

const mainUrl = new URL("../../src/cli/main.js", import.meta.url).href;
const script = `import { main } from ${JSON.stringify(mainUrl)};
process.exitCode = await main(process.argv.slice(1));`;

function spawnCli(...argv: string[]) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", script, "--", ...argv], {
    encoding: "utf8",
    timeout: 10_000,
  });
}

test("a bad value exits 2 with one line on stderr", () => {
  const child = spawnCli("run", "-demo", "-m", "banana");
  assert.equal(child.stderr, "tsvm: -m: 'banana' is not a size (examples: 512M, 2G)\n");
  assert.equal(child.stdout, "");
  assert.equal(child.status, 2);
});

test("--version prints one line and exits 0", () => {
  const child = spawnCli("--version");
  assert.equal(child.stderr, "");
  assert.match(child.stdout, /^tsvm \d+\.\d+\.\d+\S*\n$/);
  assert.equal(child.status, 0);
});
