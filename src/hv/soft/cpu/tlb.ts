/**
 * The TLB's slow paths: translation (lookup, else page walk and fill),
 * accesses that the fast paths in access.ts do not take (miss, MMIO,
 * page-crossing, code pages, dirty-logged or read-only slots), and flushes.
 */
import type { CpuAccess } from "./access.js";
import { CANONICAL_LIMIT } from "./constants.js";
import { raiseGP } from "./fault.js";
import { a20Pfn, mmioRead, mmioWrite } from "./phys.js";
import { walk, walkResult } from "./mmu.js";
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  NO_DIRTY_LOG,
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
 * The canonical form of a linear address (state.ts): outside long mode the
 * low 32 bits, unsigned (so `lin + 4` past 4 GiB wraps); in long mode the
 * number itself, which must be canonical (#GP(0) otherwise, SDM vol. 3,
 * 3.3.7.1). Instructions check their own operands first, with #SS where
 * the SDM says so; this catches what lies beyond (`lin + k`).
 */
export function normalizeLinear(cpu: CpuAccess, lin: number): number {
  if (!cpu.longMode) return lin >>> 0;
  if (lin < -CANONICAL_LIMIT || lin >= CANONICAL_LIMIT) raiseGP(cpu, 0);
  return lin;
}

/**
 * Makes sure the TLB holds a translation of `lin` that permits `access` at
 * the given privilege (walking the page tables and raising #PF if needed),
 * sets the fast tag for it when the page is suitable RAM, and returns the
 * entry index.
 */
export function translate(cpu: CpuAccess, lin: number, access: number, user: boolean): number {
  if (cpu.physical.generation !== cpu.tlbGeneration) flushTlb(cpu, false);
  lin = normalizeLinear(cpu, lin);
  const page = lin - (lin & 0xfff);
  const i = (lin >>> 12) & TLB_MASK;
  const need = needed(access, user);
  if (cpu.tlbLinPage[i] !== page || (cpu.tlbPerm[i] & need) !== need) {
    walk(cpu, lin, access, user);
    let perm = walkResult[1];
    if (walkResult[2] !== 0) {
      perm |= TLB_P_LARGE;
      cpu.tlbHasLarge = true;
    }
    fill(cpu, i, page, walkResult[0], perm);
  }
  const tag = page + (user ? TAG_USER : 0);
  if (cpu.tlbBacking[i] >= 0) {
    if (access === ACCESS_READ) cpu.tlbRTag[i] = tag;
    else if (access === ACCESS_EXEC) cpu.tlbXTag[i] = tag;
    else if (fastWritable(cpu, i)) cpu.tlbWTag[i] = tag;
  }
  return i;
}

/**
 * Whether stores to entry `i` may take the fast path: RAM that is not
 * read-only, and not dirty-logged unless the fast path can mark the dirty
 * bitmap itself (fill() pointed `tlbDirty[i]` at unshared words).
 */
function fastWritable(cpu: CpuAccess, i: number): boolean {
  const flags = cpu.tlbPhysFlags[i];
  if ((flags & 1) !== 0) return false;
  return (flags & 2) === 0 || cpu.tlbDirty[i] !== NO_DIRTY_LOG;
}

/** Fills entry `i` with a walk result and resolves the physical page to host memory. */
function fill(cpu: CpuAccess, i: number, page: number, pfn: number, perm: number): void {
  const realPfn = a20Pfn(cpu, pfn);
  cpu.tlbLinPage[i] = page;
  cpu.tlbPfn[i] = realPfn;
  cpu.tlbPerm[i] = perm;
  cpu.tlbRTag[i] = NaN;
  cpu.tlbWTag[i] = NaN;
  cpu.tlbXTag[i] = NaN;
  const entry = cpu.physical.lookup(realPfn);
  cpu.tlbDirty[i] = NO_DIRTY_LOG;
  cpu.tlbDirtyWord[i] = 0;
  cpu.tlbDirtyBit[i] = 0;
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
  const dirty = backing.dirty;
  if ((entry & 2) !== 0 && dirty !== undefined && !dirty.shared) {
    // Stores may then mark the bitmap inline (access.ts); shared ones need Atomics.
    const page = offset / PAGE;
    cpu.tlbDirty[i] = dirty.words;
    cpu.tlbDirtyWord[i] = page >>> 5;
    cpu.tlbDirtyBit[i] = 1 << (page & 31);
  }
}

/** A read the fast path did not take. Returns the value unsigned. */
export function readSlow(cpu: CpuAccess, lin: number, size: number, user: boolean): number {
  lin = normalizeLinear(cpu, lin);
  const o = lin & 0xfff;
  if (o + size > PAGE) {
    // Crosses a page: byte by byte (reads have no side effects on RAM).
    let v = 0;
    for (let k = 0; k < size; k++) v |= readSlow(cpu, lin + k, 1, user) << (k * 8);
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
  lin = normalizeLinear(cpu, lin);
  const o = lin & 0xfff;
  if (o + size > PAGE) {
    // Crosses a page: both pages must be writable before any byte changes.
    // CR2 of a fault on the second page is that page's first byte.
    const last = lin + size - 1;
    translate(cpu, lin, ACCESS_WRITE, user);
    translate(cpu, last - (last & 0xfff), ACCESS_WRITE, user);
    for (let k = 0; k < size; k++) writeSlow(cpu, lin + k, 1, value >> (k * 8), user);
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
  const i = (lin >>> 12) & TLB_MASK;
  if (cpu.tlbXTag[i] === lin - (lin & 0xfff) + cpu.userTag) return i;
  return translate(cpu, lin, ACCESS_EXEC, cpu.cpl === 3);
}

/** Flushes every entry, or every non-global one (`keepGlobal`, for CR3 writes). */
export function flushTlb(cpu: CpuAccess, keepGlobal: boolean): void {
  if (cpu.physical.generation !== cpu.tlbGeneration) {
    keepGlobal = false; // the memory map changed: host pointers are stale
    cpu.tlbGeneration = cpu.physical.generation;
  }
  if (!keepGlobal) {
    cpu.tlbHasLarge = false;
    cpu.tlbLinPage.fill(NaN);
    cpu.tlbRTag.fill(NaN);
    cpu.tlbWTag.fill(NaN);
    cpu.tlbXTag.fill(NaN);
    return;
  }
  const perm = cpu.tlbPerm;
  for (let i = 0; i < TLB_SIZE; i++) {
    if ((perm[i] & TLB_P_GLOBAL) === 0) invalidateEntry(cpu, i);
  }
}

/**
 * INVLPG: removes the translation of the page holding `lin` (a linear
 * address as the current mode forms it; wrong-mode or non-canonical
 * values simply match nothing).
 */
export function flushTlbPage(cpu: CpuAccess, lin: number): void {
  const page = lin - (lin & 0xfff);
  const i = (lin >>> 12) & TLB_MASK;
  if (cpu.tlbLinPage[i] === page) invalidateEntry(cpu, i);
  if (cpu.tlbHasLarge) {
    // A large page is cached as many 4 KiB entries: drop every large-page piece.
    const perm = cpu.tlbPerm;
    for (let k = 0; k < TLB_SIZE; k++) {
      if ((perm[k] & TLB_P_LARGE) !== 0 && !Number.isNaN(cpu.tlbLinPage[k])) {
        invalidateEntry(cpu, k);
      }
    }
    cpu.tlbHasLarge = false;
  }
}

function invalidateEntry(cpu: CpuAccess, i: number): void {
  cpu.tlbLinPage[i] = NaN;
  cpu.tlbRTag[i] = NaN;
  cpu.tlbWTag[i] = NaN;
  cpu.tlbXTag[i] = NaN;
}
