import assert from "node:assert/strict";
import { test } from "node:test";
import { CR4_TSD, EFER_NXE, VEC_GP } from "../../src/hv/soft/cpu/constants.js";
import { Msr, RegSet } from "../../src/hv/registers.js";
import { configureSystem } from "../../src/hv/soft/cpu/system/sys-state.js";
import { CODE, HLT, le32, marker, movEax, movEcx, movEdx, PmEnv } from "./pm-env.js";

const RDMSR = [0x0f, 0x32];
const WRMSR = [0x0f, 0x30];
const RDTSC = [0x0f, 0x31];
const CPUID = [0x0f, 0xa2];

const wrmsr = (index: number, lo: number, hi = 0) => [
  ...movEcx(index),
  ...movEax(lo),
  ...movEdx(hi),
  ...WRMSR,
];
const rdmsr = (index: number) => [...movEcx(index), ...RDMSR];

/** Runs `code; hlt`; returns true if it reached the HLT (no #GP). */
function runs(code: number[], env = new PmEnv()): boolean {
  env.run([...code, ...movEax(0x600d), ...HLT]);
  if (env.h.eax === 0x600d) return true;
  assert.equal(env.h.eax, marker(VEC_GP), "the only fault expected is #GP");
  assert.equal(env.stack(0), 0);
  return false;
}

test("RDMSR/WRMSR of an unknown MSR raise #GP(0); so do both at ring 3", () => {
  assert.equal(runs(rdmsr(0x1234)), false);
  assert.equal(runs(wrmsr(0x1234, 0)), false);
  assert.equal(runs(rdmsr(Msr.PAT)), true);
  const env = new PmEnv();
  const user = CODE + 0x100;
  env.h.poke(user, rdmsr(Msr.PAT));
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(VEC_GP));
});

test("PAT and MTRR values are validated; MTRRCAP is read-only", () => {
  assert.equal(runs(wrmsr(Msr.PAT, 0x00070406, 0x00070402)), false, "PAT type 2 is reserved");
  const env = new PmEnv();
  assert.equal(runs([...wrmsr(Msr.PAT, 0x01050406, 0x00070406), ...rdmsr(Msr.PAT)], env), true);
  assert.equal(env.h.cpu.sys.pat, 0x0007040601050406n);
  assert.equal(runs(wrmsr(Msr.MTRRCAP, 0x508)), false);
  const cap = new PmEnv();
  runs(rdmsr(Msr.MTRRCAP), cap);
  assert.equal(cap.h.cpu.sys.cpuidOut.length, 4);
  assert.equal(runs(wrmsr(Msr.MTRR_PHYSBASE0, 0x100006)), true);
  assert.equal(runs(wrmsr(Msr.MTRR_PHYSBASE0, 0x100002)), false, "type 2 is reserved");
  assert.equal(runs(wrmsr(Msr.MTRR_PHYSBASE0 + 1, 0xfff00800, 0xf)), true);
  assert.equal(runs(wrmsr(Msr.MTRR_PHYSBASE0 + 1, 0xfff00800, 0x10)), false, "above 36 bits");
  assert.equal(runs(wrmsr(Msr.MTRR_DEF_TYPE, 0xc06)), true);
  assert.equal(runs(wrmsr(Msr.MTRR_DEF_TYPE, 0x1006)), false);
  assert.equal(runs(wrmsr(Msr.MTRR_FIX64K_00000, 0x06060606, 0x06060603)), false);
});

test("EFER: NXE, LME and SCE are writable with long mode advertised, reserved bits are not", () => {
  const env = new PmEnv();
  assert.equal(runs(wrmsr(Msr.EFER, EFER_NXE | 0x101), env), true);
  assert.equal(env.h.cpu.efer, EFER_NXE | 0x101);
  assert.equal(runs(wrmsr(Msr.EFER, 0x200)), false, "bit 9 is reserved");
  const noLong = new PmEnv();
  configureSystem(noLong.h.cpu, { cpuid: { longMode: false } });
  assert.equal(runs(wrmsr(Msr.EFER, 0x100), noLong), false, "LME without long mode");
  assert.equal(runs(wrmsr(Msr.EFER, 0x1), noLong), false, "SCE without SYSCALL");
});

test("MISC_ENABLE.XD_DISABLE hides NX from CPUID and makes EFER.NXE reserved", () => {
  const env = new PmEnv();
  // misc_enable: fast strings | BTS/PEBS unavailable | XD disable (bit 34)
  runs([...wrmsr(Msr.MISC_ENABLE, 0x1801, 0x4), ...movEax(0x80000001), ...CPUID, 0x89, 0xd3], env); // mov ebx, edx
  assert.equal(env.h.ebx & (1 << 20), 0);
  assert.equal(runs([...wrmsr(Msr.MISC_ENABLE, 0x1801, 0x4), ...wrmsr(Msr.EFER, EFER_NXE)]), false);
});

test("FEATURE_CONTROL locks until reset", () => {
  assert.equal(runs([...wrmsr(Msr.FEATURE_CONTROL, 1), ...wrmsr(Msr.FEATURE_CONTROL, 1)]), false);
  assert.equal(runs(wrmsr(Msr.FEATURE_CONTROL, 5)), false, "no VMX");
});

test("CPUID: GenuineIntel, family 6, and exactly the implemented features", () => {
  const env = new PmEnv();
  const save = (at: number) => [
    0x89,
    0x1d,
    ...le32(at),
    0x89,
    0x0d,
    ...le32(at + 4),
    0x89,
    0x15,
    ...le32(at + 8),
    0xa3,
    ...le32(at + 12),
  ];
  env.run([
    ...movEax(0), ...CPUID, ...save(0x600),
    ...movEax(1), ...CPUID, ...save(0x610),
    ...movEax(0x80000000), ...CPUID, ...save(0x620),
    ...movEax(0x80000002), ...CPUID, ...save(0x630),
    ...movEax(0x1000), ...movEcx(0), ...CPUID, ...save(0x640),
    ...HLT,
  ]); // prettier-ignore
  const h = env.h;
  const text = (at: number, n: number) =>
    String.fromCharCode(...Array.from({ length: n }, (_, i) => h.read8(at + i)));
  assert.equal(text(0x600, 4) + text(0x608, 4) + text(0x604, 4), "GenuineIntel");
  assert.equal(h.read32(0x60c), 0xd, "max basic leaf (0Dh: XSAVE)");
  const eax1 = h.read32(0x61c);
  assert.equal((eax1 >> 8) & 0xf, 6, "family");
  assert.equal(eax1, 0x6f1, "the reset signature");
  const edx1 = h.read32(0x618);
  // FPU DE PSE TSC MSR PAE CX8 SEP MTRR PGE CMOV PAT CLFSH MMX FXSR SSE SSE2; no VME, MCE, APIC, MCA, PSE36.
  assert.equal(edx1, 0x0789b97d);
  assert.equal((h.read32(0x610) >> 8) & 0xff, 8, "CLFLUSH line: 64 bytes");
  assert.equal(h.read32(0x62c), 0x80000008, "max extended leaf (address sizes)");
  assert.equal(text(0x63c, 4) + text(0x630, 4), "tsvm sof");
  assert.equal(
    h.read32(0x640),
    576,
    "a leaf above the maximum answers like leaf 0Dh (EBX: XSAVE size)",
  );
});

test("CPUID advertises the APIC only when configured, and only while APIC_BASE.EN is set", () => {
  const env = new PmEnv();
  configureSystem(env.h.cpu, { cpuid: { apic: true } });
  const leaf1Edx = [...movEax(1), ...CPUID, 0x89, 0xd3]; // mov ebx, edx
  runs([...leaf1Edx, 0x89, 0xde, ...wrmsr(Msr.APIC_BASE, 0xfee00100), ...leaf1Edx], env); // mov esi, ebx
  assert.equal(env.h.esi & (1 << 9), 1 << 9);
  assert.equal(env.h.ebx & (1 << 9), 0);
});

test("RDTSC in instruction-count mode is deterministic and strictly increasing", () => {
  const read = () => {
    const env = new PmEnv();
    configureSystem(env.h.cpu, { tsc: { mode: "instructions", ticksPerInstruction: 10 } });
    // rdtsc; mov esi, eax; nop; nop; jmp +0; rdtsc; rdtsc
    env.run([...RDTSC, 0x89, 0xc6, 0x90, 0x90, 0xeb, 0x00, ...RDTSC, 0x89, 0xc7, ...RDTSC, ...HLT]);
    return [env.h.esi, env.h.edi, env.h.eax];
  };
  const [a, b, c] = read();
  assert.deepEqual(read(), [a, b, c]);
  assert.ok(a < b && b < c, `${a} < ${b} < ${c}`);
  assert.ok(b - a >= 40, "the 4 instructions between them counted at 10 ticks each");
});

test("RDTSC follows the host clock hook at the configured frequency", () => {
  const env = new PmEnv();
  let now = 5_000n;
  configureSystem(env.h.cpu, { tsc: { clock: () => now, frequencyHz: 2_000_000_000 } });
  now += 1_000n; // 1 µs at 2 GHz
  env.run([...RDTSC, ...HLT]);
  assert.equal(env.h.eax, 2000);
  assert.equal(env.h.edx, 0);
});

test("WRMSR TSC moves TSC_ADJUST by the same amount; the host restore path does not", () => {
  const env = new PmEnv();
  let now = 0n;
  configureSystem(env.h.cpu, { tsc: { clock: () => now } });
  now = 100n;
  runs(wrmsr(Msr.TSC, 0, 1), env); // TSC = 2^32
  const regs = env.h.core.registers;
  assert.equal(regs.read(RegSet.MSR, Msr.TSC_ADJUST), (1n << 32n) - 100n);
  regs.write(RegSet.MSR, Msr.TSC, 7n);
  assert.equal(regs.read(RegSet.MSR, Msr.TSC_ADJUST), (1n << 32n) - 100n);
  assert.equal(regs.read(RegSet.MSR, Msr.TSC), 7n);
  regs.write(RegSet.MSR, Msr.TSC_ADJUST, 0n);
  // Two reads of a stopped clock differ by one tick (a TSC never repeats a value).
  assert.equal(regs.read(RegSet.MSR, Msr.TSC), 8n, "host TSC_ADJUST write leaves the TSC");
});

test("CR4.TSD makes RDTSC privileged; RDPMC always raises #GP(0)", () => {
  const env = new PmEnv();
  env.h.cpu.cr4 = CR4_TSD;
  const user = CODE + 0x100;
  env.h.poke(user, RDTSC);
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), user);
  assert.equal(runs(RDTSC, (() => { const e = new PmEnv(); e.h.cpu.cr4 = CR4_TSD; return e; })()), true); // prettier-ignore
  assert.equal(runs([0x0f, 0x33]), false);
});

test("the CPU model's MSR and CPUID lists are what the register API exposes", () => {
  const env = new PmEnv();
  const core = env.h.core;
  for (const m of [Msr.EFER, Msr.PAT, Msr.SYSENTER_CS, Msr.MTRR_DEF_TYPE, Msr.TSC, Msr.APIC_BASE]) {
    assert.ok(core.msrs.includes(m), `MSR ${m.toString(16)} listed`);
  }
  for (const m of [Msr.STAR, Msr.LSTAR, Msr.SFMASK, Msr.KERNEL_GS_BASE, Msr.FS_BASE, Msr.TSC_AUX]) {
    assert.ok(core.msrs.includes(m), `long-mode MSR ${m.toString(16)} listed`);
  }
  const leaves = core.cpuidLeaves.map(([l, s]) => `${l.toString(16)}.${s}`);
  assert.ok(leaves.includes("0.0") && leaves.includes("1.0") && leaves.includes("80000004.0"));
  // Host overrides a leaf; CPUID then returns it.
  const value = new Uint8Array(16);
  value[0] = 0x42;
  core.registers.write(RegSet.CPUID, 0x80000002 * 256, value);
  env.run([...movEax(0x80000002), ...CPUID, ...HLT]);
  assert.equal(env.h.eax, 0x42);
});

test("the initial APIC ID and APIC_BASE.BSP follow the vCPU index", () => {
  const probe = (index: number) => {
    const env = new PmEnv();
    env.h.cpu.vcpuIndex = index;
    // cpuid(1); mov esi, ebx; rdmsr APIC_BASE
    runs([...movEax(1), ...CPUID, 0x89, 0xde, ...rdmsr(Msr.APIC_BASE), 0x89, 0xc7], env); // mov edi, eax
    return [env.h.esi >>> 24, env.h.edi & 0x100];
  };
  assert.deepEqual(probe(0), [0, 0x100]);
  assert.deepEqual(probe(2), [2, 0]);
});
