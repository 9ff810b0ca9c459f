import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";
import { RUN_FLAGS } from "../../src/cli/run-flags.js";
import { runCli } from "./cli-harness.js";

test("tsvm --help, -h and help print the command list on stdout", async () => {
  for (const argv of [["--help"], ["-h"], ["help"]]) {
    const result = await runCli(argv);
    assert.equal(result.status, 0);
    assert.equal(result.stderr, "");
    assert.match(result.stdout, /^Usage: tsvm <command> \[options\]\n/);
    assert.match(result.stdout, /\n {2}run \[options\] +start a virtual machine/);
  }
});

test("tsvm with no command prints usage on stderr and exits 2", async () => {
  const result = await runCli([]);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^Usage: tsvm <command>/);
});

test("tsvm run --help lists every flag and marks what is not implemented yet", async () => {
  const result = await runCli(["run", "--help"]);
  assert.equal(result.status, 0);
  assert.equal(result.configs.length, 0);
  const help = result.stdout;
  assert.match(help, /^Usage: tsvm run \[options\]\n/);
  for (const spec of RUN_FLAGS) {
    const spelled = spec.names.map((name) => `-${name}`).join(", ");
    assert.ok(help.includes(`\n  ${spelled}`), `help lists ${spelled}`);
    assert.ok(help.includes(spec.help), `help explains ${spelled}`);
  }
  assert.match(help, /\n {2}-machine, -M \[type=\]NAME/);
  assert.match(help, /add a disk image \(repeatable\) \(not implemented yet\)/);
  assert.match(help, /or kvm \(not implemented yet: kvm\)/);
  assert.match(help, /\(only isa-debug-exit, loader so far\)/);
  assert.equal((await runCli(["help", "run"])).stdout, help);
  assert.equal((await runCli(["run", "-m", "1G", "-h"])).stdout, help);
});

test("tsvm --version prints the version from package.json", async () => {
  // Tests run from the repository root (npm test, scripts/run-tests.mjs).
  const manifest = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as {
    version: string;
  };
  for (const argv of [["--version"], ["-V"], ["run", "--version"], ["run", "-version"]]) {
    const result = await runCli(argv);
    assert.equal(result.stdout, `tsvm ${manifest.version}\n`, argv.join(" "));
    assert.equal(result.status, 0);
  }
});

test("the runner gets the config and the injected io, and its status is returned", async () => {
  const stdout = { write: () => true };
  const stderr = { write: () => true };
  const stdin = new PassThrough();
  let seen: unknown[] = [];
  const status = await main(["run", "-demo", "-m", "64M"], {
    stdin,
    stdout,
    stderr,
    runVm: async (config, io) => {
      seen = [config.guest.memoryBytes, io.stdin, io.stdout, io.stderr];
      return 7;
    },
  });
  assert.equal(status, 7);
  assert.deepEqual(seen, [64 * 2 ** 20, stdin, stdout, stderr]);
});

test("a failing VM is one line on stderr, exit 1, no stack trace", async () => {
  const result = await runCli(
    ["run", "-demo"],
    new Error("cannot open guest image: ENOENT\n    at somewhere (x.js:1:1)"),
  );
  assert.equal(result.status, 1);
  assert.equal(result.stderr, "tsvm: cannot open guest image: ENOENT at somewhere (x.js:1:1)\n");
  assert.equal(result.configs.length, 1);
});

test("with debug on, an unexpected error also shows its stack", async () => {
  let stderr = "";
  const status = await main(["run", "-demo"], {
    stderr: { write: (chunk) => (stderr += String(chunk)) },
    debug: true,
    runVm: async () => {
      throw new TypeError("oops");
    },
  });
  assert.equal(status, 1);
  assert.match(stderr, /^tsvm: oops\nTypeError: oops\n {4}at /);
});

test("a thrown non-Error is still reported as one line", async () => {
  let stderr = "";
  const status = await main(["run", "-demo"], {
    stderr: { write: (chunk) => (stderr += String(chunk)) },
    runVm: () => Promise.reject("plain string"),
  });
  assert.equal(status, 1);
  assert.equal(stderr, "tsvm: plain string\n");
});
