/**
 * Long-mode system behaviour: SYSCALL/SYSRET round trip (STAR/LSTAR/SFMASK,
 * RCX/R11), SWAPGS and the FS/GS base MSRs, RDFSBASE/WRFSBASE, interrupt
 * delivery from ring 3 through a 64-bit gate with IST stack switching and
 * the SS:RSP frame, IRETQ back, RDTSCP, and CMPXCHG16B (#GP when misaligned).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Msr, RegSet } from "../../src/hv/registers.js";
import { configureSystem } from "../../src/hv/soft/cpu/system/sys-state.js";
import { LONG_SELECTORS as S } from "../cpu/harness.js";
import { imm32, LongEnv, MASK64, RAX, RBX, RCX, RDI, RDX, RSI, RSP, STACK_TOP } from "./env.js";

const R11 = 11;

function fresh(): LongEnv {
  const env = new LongEnv();
  const regs = env.h.core.registers;
  // STAR: SYSRET base 0x18 (user32 code; +8 user data; +16 user code64), SYSCALL CS 0x08.
  regs.write(RegSet.MSR, Msr.STAR, (BigInt(S.USER32_CODE) << 48n) | (BigInt(S.KERNEL_CODE) << 32n));
  regs.write(RegSet.MSR, Msr.LSTAR, 0x4000n);
  regs.write(RegSet.MSR, Msr.SFMASK, 0x700n); // TF IF DF
  return env;
}

/** Continues after a HLT (the CPU resumes at the next instruction). */
function resume(env: LongEnv): void {
  env.h.cpu.mpState = 0;
  env.h.run();
}

/** Kernel code that enters ring 3 at 0x5000 with RFLAGS = 0x202... 0x002 (IF stays 0). */
const TO_USER = [0xb9, ...imm32(0x5000), 0x41, 0xbb, ...imm32(0x2 | 0x400), 0x48, 0x0f, 0x07];

describe("SYSCALL and SYSRET", () => {
  test("round trip: CPL 3 by SYSRET, SYSCALL back with RCX = next RIP and R11 = RFLAGS", () => {
    const env = fresh();
    const h = env.h;
    h.poke(0x4000, [0xf4, 0x48, 0x0f, 0x07]); // hlt; o64 sysret
    // user: mov eax, 42; syscall; mov rdi, cs; mov rsi, ss; syscall
    h.poke(0x5000, [0xb8, ...imm32(42), 0x0f, 0x05, 0x8c, 0xcf, 0x8c, 0xd6, 0x0f, 0x05]);
    env.run(TO_USER, { [RSP]: 0x7f000n });
    assert.equal(h.rip, 0x4001n, "stopped in the SYSCALL handler");
    assert.equal(h.cpu.cpl, 0);
    assert.equal(h.cpu.segSel[1], S.KERNEL_CODE);
    assert.equal(h.cpu.segSel[2], S.KERNEL_DATA);
    assert.equal(env.reg(RCX), 0x5007n, "RCX: the instruction after SYSCALL");
    assert.equal(env.reg(R11), 0x402n, "R11: RFLAGS at SYSCALL (DF set)");
    assert.equal(env.flags & 0x400, 0, "SFMASK cleared DF");
    assert.equal(env.reg(RAX), 42n);
    assert.equal(env.reg(RSP), 0x7f000n, "SYSCALL does not switch stacks");
    resume(env); // sysret to 0x5007, then the user code's second syscall
    assert.equal(h.rip, 0x4001n);
    assert.equal(env.reg(RDI), BigInt(S.USER_CODE | 3), "64-bit user CS = STAR[63:48] + 16");
    assert.equal(env.reg(RSI), BigInt(S.USER_DATA | 3), "user SS = STAR[63:48] + 8");
  });

  test("SYSRET to a non-canonical RCX raises #GP(0) at CPL 0; SYSCALL needs EFER.SCE", () => {
    const env = fresh();
    env.run([0x48, 0x0f, 0x07], { [RCX]: 0x0000800000000000n });
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0]);
    assert.equal(env.h.cpu.cpl, 0);
    env.h.cpu.writeEfer(env.h.cpu.efer & ~1);
    env.run([0x0f, 0x05]);
    assert.equal(env.fault()?.[0], 6, "#UD without SCE");
  });
});

describe("FS and GS bases", () => {
  test("SWAPGS exchanges GS.base and KERNEL_GS_BASE; the MSRs read back", () => {
    const env = fresh();
    const regs = env.h.core.registers;
    regs.write(RegSet.MSR, Msr.GS_BASE, 0x6000n);
    regs.write(RegSet.MSR, Msr.KERNEL_GS_BASE, 0xffff800000007000n);
    env.h.write64(0x7010, 0x1234n);
    // swapgs; mov rax, [gs:0x10]
    env.run([0x0f, 0x01, 0xf8, 0x65, 0x48, 0x8b, 0x04, 0x25, ...imm32(0x10)]);
    assert.equal(env.reg(RAX), 0x1234n);
    assert.equal(regs.read(RegSet.MSR, Msr.GS_BASE), 0xffff800000007000n);
    assert.equal(regs.read(RegSet.MSR, Msr.KERNEL_GS_BASE), 0x6000n);
    assert.throws(() => regs.write(RegSet.MSR, Msr.FS_BASE, 0x0000800000000000n), /refused/);
  });

  test("WRFSBASE/RDFSBASE need CR4.FSGSBASE; the base applies to FS: operands", () => {
    const env = fresh();
    const wrfs = [0xf3, 0x48, 0x0f, 0xae, 0xd3]; // wrfsbase rbx
    env.run(wrfs, { [RBX]: 0x8000n });
    assert.equal(env.fault()?.[0], 6, "#UD while CR4.FSGSBASE = 0");
    // mov rax, cr4; or eax, 10000h; mov cr4, rax
    env.run([0x0f, 0x20, 0xe0, 0x0d, ...imm32(0x10000), 0x0f, 0x22, 0xe0]);
    env.h.write64(0x8008, 0xabcdn);
    // wrfsbase rbx; rdfsbase rcx; mov rax, [fs:8]
    env.run([...wrfs, 0xf3, 0x48, 0x0f, 0xae, 0xc1, 0x64, 0x48, 0x8b, 0x04, 0x25, ...imm32(8)], {
      [RBX]: 0x8000n,
    });
    assert.equal(env.reg(RCX), 0x8000n);
    assert.equal(env.reg(RAX), 0xabcdn);
    env.run(wrfs, { [RBX]: 0x0001000000000000n });
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0], "non-canonical base");
  });
});

describe("interrupts in long mode", () => {
  test("INT from ring 3 through an IST gate: aligned IST stack, SS:RSP frame, IRETQ back", () => {
    const env = fresh();
    const h = env.h;
    const tss = h.cpu.segBaseL[7];
    h.write64(tss + 36, 0x60008n); // IST1, deliberately not 16-byte aligned
    h.setIdt64(0x80, 0x4100, { ist: 1, dpl: 3 });
    h.setIdt64(0x81, 0x4200, { dpl: 3 });
    h.poke(0x4100, [0xf4, 0x48, 0xcf]); // hlt; iretq
    h.poke(0x4200, [0xf4]);
    // user: mov r15, rsp; int 80h; mov rbx, rsp; int 81h
    h.poke(0x5000, [0x49, 0x89, 0xe7, 0xcd, 0x80, 0x48, 0x89, 0xe3, 0xcd, 0x81]);
    env.run(TO_USER, { [RSP]: 0x7f000n });
    assert.equal(h.rip, 0x4101n);
    assert.equal(env.reg(RSP), 0x60000n - 40n, "IST1 aligned down to 16, five 8-byte slots");
    const frame = (i: number): bigint => h.read64(0x60000 - 40 + i * 8);
    assert.equal(frame(0), 0x5005n, "RIP after INT");
    assert.equal(frame(1), BigInt(S.USER_CODE | 3));
    assert.equal(frame(2) & 0x400n, 0x400n, "RFLAGS");
    assert.equal(frame(3), 0x7f000n, "user RSP");
    assert.equal(frame(4), BigInt(S.USER_DATA | 3), "user SS");
    assert.equal(h.cpu.segSel[2] & 0xfffc, 0, "a privilege change loads a null SS");
    resume(env); // iretq, then int 81h (no IST: RSP0 from the TSS)
    assert.equal(h.rip, 0x4201n);
    assert.equal(env.reg(RBX), 0x7f000n, "IRETQ restored the user RSP");
    assert.equal(env.reg(RSP), 0x70000n - 40n, "RSP0");
    assert.equal(env.h.read64(0x70000 - 40 + 8), BigInt(S.USER_CODE | 3));
  });

  test("an exception at CPL 0 pushes SS:RSP too, with the error code below RIP", () => {
    const env = fresh();
    env.run([0x48, 0x8b, 0x03], { [RBX]: 0x0000800000000000n }); // #GP(0)
    const sp = Number(env.reg(RSP));
    assert.equal(sp, STACK_TOP - 48, "six slots: error code, RIP, CS, RFLAGS, RSP, SS");
    assert.equal(env.h.read64(sp + 32), BigInt(STACK_TOP));
    assert.equal(env.h.read64(sp + 40), BigInt(S.KERNEL_DATA));
  });
});

describe("RDTSCP and CMPXCHG16B", () => {
  test("RDTSCP returns the TSC in EDX:EAX and TSC_AUX in ECX", () => {
    const env = fresh();
    env.h.core.registers.write(RegSet.MSR, Msr.TSC_AUX, 0x1234n);
    env.run([0x0f, 0x01, 0xf9], { [RCX]: MASK64, [RAX]: MASK64, [RDX]: MASK64 });
    assert.equal(env.reg(RCX), 0x1234n);
    assert.ok(env.reg(RAX) <= 0xffffffffn && env.reg(RDX) <= 0xffffffffn, "zero-extended");
  });

  test("CMPXCHG16B: equal → store RCX:RBX, ZF=1; else load RDX:RAX, ZF=0; misaligned → #GP(0)", () => {
    const env = fresh();
    const at = 0x9000;
    env.h.write64(at, 1n);
    env.h.write64(at + 8, 2n);
    const op = [0xf0, 0x48, 0x0f, 0xc7, 0x0f]; // lock cmpxchg16b [rdi]
    env.run(op, { [RDI]: BigInt(at), [RAX]: 1n, [RDX]: 2n, [RBX]: 3n, [RCX]: 4n });
    assert.equal(env.flags & 0x40, 0x40);
    assert.deepEqual([env.h.read64(at), env.h.read64(at + 8)], [3n, 4n]);
    env.run(op, { [RDI]: BigInt(at), [RAX]: 0n, [RDX]: 0n });
    assert.equal(env.flags & 0x40, 0);
    assert.deepEqual([env.reg(RAX), env.reg(RDX)], [3n, 4n]);
    env.run(op, { [RDI]: BigInt(at + 8) });
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0]);
  });
});

describe("far transfers and mode switches", () => {
  test("far CALL from CPL 3 through a 64-bit call gate: RSP0, null SS, 8-byte SS:RSP:CS:RIP; RETF back", () => {
    const env = fresh();
    const h = env.h;
    const GATE = 0x48;
    const gdt = h.cpu.gdtBase;
    // 64-bit call gate (16 bytes): offset 0x4300, selector KERNEL_CODE, type 0xC, DPL 3, present.
    h.write64(gdt + GATE, 0x4300n | (BigInt(S.KERNEL_CODE) << 16n) | (0xecn << 40n));
    h.write64(gdt + GATE + 8, 0n);
    h.cpu.gdtLimit = GATE + 15;
    h.write32(0x6000, 0);
    h.write16(0x6004, GATE | 3);
    h.poke(0x4300, [0xf4, 0x48, 0xcb]); // hlt; retf (REX.W)
    // user: mov rbx, 0x6000; call far [rbx]; mov rsi, rsp; syscall
    h.poke(0x5000, [0xbb, ...imm32(0x6000), 0xff, 0x1b, 0x48, 0x89, 0xe6, 0x0f, 0x05]);
    h.poke(0x4000, [0xf4]);
    env.run(TO_USER, { [RSP]: 0x7f000n });
    assert.equal(h.rip, 0x4301n);
    assert.equal(h.cpu.cpl, 0);
    assert.equal(env.reg(RSP), 0x70000n - 32n);
    const slot = (i: number): bigint => h.read64(0x70000 - 32 + i * 8);
    assert.deepEqual(
      [slot(0), slot(1), slot(2), slot(3)],
      [0x5007n, BigInt(S.USER_CODE | 3), 0x7f000n, BigInt(S.USER_DATA | 3)],
      "RIP, CS, RSP, SS",
    );
    assert.equal(h.cpu.segSel[2], 0, "null SS with RPL 0");
    resume(env); // retf to CPL 3, then syscall
    assert.equal(h.rip, 0x4001n);
    assert.equal(env.reg(RSI), 0x7f000n, "the user stack is back");
  });

  test("far JMP to a compatibility-mode segment and back to 64-bit code", () => {
    const env = fresh();
    const h = env.h;
    h.write32(0x6000, 0x6100);
    h.write32(0x6004, S.KERNEL32_CODE);
    // compat code at 0x6100: mov eax, 0x11; jmp far 0x08:0x6200
    h.poke(0x6100, [0xb8, ...imm32(0x11), 0xea, ...imm32(0x6200), S.KERNEL_CODE, 0x00]);
    h.poke(0x6200, [0x48, 0x89, 0xe6, 0xf4]); // mov rsi, rsp; hlt
    env.run([0xff, 0x2b], { [RBX]: 0x6000n }); // jmp far [rbx] (m16:32)
    assert.equal(env.reg(RAX), 0x11n);
    assert.equal(h.cpu.mode64, true);
    assert.equal(env.reg(RSI), BigInt(STACK_TOP));
  });

  test("clearing CR0.PG is #GP in 64-bit mode; leaving IA-32e mode from compatibility mode works", () => {
    const env = fresh();
    const h = env.h;
    env.run([0x0f, 0x20, 0xc0, 0x0f, 0xba, 0xf0, 0x1f, 0x0f, 0x22, 0xc0]); // mov rax,cr0; btr eax,31; mov cr0,rax
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0]);
    h.write32(0x6000, 0x6100);
    h.write32(0x6004, S.KERNEL32_CODE);
    // compat: mov eax, cr0; btr eax, 31; mov cr0, eax; hlt
    h.poke(0x6100, [0x0f, 0x20, 0xc0, 0x0f, 0xba, 0xf0, 0x1f, 0x0f, 0x22, 0xc0, 0xf4]);
    env.run([0xff, 0x2b], { [RBX]: 0x6000n });
    assert.equal(h.cpu.longMode, false);
    assert.equal(h.cpu.efer & 0x400, 0, "LMA cleared");
    assert.equal(h.cpu.protectedMode && !h.cpu.paging, true, "32-bit protected mode, paging off");
  });

  test("CR4.PCIDE (with CPUID PCID): CR3 bit 63 is accepted and not stored", () => {
    const env = fresh();
    const h = env.h;
    const setPcide = [0x0f, 0x20, 0xe0, 0x0d, ...imm32(0x20000), 0x0f, 0x22, 0xe0]; // cr4 |= PCIDE
    env.run(setPcide);
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0], "#GP: PCID not advertised");
    configureSystem(h.cpu, { cpuid: { pcid: true } });
    env.run(setPcide);
    assert.equal(env.fault(), null);
    const cr3 = BigInt(h.cpu.cr3);
    // mov rax, cr3; bts rax, 63; or al, 5 (PCID 5); mov cr3, rax; mov rbx, cr3
    env.run([
      0x0f, 0x20, 0xd8, 0x48, 0x0f, 0xba, 0xe8, 0x3f, 0x0c, 0x05, 0x0f, 0x22, 0xd8, 0x0f, 0x20,
      0xdb,
    ]);
    assert.equal(env.fault(), null);
    assert.equal(env.reg(RBX), cr3 | 5n);
  });

  test("EFER.LME cannot change while paging is on; CR4.PAE cannot be cleared in IA-32e mode", () => {
    const env = fresh();
    // mov ecx, 0xC0000080; rdmsr; btr eax, 8; wrmsr
    env.run([0xb9, ...imm32(0xc0000080), 0x0f, 0x32, 0x0f, 0xba, 0xf0, 0x08, 0x0f, 0x30]);
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0]);
    env.run([0x0f, 0x20, 0xe0, 0x83, 0xe0, 0xdf, 0x0f, 0x22, 0xe0]); // mov rax,cr4; and eax,~20h; mov cr4,rax
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0]);
  });
});
