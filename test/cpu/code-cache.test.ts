/**
 * The decoded-block cache stays coherent with memory: self-modifying code
 * inside the running block and across blocks, DMA writes, and instructions
 * that cross a page (never cached).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CpuHarness } from "./harness.js";

test("a store into the running block takes effect for the next instruction", () => {
  const h = CpuHarness.flat32();
  h.load(0x1000, [
    0xc6,
    0x05,
    0x0c,
    0x10,
    0x00,
    0x00,
    0x42, // 1000 mov byte [0x100c], 0x42
    0x90,
    0x90,
    0x90,
    0x90, // 1007 nops
    0xb0,
    0x00, // 100b mov al, 0  (immediate patched to 0x42)
    0xf4, // 100d hlt
  ]);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eax & 0xff, 0x42);
  assert.ok(h.cpu.blocks.invalidated >= 1);
});

test("a store into another cached block invalidates it", () => {
  const h = CpuHarness.flat32();
  h.poke(0x2000, [0xb0, 0x05, 0xaa, 0xc3]); // mov al, 5; stosb; ret
  h.edi = 0x3000;
  h.load(0x1000, [
    0xe8,
    0xfb,
    0x0f,
    0x00,
    0x00, // call 0x2000
    0xc6,
    0x05,
    0x01,
    0x20,
    0x00,
    0x00,
    0x07, // mov byte [0x2001], 7
    0xe8,
    0xef,
    0x0f,
    0x00,
    0x00, // call 0x2000
    0xf4,
  ]);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.read8(0x3000), 5);
  assert.equal(h.read8(0x3001), 7);
});

test("DMA writes drop the blocks of the page", () => {
  const h = CpuHarness.flat32();
  h.load(0x1000, [0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4]);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eax, 1);
  const built = h.cpu.blocks.built;
  h.load(0x1000, [0xb8, 0x02, 0x00, 0x00, 0x00, 0xf4]);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eax, 2);
  assert.ok(h.cpu.blocks.built > built);
  // Running unchanged code again reuses the block.
  const again = h.cpu.blocks.built;
  h.start(0x1000);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.cpu.blocks.built, again);
});

test("an instruction crossing a page is re-fetched every time", () => {
  const h = CpuHarness.flat32();
  h.load(0x1ffe, [0xb8, 0x44, 0x33, 0x22, 0x11, 0xf4]); // mov eax, 0x11223344 across 0x2000
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eax, 0x11223344);
  h.memory.bytes[0x2000] = 0x55; // no notification at all: still seen
  h.start(0x1ffe);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eax, 0x11225544);
});

test("code in ROM runs; a store to ROM goes to MMIO and leaves the code intact", () => {
  const h = CpuHarness.flat32();
  h.load(0x5000, [0xc6, 0x05, 0x01, 0x50, 0x00, 0x00, 0x99, 0xb0, 0x11, 0xf4]); // mov [0x5001], 0x99
  h.memory.readOnly.add(5);
  h.memory.mapChanged();
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eax & 0xff, 0x11);
  assert.equal(h.read8(0x5001), 0x05);
  const w = h.io.log.find((e) => e.space === "mmio" && e.write);
  assert.deepEqual(w, { space: "mmio", write: true, address: 0x5001, size: 1, value: 0x99 });
});
