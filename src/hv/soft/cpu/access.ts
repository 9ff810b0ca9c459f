/**
 * Linear-address memory access for instruction handlers, through the
 * software TLB (tlb-layout.ts). Each access tries one tag compare and goes
 * straight to the host bytes; everything else (TLB miss, MMIO, page-crossing
 * accesses, code pages, dirty-logged pages, faults) is in tlb.ts.
 *
 * Conventions for every handler:
 *   - `lin` is a linear address (segment base already added; see
 *     `Cpu.eaRead`/`eaWrite`). Any number: only the low 32 bits count.
 *   - read8 → 0..255, read16 → 0..65535, read32 → a *signed* int32
 *     (like `r32`); use `>>> 0` when you need it unsigned.
 *   - write* take any number and store its low 8/16/32 bits.
 *   - Privilege: CPL 3 accesses are user accesses. Implicit supervisor
 *     accesses (GDT/LDT/IDT/TSS reads by the system code) use `readSys*`.
 *   - Multi-byte stores that cross a page check both pages before writing a
 *     byte, so a #PF never leaves half a store behind.
 */
import { CpuState } from "./state.js";
import type { CpuInterruptController, CpuIo, CpuPhysicalMemory } from "./bus.js";
import { TLB_MASK, TLB_SIZE, ACCESS_WRITE } from "./tlb-layout.js";
import { readSlow, translate, writeSlow } from "./tlb.js";

const EMPTY = new Uint8Array(0);
const EMPTY32 = new Int32Array(0);

export class CpuAccess extends CpuState {
  // ---- The TLB (see tlb-layout.ts) ----
  /** Virtual page number of the cached translation, or -1. */
  readonly tlbVpn = new Int32Array(TLB_SIZE).fill(-1);
  /** Physical page number. */
  readonly tlbPfn = new Float64Array(TLB_SIZE);
  /** TLB_P_* permission bits. */
  readonly tlbPerm = new Int32Array(TLB_SIZE);
  /** Fast tags: read, write, execute. */
  readonly tlbRTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly tlbWTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly tlbXTag = new Int32Array(TLB_SIZE).fill(-1);
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
  /** `TAG_USER` when CPL = 3, else 0: or-ed into fast-tag compares. */
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
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    if (this.tlbRTag[i] === (vpn | this.userTag)) {
      return this.tlbMem[i][this.tlbOff[i] + (lin & 0xfff)];
    }
    return readSlow(this, lin >>> 0, 1, this.cpl === 3);
  }

  read16(lin: number): number {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tlbRTag[i] === (vpn | this.userTag) && o !== 0xfff) {
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      return m[p] | (m[p + 1] << 8);
    }
    return readSlow(this, lin >>> 0, 2, this.cpl === 3);
  }

  read32(lin: number): number {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tlbRTag[i] === (vpn | this.userTag) && o <= 0xffc) {
      if ((o & 3) === 0) return this.tlbMem32[i][(this.tlbOff[i] + o) / 4];
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
    }
    return readSlow(this, lin >>> 0, 4, this.cpl === 3) | 0;
  }

  // ---- Writes at the current privilege ----

  write8(lin: number, value: number): void {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    if (this.tlbWTag[i] === (vpn | this.userTag) && this.tlbCode[i][this.tlbPage[i]] === 0) {
      this.tlbMem[i][this.tlbOff[i] + (lin & 0xfff)] = value;
      return;
    }
    writeSlow(this, lin >>> 0, 1, value, this.cpl === 3);
  }

  write16(lin: number, value: number): void {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const o = lin & 0xfff;
    if (
      this.tlbWTag[i] === (vpn | this.userTag) &&
      o !== 0xfff &&
      this.tlbCode[i][this.tlbPage[i]] === 0
    ) {
      const m = this.tlbMem[i];
      const p = this.tlbOff[i] + o;
      m[p] = value;
      m[p + 1] = value >> 8;
      return;
    }
    writeSlow(this, lin >>> 0, 2, value, this.cpl === 3);
  }

  write32(lin: number, value: number): void {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const o = lin & 0xfff;
    if (
      this.tlbWTag[i] === (vpn | this.userTag) &&
      o <= 0xffc &&
      this.tlbCode[i][this.tlbPage[i]] === 0
    ) {
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
    writeSlow(this, lin >>> 0, 4, value, this.cpl === 3);
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

  /** Raises the #PF a `size`-byte store at `lin` would raise (sets A/D as the store will). */
  checkWritable(lin: number, size: number): void {
    this.rmwLinear = lin;
    const vpn = lin >>> 12;
    if (this.tlbWTag[vpn & TLB_MASK] === (vpn | this.userTag) && (lin & 0xfff) + size <= 0x1000) {
      return;
    }
    const user = this.cpl === 3;
    translate(this, lin >>> 0, ACCESS_WRITE, user);
    if ((lin & 0xfff) + size > 0x1000) {
      translate(this, ((lin + size - 1) & ~0xfff) >>> 0, ACCESS_WRITE, user);
    }
  }

  // ---- Implicit supervisor accesses (descriptor tables, IDT, TSS: SDM vol. 3, 4.6) ----

  readSys8(lin: number): number {
    return readSlow(this, lin >>> 0, 1, false);
  }

  readSys16(lin: number): number {
    return readSlow(this, lin >>> 0, 2, false);
  }

  readSys32(lin: number): number {
    return readSlow(this, lin >>> 0, 4, false) | 0;
  }

  writeSys8(lin: number, value: number): void {
    writeSlow(this, lin >>> 0, 1, value, false);
  }

  writeSys16(lin: number, value: number): void {
    writeSlow(this, lin >>> 0, 2, value, false);
  }

  writeSys32(lin: number, value: number): void {
    writeSlow(this, lin >>> 0, 4, value, false);
  }
}
