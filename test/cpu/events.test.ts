/**
 * Event delivery in real mode: INT n / INT3 / INTO / IRET through the IVT,
 * single-step traps (TF), the STI and MOV SS shadows, external interrupts,
 * HLT and wake-up, and the double/triple-fault escalation.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DR6_BS, IF, TF } from "../../src/hv/soft/cpu/constants.js";
import { CpuHarness } from "./harness.js";

test("INT n saves FLAGS/CS/IP, clears IF in the handler, IRET restores them", () => {
  const h = CpuHarness.real();
  h.setIvt(0x21, 0, 0x2000);
  // handler: pushf; pop cx; mov bx, 0x1234; iret
  h.poke(0x2000, [0x9c, 0x59, 0xbb, 0x34, 0x12, 0xcf]);
  // sti; int 0x21; pushf; pop dx; hlt
  h.load(0x1000, [0xfb, 0xcd, 0x21, 0x9c, 0x5a, 0xf4]);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.ebx & 0xffff, 0x1234);
  assert.equal(h.ecx & IF, 0, "IF is clear inside the handler");
  assert.equal(h.edx & IF, IF, "IRET restored IF");
  assert.equal(h.esp, 0x7000);
  assert.equal(h.read16(0x7000 - 6), 0x1003, "pushed IP is the next instruction");
  assert.equal(h.read16(0x7000 - 4), 0, "pushed CS");
  assert.equal(h.read16(0x7000 - 2) & IF, IF, "pushed FLAGS");
  assert.equal(h.eip, 0x1006);
});

test("INTO traps only with OF set; INT3 goes to vector 3", () => {
  const h = CpuHarness.real();
  h.setIvt(4, 0, 0x2100);
  h.poke(0x2100, [0x8d, 0x74, 0x01, 0xcf]); // lea si, [si+1]; iret
  h.setIvt(3, 0, 0x2200);
  h.poke(0x2200, [0xbf, 0x03, 0x00, 0xcf]); // mov di, 3; iret
  h.load(0x1000, [
    0x68,
    0x02,
    0x00,
    0x9d,
    0xce, // push 2; popf; into (not taken)
    0x68,
    0x02,
    0x08,
    0x9d,
    0xce, // push 0x802; popf; into (taken)
    0xcc, // int3
    0xf4,
  ]);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.esi, 1);
  assert.equal(h.edi, 3);
});

test("TF: one #DB after each instruction, none after the POPF that sets TF, MOV SS delays it", () => {
  const h = CpuHarness.real();
  h.setIvt(1, 0, 0x2000);
  // #DB handler: push bp; mov bp, sp; push ax; mov ax, [bp+2]; stosw; pop ax; pop bp; iret
  h.poke(0x2000, [0x55, 0x89, 0xe5, 0x50, 0x8b, 0x46, 0x02, 0xab, 0x58, 0x5d, 0xcf]);
  h.edi = 0x3000;
  h.load(0x1000, [
    0x68,
    0x02,
    0x01, // 1000 push 0x0102
    0x9d, // 1003 popf (sets TF: no trap after it)
    0x90, // 1004 nop
    0x90, // 1005 nop
    0xba,
    0x05,
    0x00, // 1006 mov dx, 5
    0x8e,
    0xd0, // 1009 mov ss, ax (trap held back)
    0x90, // 100b nop
    0x68,
    0x02,
    0x00, // 100c push 2
    0x9d, // 100f popf (clears TF: traps, TF was set when it began)
    0xf4, // 1010 hlt
  ]);
  assert.equal(h.run().kind, "hlt");
  const ips: number[] = [];
  for (let a = 0x3000; a < h.edi; a += 2) ips.push(h.read16(a));
  assert.deepEqual(ips, [0x1005, 0x1006, 0x1009, 0x100c, 0x100f, 0x1010]);
  assert.equal(h.cpu.dr[6] & DR6_BS, DR6_BS);
  assert.equal(h.eflags & TF, 0);
  assert.equal(h.edx & 0xffff, 5);
});

test("STI holds interrupts off for one instruction; POPF does not", () => {
  const withSti = CpuHarness.real();
  const withPopf = CpuHarness.real();
  for (const h of [withSti, withPopf]) {
    h.setIvt(0x30, 0, 0x2000);
    h.poke(0x2000, [0x89, 0xd9, 0xcf]); // mov cx, bx; iret
    h.interrupts.queue.push(0x30);
  }
  withSti.load(0x1000, [0xfb, 0xbb, 0x01, 0x00, 0xbb, 0x02, 0x00, 0xf4]);
  withPopf.load(0x1000, [0x68, 0x02, 0x02, 0x9d, 0xbb, 0x01, 0x00, 0xbb, 0x02, 0x00, 0xf4]);
  assert.equal(withSti.run().kind, "hlt");
  assert.equal(withPopf.run().kind, "hlt");
  assert.equal(withSti.ecx & 0xffff, 1, "taken after the instruction following STI");
  assert.equal(withPopf.ecx & 0xffff, 0, "taken right after POPF");
  assert.deepEqual(withSti.interrupts.acknowledged, [0x30]);
});

test("an interrupt raised by a device during a block is taken at the next boundary", () => {
  const h = CpuHarness.real();
  h.setIvt(0x31, 0, 0x2000);
  h.poke(0x2000, [0x89, 0xd9, 0xcf]); // mov cx, bx; iret
  h.io.onPortWrite = () => h.interrupts.queue.push(0x31);
  h.eflags = 0x202;
  // mov bx, 7; out 0x80, al; mov bx, 8; hlt
  h.load(0x1000, [0xbb, 0x07, 0x00, 0xe6, 0x80, 0xbb, 0x08, 0x00, 0xf4]);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.ecx & 0xffff, 7);
  assert.equal(h.ebx & 0xffff, 8);
});

test("HLT exits; an interrupt wakes the CPU and execution continues after HLT", () => {
  const h = CpuHarness.real();
  h.setIvt(0x30, 0, 0x2000);
  h.poke(0x2000, [0xb9, 0x03, 0x00, 0xcf]); // mov cx, 3; iret
  h.eflags = 0x202;
  h.load(0x1000, [0xf4, 0xbb, 0x09, 0x00, 0xf4]);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eip, 0x1001);
  assert.equal(h.run().kind, "hlt", "still halted: nothing pending");
  assert.equal(h.eip, 0x1001);
  h.interrupts.queue.push(0x30);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.ecx & 0xffff, 3);
  assert.equal(h.ebx & 0xffff, 9);
  assert.equal(h.eip, 0x1005);
});

test("HLT with IF = 0 is not woken by a maskable interrupt", () => {
  const h = CpuHarness.real();
  h.load(0x1000, [0xfa, 0xf4, 0xf4]); // cli; hlt
  h.interrupts.queue.push(0x30);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eip, 0x1002);
  assert.deepEqual(h.interrupts.acknowledged, []);
});

test("a fault while delivering a fault becomes #DF; a fault delivering #DF shuts down", () => {
  const h = CpuHarness.real();
  h.cpu.idtLimit = 0x3f; // vectors 0-15 present: #GP (13) is, 0x21 is not
  h.setIvt(13, 0, 0x2000);
  h.poke(0x2000, [0xf4]);
  h.load(0x1000, [0xcd, 0x21]); // int 0x21 → #GP (beyond the IVT limit)
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.eip, 0x2001);
  assert.equal(h.read16(0x7000 - 6), 0x1000, "#GP is a fault: IP of the INT");

  const t = CpuHarness.real();
  t.cpu.idtLimit = 0x10; // nothing beyond vector 3: #GP, then #DF, fail
  t.load(0x1000, [0xcd, 0x21]);
  const exit = t.run();
  assert.equal(exit.kind, "shutdown");
});

test("kick: a set stop flag returns a kicked exit before running", () => {
  const h = CpuHarness.real();
  h.load(0x1000, [0xeb, 0xfe]); // jmp $
  h.stop[0] = 1;
  assert.equal(h.runFor(1000).kind, "kicked");
  h.stop[0] = 0;
  assert.equal(h.runFor(1000).kind, "budget");
  assert.ok(h.cpu.icount >= 1000);
});

test("interrupt-window exit: returned once IF = 1 and no shadow is active", () => {
  const h = CpuHarness.real();
  h.core.setInterruptWindowExit(true);
  h.load(0x1000, [0xbb, 0x01, 0x00, 0xfb, 0xbb, 0x02, 0x00, 0xbb, 0x03, 0x00, 0xf4]); // mov bx,1; sti; mov bx,2; mov bx,3; hlt
  assert.equal(h.run().kind, "interrupt-window");
  assert.equal(h.ebx & 0xffff, 2, "the instruction in the STI shadow ran first");
  h.core.setInterruptWindowExit(false);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.ebx & 0xffff, 3);
});
