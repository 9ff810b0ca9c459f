import assert from "node:assert/strict";
import test from "node:test";
import { CpuHarness } from "../cpu/harness.js";

// RDRAND EAX; RDRAND CX (66); RDSEED EDX; PUSHFD; POP EBX; HLT
const CODE = [0x0f, 0xc7, 0xf0, 0x66, 0x0f, 0xc7, 0xf1, 0x0f, 0xc7, 0xfa, 0x9c, 0x5b, 0xf4];

test("RDRAND and RDSEED return random words with CF=1 and the other arithmetic flags clear", () => {
  const seen = new Set<number>();
  for (let round = 0; round < 4; round++) {
    const h = CpuHarness.flat32();
    h.load(0x1000, CODE);
    h.ecx = 0xabcd0000;
    h.eflags = 0x2 | 0x8d4; // OF SF ZF(0x40 off) AF PF set beforehand
    h.start(0x1000);
    assert.equal(h.run().kind, "hlt");
    assert.equal(h.ebx & 0x8d5, 0x1, `flags 0x${(h.ebx >>> 0).toString(16)}`);
    assert.equal(h.ecx >>> 16, 0xabcd, "RDRAND CX leaves the upper half");
    seen.add(h.eax >>> 0);
    seen.add(h.edx >>> 0);
  }
  assert.ok(seen.size >= 7, "values differ between reads");
});

test("CPUID advertises RDRAND (1:ECX[30]) and RDSEED (7:EBX[18])", () => {
  const h = CpuHarness.flat32();
  // MOV EAX,1; CPUID; MOV ESI,ECX; MOV EAX,7; XOR ECX,ECX; CPUID; HLT
  h.load(
    0x1000,
    [0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0x89, 0xce, 0xb8, 7, 0, 0, 0, 0x31, 0xc9, 0x0f, 0xa2, 0xf4],
  );
  h.start(0x1000);
  assert.equal(h.run().kind, "hlt");
  assert.ok(h.esi & (1 << 30));
  assert.ok(h.ebx & (1 << 18));
});
