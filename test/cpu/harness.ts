/**
 * Test harness for the soft CPU (used by the cpu, alu, sys and fpu tests and
 * the differential tester). Builds a Cpu over a flat RAM (one backing mapped
 * at physical 0), loads code, runs it until HLT, and exposes registers,
 * memory, port I/O and interrupts. Keep this API stable.
 *
 *     const h = CpuHarness.flat32();                 // or CpuHarness.real()
 *     h.load(0x1000, [0xb8, 0x2a, 0, 0, 0, 0xf4]);   // mov eax, 42; hlt
 *     const exit = h.run();                          // starts at the load address
 *     assert.equal(exit.kind, "hlt");
 *     assert.equal(h.eax, 42);
 *
 * Modes: `real()` — real mode, all segments 0 (CS:IP = 0:start), SS:SP = 0000:7000.
 * `flat32()` — protected mode with flat 4 GiB ring-0 segments set directly in
 * the hidden parts (CS 0x08 32-bit code, DS/ES/SS/FS/GS 0x10 data), no GDT
 * needed, ESP = 0x80000, paging off. `user: true` gives ring-3 segments
 * (CS 0x1B, data 0x23) for privilege tests. `long64()` — 64-bit mode
 * (IA-32e, CS.L = 1) entered the architectural way (PAE, CR3, EFER.LME,
 * CR0.PG), with identity-mapped 4-level page tables (user-accessible 2 MiB
 * pages over the first 1 GiB, also aliased at 0xFFFF_8000_0000_0000 and at
 * 0xFFFF_FF80_0000_0000), a GDT (LONG_SELECTORS), a 64-bit TSS (RSP0 =
 * 0x70000) and an empty 64-bit IDT (`setIdt64`); RSP = 0x80000.
 */
import type { VcpuExit } from "../../src/hv/exits.js";
import { MP_RUNNABLE } from "../../src/hv/registers.js";
import type {
  CpuBacking,
  CpuInterruptController,
  CpuIo,
  CpuPhysicalMemory,
} from "../../src/hv/soft/cpu/bus.js";
import {
  EAX,
  EBP,
  EBX,
  ECX,
  EDI,
  EDX,
  ESI,
  ESP,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_SS,
  SEG_TR,
} from "../../src/hv/soft/cpu/constants.js";
import { SoftCpuCore } from "../../src/hv/soft/cpu/core.js";
import type { Cpu } from "../../src/hv/soft/cpu/cpu.js";

const PAGE = 4096;

/**
 * Flat RAM implementing the CPU's physical-memory interface: one backing at
 * physical 0 of `size` bytes; everything above is a hole (MMIO). Honours the
 * code-page protocol (codePages + listeners) like the real memory module.
 */
export class FlatMemory implements CpuPhysicalMemory {
  readonly bytes: Uint8Array;
  readonly codePages: Uint8Array;
  readonly backings: readonly CpuBacking[];
  generation = 1;
  /** Physical pages that read as holes even inside the RAM (to test MMIO). */
  readonly holes = new Set<number>();
  /** Physical pages mapped read-only (ROM: writes go to MMIO). */
  readonly readOnly = new Set<number>();
  private readonly listeners: ((backing: number, page: number) => void)[] = [];
  readonly registry = {
    noteWrite: (backingIndex: number, firstPage: number, count: number): void => {
      for (let p = firstPage; p < firstPage + count; p++) {
        if (this.codePages[p] !== 0) {
          this.codePages[p] = 0;
          for (const l of this.listeners.slice()) l(backingIndex, p);
        }
      }
    },
    addCodeWriteListener: (l: (backing: number, page: number) => void): (() => void) => {
      this.listeners.push(l);
      return () => {
        const i = this.listeners.indexOf(l);
        if (i >= 0) this.listeners.splice(i, 1);
      };
    },
  };

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.codePages = new Uint8Array(size / PAGE);
    this.backings = [{ bytes: this.bytes, codePages: this.codePages }];
  }

  lookup(pfn: number): number {
    if (pfn * PAGE >= this.bytes.length || this.holes.has(pfn)) return 0;
    return pfn * PAGE + (1 << 2) + (this.readOnly.has(pfn) ? 1 : 0);
  }

  /** Host write as DMA would do it (invalidates translated code). */
  dmaWrite(addr: number, data: ArrayLike<number>): void {
    for (let i = 0; i < data.length; i++) this.bytes[addr + i] = data[i];
    const first = Math.floor(addr / PAGE);
    const last = Math.floor((addr + Math.max(data.length, 1) - 1) / PAGE);
    this.registry.noteWrite(0, first, last - first + 1);
  }

  /** Call after changing `holes`/`readOnly`: the CPU flushes its TLB. */
  mapChanged(): void {
    this.generation++;
  }
}

/** A port/MMIO bus that records accesses and answers reads from tables. */
export class TestIo implements CpuIo {
  /** Every access in order. */
  readonly log: {
    space: "port" | "mmio";
    write: boolean;
    address: number;
    size: number;
    value: number;
  }[] = [];
  /** Values returned by port reads (default 0xFF.. all ones). */
  readonly portValues = new Map<number, number>();
  /** Values returned by MMIO reads (default all ones). */
  readonly mmioValues = new Map<number, number>();
  /** Called after every port write (e.g. to raise an interrupt from guest code). */
  onPortWrite: ((port: number, size: number, value: number) => void) | null = null;

  portRead(port: number, size: 1 | 2 | 4): number {
    const v = this.portValues.get(port) ?? 0xffffffff;
    const masked = size === 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1);
    this.log.push({ space: "port", write: false, address: port, size, value: masked });
    return masked;
  }
  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    this.log.push({ space: "port", write: true, address: port, size, value });
    this.onPortWrite?.(port, size, value);
  }
  mmioRead(address: number, size: 1 | 2 | 4 | 8): number {
    const v = this.mmioValues.get(address) ?? 0xffffffff;
    const masked = size >= 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1);
    this.log.push({ space: "mmio", write: false, address, size, value: masked });
    return masked;
  }
  mmioWrite(address: number, size: 1 | 2 | 4 | 8, value: number | bigint): void {
    this.log.push({ space: "mmio", write: true, address, size, value: Number(value) });
  }
}

/** A minimal interrupt controller: a FIFO of vectors the test raises. */
export class TestInterrupts implements CpuInterruptController {
  readonly queue: number[] = [];
  readonly acknowledged: number[] = [];
  pendingVector(): number {
    return this.queue.length > 0 ? this.queue[0] : -1;
  }
  acknowledge(vector: number): void {
    if (this.queue[0] === vector) this.queue.shift();
    this.acknowledged.push(vector);
  }
}

export interface HarnessOptions {
  /** RAM size in bytes (default 16 MiB). */
  readonly ramSize?: number;
  /** flat32 only: ring-3 segments. */
  readonly user?: boolean;
}

/** The GDT `CpuHarness.long64()` builds (the SYSRET layout: STAR[63:48] = USER32_CODE). */
export const LONG_SELECTORS = {
  KERNEL_CODE: 0x08,
  KERNEL_DATA: 0x10,
  /** 32-bit (compatibility-mode) DPL 3 code: SYSRET without REX.W. */
  USER32_CODE: 0x18,
  USER_DATA: 0x20,
  USER_CODE: 0x28,
  /** 32-bit DPL 0 code (compatibility mode at CPL 0). */
  KERNEL32_CODE: 0x30,
  /** The 16-byte 64-bit TSS descriptor. */
  TSS: 0x38,
} as const;

/** Where `long64()` puts its structures, as offsets below the end of RAM. */
const LONG_LAYOUT = {
  pml4: 0x10000,
  pdpt: 0xf000,
  pd: 0xe000,
  gdt: 0xd000,
  idt: 0xc000,
  tss: 0xb000,
};

export class CpuHarness {
  readonly core: SoftCpuCore;
  readonly cpu: Cpu;
  readonly memory: FlatMemory;
  readonly io = new TestIo();
  readonly interrupts = new TestInterrupts();
  /** Set `stop[0] = 1` to kick. */
  readonly stop = new Int32Array(1);

  private constructor(options: HarnessOptions) {
    this.memory = new FlatMemory(options.ramSize ?? 16 * 1024 * 1024);
    this.core = new SoftCpuCore({
      physical: this.memory,
      io: this.io,
      interruptController: this.interrupts,
    });
    this.cpu = this.core.cpu;
  }

  /** Real mode; all segments 0; SS:SP = 0:7000. */
  static real(options: HarnessOptions = {}): CpuHarness {
    const h = new CpuHarness(options);
    h.cpu.setSegment(SEG_CS, 0, 0, 0xffff, 0x9b);
    h.cpu.r32[ESP << 1] = 0x7000;
    return h;
  }

  /** Flat 32-bit protected mode (ring 0, or ring 3 with `user`), paging off. */
  static flat32(options: HarnessOptions = {}): CpuHarness {
    const h = new CpuHarness(options);
    const cpu = h.cpu;
    const user = options.user === true;
    const rpl = user ? 3 : 0;
    const dpl = rpl << 5;
    cpu.writeCr(0, cpu.cr0 | 1);
    cpu.setSegment(SEG_CS, 0x08 | rpl | (user ? 0x10 : 0), 0, 0xffffffff, 0xc09b | dpl);
    for (const s of [SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS]) {
      cpu.setSegment(s, 0x10 | rpl | (user ? 0x10 : 0), 0, 0xffffffff, 0xc093 | dpl);
    }
    cpu.r32[ESP << 1] = 0x80000;
    return h;
  }

  /** 64-bit mode at CPL 0 (see the file comment); the structures sit in the top 64 KiB of RAM. */
  static long64(options: HarnessOptions = {}): CpuHarness {
    const h = new CpuHarness(options);
    const cpu = h.cpu;
    const top = h.memory.bytes.length;
    const at = (k: keyof typeof LONG_LAYOUT): number => top - LONG_LAYOUT[k];
    const pml4 = at("pml4");
    const pdpt = at("pdpt");
    const pd = at("pd");
    // 4-level tables: PD with 512 2-MiB pages, one PDPT entry, three PML4 aliases;
    // everything user-accessible (P RW US, PS in the PD).
    for (let i = 0; i < 512; i++) h.write64(pd + i * 8, BigInt(i) * 0x200000n + 0x87n);
    h.write64(pdpt, BigInt(pd) + 0x7n);
    for (const slot of [0, 256, 511]) h.write64(pml4 + slot * 8, BigInt(pdpt) + 0x7n);
    // GDT.
    const gdt = at("gdt");
    const S = LONG_SELECTORS;
    const seg = (sel: number, access: number, flags: number): void =>
      h.write64(gdt + sel, 0x0000ffffn | (BigInt(access) << 40n) | (BigInt(flags | 0xf) << 48n));
    seg(S.KERNEL_CODE, 0x9b, 0xa0); // L, G
    seg(S.KERNEL_DATA, 0x93, 0xc0);
    seg(S.USER32_CODE, 0xfb, 0xc0); // D, G
    seg(S.USER_DATA, 0xf3, 0xc0);
    seg(S.USER_CODE, 0xfb, 0xa0);
    seg(S.KERNEL32_CODE, 0x9b, 0xc0);
    const tss = at("tss");
    h.write64(
      gdt + S.TSS,
      0x67n | (BigInt(tss & 0xffffff) << 16n) | (0x89n << 40n) | (BigInt(tss >>> 24) << 56n),
    );
    h.write64(gdt + S.TSS + 8, 0n);
    h.write64(tss + 4, 0x70000n); // RSP0
    h.write16(tss + 102, 0x68); // no I/O bitmap
    cpu.gdtBase = gdt;
    cpu.gdtLimit = S.TSS + 15;
    cpu.idtBase = at("idt");
    cpu.idtLimit = 256 * 16 - 1;
    // Protected mode with a 32-bit CS, then IA-32e activation, then a 64-bit CS.
    cpu.writeCr(0, cpu.cr0 | 1);
    cpu.setSegment(SEG_CS, S.KERNEL32_CODE, 0, 0xffffffff, 0xc09b);
    for (const s of [SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS]) {
      cpu.setSegment(s, S.KERNEL_DATA, 0, 0xffffffff, 0xc093);
    }
    cpu.setSegment(SEG_TR, S.TSS, tss, 0x67, 0x8b);
    cpu.writeCr(4, 0x20); // PAE
    cpu.writeCr(3, pml4);
    cpu.writeEfer(0x100 | 0x800 | 0x1); // LME, NXE, SCE
    cpu.writeCr(0, cpu.cr0 | 0x80000000); // PG: LMA becomes 1
    cpu.setSegment(SEG_CS, S.KERNEL_CODE, 0, 0xffffffff, 0xa09b);
    cpu.r32[ESP << 1] = 0x80000;
    return h;
  }

  /**
   * Long mode: IDT entry `vector` as a 64-bit interrupt (or trap) gate to
   * `handler` in the kernel code segment, with IST index `ist` and DPL `dpl`.
   */
  setIdt64(
    vector: number,
    handler: number,
    options: { ist?: number; dpl?: number; trap?: boolean } = {},
  ): void {
    const type = options.trap === true ? 0xf : 0xe;
    const access = 0x80 | ((options.dpl ?? 0) << 5) | type;
    const lo =
      BigInt(handler & 0xffff) |
      (BigInt(LONG_SELECTORS.KERNEL_CODE) << 16n) |
      (BigInt(options.ist ?? 0) << 32n) |
      (BigInt(access) << 40n) |
      (BigInt((handler >>> 16) & 0xffff) << 48n);
    const at = this.cpu.idtBase + vector * 16;
    this.write64(at, lo);
    this.write64(at + 8, BigInt(Math.floor(handler / 0x100000000)) & 0xffffffffn);
  }

  /** Copies `code` to physical `addr` and starts there (see `start`). */
  load(addr: number, code: ArrayLike<number>): this {
    this.poke(addr, code);
    this.start(addr);
    return this;
  }

  /** Points CS:EIP at physical `addr` (EIP = addr - CS.base) and un-halts the CPU. */
  start(addr: number): this {
    this.cpu.eip = (addr - (this.cpu.segBase[SEG_CS] >>> 0)) >>> 0;
    this.cpu.mpState = MP_RUNNABLE;
    return this;
  }

  /** Writes bytes to physical memory (as DMA: translated code is invalidated). */
  poke(addr: number, data: ArrayLike<number>): void {
    this.memory.dmaWrite(addr, data);
  }

  /** Runs until an exit other than `budget`, or throws after `maxInsns` instructions. */
  run(maxInsns = 1_000_000): VcpuExit {
    const exit = this.core.run(maxInsns, this.stop);
    if (exit.kind === "budget") throw new Error(`harness: no exit after ${maxInsns} instructions`);
    return exit;
  }

  /** Runs about `n` instructions (returns the exit, `budget` included). */
  runFor(n: number): VcpuExit {
    return this.core.run(n, this.stop);
  }

  // ---- Physical memory ----
  read8(addr: number): number {
    return this.memory.bytes[addr];
  }
  read16(addr: number): number {
    return this.memory.bytes[addr] | (this.memory.bytes[addr + 1] << 8);
  }
  read32(addr: number): number {
    const b = this.memory.bytes;
    return (b[addr] | (b[addr + 1] << 8) | (b[addr + 2] << 16) | (b[addr + 3] << 24)) >>> 0;
  }
  write16(addr: number, v: number): void {
    this.poke(addr, [v & 0xff, (v >> 8) & 0xff]);
  }
  write32(addr: number, v: number): void {
    this.poke(addr, [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
  }
  read64(addr: number): bigint {
    return (BigInt(this.read32(addr + 4)) << 32n) | BigInt(this.read32(addr));
  }
  write64(addr: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.write32(addr, Number(u & 0xffffffffn));
    this.write32(addr + 4, Number(u >> 32n));
  }

  // ---- 64-bit registers (unsigned bigints) ----
  /** GPR `n` (0-15) as an unsigned 64-bit value. */
  reg64(n: number): bigint {
    const r = this.cpu.r32;
    return (BigInt(r[n * 2 + 1] >>> 0) << 32n) | BigInt(r[n * 2] >>> 0);
  }
  /** Sets GPR `n` (0-15) from any bigint (taken modulo 2^64). */
  setReg64(n: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.cpu.r32[n * 2] = Number(u & 0xffffffffn);
    this.cpu.r32[n * 2 + 1] = Number(u >> 32n);
  }
  /** RIP as an unsigned 64-bit value. */
  get rip(): bigint {
    return BigInt.asUintN(64, BigInt(this.cpu.eip));
  }

  // ---- Registers (unsigned 32-bit values) ----
  get eax(): number {
    return this.cpu.r32[EAX << 1] >>> 0;
  }
  set eax(v: number) {
    this.cpu.r32[EAX << 1] = v;
  }
  get ecx(): number {
    return this.cpu.r32[ECX << 1] >>> 0;
  }
  set ecx(v: number) {
    this.cpu.r32[ECX << 1] = v;
  }
  get edx(): number {
    return this.cpu.r32[EDX << 1] >>> 0;
  }
  set edx(v: number) {
    this.cpu.r32[EDX << 1] = v;
  }
  get ebx(): number {
    return this.cpu.r32[EBX << 1] >>> 0;
  }
  set ebx(v: number) {
    this.cpu.r32[EBX << 1] = v;
  }
  get esp(): number {
    return this.cpu.r32[ESP << 1] >>> 0;
  }
  set esp(v: number) {
    this.cpu.r32[ESP << 1] = v;
  }
  get ebp(): number {
    return this.cpu.r32[EBP << 1] >>> 0;
  }
  set ebp(v: number) {
    this.cpu.r32[EBP << 1] = v;
  }
  get esi(): number {
    return this.cpu.r32[ESI << 1] >>> 0;
  }
  set esi(v: number) {
    this.cpu.r32[ESI << 1] = v;
  }
  get edi(): number {
    return this.cpu.r32[EDI << 1] >>> 0;
  }
  set edi(v: number) {
    this.cpu.r32[EDI << 1] = v;
  }
  get eip(): number {
    return this.cpu.eip >>> 0;
  }
  /** Full EFLAGS. */
  get eflags(): number {
    return this.cpu.getEflags();
  }
  set eflags(v: number) {
    this.cpu.setEflags(v);
  }

  /** Real mode: sets IVT entry `vector` to `cs:ip`. */
  setIvt(vector: number, cs: number, ip: number): void {
    this.write16(vector * 4, ip);
    this.write16(vector * 4 + 2, cs);
  }
}
