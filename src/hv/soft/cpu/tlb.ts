/**
 * The TLB's slow paths: translation (lookup, else page walk and fill),
 * accesses that the fast paths in access.ts do not take (miss, MMIO,
 * page-crossing, code pages, dirty-logged or read-only slots), and flushes.
 */
import type { CpuAccess } from "./access.js";
import { a20Pfn, mmioRead, mmioWrite } from "./phys.js";
import { walk, walkResult } from "./mmu.js";
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  TAG_USER,
  TLB_MASK,
  TLB_P_DIRTY,
  TLB_P_EXEC_SUP,
  TLB_P_EXEC_USER,
  TLB_P_GLOBAL,
  TLB_P_LARGE,
  TLB_P_READ_SUP,
  TLB_P_READ_USER,
  TLB_P_WRITE_SUP,
  TLB_P_WRITE_USER,
  TLB_SIZE,
} from "./tlb-layout.js";

const EMPTY = new Uint8Array(0);
const EMPTY32 = new Int32Array(0);
/** Dword views of backings, made once per backing (aligned 32-bit fast path). */
const dwordViews = new WeakMap<Uint8Array, Int32Array>();

/** The Int32Array over the same bytes (backings are page-aligned, so always possible). */
function dwordView(bytes: Uint8Array): Int32Array {
  let view = dwordViews.get(bytes);
  if (view === undefined) {
    if (bytes.byteOffset % 4 !== 0 || bytes.length % 4 !== 0) {
      throw new Error("soft CPU: guest memory backing is not dword-aligned");
    }
    view = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    dwordViews.set(bytes, view);
  }
  return view;
}
const PAGE = 4096;

/** Permission bits an access needs (writes also need the dirty bit already set). */
function needed(access: number, user: boolean): number {
  if (access === ACCESS_READ) return user ? TLB_P_READ_USER : TLB_P_READ_SUP;
  if (access === ACCESS_WRITE) return (user ? TLB_P_WRITE_USER : TLB_P_WRITE_SUP) | TLB_P_DIRTY;
  return user ? TLB_P_EXEC_USER : TLB_P_EXEC_SUP;
}

/**
 * Makes sure the TLB holds a translation of `lin` that permits `access` at
 * the given privilege (walking the page tables and raising #PF if needed),
 * sets the fast tag for it when the page is suitable RAM, and returns the
 * entry index.
 */
export function translate(cpu: CpuAccess, lin: number, access: number, user: boolean): number {
  if (cpu.physical.generation !== cpu.tlbGeneration) flushTlb(cpu, false);
  const vpn = lin >>> 12;
  const i = vpn & TLB_MASK;
  const need = needed(access, user);
  if (cpu.tlbVpn[i] !== vpn || (cpu.tlbPerm[i] & need) !== need) {
    walk(cpu, lin, access, user);
    let perm = walkResult[1];
    if (walkResult[2] !== 0) {
      perm |= TLB_P_LARGE;
      cpu.tlbHasLarge = true;
    }
    fill(cpu, i, vpn, walkResult[0], perm);
  }
  const tag = vpn | (user ? TAG_USER : 0);
  if (cpu.tlbBacking[i] >= 0) {
    if (access === ACCESS_READ) cpu.tlbRTag[i] = tag;
    else if (access === ACCESS_EXEC) cpu.tlbXTag[i] = tag;
    else if ((cpu.tlbPhysFlags[i] & 3) === 0) cpu.tlbWTag[i] = tag;
  }
  return i;
}

/** Fills entry `i` with a walk result and resolves the physical page to host memory. */
function fill(cpu: CpuAccess, i: number, vpn: number, pfn: number, perm: number): void {
  const realPfn = a20Pfn(cpu, pfn);
  cpu.tlbVpn[i] = vpn;
  cpu.tlbPfn[i] = realPfn;
  cpu.tlbPerm[i] = perm;
  cpu.tlbRTag[i] = -1;
  cpu.tlbWTag[i] = -1;
  cpu.tlbXTag[i] = -1;
  const entry = cpu.physical.lookup(realPfn);
  if (entry === 0) {
    cpu.tlbBacking[i] = -1;
    cpu.tlbMem[i] = EMPTY;
    cpu.tlbMem32[i] = EMPTY32;
    cpu.tlbCode[i] = EMPTY;
    cpu.tlbOff[i] = 0;
    cpu.tlbPage[i] = 0;
    cpu.tlbPhysFlags[i] = 0;
    return;
  }
  const index = ((entry & 0xffc) >>> 2) - 1;
  const backing = cpu.physical.backings[index];
  const offset = entry - (entry & 0xfff);
  cpu.tlbBacking[i] = index;
  cpu.tlbMem[i] = backing.bytes;
  cpu.tlbMem32[i] = dwordView(backing.bytes);
  cpu.tlbCode[i] = backing.codePages;
  cpu.tlbOff[i] = offset;
  cpu.tlbPage[i] = offset / PAGE;
  cpu.tlbPhysFlags[i] = entry & 3;
}

/** A read the fast path did not take. Returns the value unsigned. */
export function readSlow(cpu: CpuAccess, lin: number, size: number, user: boolean): number {
  const o = lin & 0xfff;
  if (o + size > PAGE) {
    // Crosses a page: byte by byte (reads have no side effects on RAM).
    let v = 0;
    for (let k = 0; k < size; k++) v |= readSlow(cpu, (lin + k) >>> 0, 1, user) << (k * 8);
    return v >>> 0;
  }
  const i = translate(cpu, lin, ACCESS_READ, user);
  if (cpu.tlbBacking[i] < 0) {
    return mmioRead(cpu, cpu.tlbPfn[i] * PAGE + o, size as 1 | 2 | 4);
  }
  const m = cpu.tlbMem[i];
  const p = cpu.tlbOff[i] + o;
  if (size === 1) return m[p];
  if (size === 2) return m[p] | (m[p + 1] << 8);
  return (m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)) >>> 0;
}

/** A write the fast path did not take. */
export function writeSlow(
  cpu: CpuAccess,
  lin: number,
  size: number,
  value: number,
  user: boolean,
): void {
  const o = lin & 0xfff;
  if (o + size > PAGE) {
    // Crosses a page: both pages must be writable before any byte changes.
    // CR2 of a fault on the second page is that page's first byte.
    translate(cpu, lin, ACCESS_WRITE, user);
    translate(cpu, ((lin + size - 1) & ~0xfff) >>> 0, ACCESS_WRITE, user);
    for (let k = 0; k < size; k++) writeSlow(cpu, (lin + k) >>> 0, 1, value >> (k * 8), user);
    return;
  }
  const i = translate(cpu, lin, ACCESS_WRITE, user);
  const index = cpu.tlbBacking[i];
  const physFlags = cpu.tlbPhysFlags[i];
  if (index < 0 || (physFlags & 1) !== 0) {
    // A hole, or a read-only slot (ROM): the write goes to MMIO.
    mmioWrite(cpu, cpu.tlbPfn[i] * PAGE + o, size as 1 | 2 | 4, value);
    return;
  }
  const m = cpu.tlbMem[i];
  const p = cpu.tlbOff[i] + o;
  m[p] = value;
  if (size >= 2) m[p + 1] = value >> 8;
  if (size === 4) {
    m[p + 2] = value >> 16;
    m[p + 3] = value >> 24;
  }
  const page = cpu.tlbPage[i];
  const dirtyLog = (physFlags & 2) !== 0;
  if (dirtyLog || cpu.tlbCode[i][page] !== 0) {
    cpu.physical.registry.noteWrite(index, page, 1, dirtyLog);
  }
}

/**
 * Translates `lin` for an instruction fetch at the current privilege and
 * returns the TLB index (raises #PF). Used by the block lookup and decoder.
 */
export function translateFetch(cpu: CpuAccess, lin: number): number {
  const vpn = lin >>> 12;
  const i = vpn & TLB_MASK;
  if (cpu.tlbXTag[i] === (vpn | cpu.userTag)) return i;
  return translate(cpu, lin >>> 0, ACCESS_EXEC, cpu.cpl === 3);
}

/** Flushes every entry, or every non-global one (`keepGlobal`, for CR3 writes). */
export function flushTlb(cpu: CpuAccess, keepGlobal: boolean): void {
  if (cpu.physical.generation !== cpu.tlbGeneration) {
    keepGlobal = false; // the memory map changed: host pointers are stale
    cpu.tlbGeneration = cpu.physical.generation;
  }
  if (!keepGlobal) {
    cpu.tlbHasLarge = false;
    cpu.tlbVpn.fill(-1);
    cpu.tlbRTag.fill(-1);
    cpu.tlbWTag.fill(-1);
    cpu.tlbXTag.fill(-1);
    return;
  }
  const perm = cpu.tlbPerm;
  for (let i = 0; i < TLB_SIZE; i++) {
    if ((perm[i] & TLB_P_GLOBAL) === 0) invalidateEntry(cpu, i);
  }
}

/** INVLPG: removes the translation of the page holding `lin`. */
export function flushTlbPage(cpu: CpuAccess, lin: number): void {
  const vpn = lin >>> 12;
  const i = vpn & TLB_MASK;
  if (cpu.tlbVpn[i] === vpn) invalidateEntry(cpu, i);
  if (cpu.tlbHasLarge) {
    // A large page is cached as many 4 KiB entries: drop every large-page piece.
    const perm = cpu.tlbPerm;
    for (let k = 0; k < TLB_SIZE; k++) {
      if ((perm[k] & TLB_P_LARGE) !== 0 && cpu.tlbVpn[k] !== -1) invalidateEntry(cpu, k);
    }
    cpu.tlbHasLarge = false;
  }
}

function invalidateEntry(cpu: CpuAccess, i: number): void {
  cpu.tlbVpn[i] = -1;
  cpu.tlbRTag[i] = -1;
  cpu.tlbWTag[i] = -1;
  cpu.tlbXTag[i] = -1;
}
