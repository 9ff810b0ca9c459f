#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test
// runner. Node 20's `--test` takes no globs, and given a folder it would also
// run helper modules, so the list is made here. Arguments filter by substring.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.js")) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect("dist/test", []).filter(
  (f) => filters.length === 0 || filters.some((s) => f.includes(s)),
);
if (files.length === 0) {
  console.error("run-tests: no test files matched");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--test", "--test-reporter=spec", "--test-reporter-destination=stdout", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
