/**
 * The page walker (Intel SDM vol. 3, ch. 4): 32-bit paging with 4 MiB PSE
 * pages (and PSE-36), PAE paging with 2 MiB pages and execute-disable, and
 * 4-level paging in IA-32e mode (4.5) with 2 MiB and 1 GiB pages.
 * Sets accessed and dirty bits in the guest's tables and raises #PF with
 * the exact error code and CR2.
 *
 * Access rights (SDM vol. 3, 4.6): a user access needs U/S = 1 at every
 * level; a write needs R/W = 1 at every level, except supervisor writes with
 * CR0.WP = 0; an instruction fetch needs XD = 0 at every level (NXE only).
 * A translation's permissions for all six (access, privilege) pairs are
 * computed at once and cached in the TLB entry.
 *
 * Not modelled: SMEP/SMAP, protection keys, 5-level paging. PCIDs are
 * accepted but not used as tags: every CR3 load drops the non-global
 * entries, which the SDM allows (4.10.4.1: invalidating more is legal).
 */
import type { CpuAccess } from "./access.js";
import {
  CR0_WP,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  EFER_NXE,
  PF_I,
  PF_P,
  PF_RSVD,
  PF_U,
  PF_W,
  VEC_GP,
} from "./constants.js";
import { raiseFault, raisePF } from "./fault.js";
import { physRead, physWrite } from "./phys.js";
import {
  ACCESS_EXEC,
  ACCESS_WRITE,
  TLB_P_DIRTY,
  TLB_P_EXEC_SUP,
  TLB_P_EXEC_USER,
  TLB_P_GLOBAL,
  TLB_P_READ_SUP,
  TLB_P_READ_USER,
  TLB_P_WRITE_SUP,
  TLB_P_WRITE_USER,
} from "./tlb-layout.js";

/** MAXPHYADDR of this CPU model (CPUID 80000008h.EAX[7:0] must report the same). */
export const MAX_PHYS_BITS = 36;

/** Result of the last `walk`: [physical page number, TLB_P_* permissions, large page 0/1]. */
export const walkResult = new Float64Array(3);

const P = 0x1;
const RW = 0x2;
const US = 0x4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;
const G = 0x100;
const TWO32 = 0x100000000;
/** PAE: bits 51..MAXPHYADDR of the high dword are reserved (bit 63 is XD). */
const PAE_HIGH_RESERVED = ~((1 << (MAX_PHYS_BITS - 32)) - 1) & 0x7fffffff;
const XD_HIGH = 0x80000000 | 0;
/** PSE-36: PDE bits 20:13 hold physical bits 39:32; those above MAXPHYADDR are reserved. */
const PSE36_RESERVED = (0xff << 13) & ~(((1 << (MAX_PHYS_BITS - 32)) - 1) << 13);

/**
 * Translates `lin` for `access` (ACCESS_READ/WRITE/EXEC) at user or
 * supervisor privilege; writes the result to `walkResult` or raises #PF.
 * With paging off the translation is the identity with every permission.
 */
export function walk(cpu: CpuAccess, lin: number, access: number, user: boolean): void {
  if (!cpu.paging) {
    walkResult[0] = lin >>> 12;
    walkResult[1] = 0x7f; // every permission, dirty
    walkResult[2] = 0;
    return;
  }
  if (cpu.longMode) walkLong(cpu, lin, access, user);
  else if ((cpu.cr4 & CR4_PAE) !== 0) walkPae(cpu, lin, access, user);
  else walk32(cpu, lin, access, user);
}

/** #PF error code bits describing the access itself (SDM vol. 3, 4.7). */
function accessBits(cpu: CpuAccess, access: number, user: boolean): number {
  let code = 0;
  if (access === ACCESS_WRITE) code |= PF_W;
  if (user) code |= PF_U;
  // I/D is reported only with PAE + NXE (or SMEP, not modelled).
  if (access === ACCESS_EXEC && (cpu.cr4 & CR4_PAE) !== 0 && (cpu.efer & EFER_NXE) !== 0) {
    code |= PF_I;
  }
  return code;
}

/** `rights` bits of `finish` beyond the x86 entry bits RW, US, D, G it reuses. */
const NX = 0x1000;
const LARGE = 0x2000;

/**
 * Checks the combined rights of a present translation against the access,
 * then publishes the result. `rights`: RW and US ANDed over all levels, D and
 * G of the leaf entry (D counted as set when this access is a write, which
 * sets it), NX if any level has XD, LARGE for a 4 MiB / 2 MiB page.
 */
function finish(
  cpu: CpuAccess,
  lin: number,
  access: number,
  user: boolean,
  pfn: number,
  rights: number,
): void {
  const rw = (rights & RW) !== 0;
  const us = (rights & US) !== 0;
  const nx = (rights & NX) !== 0;
  let perm = TLB_P_READ_SUP;
  if (rw || (cpu.cr0 & CR0_WP) === 0) perm |= TLB_P_WRITE_SUP;
  if (us) perm |= TLB_P_READ_USER;
  if (us && rw) perm |= TLB_P_WRITE_USER;
  if (!nx) perm |= TLB_P_EXEC_SUP;
  if (!nx && us) perm |= TLB_P_EXEC_USER;
  if ((rights & D) !== 0 || access === ACCESS_WRITE) perm |= TLB_P_DIRTY;
  if ((rights & G) !== 0 && (cpu.cr4 & CR4_PGE) !== 0) perm |= TLB_P_GLOBAL;
  let need: number;
  if (access === ACCESS_WRITE) need = user ? TLB_P_WRITE_USER : TLB_P_WRITE_SUP;
  else if (access === ACCESS_EXEC) need = user ? TLB_P_EXEC_USER : TLB_P_EXEC_SUP;
  else need = user ? TLB_P_READ_USER : TLB_P_READ_SUP;
  if ((perm & need) === 0) raisePF(cpu, lin, PF_P | accessBits(cpu, access, user));
  walkResult[0] = pfn;
  walkResult[1] = perm;
  walkResult[2] = (rights & LARGE) !== 0 ? 1 : 0;
}

// ---- 32-bit paging (SDM vol. 3, 4.3) ----

function walk32(cpu: CpuAccess, lin: number, access: number, user: boolean): void {
  const write = access === ACCESS_WRITE;
  const pdeAddr = ((cpu.cr3 & 0xfffff000) >>> 0) + ((lin >>> 22) << 2);
  const pde = physRead(cpu, pdeAddr, 4);
  if ((pde & P) === 0) raisePF(cpu, lin, accessBits(cpu, access, user));
  if ((pde & PS) !== 0 && (cpu.cr4 & CR4_PSE) !== 0) {
    // 4 MiB page; bits 20:13 are physical bits 39:32 (PSE-36), bit 21 reserved.
    if ((pde & (PSE36_RESERVED | 0x200000)) !== 0) {
      raisePF(cpu, lin, PF_P | PF_RSVD | accessBits(cpu, access, user));
    }
    const high = (pde >>> 13) & 0xff;
    const pfn = high * 0x100000 + ((pde >>> 12) & 0xffc00) + ((lin >>> 12) & 0x3ff);
    finish(cpu, lin, access, user, pfn, (pde & (RW | US | D | G)) | LARGE);
    setBits(cpu, pdeAddr, pde, A | (write ? D : 0));
    return;
  }
  const pteAddr = ((pde & 0xfffff000) >>> 0) + (((lin >>> 12) & 0x3ff) << 2);
  const pte = physRead(cpu, pteAddr, 4);
  if ((pte & P) === 0) raisePF(cpu, lin, accessBits(cpu, access, user));
  const pfn = pte >>> 12;
  finish(cpu, lin, access, user, pfn, (pde & pte & (RW | US)) | (pte & (D | G)));
  setBits(cpu, pdeAddr, pde, A);
  setBits(cpu, pteAddr, pte, A | (write ? D : 0));
}

/** Sets accessed/dirty bits in a paging-structure entry if they are not set yet. */
function setBits(cpu: CpuAccess, addr: number, entry: number, bits: number): void {
  if ((entry & bits) !== bits) physWrite(cpu, addr, 4, entry | bits);
}

// ---- PAE paging (SDM vol. 3, 4.4) ----

/**
 * Loads the four PDPTEs from CR3 (MOV CR3 / enabling PAE paging; SDM vol. 3,
 * 4.4.1). Raises #GP(0) if a present PDPTE has reserved bits set.
 */
export function loadPdptes(cpu: CpuAccess, cr3: number): void {
  const base = (cr3 & 0xffffffe0) >>> 0;
  const loaded = pdpteScratch;
  for (let k = 0; k < 4; k++) {
    const lo = physRead(cpu, base + k * 8, 4) | 0;
    const hi = physRead(cpu, base + k * 8 + 4, 4) | 0;
    // Reserved: bits 2:1, 8:5, 63:MAXPHYADDR (SDM vol. 3, table 4-8).
    if ((lo & P) !== 0 && ((lo & 0x1e6) !== 0 || (hi & (PAE_HIGH_RESERVED | XD_HIGH)) !== 0)) {
      raiseFault(cpu, VEC_GP, true, 0);
    }
    loaded[k * 2] = lo;
    loaded[k * 2 + 1] = hi;
  }
  cpu.pdpte.set(loaded);
}
const pdpteScratch = new Int32Array(8);

function walkPae(cpu: CpuAccess, lin: number, access: number, user: boolean): void {
  const write = access === ACCESS_WRITE;
  const nxe = (cpu.efer & EFER_NXE) !== 0;
  const highReserved = PAE_HIGH_RESERVED | (nxe ? 0 : XD_HIGH);
  const slot = lin >>> 30;
  const pdpteLo = cpu.pdpte[slot * 2];
  const pdpteHi = cpu.pdpte[slot * 2 + 1];
  if ((pdpteLo & P) === 0) raisePF(cpu, lin, accessBits(cpu, access, user));
  const pdeAddr =
    (pdpteHi & 0xf) * TWO32 + ((pdpteLo & 0xfffff000) >>> 0) + ((lin >>> 21) & 0x1ff) * 8;
  const pde = physRead(cpu, pdeAddr, 4) | 0;
  const pdeHi = physRead(cpu, pdeAddr + 4, 4) | 0;
  if ((pde & P) === 0) raisePF(cpu, lin, accessBits(cpu, access, user));
  if ((pdeHi & highReserved) !== 0)
    raisePF(cpu, lin, PF_P | PF_RSVD | accessBits(cpu, access, user));
  const pdeNx = nxe && (pdeHi & XD_HIGH) !== 0;
  if ((pde & PS) !== 0) {
    // 2 MiB page: bits 20:13 are reserved.
    if ((pde & 0x1fe000) !== 0) raisePF(cpu, lin, PF_P | PF_RSVD | accessBits(cpu, access, user));
    const pfn = (pdeHi & 0xfffff) * 0x100000 + ((pde >>> 12) & 0xffe00) + ((lin >>> 12) & 0x1ff);
    finish(cpu, lin, access, user, pfn, (pde & (RW | US | D | G)) | LARGE | (pdeNx ? NX : 0));
    setBits(cpu, pdeAddr, pde, A | (write ? D : 0));
    return;
  }
  const pteAddr =
    (pdeHi & 0xfffff) * TWO32 + ((pde & 0xfffff000) >>> 0) + ((lin >>> 12) & 0x1ff) * 8;
  const pte = physRead(cpu, pteAddr, 4) | 0;
  const pteHi = physRead(cpu, pteAddr + 4, 4) | 0;
  if ((pte & P) === 0) raisePF(cpu, lin, accessBits(cpu, access, user));
  if ((pteHi & highReserved) !== 0)
    raisePF(cpu, lin, PF_P | PF_RSVD | accessBits(cpu, access, user));
  const nx = pdeNx || (nxe && (pteHi & XD_HIGH) !== 0);
  const pfn = (pteHi & 0xfffff) * 0x100000 + (pte >>> 12);
  const rights = (pde & pte & (RW | US)) | (pte & (D | G)) | (nx ? NX : 0);
  finish(cpu, lin, access, user, pfn, rights);
  setBits(cpu, pdeAddr, pde, A);
  setBits(cpu, pteAddr, pte, A | (write ? D : 0));
}

// ---- 4-level paging (SDM vol. 3, 4.5) ----

/** Bits of a paging-structure entry used by the 4-level walk (low dword). */
const LONG_LARGE_1G_RESERVED = 0x3fffe000; // PDPTE.PS = 1: bits 29:13
const LONG_LARGE_2M_RESERVED = 0x1fe000; // PDE.PS = 1: bits 20:13

/** Reads the 8-byte entry at physical `addr` into `entryLo`/`entryHi`. */
let entryLo = 0;
let entryHi = 0;
function readEntry(cpu: CpuAccess, addr: number): void {
  entryLo = physRead(cpu, addr, 4) | 0;
  entryHi = physRead(cpu, addr + 4, 4) | 0;
}

/** Physical address of the table an entry points to (bits MAXPHYADDR-1:12). */
function tableAddress(lo: number, hi: number): number {
  return (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
}

/**
 * The 4-level walk: PML4E → PDPTE (1 GiB page if PS) → PDE (2 MiB page if
 * PS) → PTE. `lin` is the signed canonical address (or a zero-extended
 * 32-bit one in compatibility mode); Math.floor of a power-of-two division
 * gives its upper bits two's-complement style. Accessed bits are set at
 * every level, dirty in the leaf (4.8).
 */
function walkLong(cpu: CpuAccess, lin: number, access: number, user: boolean): void {
  const write = access === ACCESS_WRITE;
  const nxe = (cpu.efer & EFER_NXE) !== 0;
  const highReserved = PAE_HIGH_RESERVED | (nxe ? 0 : XD_HIGH);
  const code = accessBits(cpu, access, user);
  const rsvd = PF_P | PF_RSVD | code;
  const cr3 = cpu.cr3;
  // PML4E
  const pml4eAddr = cr3 - (cr3 % 4096) + (Math.floor(lin / 0x8000000000) & 0x1ff) * 8;
  readEntry(cpu, pml4eAddr);
  const pml4e = entryLo;
  const pml4eHi = entryHi;
  if ((pml4e & P) === 0) raisePF(cpu, lin, code);
  if ((pml4eHi & highReserved) !== 0 || (pml4e & PS) !== 0) raisePF(cpu, lin, rsvd);
  let nx = nxe && (pml4eHi & XD_HIGH) !== 0;
  let rights = pml4e & (RW | US);
  // PDPTE
  const pdpteAddr = tableAddress(pml4e, pml4eHi) + (Math.floor(lin / 0x40000000) & 0x1ff) * 8;
  readEntry(cpu, pdpteAddr);
  const pdpte = entryLo;
  const pdpteHi = entryHi;
  if ((pdpte & P) === 0) raisePF(cpu, lin, code);
  if ((pdpteHi & highReserved) !== 0) raisePF(cpu, lin, rsvd);
  nx = nx || (nxe && (pdpteHi & XD_HIGH) !== 0);
  rights &= pdpte;
  if ((pdpte & PS) !== 0) {
    // 1 GiB page.
    if ((pdpte & LONG_LARGE_1G_RESERVED) !== 0) raisePF(cpu, lin, rsvd);
    const pfn =
      (pdpteHi & 0xfffff) * 0x100000 + ((pdpte >>> 30) & 3) * 0x40000 + ((lin >>> 12) & 0x3ffff);
    finish(cpu, lin, access, user, pfn, rights | (pdpte & (D | G)) | LARGE | (nx ? NX : 0));
    setBits(cpu, pml4eAddr, pml4e, A);
    setBits(cpu, pdpteAddr, pdpte, A | (write ? D : 0));
    return;
  }
  // PDE
  const pdeAddr = tableAddress(pdpte, pdpteHi) + (Math.floor(lin / 0x200000) & 0x1ff) * 8;
  readEntry(cpu, pdeAddr);
  const pde = entryLo;
  const pdeHi = entryHi;
  if ((pde & P) === 0) raisePF(cpu, lin, code);
  if ((pdeHi & highReserved) !== 0) raisePF(cpu, lin, rsvd);
  nx = nx || (nxe && (pdeHi & XD_HIGH) !== 0);
  rights &= pde;
  if ((pde & PS) !== 0) {
    // 2 MiB page.
    if ((pde & LONG_LARGE_2M_RESERVED) !== 0) raisePF(cpu, lin, rsvd);
    const pfn = (pdeHi & 0xfffff) * 0x100000 + ((pde >>> 12) & 0xffe00) + ((lin >>> 12) & 0x1ff);
    finish(cpu, lin, access, user, pfn, rights | (pde & (D | G)) | LARGE | (nx ? NX : 0));
    setBits(cpu, pml4eAddr, pml4e, A);
    setBits(cpu, pdpteAddr, pdpte, A);
    setBits(cpu, pdeAddr, pde, A | (write ? D : 0));
    return;
  }
  // PTE
  const pteAddr = tableAddress(pde, pdeHi) + ((lin >>> 12) & 0x1ff) * 8;
  readEntry(cpu, pteAddr);
  const pte = entryLo;
  const pteHi = entryHi;
  if ((pte & P) === 0) raisePF(cpu, lin, code);
  if ((pteHi & highReserved) !== 0) raisePF(cpu, lin, rsvd);
  nx = nx || (nxe && (pteHi & XD_HIGH) !== 0);
  rights &= pte;
  const pfn = (pteHi & 0xfffff) * 0x100000 + (pte >>> 12);
  finish(cpu, lin, access, user, pfn, (rights & (RW | US)) | (pte & (D | G)) | (nx ? NX : 0));
  setBits(cpu, pml4eAddr, pml4e, A);
  setBits(cpu, pdpteAddr, pdpte, A);
  setBits(cpu, pdeAddr, pde, A);
  setBits(cpu, pteAddr, pte, A | (write ? D : 0));
}
