import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import test from "node:test";
import { ESCAPE_HELP, TerminalConsole } from "../../src/cli/terminal.js";

function setup() {
  const stdin = new PassThrough();
  let out = "";
  let err = "";
  let quits = 0;
  const io = {
    stdin,
    stdout: { write: (c: string | Uint8Array) => (out += Buffer.from(c).toString()) },
    stderr: { write: (c: string | Uint8Array) => (err += Buffer.from(c).toString()) },
  };
  const term = new TerminalConsole(io, () => quits++);
  const received: number[] = [];
  term.onInput((b) => received.push(...b));
  return { term, received, out: () => out, err: () => err, quits: () => quits };
}

test("keystrokes reach the guest; guest output reaches stdout", () => {
  const t = setup();
  t.term.input(Buffer.from("ls\r"));
  assert.deepEqual(t.received, [...Buffer.from("ls\r")]);
  t.term.write(Buffer.from("hello"));
  assert.equal(t.out(), "hello");
});

test("C-a x quits, C-a h prints help, C-a C-a sends one C-a; escapes never reach the guest", () => {
  const t = setup();
  t.term.input(Uint8Array.of(0x01, 0x68));
  assert.equal(t.err(), ESCAPE_HELP);
  t.term.input(Uint8Array.of(0x61, 0x01, 0x01, 0x62));
  assert.deepEqual(t.received, [0x61, 0x01, 0x62]);
  // The escape may be split across reads.
  t.term.input(Uint8Array.of(0x01));
  assert.equal(t.quits(), 0);
  t.term.input(Uint8Array.of(0x78));
  assert.equal(t.quits(), 1);
  assert.deepEqual(t.received, [0x61, 0x01, 0x62]);
});
