/**
 * The X87 and SSE register sets for getState/setState (registers.ts layouts:
 * R0-R7 are 10-byte physical registers, FTW is the full tag word, XMM values
 * 16 bytes little-endian). The Vcpu has validated sizes already.
 */
import { RegSet, Sse, X87 } from "../../../registers.js";
import type { RegisterValue } from "../../../registers.js";
import { fpuHooks } from "../hooks.js";
import { f80FromBytes, f80ToBytes } from "./f80.js";
import { recomputeErrorSummary } from "./x87-control.js";
import { MXCSR_MASK } from "./fxsave.js";
import { FpuState } from "./x87-state.js";

/** Reads one X87 or SSE register of `f`. */
export function readFpuRegister(f: FpuState, set: RegSet, n: number): RegisterValue {
  if (set === RegSet.SSE) {
    if (n === Sse.MXCSR) return BigInt(f.mxcsr);
    return f.xmm.slice(n * 16, n * 16 + 16);
  }
  if (n <= 7) {
    const b = new Uint8Array(10);
    f80ToBytes(f.regs[n], b, 0);
    return b;
  }
  switch (n) {
    case X87.FCW:
      return BigInt(f.fcw);
    case X87.FSW:
      return BigInt(f.statusWord());
    case X87.FTW:
      return BigInt(f.tagWord());
    case X87.FOP:
      return BigInt(f.fop);
    case X87.FIP:
      return BigInt(f.fip >>> 0);
    case X87.FCS:
      return BigInt(f.fcs);
    case X87.FDP:
      return BigInt(f.fdp >>> 0);
    default:
      return BigInt(f.fds);
  }
}

/** Writes one X87 or SSE register of `f`. */
export function writeFpuRegister(f: FpuState, set: RegSet, n: number, value: RegisterValue): void {
  const num = typeof value === "bigint" ? Number(value & 0xffffffffn) : 0;
  if (set === RegSet.SSE) {
    if (n === Sse.MXCSR) f.mxcsr = num & MXCSR_MASK;
    else if (value instanceof Uint8Array && n < 16) f.xmm.set(value.subarray(0, 16), n * 16);
    return;
  }
  if (n <= 7) {
    if (value instanceof Uint8Array) f80FromBytes(value, 0, f.regs[n]);
    return;
  }
  switch (n) {
    case X87.FCW:
      f.setControlWord(num & 0xffff);
      recomputeErrorSummary(f);
      return;
    case X87.FSW:
      f.setStatusWord(num & 0xffff);
      recomputeErrorSummary(f);
      return;
    case X87.FTW:
      return f.setTagWord(num & 0xffff);
    case X87.FOP:
      f.fop = num & 0x7ff;
      return;
    case X87.FIP:
      f.fip = num >>> 0;
      return;
    case X87.FCS:
      f.fcs = num & 0xffff;
      return;
    case X87.FDP:
      f.fdp = num >>> 0;
      return;
    default:
      f.fds = num & 0xffff;
  }
}

fpuHooks.registers = {
  read: (cpu, set, n) => readFpuRegister(cpu.fpu, set, n),
  write: (cpu, set, n, value) => writeFpuRegister(cpu.fpu, set, n, value),
};
