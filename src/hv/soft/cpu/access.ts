/**
 * Linear-address memory access for instruction handlers, through the
 * software TLB (tlb-layout.ts). Each access tries one tag compare and goes
 * straight to the host bytes; everything else (TLB miss, MMIO, page-crossing
 * accesses, code pages, dirty-logged pages, faults) is in tlb.ts.
 *
 * Conventions for every handler:
 *   - `lin` is a linear address (segment base already added; see
 *     `Cpu.eaRead`/`eaWrite`): an unsigned 32-bit number outside long mode
 *     (larger values wrap at 4 GiB), the signed canonical value in long
 *     mode (state.ts). The slow path raises #GP(0) for a non-canonical one.
 *   - read8 → 0..255, read16 → 0..65535, read32 → a *signed* int32
 *     (like `r32`); use `>>> 0` when you need it unsigned. read64 returns
 *     the low dword and leaves the high one in `valueHi`.
 *   - write* take any number and store its low 8/16/32 bits.
 *   - Privilege: CPL 3 accesses are user accesses. Implicit supervisor
 *     accesses (GDT/LDT/IDT/TSS reads by the system code) use `readSys*`.
 *   - Multi-byte stores that cross a page check both pages before writing a
 *     byte, so a #PF never leaves half a store behind.
 */
import { CpuState } from "./state.js";
import type { CpuInterruptController, CpuIo, CpuPhysicalMemory } from "./bus.js";
import { TLB_MASK, TLB_SIZE, ACCESS_WRITE, NO_DIRTY_LOG } from "./tlb-layout.js";
import { readSlow, translate, writeSlow } from "./tlb.js";

const EMPTY = new Uint8Array(0);
const EMPTY32 = new Int32Array(0);

export class CpuAccess extends CpuState {
  // ---- The TLB (see tlb-layout.ts) ----
  /** Linear base address of the cached page, or NaN. */
  readonly tlbLinPage = new Float64Array(TLB_SIZE).fill(NaN);
  /** Physical page number. */
  readonly tlbPfn = new Float64Array(TLB_SIZE);
  /** TLB_P_* permission bits. */
  readonly tlbPerm = new Int32Array(TLB_SIZE);
  /** Fast tags: read, write, execute (page base + TAG_USER for CPL 3, NaN when unset). */
  readonly tlbRTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly tlbWTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly tlbXTag = new Float64Array(TLB_SIZE).fill(NaN);
  /** Host bytes of the page's backing (EMPTY for MMIO). */
  readonly tlbMem: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE).fill(EMPTY);
  /** Dword view of the same bytes, for aligned 32-bit accesses. */
  readonly tlbMem32: Int32Array[] = new Array<Int32Array>(TLB_SIZE).fill(EMPTY32);
  /** Byte offset of the page inside `tlbMem[i]`. */
  readonly tlbOff = new Float64Array(TLB_SIZE);
  /** The backing's code-page bytes (EMPTY for MMIO) and the page's index in it. */
  readonly tlbCode: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE).fill(EMPTY);
  readonly tlbPage = new Int32Array(TLB_SIZE);
  /** Index of the backing (-1 for MMIO). */
  readonly tlbBacking = new Int32Array(TLB_SIZE).fill(-1);
  /** Flags of the physical-map entry: bit 0 read-only slot, bit 1 dirty-logged. */
  readonly tlbPhysFlags = new Int32Array(TLB_SIZE);
  /**
   * Dirty logging on the fast store path: every fast store does
   * `tlbDirty[i][tlbDirtyWord[i]] |= tlbDirtyBit[i]`, which marks the page in
   * the backing's (unshared) dirty bitmap, or touches a scratch word with a
   * zero bit for pages that are not logged.
   */
  readonly tlbDirty: Int32Array[] = new Array<Int32Array>(TLB_SIZE).fill(NO_DIRTY_LOG);
  readonly tlbDirtyWord = new Int32Array(TLB_SIZE);
  readonly tlbDirtyBit = new Int32Array(TLB_SIZE);
  /** `TAG_USER` when CPL = 3, else 0: added to the page base in fast-tag compares. */
  userTag = 0;
  /** Some entry may hold a piece of a large page (INVLPG then scans). */
  tlbHasLarge = false;
  /** `physical.generation` when the TLB was last flushed. */
  tlbGeneration = -1;

  // ---- Connections (set by the core / harness before running) ----
  /** Guest-physical memory of the normal address space. */
  physical: CpuPhysicalMemory;
  /** Port and MMIO dispatch; null = accesses end the run with an internal-error exit. */
  io: CpuIo | null = null;
  /** The local APIC; null = no external interrupts. */
  interruptController: CpuInterruptController | null = null;
  /** This vCPU's index (passed to the AccessHandler). */
  vcpuIndex = 0;

  /**
   * Linear address of the last `readForWrite*` (read-modify-write helpers
   * store here so the write half needs no new translation).
   */
  rmwLinear = 0;

  constructor(physical: CpuPhysicalMemory) {
    super();
    this.physical = physical;
  }

  // ---- Reads at the current privilege ----

  read8(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbRTag[i] === lin - o + this.userTag) {
      return this.tlbMem[i][this.tlbOff[i] + o];
    }
    return readSlow(this, lin, 1, this.cpl === 3);
  }

  read16(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbRTag[i] === lin - o + this.userTag && o !== 0xfff) {
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      return m[p] | (m[p + 1] << 8);
    }
    return readSlow(this, lin, 2, this.cpl === 3);
  }

  read32(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbRTag[i] === lin - o + this.userTag && o <= 0xffc) {
      if ((o & 3) === 0) return this.tlbMem32[i][(this.tlbOff[i] + o) / 4];
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
    }
    return readSlow(this, lin, 4, this.cpl === 3) | 0;
  }

  /** Reads 8 bytes: returns the low dword (int32), the high one goes to `valueHi`. */
  read64(lin: number): number {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbRTag[i] === lin - o + this.userTag && o <= 0xff8) {
      if ((o & 3) === 0) {
        const m32 = this.tlbMem32[i];
        const p = (this.tlbOff[i] + o) / 4;
        this.valueHi = m32[p + 1];
        return m32[p];
      }
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      this.valueHi = m[p + 4] | (m[p + 5] << 8) | (m[p + 6] << 16) | (m[p + 7] << 24);
      return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
    }
    const user = this.cpl === 3;
    const lo = readSlow(this, lin, 4, user) | 0;
    this.valueHi = readSlow(this, lin + 4, 4, user) | 0;
    return lo;
  }

  // ---- Writes at the current privilege ----

  write8(lin: number, value: number): void {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbWTag[i] === lin - o + this.userTag && this.tlbCode[i][this.tlbPage[i]] === 0) {
      this.tlbMem[i][this.tlbOff[i] + o] = value;
      this.tlbDirty[i][this.tlbDirtyWord[i]] |= this.tlbDirtyBit[i];
      return;
    }
    writeSlow(this, lin, 1, value, this.cpl === 3);
  }

  write16(lin: number, value: number): void {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (
      this.tlbWTag[i] === lin - o + this.userTag &&
      o !== 0xfff &&
      this.tlbCode[i][this.tlbPage[i]] === 0
    ) {
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      m[p] = value;
      m[p + 1] = value >> 8;
      this.tlbDirty[i][this.tlbDirtyWord[i]] |= this.tlbDirtyBit[i];
      return;
    }
    writeSlow(this, lin, 2, value, this.cpl === 3);
  }

  write32(lin: number, value: number): void {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (
      this.tlbWTag[i] === lin - o + this.userTag &&
      o <= 0xffc &&
      this.tlbCode[i][this.tlbPage[i]] === 0
    ) {
      this.tlbDirty[i][this.tlbDirtyWord[i]] |= this.tlbDirtyBit[i];
      if ((o & 3) === 0) {
        this.tlbMem32[i][(this.tlbOff[i] + o) / 4] = value;
        return;
      }
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      m[p] = value;
      m[p + 1] = value >> 8;
      m[p + 2] = value >> 16;
      m[p + 3] = value >> 24;
      return;
    }
    writeSlow(this, lin, 4, value, this.cpl === 3);
  }

  /** Writes 8 bytes (`lo`, `hi` dwords); a page-crossing store checks both pages first. */
  write64(lin: number, lo: number, hi: number): void {
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (
      this.tlbWTag[i] === lin - o + this.userTag &&
      o <= 0xff8 &&
      this.tlbCode[i][this.tlbPage[i]] === 0
    ) {
      this.tlbDirty[i][this.tlbDirtyWord[i]] |= this.tlbDirtyBit[i];
      if ((o & 3) === 0) {
        const m32 = this.tlbMem32[i];
        const p = (this.tlbOff[i] + o) / 4;
        m32[p] = lo;
        m32[p + 1] = hi;
        return;
      }
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      for (let k = 0; k < 4; k++) {
        m[p + k] = lo >> (k * 8);
        m[p + 4 + k] = hi >> (k * 8);
      }
      return;
    }
    const user = this.cpl === 3;
    if (o > 0xff8) this.checkWritable(lin, 8);
    writeSlow(this, lin, 4, lo, user);
    writeSlow(this, lin + 4, 4, hi, user);
  }

  // ---- Read-modify-write: check write access first, then read ----

  /** Reads a byte after making sure the location is writable (faults as a write would). */
  readForWrite8(lin: number): number {
    this.checkWritable(lin, 1);
    return this.read8(lin);
  }

  readForWrite16(lin: number): number {
    this.checkWritable(lin, 2);
    return this.read16(lin);
  }

  readForWrite32(lin: number): number {
    this.checkWritable(lin, 4);
    return this.read32(lin);
  }

  /** 8-byte read after the write check (low dword returned, high one in `valueHi`). */
  readForWrite64(lin: number): number {
    this.checkWritable(lin, 8);
    return this.read64(lin);
  }

  /** Raises the #PF a `size`-byte store at `lin` would raise (sets A/D as the store will). */
  checkWritable(lin: number, size: number): void {
    this.rmwLinear = lin;
    const o = lin & 0xfff;
    const i = (lin >>> 12) & TLB_MASK;
    if (this.tlbWTag[i] === lin - o + this.userTag && o + size <= 0x1000) return;
    const user = this.cpl === 3;
    translate(this, lin, ACCESS_WRITE, user);
    if (o + size > 0x1000) {
      const last = lin + size - 1;
      translate(this, last - (last & 0xfff), ACCESS_WRITE, user);
    }
  }

  // ---- Implicit supervisor accesses (descriptor tables, IDT, TSS: SDM vol. 3, 4.6) ----

  readSys8(lin: number): number {
    return readSlow(this, lin, 1, false);
  }

  readSys16(lin: number): number {
    return readSlow(this, lin, 2, false);
  }

  readSys32(lin: number): number {
    return readSlow(this, lin, 4, false) | 0;
  }

  /** 8-byte supervisor read: low dword returned, high one in `valueHi`. */
  readSys64(lin: number): number {
    const lo = readSlow(this, lin, 4, false) | 0;
    this.valueHi = readSlow(this, lin + 4, 4, false) | 0;
    return lo;
  }

  writeSys8(lin: number, value: number): void {
    writeSlow(this, lin, 1, value, false);
  }

  writeSys16(lin: number, value: number): void {
    writeSlow(this, lin, 2, value, false);
  }

  writeSys32(lin: number, value: number): void {
    writeSlow(this, lin, 4, value, false);
  }

  /** 8-byte supervisor write (both pages checked first when it crosses one). */
  writeSys64(lin: number, lo: number, hi: number): void {
    if ((lin & 0xfff) > 0xff8) {
      const last = lin + 7;
      translate(this, lin, ACCESS_WRITE, false);
      translate(this, last - (last & 0xfff), ACCESS_WRITE, false);
    }
    writeSlow(this, lin, 4, lo, false);
    writeSlow(this, lin + 4, 4, hi, false);
  }

  /**
   * `base + offset` for a system structure (GDT, LDT, IDT, TSS): wraps at
   * 4 GiB outside long mode; in long mode bases are canonical 64-bit values.
   */
  sysLinear(base: number, offset: number): number {
    return this.longMode ? base + offset : (base + offset) >>> 0;
  }
}
