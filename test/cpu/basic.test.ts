import assert from "node:assert/strict";
import { test } from "node:test";
import { CpuHarness } from "./harness.js";

test("flat32: mov imm, add via lea, hlt", () => {
  const h = CpuHarness.flat32();
  // mov eax, 0x12345678; mov ebx, eax; lea ecx, [eax+ebx*2+5]; hlt
  h.load(0x1000, [0xb8, 0x78, 0x56, 0x34, 0x12, 0x89, 0xc3, 0x8d, 0x4c, 0x58, 0x05, 0xf4]);
  const exit = h.run();
  assert.equal(exit.kind, "hlt");
  assert.equal(h.eax, 0x12345678);
  assert.equal(h.ebx, 0x12345678);
  assert.equal(h.ecx, (0x12345678 * 3 + 5) >>> 0);
  assert.equal(h.eip, 0x100c);
});

test("real mode: loop counts, call/ret, push/pop", () => {
  const h = CpuHarness.real();
  // mov cx, 5; xor... (no alu yet): mov ax, 0; L: inc? use lea ax,[bx+si]? keep simple:
  // mov cx,5 ; mov bx,0 ; L: lea bx,[bx+2] ; loop L ; call F ; hlt ; F: push bx ; pop dx ; ret
  h.load(0x1000, [
    0xb9,
    0x05,
    0x00, // mov cx,5
    0xbb,
    0x00,
    0x00, // mov bx,0
    0x8d,
    0x5f,
    0x02, // lea bx,[bx+2]
    0xe2,
    0xfb, // loop -5
    0xe8,
    0x01,
    0x00, // call +1
    0xf4, // hlt
    0x53, // push bx
    0x5a, // pop dx
    0xc3, // ret
  ]);
  const exit = h.run();
  assert.equal(exit.kind, "hlt");
  assert.equal(h.ebx & 0xffff, 10);
  assert.equal(h.edx & 0xffff, 10);
  assert.equal(h.ecx & 0xffff, 0);
  assert.equal(h.esp, 0x7000);
  assert.equal(h.eip, 0x100f);
});
