import { test } from "node:test";
import assert from "node:assert/strict";
import { parseChardevSpec } from "../../src/cli/chardev-spec.js";

const parse = (spec: string) => parseChardevSpec(spec, "-serial");

test("stdio, null and file:", () => {
  assert.deepEqual(parse("stdio"), { kind: "stdio" });
  assert.deepEqual(parse("null"), { kind: "null" });
  // file: takes the rest verbatim, commas included.
  assert.deepEqual(parse("file:/tmp/a,b.log"), { kind: "file", path: "/tmp/a,b.log" });
});

test("unix: client by default; a server waits unless told not to", () => {
  assert.deepEqual(parse("unix:/tmp/s"), {
    kind: "unix",
    path: "/tmp/s",
    server: false,
    wait: false,
  });
  assert.deepEqual(parse("unix:/tmp/s,server"), {
    kind: "unix",
    path: "/tmp/s",
    server: true,
    wait: true,
  });
  for (const spec of ["unix:/tmp/s,server,nowait", "unix:/tmp/s,server=on,wait=off"]) {
    assert.deepEqual(
      parse(spec),
      { kind: "unix", path: "/tmp/s", server: true, wait: false },
      spec,
    );
  }
  assert.deepEqual(parse("unix:/tmp/a,,b,server=off"), {
    kind: "unix",
    path: "/tmp/a,b",
    server: false,
    wait: false,
  });
});

test("bad specs are refused with the flag named", () => {
  const cases: [string, RegExp][] = [
    ["vc", /^-serial: unsupported backend 'vc' \(expected stdio, null, file:PATH or unix:PATH/],
    ["tcp:localhost:4444", /unsupported backend 'tcp'/],
    ["file:", /^-serial: file: needs a path$/],
    ["unix:", /^-serial: unix: needs a socket path$/],
    ["unix:/s,server=maybe", /^-serial: 'server' must be on or off, not 'maybe'$/],
    ["unix:/s,nowait", /^-serial: 'wait' only applies to a socket with 'server'$/],
    ["unix:/s,reconnect=1", /^-serial: unknown option 'reconnect'/],
    [`unix:/${"x".repeat(107)}`, /^-serial: socket path is longer than 107 bytes/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => parse(spec), { name: "UsageError", message }, spec);
  }
  assert.equal(parse(`unix:/${"x".repeat(106)}`).kind, "unix");
});
