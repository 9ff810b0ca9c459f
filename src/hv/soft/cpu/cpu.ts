/**
 * The soft CPU: architectural state (state.ts), memory access through the
 * TLB (access.ts), operands — registers by size, effective addresses,
 * ModRM, stack — (operands.ts), and here segment loads, mode, EFLAGS,
 * control registers, near jumps and port I/O.
 *
 * Handlers are plain functions `(cpu: Cpu, d: Decoded) => void` (ops.ts).
 * While a handler runs, `cpu.eip` is already the address of the *next*
 * instruction and `cpu.insnStart` the current one. A handler that raises a
 * fault (fault.ts) must not have changed architectural state before.
 */
import { CpuOperands } from "./operands.js";
import type { CpuPhysicalMemory } from "./bus.js";
import { BlockCache } from "./blocks.js";
import {
  ATTR_CODE,
  ATTR_DB,
  ATTR_DC,
  ATTR_L,
  ATTR_RW,
  ATTR_S,
  CANONICAL_LIMIT,
  CR0_PE,
  CR0_PG,
  EFER_LMA,
  IF,
  IOPL_MASK,
  IOPL_SHIFT,
  SEG_CS,
  SEG_SS,
  TF,
  VM,
} from "./constants.js";
import { raiseGP, raiseInternalError } from "./fault.js";
import { getEflags, writeEflags } from "./flags.js";
import { runCpuInitializers, systemHooks } from "./hooks.js";
import { SEG_ACCESS_READ, SEG_ACCESS_WRITE } from "./state.js";
import { TAG_USER } from "./tlb-layout.js";
import { flushTlb, flushTlbPage } from "./tlb.js";
import { writeControlRegister, writeEfer } from "./control.js";

export class Cpu extends CpuOperands {
  /** Decoded-block cache (blocks.ts). */
  readonly blocks: BlockCache;
  private readonly unlistenCodeWrites: () => void;

  constructor(physical: CpuPhysicalMemory) {
    super(physical);
    this.blocks = new BlockCache();
    this.unlistenCodeWrites = physical.registry.addCodeWriteListener((backing, page) =>
      this.blocks.invalidatePage(this, backing, page),
    );
    runCpuInitializers(this);
  }

  /** Unregisters from the memory's code-write notifications. */
  destroy(): void {
    this.unlistenCodeWrites();
  }

  // ---- Segments ----

  /**
   * Writes a segment register and its hidden part, and recomputes what
   * depends on it (limit-check window, access rights, code/stack size,
   * CPL when CS is loaded in protected mode). Every segment change goes
   * through here. `attr` uses the registers.ts SEGMENT layout; `limit` is
   * in bytes (scaled by G). Performs no checks: the caller validated.
   */
  setSegment(seg: number, selector: number, base: number, limit: number, attr: number): void {
    this.segSel[seg] = selector;
    this.segBase[seg] = base;
    this.segBaseHigh[seg] = 0;
    this.segBaseL[seg] = base >>> 0;
    this.segLimit[seg] = limit;
    this.segAttr[seg] = attr;
    this.recomputeSegment(seg);
    if (seg === SEG_CS) {
      if (this.protectedMode && !this.vm86) this.setCpl(selector & 3);
      this.updateMode();
    } else if (seg === SEG_SS) {
      this.updateMode();
    }
  }

  /**
   * Sets the full 64-bit base of `seg` (FS/GS base MSRs, WRFSBASE, SWAPGS,
   * 16-byte system descriptors), hi:lo; the caller checked it is canonical.
   */
  setSegmentBase64(seg: number, lo: number, hi: number): void {
    this.segBase[seg] = lo;
    this.segBaseHigh[seg] = hi;
    this.segBaseL[seg] = hi * 4294967296 + (lo >>> 0);
  }

  /** Recomputes the derived fields of `seg` from attr/limit (after restoring state). */
  recomputeSegment(seg: number): void {
    const attr = this.segAttr[seg];
    const limit = this.segLimit[seg];
    let access = 0;
    let low = 0;
    let high = limit;
    if (attr !== 0 && (attr & ATTR_S) !== 0) {
      if ((attr & ATTR_CODE) !== 0) {
        access = (attr & ATTR_RW) !== 0 ? SEG_ACCESS_READ : 0;
      } else {
        access = SEG_ACCESS_READ | ((attr & ATTR_RW) !== 0 ? SEG_ACCESS_WRITE : 0);
        if ((attr & ATTR_DC) !== 0) {
          // Expand-down: valid offsets are (limit, top] (SDM vol. 3, 3.4.5.1).
          low = limit + 1;
          high = (attr & ATTR_DB) !== 0 ? 0xffffffff : 0xffff;
        }
      }
    }
    // A real-mode/vm86 code segment is readable and writable through overrides;
    // 64-bit mode checks neither limits nor types (SDM vol. 3, 5.2.1).
    if (!this.protectedMode || this.vm86 || this.mode64) {
      access = SEG_ACCESS_READ | SEG_ACCESS_WRITE;
    }
    if (this.mode64) {
      low = 0;
      high = 0xffffffff;
    }
    this.segAccess[seg] = access;
    this.segLow[seg] = low > 0xffffffff ? 0xffffffff : low;
    this.segHigh[seg] = high;
  }

  /**
   * MOV/POP Sreg, LDS...: loads `seg` from `selector` by the rules of the
   * current mode. Real mode: base = selector << 4, limit and attributes
   * kept (so "unreal mode" works, SDM vol. 3, 21.2); vm86: base =
   * selector << 4, limit 0xFFFF, DPL-3 data (SDM vol. 3, 20.1.1);
   * protected mode: `systemHooks.loadSegmentProtected`.
   */
  loadSegment(seg: number, selector: number): void {
    selector &= 0xffff;
    if (!this.protectedMode) {
      this.setSegment(seg, selector, selector << 4, this.segLimit[seg], this.segAttr[seg] || 0x93);
    } else if (this.vm86) {
      this.setSegment(seg, selector, selector << 4, 0xffff, seg === SEG_CS ? 0xfb : 0xf3);
    } else {
      systemHooks.loadSegmentProtected(this, seg, selector);
    }
  }

  // ---- Mode ----

  /** Sets the current privilege level (sys code: far transfers, task switches). */
  setCpl(cpl: number): void {
    this.cpl = cpl;
    this.userTag = cpl === 3 ? TAG_USER : 0;
  }

  /**
   * Recomputes protectedMode/vm86/paging/longMode/mode64/code32/stack32 from
   * CR0, EFER.LMA, EFLAGS and the CS/SS attributes, and ends the current
   * block (decoding depends on code32 and mode64). Called by every setter
   * that changes them.
   */
  updateMode(): void {
    const pe = (this.cr0 & CR0_PE) !== 0;
    const wasVm86 = this.vm86;
    const wasProtected = this.protectedMode;
    const was64 = this.mode64;
    this.protectedMode = pe;
    this.vm86 = pe && (this.flags & VM) !== 0;
    this.paging = pe && (this.cr0 & CR0_PG) !== 0;
    this.longMode = (this.efer & EFER_LMA) !== 0;
    // 64-bit mode: IA-32e mode with CS.L = 1 (SDM vol. 3, 5.2.1).
    this.mode64 = this.longMode && (this.segAttr[SEG_CS] & ATTR_L) !== 0;
    const native = pe && !this.vm86;
    this.code32 = this.mode64 || (native && (this.segAttr[SEG_CS] & ATTR_DB) !== 0);
    this.stack32 = this.mode64 || (native && (this.segAttr[SEG_SS] & ATTR_DB) !== 0);
    if (!pe) this.setCpl(0);
    else if (this.vm86) this.setCpl(3);
    else if (wasVm86) this.setCpl(this.segSel[SEG_CS] & 3); // left vm86 (interrupt/IRET)
    if (wasVm86 !== this.vm86 || wasProtected !== pe || was64 !== this.mode64) {
      for (let s = 0; s < 6; s++) this.recomputeSegment(s);
    }
    this.blockStop = 1;
  }

  /** Full EFLAGS with the arithmetic flags computed. */
  getEflags(): number {
    return getEflags(this);
  }

  /**
   * Writes EFLAGS without privilege masking (POPF/IRET mask first) and
   * updates the mode if VM changed. Ends the block if IF, TF or VM changed
   * (interrupts and single-step are checked between blocks).
   */
  setEflags(v: number): void {
    const old = this.flags;
    writeEflags(this, v);
    const changed = old ^ this.flags;
    if ((changed & VM) !== 0) this.updateMode();
    if ((changed & (IF | TF)) !== 0) this.blockStop = 1;
  }

  /** EFLAGS.IOPL (0-3). */
  get iopl(): number {
    return (this.flags & IOPL_MASK) >> IOPL_SHIFT;
  }

  /**
   * MOV to CR0/CR2/CR3/CR4/CR8 semantics (checks, TLB flushes, PDPTE loads,
   * mode update). Raises #GP(0) for invalid values (SDM vol. 3, 2.5).
   */
  writeCr(n: number, value: number): void {
    writeControlRegister(this, n, value);
  }

  /** WRMSR IA32_EFER semantics (#GP(0) for unsupported bits, TLB flush on NXE change). */
  writeEfer(value: number): void {
    writeEfer(this, value);
  }

  /** Flushes the TLB (`keepGlobal`: a CR3 write leaves global pages). */
  flushTlb(keepGlobal: boolean): void {
    flushTlb(this, keepGlobal);
  }

  /** INVLPG: drops the translation of the page holding `linear` (global or not). */
  invlpg(linear: number): void {
    flushTlbPage(this, linear);
  }

  /** Sets the A20 gate (false: physical address bit 20 reads as 0). */
  setA20(enabled: boolean): void {
    const mask = enabled ? -1 : ~0x100000;
    if (mask === this.a20Mask) return;
    this.a20Mask = mask;
    flushTlb(this, false);
    this.blockStop = 1;
  }

  // ---- Control transfer ----

  /**
   * Near jump to `target` (an offset in CS), truncated to `opSize` bits.
   * #GP(0) if it is beyond the CS limit (SDM vol. 2, JMP). With a 64-bit
   * operand size `target` is RIP as a signed number and must be canonical.
   */
  jumpNear(target: number, opSize: number): void {
    if (opSize === 64) {
      // 64-bit mode: no limit, but the target must be canonical (SDM vol. 2, JMP).
      if (target < -CANONICAL_LIMIT || target >= CANONICAL_LIMIT) raiseGP(this, 0);
      this.eip = target;
      return;
    }
    const t = opSize === 16 ? target & 0xffff : target >>> 0;
    if (t > this.segLimit[SEG_CS] && !this.mode64) raiseGP(this, 0);
    this.eip = t;
  }

  // ---- Port I/O ----

  /** IN: checks I/O permission, then reads through the access handler. */
  portIn(port: number, size: 1 | 2 | 4): number {
    this.checkIo(port, size);
    const io = this.io;
    if (io === null) raiseInternalError(this, `port read 0x${port.toString(16)} with no handler`);
    const v = io.portRead(port, size);
    this.afterDeviceAccess();
    return size === 4 ? v | 0 : v & (size === 1 ? 0xff : 0xffff);
  }

  /** OUT: checks I/O permission, then writes through the access handler. */
  portOut(port: number, size: 1 | 2 | 4, value: number): void {
    this.checkIo(port, size);
    const io = this.io;
    if (io === null) raiseInternalError(this, `port write 0x${port.toString(16)} with no handler`);
    const v = size === 4 ? value >>> 0 : value & (size === 1 ? 0xff : 0xffff);
    io.portWrite(port, size, v);
    this.afterDeviceAccess();
  }

  /** IOPL/TSS-bitmap check for port access (SDM vol. 1, 19.5). */
  checkIo(port: number, size: number): void {
    if (this.protectedMode && (this.vm86 || this.cpl > this.iopl)) {
      systemHooks.checkIoPermission(this, port, size);
    }
  }

  /**
   * After a device ran synchronously: a device may have changed the memory
   * map (flush the TLB) or raised an interrupt (end the block so it is seen).
   */
  afterDeviceAccess(): void {
    if (this.physical.generation !== this.tlbGeneration) flushTlb(this, false);
    this.blockStop = 1;
  }

  // ---- Interrupt controller ----

  /** The vector the interrupt controller wants to deliver, or -1. */
  interruptPending(): number {
    const ic = this.interruptController;
    return ic === null ? -1 : ic.pendingVector();
  }
}
