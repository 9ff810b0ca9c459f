/**
 * The machine the soft side runs a 64-bit case in, built to look like the
 * 64-bit native runner's Linux process: IA-32e mode with a 64-bit user code
 * segment (Linux's selectors: CS 0x33, SS 0x2b), CPL 3, 4-level paging with
 * user pages only for the code page and the data area. Exceptions go through
 * a 64-bit IDT to ring-0 HLT stubs, as in soft-env.ts: the stub's address
 * names the vector, the ring-0 stack holds the frame.
 *
 * Physical layout (RAM 64 KiB); the kernel part is mapped supervisor-only at
 * KERNEL_BASE_64:
 *
 *     0x1000 PML4   0x2000 PDPT   0x3000 PD (user)   0x4000 PD (kernel)
 *     0x5000 PT data   0x6000 PT code   0x7000 PT kernel
 *     0x8000-0x9fff data area   0xa000 code page
 *     0xb000 GDT, 0xb100 IDT, 0xb400 TSS   0xc000 HLT stubs   0xf000 stack top
 *
 * SDM vol. 3: 4.5 (4-level paging), 6.14 (64-bit IDT gates and the interrupt
 * stack frame), 7.7 (64-bit TSS), 9.8.5 (initializing IA-32e mode).
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
  CR4_PAE,
  EFER_LME,
  EFER_NXE,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_LDTR,
  SEG_SS,
  SEG_TR,
} from "../../hv/soft/cpu/constants.js";
import type { Cpu } from "../../hv/soft/cpu/cpu.js";
import { CODE_ADDR, DATA_ADDR, DATA_SIZE } from "../layout.js";
import type { SoftRam } from "../soft-memory.js";

export const RAM_SIZE_64 = 0x10000;
export const KERNEL_BASE_64 = 0xc0000000;
const PML4 = 0x1000;
const PDPT = 0x2000;
const PD_USER = 0x3000;
const PD_KERNEL = 0x4000;
const PT_DATA = 0x5000;
const PT_CODE = 0x6000;
const PT_KERNEL = 0x7000;
export const DATA_PHYS_64 = 0x8000;
export const CODE_PHYS_64 = 0xa000;
const GDT = 0xb000;
const IDT = 0xb100;
const TSS = 0xb400;
/** Physical address of vector 0's HLT stub; vector v's is at STUBS_64 + v. */
export const STUBS_64 = 0xc000;
const KERNEL_STACK_TOP = 0xf000;
export const IDT_VECTORS_64 = 32;

/** Linux's x86-64 user selectors (arch/x86/include/asm/segment.h). */
export const USER_CS_64 = 0x33;
export const USER_DS_64 = 0x2b;
const KERNEL_CS = 0x08;
const TSS_SEL = 0x40;
/** registers.ts SEGMENT attributes: 64-bit code (L, G), flat data (D/B, G). */
const ATTR_USER_CODE64 = 0xa0fb;
const ATTR_USER_DATA = 0xc0f3;

const USER = 7n; // P RW US
const KERNEL = 3n; // P RW

function write64(ram: SoftRam, at: number, v: bigint): void {
  ram.writeU32(at, Number(v & 0xffffffffn));
  ram.writeU32(at + 4, Number((v >> 32n) & 0xffffffffn));
}

/** A code/data descriptor: flat, `access` byte, `flags` high nibble (G D L). */
function segment(ram: SoftRam, sel: number, access: number, flags: number): void {
  write64(ram, GDT + sel, 0xffffn | (BigInt(access) << 40n) | (BigInt(flags | 0xf) << 48n));
}

/** Writes the page tables, GDT, IDT, TSS and stubs into `ram`. */
export function buildTables64(ram: SoftRam): void {
  write64(ram, PML4, BigInt(PDPT) | USER);
  write64(ram, PDPT, BigInt(PD_USER) | USER);
  write64(ram, PDPT + 8 * (KERNEL_BASE_64 / 2 ** 30), BigInt(PD_KERNEL) | USER);
  write64(ram, PD_USER + 8 * (DATA_ADDR >>> 21), BigInt(PT_DATA) | USER);
  write64(ram, PD_USER + 8 * (CODE_ADDR >>> 21), BigInt(PT_CODE) | USER);
  write64(ram, PD_KERNEL, BigInt(PT_KERNEL) | USER);
  const dataIndex = (DATA_ADDR >>> 12) & 0x1ff;
  for (let i = 0; i < DATA_SIZE / 4096; i++) {
    write64(ram, PT_DATA + 8 * (dataIndex + i), BigInt(DATA_PHYS_64 + i * 4096) | USER);
  }
  write64(ram, PT_CODE + 8 * ((CODE_ADDR >>> 12) & 0x1ff), BigInt(CODE_PHYS_64) | USER);
  for (let i = 0; i < RAM_SIZE_64 / 4096; i++) {
    write64(ram, PT_KERNEL + 8 * i, BigInt(i * 4096) | KERNEL);
  }
  segment(ram, KERNEL_CS, 0x9b, 0xa0);
  segment(ram, 0x10, 0x93, 0xc0);
  segment(ram, 0x20, 0xfb, 0xc0); // 32-bit user code (selector 0x23)
  segment(ram, USER_DS_64 & ~7, 0xf3, 0xc0);
  segment(ram, USER_CS_64 & ~7, 0xfb, 0xa0);
  const tss = KERNEL_BASE_64 + TSS;
  write64(
    ram,
    GDT + TSS_SEL,
    0x67n | (BigInt(tss & 0xffffff) << 16n) | (0x89n << 40n) | (BigInt(tss >>> 24) << 56n),
  );
  // IDT: 64-bit interrupt gates, DPL 3 so INT3 from ring 3 passes (SDM vol. 3, 6.14.1).
  for (let v = 0; v < IDT_VECTORS_64; v++) {
    const handler = KERNEL_BASE_64 + STUBS_64 + v;
    const lo =
      BigInt(handler & 0xffff) |
      (BigInt(KERNEL_CS) << 16n) |
      (0xeen << 40n) |
      (BigInt((handler >>> 16) & 0xffff) << 48n);
    write64(ram, IDT + 16 * v, lo);
    write64(ram, IDT + 16 * v + 8, 0n);
    ram.bytes[STUBS_64 + v] = 0xf4; // HLT
  }
  write64(ram, TSS + 4, BigInt(KERNEL_BASE_64 + KERNEL_STACK_TOP)); // RSP0
  ram.bytes[TSS + 102] = 0x68; // I/O map base past the limit: no bitmap
}

/** Loads the system registers once and activates IA-32e mode (SDM vol. 3, 9.8.5). */
export function enterLongMode(cpu: Cpu): void {
  cpu.gdtBase = KERNEL_BASE_64 + GDT;
  cpu.gdtLimit = TSS_SEL + 15;
  cpu.idtBase = KERNEL_BASE_64 + IDT;
  cpu.idtLimit = IDT_VECTORS_64 * 16 - 1;
  cpu.writeCr(0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP);
  cpu.setSegment(SEG_CS, KERNEL_CS, 0, 0xffffffff, 0xc09b);
  cpu.setSegment(SEG_TR, TSS_SEL, KERNEL_BASE_64 + TSS, 0x67, 0x8b);
  cpu.setSegment(SEG_LDTR, 0, 0, 0, 0);
  cpu.writeCr(4, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT);
  cpu.writeCr(3, PML4);
  cpu.writeEfer(EFER_LME | EFER_NXE);
  cpu.writeCr(0, cpu.cr0 | CR0_PG);
  cpu.setSegment(SEG_CS, KERNEL_CS, 0, 0xffffffff, 0xa09b);
}

/**
 * Ring 3 as a 64-bit Linux process has it: CS 0x33, SS 0x2b, and DS, ES, FS,
 * GS null with base 0 (64-bit mode does not check null data selectors, SDM
 * vol. 3, 5.4.1.1).
 */
export function enterUserMode64(cpu: Cpu): void {
  cpu.setSegment(SEG_CS, USER_CS_64, 0, 0xffffffff, ATTR_USER_CODE64);
  cpu.setSegment(SEG_SS, USER_DS_64, 0, 0xffffffff, ATTR_USER_DATA);
  for (const s of [SEG_DS, SEG_ES, SEG_FS, SEG_GS]) cpu.setSegment(s, 0, 0, 0, 0);
}
