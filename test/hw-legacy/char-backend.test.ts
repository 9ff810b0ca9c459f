import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import {
  FileCharBackend,
  NullCharBackend,
  StreamCharBackend,
} from "../../src/hw/legacy/char-backend.js";
import { UnixSocketCharBackend } from "../../src/hw/legacy/char-backend-socket.js";

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text));
const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString();

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tsvm-chardev-"));
}

test("null backend takes everything and never produces input", async () => {
  const backend = new NullCharBackend();
  assert.equal(backend.write(bytes("x")), true);
  backend.onInput(() => assert.fail("no input expected"));
  await backend.close();
});

test("stream backend writes output and delivers input", async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const backend = new StreamCharBackend(input, output);
  const received: Uint8Array[] = [];
  backend.onInput((b) => received.push(b));
  backend.write(bytes("hello"));
  assert.equal(output.read()?.toString(), "hello");
  input.write("typed");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(text(received), "typed");
  await backend.close();
});

test("stream backend reports push-back and calls back on drain", async () => {
  const sink: Buffer[] = [];
  let release: (() => void) | undefined;
  const output = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _encoding, callback) {
      sink.push(chunk);
      release = callback;
    },
  });
  const backend = new StreamCharBackend(undefined, output);
  let drained = 0;
  backend.onDrain(() => drained++);
  assert.equal(backend.write(bytes("12345678")), false);
  assert.equal(backend.write(bytes("9")), false, "still kept, still backed up");
  release?.();
  await new Promise((resolve) => setImmediate(resolve));
  release?.();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(drained, 1);
  assert.equal(Buffer.concat(sink).toString(), "123456789", "nothing lost");
});

test("stream backend survives a broken output stream", async () => {
  const output = new PassThrough();
  const backend = new StreamCharBackend(undefined, output);
  output.destroy(new Error("EPIPE"));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(backend.error?.message, "EPIPE");
  assert.equal(backend.write(bytes("x")), true);
});

test("file backend appends to the file", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "serial.log");
    writeFileSync(path, "old\n");
    const backend = new FileCharBackend(path);
    backend.write(bytes("new"));
    backend.write(bytes(" line\n"));
    await backend.close();
    assert.equal(readFileSync(path, "utf8"), "old\nnew line\n");
    assert.throws(() => new FileCharBackend(join(dir, "missing", "x.log")), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("unix socket server keeps output until a client connects, then talks both ways", async () => {
  const dir = tempDir();
  const path = join(dir, "com1.sock");
  const backend = await UnixSocketCharBackend.open({ path, server: true, holdLimit: 8 });
  try {
    assert.equal(backend.write(bytes("boot ")), true);
    assert.equal(backend.write(bytes("messages")), false, "beyond holdLimit: wait");
    let drained = 0;
    backend.onDrain(() => drained++);
    const received: Uint8Array[] = [];
    backend.onInput((b) => received.push(b));
    const client = connect(path);
    const fromServer: Buffer[] = [];
    client.on("data", (chunk: Buffer) => fromServer.push(chunk));
    await backend.waitForPeer();
    assert.equal(backend.connected, true);
    assert.equal(drained, 1, "drain signalled once the held bytes went out");
    backend.write(bytes("!"));
    client.write("keys");
    await waitFor(() => Buffer.concat(fromServer).length === 14 && received.length > 0);
    assert.equal(Buffer.concat(fromServer).toString(), "boot messages!");
    assert.equal(text(received), "keys");
    // A second client is refused while the first is connected.
    const second = connect(path);
    await new Promise<void>((resolve) => second.once("close", () => resolve()));
    client.destroy();
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("unix socket client connects to a listening server; a missing one is an error", async () => {
  const dir = tempDir();
  const path = join(dir, "peer.sock");
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    const backend = await UnixSocketCharBackend.open({ path, server: false });
    const chunks: Buffer[] = [];
    await waitFor(() => accepted.length === 1);
    accepted[0].on("data", (c: Buffer) => chunks.push(c));
    backend.write(bytes("hi"));
    await waitFor(() => chunks.length > 0);
    assert.equal(Buffer.concat(chunks).toString(), "hi");
    await backend.close();
    await assert.rejects(
      UnixSocketCharBackend.open({ path: join(dir, "none.sock"), server: false }),
    );
  } finally {
    for (const s of accepted) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), "condition not reached in time");
}
