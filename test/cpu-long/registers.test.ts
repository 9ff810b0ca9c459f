/**
 * The register API in long mode: RIP in the upper canonical half, RFLAGS,
 * 64-bit segment and descriptor-table bases, CR2, EFER with LMA and the
 * SYSCALL/FS/GS MSRs round-trip through getState/setState, and a CPU
 * restored from them (into another vCPU, mid-program) continues exactly
 * like the original.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Ctl, Msr, RegAttr, RegSet, Seg } from "../../src/hv/registers.js";
import { SoftVcpu } from "../../src/hv/soft/vcpu.js";
import { decodeSegment } from "../../src/hv/x86/register-values.js";
import { CpuHarness } from "../cpu/harness.js";
import { imm32, imm64 } from "./env.js";

const HIGH = 0xffff800000000000n; // the harness maps physical 0 here too

function setup(): CpuHarness {
  const h = CpuHarness.long64();
  const regs = h.core.registers;
  regs.write(RegSet.MSR, Msr.STAR, 0x0018000800000000n);
  regs.write(RegSet.MSR, Msr.LSTAR, HIGH + 0x4000n);
  regs.write(RegSet.MSR, Msr.CSTAR, 0xffffffff81000000n);
  regs.write(RegSet.MSR, Msr.SFMASK, 0x47700n);
  regs.write(RegSet.MSR, Msr.FS_BASE, HIGH + 0x6000n);
  regs.write(RegSet.MSR, Msr.KERNEL_GS_BASE, 0x00007fffffff0000n);
  regs.write(RegSet.MSR, Msr.TSC_AUX, 3n);
  // Code in the upper half: mov rax, imm64; add rax, [fs:0]; push rax; mov rbx, [rsp]; hlt; (again)
  const body = [
    0x48,
    0xb8,
    ...imm64(0x0102030405060708n),
    0x64,
    0x48,
    0x03,
    0x04,
    0x25,
    ...imm32(0),
  ];
  const step = [...body, 0x50, 0x48, 0x8b, 0x1c, 0x24, 0xf4];
  h.poke(0x5000, [...step, ...step]);
  h.write64(0x6000, 0x10n);
  h.cpu.eip = Number(BigInt.asIntN(64, HIGH + 0x5000n));
  return h;
}

describe("long-mode state through the register API", () => {
  test("64-bit values read back as written", () => {
    const h = setup();
    const regs = h.core.registers;
    assert.equal(regs.read(RegSet.RIP, 0), HIGH + 0x5000n);
    assert.equal((regs.read(RegSet.MSR, Msr.EFER) as bigint) & 0x500n, 0x500n, "LME and LMA");
    assert.equal(regs.read(RegSet.MSR, Msr.LSTAR), HIGH + 0x4000n);
    assert.equal(regs.read(RegSet.MSR, Msr.CSTAR), 0xffffffff81000000n);
    assert.equal(regs.read(RegSet.MSR, Msr.STAR), 0x0018000800000000n);
    assert.equal(regs.read(RegSet.MSR, Msr.FS_BASE), HIGH + 0x6000n);
    const fs = decodeSegment(regs.read(RegSet.SEGMENT, Seg.FS) as Uint8Array);
    assert.equal(fs.base, HIGH + 0x6000n, "the FS register's base is the MSR");
    regs.write(RegSet.CONTROL, Ctl.CR2, 0xffffc90000001234n);
    assert.equal(regs.read(RegSet.CONTROL, Ctl.CR2), 0xffffc90000001234n);
    regs.write(RegSet.RIP, 0, 0xffffffff81000000n);
    assert.equal(h.cpu.eip, -0x7f000000, "RIP is held as the signed canonical value");
    regs.write(RegSet.CONTROL, Ctl.XCR0, 3n);
    assert.throws(() => regs.write(RegSet.CONTROL, Ctl.XCR0, 2n), /XCR0/, "x87 must stay enabled");
    assert.throws(() => regs.write(RegSet.CONTROL, Ctl.XCR0, 7n), /XCR0/, "no AVX state");
    assert.equal(regs.read(RegSet.CONTROL, Ctl.XCR0), 3n);
  });

  test("a CPU restored into another vCPU mid-program continues identically", () => {
    const a = setup();
    assert.equal(a.run().kind, "hlt");
    const vcpuA = new SoftVcpu({ destroyed: false }, 0, a.core);
    const writable = vcpuA.listRegisters().filter((id) => id.attributes !== RegAttr.READ_ONLY);
    const state = vcpuA.getState(writable);
    const b = CpuHarness.real();
    b.memory.bytes.set(a.memory.bytes);
    const vcpuB = new SoftVcpu({ destroyed: false }, 0, b.core);
    vcpuB.setState(state);
    assert.equal(b.cpu.mode64, true);
    assert.equal(b.cpu.longMode, true);
    const again = vcpuB.getState(writable);
    const isTsc = (e: { id: { set: number; number: number } }): boolean =>
      e.id.set === RegSet.MSR && e.id.number === Msr.TSC; // it keeps counting
    assert.deepEqual(
      again.filter((e) => !isTsc(e)),
      state.filter((e) => !isTsc(e)),
      "getState after setState is the same state",
    );
    for (const h of [a, b]) {
      h.cpu.mpState = 0;
      assert.equal(h.run().kind, "hlt");
    }
    for (let n = 0; n < 16; n++) assert.equal(b.reg64(n), a.reg64(n), `GPR ${n}`);
    assert.equal(b.rip, a.rip);
    assert.equal(a.reg64(3), 0x0102030405060718n);
    assert.equal(b.read64(0x80000 - 16), a.read64(0x80000 - 16));
  });
});
