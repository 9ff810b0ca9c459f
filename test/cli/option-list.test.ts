import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseBoolean,
  parseOptionList,
  parsePositiveInteger,
  toOptionMap,
} from "../../src/cli/option-list.js";
import { UsageError } from "../../src/cli/cli-errors.js";

test("key=value pairs keep their order", () => {
  assert.deepEqual(parseOptionList("b=2,a=1,c=x", "-x"), [
    ["b", "2"],
    ["a", "1"],
    ["c", "x"],
  ]);
});

test("the implied key names a first option written without '='", () => {
  assert.deepEqual(parseOptionList("e1000,id=n0", "-device", "driver"), [
    ["driver", "e1000"],
    ["id", "n0"],
  ]);
  // ...but only the first one, and only without '='.
  assert.deepEqual(parseOptionList("driver=e1000,server", "-device", "driver"), [
    ["driver", "e1000"],
    ["server", "on"],
  ]);
});

test("',,' is a literal comma inside a value, also in the implied first option", () => {
  assert.deepEqual(parseOptionList("a,,b,,,c=d,,,,e", "-x", "path"), [
    ["path", "a,b,"],
    ["c", "d,,e"],
  ]);
  assert.deepEqual(parseOptionList("file=x,,y.img,if=none", "-drive"), [
    ["file", "x,y.img"],
    ["if", "none"],
  ]);
});

test("a bare name is a boolean: 'server' is on, 'nowait' is wait=off", () => {
  assert.deepEqual(parseOptionList("/s,server,nowait", "-serial", "path"), [
    ["path", "/s"],
    ["server", "on"],
    ["wait", "off"],
  ]);
});

test("empty values, a trailing comma and an empty string", () => {
  assert.deepEqual(parseOptionList("a=,b=1,", "-x"), [
    ["a", ""],
    ["b", "1"],
  ]);
  assert.deepEqual(parseOptionList("", "-x", "size"), []);
});

test("an empty option name is refused and names the flag", () => {
  assert.throws(() => parseOptionList("a=1,=2", "-drive"), {
    name: "UsageError",
    message: "-drive: empty option name in 'a=1,=2'",
  });
  assert.throws(() => parseOptionList(",a=1", "-drive"), UsageError);
  // ",,," after a value is an escaped comma plus a trailing separator, which is fine.
  assert.deepEqual(parseOptionList("a=1,,,", "-drive"), [["a", "1,"]]);
});

test("toOptionMap refuses unknown and repeated keys", () => {
  const map = toOptionMap([["size", "1G"]], "-m", ["size"]);
  assert.equal(map.get("size"), "1G");
  assert.throws(() => toOptionMap([["slots", "2"]], "-m", ["size"]), {
    message: "-m: unknown option 'slots' (expected size)",
  });
  assert.throws(
    () =>
      toOptionMap(
        [
          ["size", "1"],
          ["size", "2"],
        ],
        "-m",
        ["size"],
      ),
    { message: "-m: option 'size' given twice" },
  );
});

test("booleans take QEMU's spellings and nothing else", () => {
  for (const word of ["on", "yes", "true", "y"]) assert.equal(parseBoolean(word, "-x", "k"), true);
  for (const word of ["off", "no", "false", "n"])
    assert.equal(parseBoolean(word, "-x", "k"), false);
  assert.throws(() => parseBoolean("1", "-qmp", "server"), {
    message: "-qmp: 'server' must be on or off, not '1'",
  });
});

test("positive integers: zero, signs, junk and too-large values are refused", () => {
  assert.equal(parsePositiveInteger("16", "-smp", "cpus", 64), 16);
  assert.throws(
    () => parsePositiveInteger("0", "-smp", "cpus", 64),
    /-smp: 'cpus' must be at least 1/,
  );
  assert.throws(() => parsePositiveInteger("-1", "-smp", "cpus", 64), /positive integer/);
  assert.throws(() => parsePositiveInteger("2x", "-smp", "cpus", 64), /positive integer/);
  assert.throws(() => parsePositiveInteger("65", "-smp", "cpus", 64), /at most 64/);
});
