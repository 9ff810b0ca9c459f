/**
 * The soft CPU's `RegisterStore` (src/hv/soft/register-store.ts): every
 * register set of registers.ts read and written as tag/value. The Vcpu
 * validated set/number/size/type before calling, so values have the right
 * shape here. After each write the derived state (segment windows, mode,
 * CPL, TLB, PDPTEs) is recomputed, so writes may come in any order.
 *
 * X87/SSE are served by the FPU module (`fpuHooks`), MSR and CPUID by the
 * sys module (`systemHooks`).
 */
import { HvError } from "../../errors.js";
import { Ctl, Events, MpState, RegSet, Smm, type RegisterValue } from "../../registers.js";
import { decodeSegment, encodeSegment } from "../../x86/register-values.js";
import type { RegisterStore } from "../register-store.js";
import { CR0_ET, CR0_PE, CR0_PG, CR4_PAE, SEG_SS, VM } from "./constants.js";
import type { Cpu } from "./cpu.js";
import { writeEflags } from "./flags.js";
import { fpuHooks, systemHooks } from "./hooks.js";
import { loadPdptes } from "./mmu.js";
import { isValidXcr0 } from "./sse/insn-xsave.js";
import { flushTlb } from "./tlb.js";

const MASK32 = 0xffffffffn;
const GDTR = 8;
const IDTR = 9;

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
function lo32(v: RegisterValue): number {
  return Number(BigInt(v as bigint) & MASK32);
}
function hi32(v: RegisterValue): number {
  return Number((BigInt(v as bigint) >> 32n) & MASK32);
}
function bool(v: RegisterValue): boolean {
  return (v as bigint) !== 0n;
}
/**
 * An address-like register (RIP, CR2, bases) as the CPU holds it: the
 * signed value for the upper half of the 64-bit space (canonical addresses,
 * state.ts), the plain value below 2^32... and so on.
 */
function addressNumber(v: RegisterValue): number {
  return Number(BigInt.asIntN(64, BigInt(v as bigint)));
}
/** A number the CPU holds (possibly negative: a canonical address) as the unsigned register value. */
function u64FromNumber(v: number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

export class CpuRegisterStore implements RegisterStore {
  constructor(private readonly cpu: Cpu) {}

  read(set: RegSet, number: number): RegisterValue {
    const cpu = this.cpu;
    switch (set) {
      case RegSet.GPR:
        return u64(cpu.r32[number * 2], cpu.r32[number * 2 + 1]);
      case RegSet.RIP:
        return u64FromNumber(cpu.eip);
      case RegSet.RFLAGS:
        return BigInt(cpu.getEflags());
      case RegSet.SEGMENT:
        if (number === GDTR || number === IDTR) {
          const gdt = number === GDTR;
          return encodeSegment({
            base: u64FromNumber(gdt ? cpu.gdtBase : cpu.idtBase),
            limit: (gdt ? cpu.gdtLimit : cpu.idtLimit) >>> 0,
            selector: 0,
            attributes: 0,
          });
        }
        return encodeSegment({
          base: u64(cpu.segBase[number], cpu.segBaseHigh[number]),
          limit: cpu.segLimit[number],
          selector: cpu.segSel[number],
          attributes: cpu.segAttr[number],
        });
      case RegSet.CONTROL:
        return u64FromNumber(this.readControl(number));
      case RegSet.DEBUG:
        return BigInt(cpu.dr[number]);
      case RegSet.X87:
      case RegSet.SSE:
        if (fpuHooks.registers !== null) return fpuHooks.registers.read(cpu, set, number);
        return fpuDefault(set, number);
      case RegSet.MSR:
        return systemHooks.readMsr(cpu, number) ?? 0n;
      case RegSet.CPUID: {
        const out = new Uint32Array(4);
        systemHooks.readCpuidLeaf(cpu, Math.floor(number / 256), number & 0xff, out);
        return new Uint8Array(out.buffer);
      }
      case RegSet.INTERRUPT_SHADOW:
        return BigInt(cpu.shadow);
      case RegSet.EVENTS:
        return this.readEvent(number);
      case RegSet.MP_STATE:
        return BigInt(number === MpState.STATE ? cpu.mpState : cpu.sipiVector);
      case RegSet.SMM:
        return this.readSmm(number);
      default:
        throw new HvError("invalid-argument", `soft CPU: unknown register set ${set}`);
    }
  }

  write(set: RegSet, number: number, value: RegisterValue): void {
    const cpu = this.cpu;
    switch (set) {
      case RegSet.GPR:
        cpu.r32[number * 2] = lo32(value);
        cpu.r32[number * 2 + 1] = hi32(value);
        return;
      case RegSet.RIP:
        cpu.eip = addressNumber(value);
        return;
      case RegSet.RFLAGS:
        writeEflags(cpu, lo32(value));
        break;
      case RegSet.SEGMENT: {
        const seg = decodeSegment(value as Uint8Array);
        if (number === GDTR) {
          cpu.gdtBase = addressNumber(seg.base);
          cpu.gdtLimit = seg.limit;
        } else if (number === IDTR) {
          cpu.idtBase = addressNumber(seg.base);
          cpu.idtLimit = seg.limit;
        } else {
          cpu.segSel[number] = seg.selector;
          cpu.setSegmentBase64(number, lo32(seg.base), hi32(seg.base) | 0);
          cpu.segLimit[number] = seg.limit;
          cpu.segAttr[number] = seg.attributes;
        }
        break;
      }
      case RegSet.CONTROL:
        this.writeControl(number, value);
        break;
      case RegSet.DEBUG:
        cpu.dr[number] = lo32(value);
        return;
      case RegSet.X87:
      case RegSet.SSE:
        if (fpuHooks.registers === null) {
          throw new HvError("unsupported", "soft CPU: the FPU register sets are not available");
        }
        fpuHooks.registers.write(cpu, set, number, value);
        return;
      case RegSet.MSR:
        if (!systemHooks.writeMsr(cpu, number, value as bigint)) {
          throw new HvError("invalid-argument", `soft CPU: MSR 0x${number.toString(16)} refused`);
        }
        break;
      case RegSet.CPUID: {
        const bytes = value as Uint8Array;
        const regs = new Uint32Array(bytes.slice().buffer);
        if (!systemHooks.writeCpuidLeaf(cpu, Math.floor(number / 256), number & 0xff, regs)) {
          throw new HvError("invalid-argument", `soft CPU: CPUID leaf ${number} refused`);
        }
        return;
      }
      case RegSet.INTERRUPT_SHADOW:
        cpu.shadow = lo32(value) & 3;
        return;
      case RegSet.EVENTS:
        this.writeEvent(number, value);
        return;
      case RegSet.MP_STATE:
        if (number === MpState.STATE) cpu.mpState = lo32(value);
        else cpu.sipiVector = lo32(value) & 0xff;
        return;
      case RegSet.SMM:
        this.writeSmm(number, value);
        return;
      default:
        throw new HvError("invalid-argument", `soft CPU: unknown register set ${set}`);
    }
    this.resync();
  }

  private readControl(n: number): number {
    const cpu = this.cpu;
    switch (n) {
      case Ctl.CR0:
        return cpu.cr0;
      case Ctl.CR2:
        return cpu.cr2;
      case Ctl.CR3:
        return cpu.cr3;
      case Ctl.CR4:
        return cpu.cr4;
      case Ctl.CR8:
        return cpu.cr8;
      default:
        return cpu.xcr0;
    }
  }

  private writeControl(n: number, value: RegisterValue): void {
    const cpu = this.cpu;
    const v = lo32(value);
    switch (n) {
      case Ctl.CR0:
        cpu.cr0 = (v | CR0_ET) >>> 0;
        return;
      case Ctl.CR2:
        cpu.cr2 = addressNumber(value);
        return;
      case Ctl.CR3:
        // Up to MAXPHYADDR bits (and a PCID in 11:0).
        cpu.cr3 = Number(BigInt(value as bigint) & 0xfffffffffffffn);
        return;
      case Ctl.CR4:
        cpu.cr4 = v >>> 0;
        return;
      case Ctl.CR8:
        cpu.cr8 = v & 0xf;
        return;
      default:
        // XCR0: x87 always, SSE optional, nothing else (what XSETBV accepts).
        if (!isValidXcr0(v, hi32(value))) {
          throw new HvError("invalid-argument", `soft CPU: XCR0 value ${String(value)} refused`);
        }
        cpu.xcr0 = v >>> 0;
    }
  }

  private readEvent(n: number): bigint {
    const cpu = this.cpu;
    switch (n) {
      case Events.EXCEPTION_PENDING:
        return cpu.exceptionPending ? 1n : 0n;
      case Events.EXCEPTION_VECTOR:
        return BigInt(cpu.exceptionVector);
      case Events.EXCEPTION_HAS_ERROR_CODE:
        return cpu.exceptionHasError ? 1n : 0n;
      case Events.EXCEPTION_ERROR_CODE:
        return BigInt(cpu.exceptionError >>> 0);
      case Events.INTERRUPT_PENDING:
        return cpu.interruptPendingFlag ? 1n : 0n;
      case Events.INTERRUPT_VECTOR:
        return BigInt(cpu.interruptVector);
      case Events.NMI_PENDING:
        return cpu.nmiPending ? 1n : 0n;
      default:
        return cpu.nmiMasked ? 1n : 0n;
    }
  }

  private writeEvent(n: number, v: RegisterValue): void {
    const cpu = this.cpu;
    switch (n) {
      case Events.EXCEPTION_PENDING:
        cpu.exceptionPending = bool(v);
        return;
      case Events.EXCEPTION_VECTOR:
        cpu.exceptionVector = lo32(v) & 0xff;
        return;
      case Events.EXCEPTION_HAS_ERROR_CODE:
        cpu.exceptionHasError = bool(v);
        return;
      case Events.EXCEPTION_ERROR_CODE:
        cpu.exceptionError = lo32(v);
        return;
      case Events.INTERRUPT_PENDING:
        cpu.interruptPendingFlag = bool(v);
        return;
      case Events.INTERRUPT_VECTOR:
        cpu.interruptVector = lo32(v) & 0xff;
        return;
      case Events.NMI_PENDING:
        cpu.nmiPending = bool(v);
        return;
      default:
        cpu.nmiMasked = bool(v);
    }
  }

  private readSmm(n: number): bigint {
    const cpu = this.cpu;
    switch (n) {
      case Smm.IN_SMM:
        return cpu.inSmm ? 1n : 0n;
      case Smm.SMBASE:
        return BigInt(cpu.smbase >>> 0);
      case Smm.PENDING_SMI:
        return cpu.smiPending ? 1n : 0n;
      default:
        return cpu.initLatched ? 1n : 0n;
    }
  }

  private writeSmm(n: number, v: RegisterValue): void {
    const cpu = this.cpu;
    switch (n) {
      case Smm.IN_SMM:
        cpu.inSmm = bool(v);
        return;
      case Smm.SMBASE:
        cpu.smbase = lo32(v) >>> 0;
        return;
      case Smm.PENDING_SMI:
        cpu.smiPending = bool(v);
        return;
      default:
        cpu.initLatched = bool(v);
    }
  }

  /**
   * Recomputes everything derived from the raw state after a write: segment
   * windows, mode, CPL (SS.DPL, as KVM defines it for saved state), TLB and
   * PDPTEs.
   */
  private resync(): void {
    const cpu = this.cpu;
    for (let s = 0; s < 8; s++) cpu.recomputeSegment(s);
    cpu.updateMode();
    const pe = (cpu.cr0 & CR0_PE) !== 0;
    const cpl = !pe ? 0 : (cpu.flags & VM) !== 0 ? 3 : (cpu.segAttr[SEG_SS] >> 5) & 3;
    cpu.setCpl(cpl);
    for (let s = 0; s < 8; s++) cpu.recomputeSegment(s);
    flushTlb(cpu, false);
    if ((cpu.cr0 & CR0_PG) !== 0 && (cpu.cr4 & CR4_PAE) !== 0 && !cpu.longMode) {
      try {
        loadPdptes(cpu, cpu.cr3);
      } catch (e) {
        if (e !== cpu.fault) throw e; // invalid PDPTEs: the guest will fault on use
      }
    }
  }
}

/** Reset values of the FPU registers while no FPU module serves them. */
function fpuDefault(set: RegSet, number: number): RegisterValue {
  if (set === RegSet.X87) {
    if (number < 8) return new Uint8Array(10);
    return number === 8 ? 0x37fn : number === 10 ? 0xffffn : 0n;
  }
  return number < 16 ? new Uint8Array(16) : 0x1f80n;
}
