/**
 * String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS, with REP,
 * REPE and REPNE (SDM vol. 2, "REP/REPE/REPZ/REPNE/REPNZ").
 *
 * Each iteration commits (E)SI/(E)DI/(E)CX before the next one starts, so a
 * fault in the middle restarts the instruction at the iteration that
 * faulted, with the earlier iterations done (SDM vol. 3, 6.6). After
 * REP_CHUNK iterations a long REP yields: EIP goes back to the instruction
 * and the block ends, so interrupts and kicks are served in between, as on
 * hardware (an interrupted REP resumes where it stopped).
 *
 * Address size picks SI/ESI/RSI, DI/EDI/RDI and CX/ECX/RCX (64-bit mode:
 * RSI etc. as signed numbers through `segLinear`, which adds FS/GS bases and
 * checks canonical form); REX.W gives the quadword forms (MOVSQ...).
 */
import { DF, EAX, ECX, EDI, EDX, ESI, SEG_DS, SEG_ES } from "../constants.js";
import type { Cpu } from "../cpu.js";
import { REP_E, REP_NONE, type Decoded } from "../decoded.js";
import { getZF, setLazySub, setLazySub64 } from "../flags.js";
import { hi64, sub64 } from "../int64.js";
import { defineOp } from "../ops.js";
import { SEG_ACCESS_READ, SEG_ACCESS_WRITE } from "../state.js";

/** Iterations of a REP instruction before it yields to the loop. */
export const REP_CHUNK = 4096;

// String operation kinds.
const MOVS = 0;
const CMPS = 1;
const STOS = 2;
const LODS = 3;
const SCAS = 4;
const INS = 5;
const OUTS = 6;

/** Reads `size` bytes (1, 2, 4, 8); for 8 the high dword goes to `cpu.valueHi`. */
function readSized(cpu: Cpu, lin: number, size: number): number {
  if (size === 1) return cpu.read8(lin);
  if (size === 2) return cpu.read16(lin);
  if (size === 4) return cpu.read32(lin);
  return cpu.read64(lin);
}
function writeSized(cpu: Cpu, lin: number, size: number, v: number, hi: number): void {
  if (size === 1) cpu.write8(lin, v);
  else if (size === 2) cpu.write16(lin, v);
  else if (size === 4) cpu.write32(lin, v);
  else cpu.write64(lin, v, hi);
}
function getAcc(cpu: Cpu, size: number): number {
  return size === 1 ? cpu.r8[0] : size === 2 ? cpu.r16[EAX << 2] : cpu.r32[EAX << 1];
}
function setAcc(cpu: Cpu, size: number, v: number, hi: number): void {
  if (size === 1) cpu.r8[0] = v;
  else if (size === 2) cpu.r16[EAX << 2] = v;
  else if (size === 4) cpu.setReg32(EAX, v);
  else cpu.setReg64(EAX, v, hi);
}

/** Reads an index register by address size: unsigned 16/32-bit, or a signed number (64). */
function getIndex(cpu: Cpu, addrSize: number, r: number): number {
  if (addrSize === 64) return cpu.reg64Number(r);
  return addrSize === 32 ? cpu.r32[r << 1] >>> 0 : cpu.r16[r << 2];
}
function setIndex(cpu: Cpu, addrSize: number, r: number, v: number): void {
  if (addrSize === 64) cpu.setReg64Number(r, v);
  else if (addrSize === 32) cpu.setReg32(r, v);
  else cpu.r16[r << 2] = v;
}
/** Whether the count register (CX/ECX/RCX) is zero. */
function countIsZero(cpu: Cpu, addrSize: number): boolean {
  if (addrSize === 64) return (cpu.r32[ECX << 1] | cpu.r32[(ECX << 1) | 1]) === 0;
  return addrSize === 32 ? cpu.r32[ECX << 1] === 0 : cpu.r16[ECX << 2] === 0;
}
function decrementCount(cpu: Cpu, addrSize: number): void {
  if (addrSize === 16) {
    cpu.r16[ECX << 2] = cpu.r16[ECX << 2] - 1;
  } else if (addrSize === 32) {
    cpu.setReg32(ECX, cpu.r32[ECX << 1] - 1);
  } else {
    const lo = cpu.r32[ECX << 1];
    cpu.r32[ECX << 1] = lo - 1;
    if (lo === 0) cpu.r32[(ECX << 1) | 1] = cpu.r32[(ECX << 1) | 1] - 1;
  }
}

/** Runs string operation `kind` of `size` bytes, with the REP semantics of `d`. */
function stringOp(cpu: Cpu, d: Decoded, kind: number, size: number): void {
  const aSize = d.addrSize;
  const step = (cpu.flags & DF) !== 0 ? -size : size;
  const srcSeg = d.segOverride >= 0 ? d.segOverride : SEG_DS;
  const rep = d.rep !== REP_NONE;
  const usesSrc = kind === MOVS || kind === CMPS || kind === LODS || kind === OUTS;
  const usesDst = kind === MOVS || kind === CMPS || kind === STOS || kind === SCAS || kind === INS;
  const port = cpu.r16[EDX << 2];
  // I/O permission comes before any memory access (SDM vol. 2, INS/OUTS "Operation"), and a
  // denied REP INS/OUTS faults even with a zero count (the host CPU does).
  if (kind === INS || kind === OUTS) cpu.checkIo(port, size);
  for (let n = 0; ; n++) {
    if (rep) {
      if (countIsZero(cpu, aSize)) return;
      if (n === REP_CHUNK) {
        // Yield: re-execute this instruction after serving events.
        cpu.eip = cpu.insnStart;
        cpu.blockStop = 1;
        return;
      }
    }
    const si = usesSrc ? getIndex(cpu, aSize, ESI) : 0;
    const di = usesDst ? getIndex(cpu, aSize, EDI) : 0;
    const srcLin = usesSrc ? cpu.segLinear(srcSeg, si, size, SEG_ACCESS_READ) : 0;
    const dstAccess =
      kind === MOVS || kind === STOS || kind === INS ? SEG_ACCESS_WRITE : SEG_ACCESS_READ;
    const dstLin = usesDst ? cpu.segLinear(SEG_ES, di, size, dstAccess) : 0;
    let stop = false;
    switch (kind) {
      case MOVS: {
        const v = readSized(cpu, srcLin, size);
        writeSized(cpu, dstLin, size, v, cpu.valueHi);
        break;
      }
      case STOS:
        writeSized(cpu, dstLin, size, getAcc(cpu, size), cpu.r32[(EAX << 1) | 1]);
        break;
      case LODS: {
        const v = readSized(cpu, srcLin, size);
        setAcc(cpu, size, v, cpu.valueHi);
        break;
      }
      case CMPS:
      case SCAS: {
        let a: number;
        let aHi = 0;
        if (kind === CMPS) {
          a = readSized(cpu, srcLin, size);
          aHi = cpu.valueHi;
        } else {
          a = getAcc(cpu, size);
          aHi = cpu.r32[(EAX << 1) | 1];
        }
        const b = readSized(cpu, dstLin, size);
        if (size === 8) {
          const bHi = cpu.valueHi;
          setLazySub64(cpu, sub64(a, aHi, b, bHi), hi64[0], a, aHi, b, bHi);
        } else {
          setLazySub(cpu, a - b, a, b, size * 8);
        }
        stop = (getZF(cpu) !== 0) !== (d.rep === REP_E);
        break;
      }
      case INS: {
        // The destination must be writable before the port is read (a read may have side effects).
        cpu.checkWritable(dstLin, size);
        writeSized(cpu, dstLin, size, cpu.portIn(port, size as 1 | 2 | 4), 0);
        break;
      }
      default: // OUTS
        cpu.portOut(port, size as 1 | 2 | 4, readSized(cpu, srcLin, size));
        break;
    }
    if (usesSrc) setIndex(cpu, aSize, ESI, si + step);
    if (usesDst) setIndex(cpu, aSize, EDI, di + step);
    if (!rep) return;
    decrementCount(cpu, aSize);
    if (stop) return;
  }
}

/** Registers the byte form at `op` and the word/dword/qword form at `op + 1`. */
function defineString(op: number, kind: number): void {
  defineOp(op, {}, (cpu, d) => stringOp(cpu, d, kind, 1));
  defineOp(op + 1, {}, (cpu, d) => stringOp(cpu, d, kind, d.opSize >> 3));
}
defineString(0xa4, MOVS);
defineString(0xa6, CMPS);
defineString(0xaa, STOS);
defineString(0xac, LODS);
defineString(0xae, SCAS);

/** INS/OUTS: at most 32 bits (REX.W does not widen port I/O). */
function defineIoString(op: number, kind: number): void {
  defineOp(op, {}, (cpu, d) => stringOp(cpu, d, kind, 1));
  defineOp(op + 1, {}, (cpu, d) => stringOp(cpu, d, kind, d.opSize === 16 ? 2 : 4));
}
defineIoString(0x6c, INS);
defineIoString(0x6e, OUTS);
