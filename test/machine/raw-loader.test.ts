/**
 * `-device loader,file=F,addr=A,cpu-num=0`: a raw binary at an address, the
 * boot path of our own small test programs, through the real command.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { repoRoot } from "../../bench/guest-files.js";

// mov dx,0x3f8; mov al,'R'; out dx,al; mov al,'\n'; out dx,al;
// mov dx,0xf4; mov eax,[0x200100]; out dx,al; hlt
const PROGRAM = [
  0x66, 0xba, 0xf8, 0x03, 0xb0, 0x52, 0xee, 0xb0, 0x0a, 0xee,
  0x66, 0xba, 0xf4, 0x00, 0xa1, 0x00, 0x01, 0x20, 0x00, 0xee, 0xf4,
]; // prettier-ignore

function tsvm(args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot(), "bin", "tsvm.js"), "run", ...args], {
    encoding: "latin1",
    timeout: 30_000,
  });
}

test("a raw image runs from its load address in 32-bit protected mode", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsvm-loader-"));
  const code = join(dir, "code.bin");
  const data = join(dir, "data.bin");
  writeFileSync(code, Uint8Array.from(PROGRAM));
  writeFileSync(data, Uint8Array.of(21));
  const r = tsvm([
    "-m", "16M",
    "-device", `loader,file=${code},addr=0x200000,cpu-num=0`,
    "-device", `loader,file=${data},addr=0x200100`,
    "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
  ]); // prettier-ignore
  assert.equal(r.stdout, "R\n", r.stderr);
  assert.equal(r.status, (21 << 1) | 1, r.stderr);
});

test("loader mistakes get one clear line", () => {
  const r = tsvm(["-device", "loader,file=/nonexistent,addr=0x1000,cpu-num=0"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^tsvm: cannot read loader file '\/nonexistent': ENOENT\n$/);
  const outside = tsvm([
    "-m",
    "16M",
    "-device",
    `loader,file=${process.execPath},addr=0xff0000,cpu-num=0`,
  ]);
  assert.match(outside.stderr, /do not fit in guest RAM/);
  const bad = tsvm(["-device", "loader,file=x,addr=0x1000,cpu-num=0,speed=9"]);
  assert.match(bad.stderr, /unknown property 'speed'/);
});
