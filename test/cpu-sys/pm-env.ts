/**
 * A protected-mode test environment built in guest memory: a GDT, an IDT
 * with one recording handler per exception vector, a 32-bit TSS, and byte
 * helpers for the few instructions the tests assemble by hand.
 *
 * Physical layout (all identity: paging off, flat segments):
 *
 *     0x01000 GDT        0x02000 IDT
 *     0x03000 handlers   (vector v at 0x3000 + 16 v: mov eax, 0xE000 + v; hlt)
 *     0x05000 TSS (TR = 0x28), I/O bitmap at +0x68 (all ports allowed)
 *     0x10000 code       0x80000 ring-0 stack top (also TSS.ESP0)
 *     0x90000 ring-3 stack top
 */
import { CpuHarness } from "../cpu/harness.js";
import {
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_SS,
  SEG_TR,
} from "../../src/hv/soft/cpu/constants.js";

export const GDT = 0x1000;
export const IDT = 0x2000;
export const HANDLERS = 0x3000;
export const TSS = 0x5000;
/** TSS limit: header, an 8 KiB I/O bitmap and its terminating byte. */
export const TSS_LIMIT = 0x68 + 0x2000;
export const CODE = 0x10000;
export const STACK0 = 0x80000;
export const STACK3 = 0x90000;

// ---- Selectors of the standard GDT ----
export const CODE0 = 0x08;
export const DATA0 = 0x10;
export const CODE3 = 0x1b;
export const DATA3 = 0x23;
export const TSS_SEL = 0x28;
/** First free GDT index for a test's own descriptors (selector = index * 8). */
export const FREE = 6;

/** Access bytes (P, DPL, S, type). */
export const ACC_CODE = 0x9a; // present, ring 0, code execute/read
export const ACC_DATA = 0x92; // present, ring 0, data read/write
export const ACC_TSS32 = 0x89; // present, available 32-bit TSS
export const DPL3 = 0x60;
/** Flags nibble: G and D/B. */
export const FLAGS_32 = 0xc;

/** Marker a handler leaves in EAX: 0xE000 + vector. */
export function marker(vector: number): number {
  return 0xe000 + vector;
}

export function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
export function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

// ---- Instruction bytes (32-bit code) ----
export const HLT = [0xf4];
export const movEax = (v: number) => [0xb8, ...le32(v)];
export const movEbx = (v: number) => [0xbb, ...le32(v)];
export const movEcx = (v: number) => [0xb9, ...le32(v)];
export const movEdx = (v: number) => [0xba, ...le32(v)];
export const movEsp = (v: number) => [0xbc, ...le32(v)];
/** mov ax, imm16 (66 B8). */
export const movAx = (v: number) => [0x66, 0xb8, ...le16(v)];
/** mov Sreg, ax: ES 0, SS 2, DS 3, FS 4, GS 5. */
export const movSregAx = (seg: number) => [0x8e, 0xc0 | (seg << 3)];
export const pushImm32 = (v: number) => [0x68, ...le32(v)];
export const intN = (n: number) => [0xcd, n];
export const IRETD = [0xcf];
export const jmpFar = (sel: number, off: number) => [0xea, ...le32(off), ...le16(sel)];
export const callFar = (sel: number, off: number) => [0x9a, ...le32(off), ...le16(sel)];
export const RETF = [0xcb];
export const retfImm = (n: number) => [0xca, ...le16(n)];
/** mov eax, [abs32] / mov [abs32], eax (through DS). */
export const loadEax = (addr: number) => [0xa1, ...le32(addr)];
export const storeEax = (addr: number) => [0xa3, ...le32(addr)];

/** The 8 bytes of a code/data/system descriptor. */
export function descriptor(base: number, limit: number, access: number, flags: number): number[] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi =
    (base & 0xff000000) |
    ((flags & 0xf) << 20) |
    (limit & 0xf0000) |
    ((access & 0xff) << 8) |
    ((base >>> 16) & 0xff);
  return [...le32(lo), ...le32(hi)];
}

/** The 8 bytes of a gate: `type` 4/12 call, 5 task, 6/14 interrupt, 7/15 trap. */
export function gate(
  selector: number,
  offset: number,
  type: number,
  dpl: number,
  params = 0,
): number[] {
  const lo = ((selector & 0xffff) << 16) | (offset & 0xffff);
  const hi = (offset & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8) | (params & 0x1f);
  return [...le32(lo), ...le32(hi)];
}

export class PmEnv {
  readonly h: CpuHarness;

  constructor() {
    this.h = CpuHarness.flat32();
    const cpu = this.h.cpu;
    this.setDescriptor(1, descriptor(0, 0xfffff, ACC_CODE, FLAGS_32));
    this.setDescriptor(2, descriptor(0, 0xfffff, ACC_DATA, FLAGS_32));
    this.setDescriptor(3, descriptor(0, 0xfffff, ACC_CODE | DPL3, FLAGS_32));
    this.setDescriptor(4, descriptor(0, 0xfffff, ACC_DATA | DPL3, FLAGS_32));
    this.setDescriptor(5, descriptor(TSS, TSS_LIMIT, ACC_TSS32 | 2, 0)); // busy: TR
    cpu.gdtBase = GDT;
    cpu.gdtLimit = 0x3ff;
    cpu.idtBase = IDT;
    cpu.idtLimit = 0x7ff;
    // The harness set the hidden parts; make them agree with the descriptors (accessed bit set).
    cpu.setSegment(SEG_CS, CODE0, 0, 0xffffffff, 0xc09b);
    for (const s of [SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS]) {
      cpu.setSegment(s, DATA0, 0, 0xffffffff, 0xc093);
    }
    cpu.setSegment(SEG_TR, TSS_SEL, TSS, TSS_LIMIT, 0x8b);
    this.h.write32(TSS + 4, STACK0); // ESP0
    this.h.write16(TSS + 8, DATA0); // SS0
    this.h.write16(TSS + 102, 0x68); // I/O bitmap right after the header
    for (let v = 0; v < 32; v++) {
      this.h.poke(HANDLERS + v * 16, [...movEax(marker(v)), ...HLT]);
      this.setIdt(v, gate(CODE0, HANDLERS + v * 16, 14, 0));
    }
    this.h.esp = STACK0;
  }

  setDescriptor(index: number, bytes: number[]): void {
    this.h.poke(GDT + index * 8, bytes);
  }

  setIdt(vector: number, bytes: number[]): void {
    this.h.poke(IDT + vector * 8, bytes);
  }

  /** Loads `code` at CODE and runs to HLT (or another exit). */
  run(code: number[]): ReturnType<CpuHarness["run"]> {
    this.h.load(CODE, code);
    return this.h.run(100_000);
  }

  /** Dword at `ESP + 4 * i` (physical = linear: flat segments). */
  stack(i: number): number {
    return this.h.read32(this.h.esp + 4 * i);
  }

  /**
   * Code that drops to ring 3 through IRETD: pushes SS3, ESP3, EFLAGS
   * (`eflags`), CS3 and `target`, then IRETD.
   */
  static toRing3(target: number, eflags = 0x202): number[] {
    return [
      ...pushImm32(DATA3),
      ...pushImm32(STACK3),
      ...pushImm32(eflags),
      ...pushImm32(CODE3),
      ...pushImm32(target),
      ...IRETD,
    ];
  }
}
