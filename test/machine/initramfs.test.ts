import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { gunzipSync } from "node:zlib";
import {
  buildBusyboxInitramfs,
  USERSPACE_MARKER,
} from "../../src/machine/initramfs/busybox-initramfs.js";
import { buildCpio, S_IFLNK, S_IFREG } from "../../src/machine/initramfs/cpio.js";

/** An independent newc reader: returns name → {mode, data}. */
function readNewc(
  archive: Uint8Array,
): Map<string, { mode: number; data: Uint8Array; rdevmajor: number }> {
  const out = new Map<string, { mode: number; data: Uint8Array; rdevmajor: number }>();
  const text = new TextDecoder("latin1");
  let at = 0;
  for (;;) {
    const h = text.decode(archive.subarray(at, at + 110));
    assert.equal(h.slice(0, 6), "070701", `magic at ${at}`);
    const field = (i: number) => parseInt(h.slice(6 + i * 8, 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const rdevmajor = field(9);
    const nameSize = field(11);
    const name = text.decode(archive.subarray(at + 110, at + 110 + nameSize - 1));
    at += 110 + nameSize;
    at += (4 - (at % 4)) % 4;
    const data = archive.subarray(at, at + size);
    at += size;
    at += (4 - (at % 4)) % 4;
    if (name === "TRAILER!!!") break;
    out.set(name, { mode, data, rdevmajor });
  }
  assert.equal(at, archive.length, "archive ends after the trailer");
  return out;
}

test("newc archives round-trip through an independent reader", () => {
  const files = buildCpio([
    { name: "a", mode: S_IFREG | 0o644, data: "hello" },
    { name: "b/c", mode: S_IFREG | 0o755, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7]) },
    { name: "l", mode: S_IFLNK | 0o777, data: "a" },
  ]);
  const m = readNewc(files);
  assert.equal(new TextDecoder().decode(m.get("a")?.data), "hello");
  assert.deepEqual([...(m.get("b/c")?.data ?? [])], [1, 2, 3, 4, 5, 6, 7]);
  assert.equal((m.get("l")?.mode ?? 0) & 0o170000, S_IFLNK);
});

test("GNU cpio accepts the archive (when installed)", (t) => {
  if (spawnSync("cpio", ["--version"]).status !== 0) {
    t.skip("cpio is not installed");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "tsvm-cpio-"));
  writeFileSync(
    join(dir, "x.cpio"),
    buildCpio([{ name: "f", mode: S_IFREG | 0o600, data: "xyz" }]),
  );
  const r = spawnSync("sh", ["-c", "cpio -idm < x.cpio"], { cwd: dir });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(readFileSync(join(dir, "f"), "utf8"), "xyz");
});

test("bad names are refused", () => {
  assert.throws(() => buildCpio([{ name: "/abs", mode: S_IFREG }]), /bad entry name/);
  assert.throws(
    () =>
      buildCpio([
        { name: "x", mode: S_IFREG },
        { name: "x", mode: S_IFREG },
      ]),
    /duplicate/,
  );
});

test("the busybox initramfs has busybox, a console node and an /init that prints the marker", () => {
  const busybox = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 9, 9]);
  const gz = buildBusyboxInitramfs({
    busybox,
    modules: [{ name: "virtio.ko", data: new Uint8Array([1]) }],
  });
  assert.deepEqual([gz[0], gz[1]], [0x1f, 0x8b], "gzip magic");
  const m = readNewc(gunzipSync(gz));
  assert.deepEqual([...(m.get("bin/busybox")?.data ?? [])], [...busybox]);
  assert.equal(m.get("dev/console")?.rdevmajor, 5);
  const init = new TextDecoder().decode(m.get("init")?.data);
  assert.ok(init.startsWith("#!/bin/busybox sh\n"));
  assert.match(init, /mount -t proc proc \/proc/);
  assert.match(init, /insmod \/lib\/modules\/virtio.ko/);
  assert.ok(init.includes(USERSPACE_MARKER));
  assert.match(init, /poweroff -f/);
  const shell = new TextDecoder().decode(
    readNewc(gunzipSync(buildBusyboxInitramfs({ busybox, then: "shell" }))).get("init")?.data,
  );
  assert.match(shell, /exec setsid cttyhack sh/);
});
