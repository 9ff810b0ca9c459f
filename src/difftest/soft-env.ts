/**
 * The machine the soft side runs a case in, built to look like the native
 * runner's Linux process: flat 32-bit segments with Linux's user selectors,
 * CPL 3, paging on with user pages only for the code page (CODE_ADDR) and
 * the data area (DATA_ADDR), so a stray access is a #PF like the native
 * SIGSEGV. Exceptions go through a real IDT to ring-0 stubs that each
 * execute HLT: the stub's address names the vector, the ring-0 stack holds
 * the frame (error code, EIP, EFLAGS, user ESP) — the soft CPU's own
 * delivery path is used, nothing is intercepted.
 *
 * Physical layout (RAM 128 KiB); the kernel part is mapped at KERNEL_BASE,
 * supervisor-only, so user addresses other than code and data stay unmapped:
 *
 *     0x1000 page directory        0x5000-0x6fff data area (2 pages)
 *     0x2000 page table, data      0x7000 code page
 *     0x3000 page table, code      0x8000 GDT, 0x8100 IDT, 0x8200 TSS
 *     0x4000 page table, kernel    0x9000 HLT stubs, 0xa000 ring-0 stack
 *
 * SDM vol. 3: 3.4.5 (descriptors), 4.3 (32-bit paging), 6.11 (IDT gates),
 * 6.12.1 (stack switch on a privilege change), 7.2.1 (TSS).
 */
import {
  CR0_ET,
  CR0_MP,
  CR0_NE,
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_OSFXSR,
  CR4_OSXMMEXCPT,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_LDTR,
  SEG_SS,
  SEG_TR,
} from "../hv/soft/cpu/constants.js";
import type { Cpu } from "../hv/soft/cpu/cpu.js";
import { CODE_ADDR, DATA_ADDR, DATA_SIZE, USER_CS, USER_DS } from "./layout.js";
import type { SoftRam } from "./soft-memory.js";

export const RAM_SIZE = 0x20000;
export const KERNEL_BASE = 0xc0000000;
const PAGE_DIR = 0x1000;
const PT_DATA = 0x2000;
const PT_CODE = 0x3000;
const PT_KERNEL = 0x4000;
/** Physical address of the data area's first page. */
export const DATA_PHYS = 0x5000;
/** Physical address of the code page. */
export const CODE_PHYS = 0x7000;
const GDT = 0x8000;
const IDT = 0x8100;
const TSS = 0x8200;
/** Physical address of the HLT stub of vector 0; vector v's stub is at STUBS + v. */
export const STUBS = 0x9000;
/** Top of the ring-0 stack (physical); TSS.ESP0 is KERNEL_BASE + this. */
export const KERNEL_STACK_TOP = 0xb000;
/** Vectors with an IDT entry (all exceptions). */
export const IDT_VECTORS = 32;

const KERNEL_CS = 0x08;
const KERNEL_DS = 0x10;
const TSS_SEL = 0x30;
/** Attributes (registers.ts SEGMENT layout): flat 4 GiB, G and D/B set. */
const ATTR_USER_CODE = 0xc0fb;
const ATTR_USER_DATA = 0xc0f3;
const ATTR_TSS_BUSY = 0x008b;

const PTE_P = 1;
const PTE_RW = 2;
const PTE_US = 4;

function descriptor(
  ram: SoftRam,
  at: number,
  base: number,
  limit: number,
  access: number,
  flags: number,
): void {
  const b = ram.bytes;
  b[at] = limit;
  b[at + 1] = limit >>> 8;
  b[at + 2] = base;
  b[at + 3] = base >>> 8;
  b[at + 4] = base >>> 16;
  b[at + 5] = access;
  b[at + 6] = (flags << 4) | ((limit >>> 16) & 0xf);
  b[at + 7] = base >>> 24;
}

/** Writes the page tables, GDT, IDT, TSS and stubs into `ram`. */
export function buildTables(ram: SoftRam): void {
  const b = ram.bytes;
  // Paging: PDE/PTE = frame | P | RW (| US for user pages).
  const user = PTE_P | PTE_RW | PTE_US;
  ram.writeU32(PAGE_DIR + (DATA_ADDR >>> 22) * 4, PT_DATA | user);
  ram.writeU32(PAGE_DIR + (CODE_ADDR >>> 22) * 4, PT_CODE | user);
  ram.writeU32(PAGE_DIR + (KERNEL_BASE >>> 22) * 4, PT_KERNEL | PTE_P | PTE_RW);
  const dataIndex = (DATA_ADDR >>> 12) & 0x3ff;
  for (let i = 0; i < DATA_SIZE / 4096; i++) {
    ram.writeU32(PT_DATA + (dataIndex + i) * 4, (DATA_PHYS + i * 4096) | user);
  }
  ram.writeU32(PT_CODE + ((CODE_ADDR >>> 12) & 0x3ff) * 4, CODE_PHYS | user);
  const kernelIndex = (KERNEL_BASE >>> 12) & 0x3ff;
  for (let i = 0; i < RAM_SIZE / 4096; i++) {
    ram.writeU32(PT_KERNEL + (kernelIndex + i) * 4, (i * 4096) | PTE_P | PTE_RW);
  }
  // GDT: 0x08 ring-0 code, 0x10 ring-0 data, 0x20/0x28 ring-3 code/data (selectors 0x23/0x2b), 0x30 TSS.
  descriptor(ram, GDT + 0x08, 0, 0xfffff, 0x9b, 0xc);
  descriptor(ram, GDT + 0x10, 0, 0xfffff, 0x93, 0xc);
  descriptor(ram, GDT + (USER_CS & ~7), 0, 0xfffff, 0xfb, 0xc);
  descriptor(ram, GDT + (USER_DS & ~7), 0, 0xfffff, 0xf3, 0xc);
  descriptor(ram, GDT + TSS_SEL, KERNEL_BASE + TSS, 0x67, 0x8b, 0);
  // IDT: 32-bit interrupt gates with DPL 3 (INT3 from ring 3 must pass the gate's DPL check).
  for (let v = 0; v < IDT_VECTORS; v++) {
    const handler = KERNEL_BASE + STUBS + v;
    const at = IDT + v * 8;
    b[at] = handler;
    b[at + 1] = handler >>> 8;
    b[at + 2] = KERNEL_CS;
    b[at + 3] = 0;
    b[at + 4] = 0;
    b[at + 5] = 0xee;
    b[at + 6] = handler >>> 16;
    b[at + 7] = handler >>> 24;
    b[STUBS + v] = 0xf4; // HLT
  }
  // TSS: the ring-0 stack, and an I/O map base past the limit (no bitmap).
  ram.writeU32(TSS + 4, KERNEL_BASE + KERNEL_STACK_TOP);
  ram.writeU32(TSS + 8, KERNEL_DS);
  ram.writeU32(TSS + 100, 0x68 << 16);
}

/** Loads the system registers once: descriptor tables, TR, CR3, CR4, CR0 (PE, PG, NE...). */
export function enterProtectedMode(cpu: Cpu): void {
  cpu.gdtBase = KERNEL_BASE + GDT;
  cpu.gdtLimit = 0x37;
  cpu.idtBase = KERNEL_BASE + IDT;
  cpu.idtLimit = IDT_VECTORS * 8 - 1;
  cpu.writeCr(3, PAGE_DIR);
  cpu.writeCr(4, CR4_OSFXSR | CR4_OSXMMEXCPT);
  cpu.writeCr(0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP);
  cpu.writeCr(0, cpu.cr0 | CR0_PG);
  cpu.setSegment(SEG_TR, TSS_SEL, KERNEL_BASE + TSS, 0x67, ATTR_TSS_BUSY);
  cpu.setSegment(SEG_LDTR, 0, 0, 0, 0);
}

/** Puts the CPU back in ring 3 with Linux's flat user segments (FS and GS null, as in the runner). */
export function enterUserMode(cpu: Cpu): void {
  cpu.setSegment(SEG_CS, USER_CS, 0, 0xffffffff, ATTR_USER_CODE);
  for (const s of [SEG_SS, SEG_DS, SEG_ES])
    cpu.setSegment(s, USER_DS, 0, 0xffffffff, ATTR_USER_DATA);
  cpu.setSegment(SEG_FS, 0, 0, 0, 0);
  cpu.setSegment(SEG_GS, 0, 0, 0, 0);
}
