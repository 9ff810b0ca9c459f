/**
 * The soft CPU: architectural state (state.ts), memory access through the
 * TLB (access.ts) and the operations every instruction handler uses —
 * register access by size, effective addresses with segment checks, ModRM
 * operands, the stack, segment and control-register writes, port I/O.
 *
 * Handlers are plain functions `(cpu: Cpu, d: Decoded) => void` (ops.ts).
 * While a handler runs, `cpu.eip` is already the address of the *next*
 * instruction and `cpu.insnStart` the current one. A handler that raises a
 * fault (fault.ts) must not have changed architectural state before.
 */
import { CpuAccess } from "./access.js";
import type { CpuPhysicalMemory } from "./bus.js";
import { BlockCache } from "./blocks.js";
import {
  ATTR_CODE,
  ATTR_DB,
  ATTR_DC,
  ATTR_RW,
  ATTR_S,
  CR0_PE,
  CR0_PG,
  ESP,
  IF,
  IOPL_MASK,
  IOPL_SHIFT,
  REG8_OFFSET,
  SEG_CS,
  SEG_SS,
  TF,
  VM,
} from "./constants.js";
import type { Decoded } from "./decoded.js";
import { raiseGP, raiseInternalError, raiseSS } from "./fault.js";
import { getEflags, writeEflags } from "./flags.js";
import { runCpuInitializers, systemHooks } from "./hooks.js";
import { SEG_ACCESS_READ, SEG_ACCESS_WRITE } from "./state.js";
import { TAG_USER } from "./tlb-layout.js";
import { flushTlb, flushTlbPage } from "./tlb.js";
import { writeControlRegister, writeEfer } from "./control.js";

export class Cpu extends CpuAccess {
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

  // ---- Registers by size (n = register number; 8-bit n uses the legacy AH..BH mapping) ----

  getReg8(n: number): number {
    return this.r8[REG8_OFFSET[n]];
  }
  setReg8(n: number, v: number): void {
    this.r8[REG8_OFFSET[n]] = v;
  }
  getReg16(n: number): number {
    return this.r16[n << 2];
  }
  setReg16(n: number, v: number): void {
    this.r16[n << 2] = v;
  }
  /** Signed int32. */
  getReg32(n: number): number {
    return this.r32[n << 1];
  }
  /** Legacy modes: the high dword is left unchanged. */
  setReg32(n: number, v: number): void {
    this.r32[n << 1] = v;
  }

  // ---- Effective addresses (SDM vol. 2, 2.1.5; vol. 3, 5.3 limit checks) ----

  /** The effective address (offset in the segment), wrapped to the address size. LEA uses it. */
  eaOffset(d: Decoded): number {
    if (d.addrSize === 16) {
      return (this.r16[d.base << 2] + this.r16[d.index << 2] + d.disp) & 0xffff;
    }
    return (this.r32[d.base << 1] + (this.r32[d.index << 1] << d.scale) + d.disp) >>> 0;
  }

  /** Linear address of the memory operand, *without* limit checks (INVLPG and the like). */
  ea(d: Decoded): number {
    return (this.segBase[d.seg] + this.eaOffset(d)) >>> 0;
  }

  /** Linear address of a `size`-byte read of the memory operand, after the segment checks. */
  eaRead(d: Decoded, size: number): number {
    const off = this.eaOffset(d);
    this.checkSegment(d.seg, off, size, SEG_ACCESS_READ);
    return (this.segBase[d.seg] + off) >>> 0;
  }

  /** Linear address of a `size`-byte write of the memory operand, after the segment checks. */
  eaWrite(d: Decoded, size: number): number {
    const off = this.eaOffset(d);
    this.checkSegment(d.seg, off, size, SEG_ACCESS_WRITE);
    return (this.segBase[d.seg] + off) >>> 0;
  }

  /**
   * Segment limit and type check of an access to `[off, off + size)` through
   * `seg`: #SS(0) for SS, #GP(0) otherwise (SDM vol. 3, 5.3 and 5.4.1).
   * `access` is SEG_ACCESS_READ or SEG_ACCESS_WRITE.
   */
  checkSegment(seg: number, off: number, size: number, access: number): void {
    if (
      (this.segAccess[seg] & access) === 0 ||
      off < this.segLow[seg] ||
      off + size - 1 > this.segHigh[seg]
    ) {
      if (seg === SEG_SS) raiseSS(this, 0);
      raiseGP(this, 0);
    }
  }

  /** Linear address of `seg:off` for a checked `size`-byte access (string instructions, moffs). */
  segLinear(seg: number, off: number, size: number, access: number): number {
    this.checkSegment(seg, off, size, access);
    return (this.segBase[seg] + off) >>> 0;
  }

  // ---- ModRM operands: register when mod === 3, memory otherwise ----

  readModrm8(d: Decoded): number {
    if (d.mod === 3) return this.r8[REG8_OFFSET[d.rm]];
    return this.read8(this.eaRead(d, 1));
  }
  readModrm16(d: Decoded): number {
    if (d.mod === 3) return this.r16[d.rm << 2];
    return this.read16(this.eaRead(d, 2));
  }
  readModrm32(d: Decoded): number {
    if (d.mod === 3) return this.r32[d.rm << 1];
    return this.read32(this.eaRead(d, 4));
  }
  writeModrm8(d: Decoded, v: number): void {
    if (d.mod === 3) this.r8[REG8_OFFSET[d.rm]] = v;
    else this.write8(this.eaWrite(d, 1), v);
  }
  writeModrm16(d: Decoded, v: number): void {
    if (d.mod === 3) this.r16[d.rm << 2] = v;
    else this.write16(this.eaWrite(d, 2), v);
  }
  writeModrm32(d: Decoded, v: number): void {
    if (d.mod === 3) this.r32[d.rm << 1] = v;
    else this.write32(this.eaWrite(d, 4), v);
  }

  /**
   * Read half of a read-modify-write operand (ADD [mem], r; INC [mem]; XCHG...):
   * checks that the operand is writable first, so the instruction faults
   * before anything changes. Pair with `writeModrmRmw*` (same `d`).
   */
  readModrmRmw8(d: Decoded): number {
    if (d.mod === 3) return this.r8[REG8_OFFSET[d.rm]];
    return this.readForWrite8(this.eaWrite(d, 1));
  }
  readModrmRmw16(d: Decoded): number {
    if (d.mod === 3) return this.r16[d.rm << 2];
    return this.readForWrite16(this.eaWrite(d, 2));
  }
  readModrmRmw32(d: Decoded): number {
    if (d.mod === 3) return this.r32[d.rm << 1];
    return this.readForWrite32(this.eaWrite(d, 4));
  }
  writeModrmRmw8(d: Decoded, v: number): void {
    if (d.mod === 3) this.r8[REG8_OFFSET[d.rm]] = v;
    else this.write8(this.rmwLinear, v);
  }
  writeModrmRmw16(d: Decoded, v: number): void {
    if (d.mod === 3) this.r16[d.rm << 2] = v;
    else this.write16(this.rmwLinear, v);
  }
  writeModrmRmw32(d: Decoded, v: number): void {
    if (d.mod === 3) this.r32[d.rm << 1] = v;
    else this.write32(this.rmwLinear, v);
  }

  // ---- Stack (SS.B selects SP or ESP; SDM vol. 1, 6.2) ----

  /** The stack pointer: ESP (unsigned) or SP. */
  getSp(): number {
    return this.stack32 ? this.r32[ESP << 1] >>> 0 : this.r16[ESP << 2];
  }
  /** Sets ESP or SP (only the low word when the stack is 16-bit). */
  setSp(v: number): void {
    if (this.stack32) this.r32[ESP << 1] = v;
    else this.r16[ESP << 2] = v;
  }
  /** Adds `delta` to the stack pointer, wrapping at its width. */
  adjustSp(delta: number): void {
    this.setSp(this.getSp() + delta);
  }
  /** Linear address of SS:(SP + delta) for a checked `size`-byte access. */
  stackLinear(delta: number, size: number, access: number): number {
    const off = this.stack32 ? (this.getSp() + delta) >>> 0 : (this.getSp() + delta) & 0xffff;
    this.checkSegment(SEG_SS, off, size, access);
    return (this.segBase[SEG_SS] + off) >>> 0;
  }

  push16(v: number): void {
    const sp = (this.stack32 ? this.r32[ESP << 1] - 2 : this.r16[ESP << 2] - 2) & this.spMask();
    this.checkSegment(SEG_SS, sp, 2, SEG_ACCESS_WRITE);
    this.write16((this.segBase[SEG_SS] + sp) >>> 0, v);
    this.setSp(sp);
  }
  push32(v: number): void {
    if (this.stack32) {
      const sp = (this.r32[ESP << 1] - 4) >>> 0;
      this.checkSegment(SEG_SS, sp, 4, SEG_ACCESS_WRITE);
      this.write32((this.segBase[SEG_SS] + sp) >>> 0, v);
      this.r32[ESP << 1] = sp;
      return;
    }
    this.write32(this.stackLinear(-4, 4, SEG_ACCESS_WRITE), v);
    this.adjustSp(-4);
  }
  /** Pushes with the instruction's operand size (16 or 32). */
  pushOp(opSize: number, v: number): void {
    if (opSize === 16) this.push16(v);
    else this.push32(v);
  }
  pop16(): number {
    const v = this.read16(this.stackLinear(0, 2, SEG_ACCESS_READ));
    this.adjustSp(2);
    return v;
  }
  /** Signed int32. */
  pop32(): number {
    if (this.stack32) {
      const sp = this.r32[ESP << 1] >>> 0;
      this.checkSegment(SEG_SS, sp, 4, SEG_ACCESS_READ);
      const v = this.read32((this.segBase[SEG_SS] + sp) >>> 0);
      this.r32[ESP << 1] = sp + 4;
      return v;
    }
    const v = this.read32(this.stackLinear(0, 4, SEG_ACCESS_READ));
    this.adjustSp(4);
    return v;
  }
  /** 0xFFFFFFFF with a 32-bit stack, 0xFFFF with a 16-bit one. */
  private spMask(): number {
    return this.stack32 ? -1 : 0xffff;
  }
  /** Reads the stack at SP + delta without popping (IRET, RET imm: read everything first). */
  stackRead16(delta: number): number {
    return this.read16(this.stackLinear(delta, 2, SEG_ACCESS_READ));
  }
  stackRead32(delta: number): number {
    return this.read32(this.stackLinear(delta, 4, SEG_ACCESS_READ));
  }
  /** Writes the stack at SP + delta without moving SP (build a frame, then `adjustSp`). */
  stackWrite16(delta: number, v: number): void {
    this.write16(this.stackLinear(delta, 2, SEG_ACCESS_WRITE), v);
  }
  stackWrite32(delta: number, v: number): void {
    this.write32(this.stackLinear(delta, 4, SEG_ACCESS_WRITE), v);
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
    // A real-mode/vm86 code segment is readable and writable through overrides.
    if (!this.protectedMode || this.vm86) access = SEG_ACCESS_READ | SEG_ACCESS_WRITE;
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
   * Recomputes protectedMode/vm86/paging/code32/stack32 from CR0, EFLAGS and
   * the CS/SS attributes, and ends the current block (decoding depends on
   * code32). Called by every setter that changes them.
   */
  updateMode(): void {
    const pe = (this.cr0 & CR0_PE) !== 0;
    const wasVm86 = this.vm86;
    const wasProtected = this.protectedMode;
    this.protectedMode = pe;
    this.vm86 = pe && (this.flags & VM) !== 0;
    this.paging = pe && (this.cr0 & CR0_PG) !== 0;
    const native = pe && !this.vm86;
    this.code32 = native && (this.segAttr[SEG_CS] & ATTR_DB) !== 0;
    this.stack32 = native && (this.segAttr[SEG_SS] & ATTR_DB) !== 0;
    if (!pe) this.setCpl(0);
    else if (this.vm86) this.setCpl(3);
    else if (wasVm86) this.setCpl(this.segSel[SEG_CS] & 3); // left vm86 (interrupt/IRET)
    if (wasVm86 !== this.vm86 || wasProtected !== pe) {
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
   * #GP(0) if it is beyond the CS limit (SDM vol. 2, JMP).
   */
  jumpNear(target: number, opSize: number): void {
    const t = opSize === 16 ? target & 0xffff : target >>> 0;
    if (t > this.segLimit[SEG_CS]) raiseGP(this, 0);
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
