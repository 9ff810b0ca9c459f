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
 */
import { DF, EAX, ECX, EDI, EDX, ESI, SEG_DS, SEG_ES } from "../constants.js";
import type { Cpu } from "../cpu.js";
import { REP_E, REP_NONE, type Decoded } from "../decoded.js";
import { getZF, setLazySub } from "../flags.js";
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

function readSized(cpu: Cpu, lin: number, size: number): number {
  return size === 1 ? cpu.read8(lin) : size === 2 ? cpu.read16(lin) : cpu.read32(lin);
}
function writeSized(cpu: Cpu, lin: number, size: number, v: number): void {
  if (size === 1) cpu.write8(lin, v);
  else if (size === 2) cpu.write16(lin, v);
  else cpu.write32(lin, v);
}
function getAcc(cpu: Cpu, size: number): number {
  return size === 1 ? cpu.r8[0] : size === 2 ? cpu.r16[EAX << 2] : cpu.r32[EAX << 1];
}
function setAcc(cpu: Cpu, size: number, v: number): void {
  if (size === 1) cpu.r8[0] = v;
  else if (size === 2) cpu.r16[EAX << 2] = v;
  else cpu.r32[EAX << 1] = v;
}

/** Reads an index/count register by address size (unsigned). */
function getAddrReg(cpu: Cpu, a32: boolean, r: number): number {
  return a32 ? cpu.r32[r << 1] >>> 0 : cpu.r16[r << 2];
}
function setAddrReg(cpu: Cpu, a32: boolean, r: number, v: number): void {
  if (a32) cpu.r32[r << 1] = v;
  else cpu.r16[r << 2] = v;
}

/** Runs string operation `kind` of `size` bytes, with the REP semantics of `d`. */
function stringOp(cpu: Cpu, d: Decoded, kind: number, size: number): void {
  const a32 = d.addrSize === 32;
  const step = (cpu.flags & DF) !== 0 ? -size : size;
  const srcSeg = d.segOverride >= 0 ? d.segOverride : SEG_DS;
  const rep = d.rep !== REP_NONE;
  const usesSrc = kind === MOVS || kind === CMPS || kind === LODS || kind === OUTS;
  const usesDst = kind === MOVS || kind === CMPS || kind === STOS || kind === SCAS || kind === INS;
  const port = cpu.r16[EDX << 2];
  for (let n = 0; ; n++) {
    if (rep) {
      if (getAddrReg(cpu, a32, ECX) === 0) return;
      if (n === REP_CHUNK) {
        // Yield: re-execute this instruction after serving events.
        cpu.eip = cpu.insnStart;
        cpu.blockStop = 1;
        return;
      }
    }
    const si = getAddrReg(cpu, a32, ESI);
    const di = getAddrReg(cpu, a32, EDI);
    const srcLin = usesSrc ? cpu.segLinear(srcSeg, si, size, SEG_ACCESS_READ) : 0;
    const dstAccess =
      kind === MOVS || kind === STOS || kind === INS ? SEG_ACCESS_WRITE : SEG_ACCESS_READ;
    const dstLin = usesDst ? cpu.segLinear(SEG_ES, di, size, dstAccess) : 0;
    let stop = false;
    switch (kind) {
      case MOVS:
        writeSized(cpu, dstLin, size, readSized(cpu, srcLin, size));
        break;
      case STOS:
        writeSized(cpu, dstLin, size, getAcc(cpu, size));
        break;
      case LODS:
        setAcc(cpu, size, readSized(cpu, srcLin, size));
        break;
      case CMPS: {
        const a = readSized(cpu, srcLin, size);
        const b = readSized(cpu, dstLin, size);
        setLazySub(cpu, a - b, a, b, size * 8);
        stop = (getZF(cpu) !== 0) !== (d.rep === REP_E);
        break;
      }
      case SCAS: {
        const a = getAcc(cpu, size);
        const b = readSized(cpu, dstLin, size);
        setLazySub(cpu, a - b, a, b, size * 8);
        stop = (getZF(cpu) !== 0) !== (d.rep === REP_E);
        break;
      }
      case INS: {
        // The destination must be writable before the port is read (a read may have side effects).
        cpu.checkWritable(dstLin, size);
        writeSized(cpu, dstLin, size, cpu.portIn(port, size as 1 | 2 | 4));
        break;
      }
      default: // OUTS
        cpu.portOut(port, size as 1 | 2 | 4, readSized(cpu, srcLin, size));
        break;
    }
    if (usesSrc) setAddrReg(cpu, a32, ESI, si + step);
    if (usesDst) setAddrReg(cpu, a32, EDI, di + step);
    if (!rep) return;
    setAddrReg(cpu, a32, ECX, getAddrReg(cpu, a32, ECX) - 1);
    if (stop) return;
  }
}

/** Registers the byte form at `op` and the word/dword form at `op + 1`. */
function defineString(op: number, kind: number): void {
  defineOp(op, {}, (cpu, d) => stringOp(cpu, d, kind, 1));
  defineOp(op + 1, {}, (cpu, d) => stringOp(cpu, d, kind, d.opSize >> 3));
}
defineString(0xa4, MOVS);
defineString(0xa6, CMPS);
defineString(0xaa, STOS);
defineString(0xac, LODS);
defineString(0xae, SCAS);
defineString(0x6c, INS);
defineString(0x6e, OUTS);
