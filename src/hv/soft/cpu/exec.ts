/**
 * The execution loop.
 *
 *   run(budget) ─┬─ exit pending? stop flag? halted? budget used? → return an exit
 *                ├─ between blocks, no interrupt shadow: pending exception,
 *                │  NMI, external interrupt (IF = 1) → deliver
 *                └─ execute: look up (or build) the block at CS:EIP and run
 *                   its instructions; one instruction only while an
 *                   interrupt shadow or TF is active (then the #DB trap).
 *
 * Per instruction the loop only stores `insnStart`, advances `eip`, calls
 * the handler and tests `blockStop`. No allocation; faults arrive as the
 * CPU's preallocated CpuFault (fault.ts) and are delivered here.
 */
import { MP_HALTED, MP_RUNNABLE, SHADOW_MOV_SS } from "../../registers.js";
import type { VcpuExit } from "../../exits.js";
import { DR6_BS, IF, SEG_CS, TF, VEC_DB, VEC_NMI } from "./constants.js";
import type { Cpu } from "./cpu.js";
import { CodeReader, decode, installFetchCodeByte } from "./decoder.js";
import { deliverException, deliverWithFaultRules } from "./events.js";
import { raiseGP } from "./fault.js";
import { EVENT_EXCEPTION, EVENT_EXTERNAL, EVENT_NMI } from "./hooks.js";
import { mmioRead } from "./phys.js";
import { flushTlb, translateFetch } from "./tlb.js";
import { codeMode, type Block } from "./blocks.js";

const KICKED: VcpuExit = Object.freeze({ kind: "kicked" });
const BUDGET: VcpuExit = Object.freeze({ kind: "budget" });
const HLT: VcpuExit = Object.freeze({ kind: "hlt" });
const INTERRUPT_WINDOW: VcpuExit = Object.freeze({ kind: "interrupt-window" });

const singleReader = new CodeReader();

/**
 * The offset limit of CS for instruction fetch (16-bit code wraps at 64
 * KiB); none in 64-bit mode, where RIP is the linear address.
 */
function codeLimit(cpu: Cpu): number {
  if (cpu.mode64) return Infinity;
  const limit = cpu.segLimit[SEG_CS];
  return cpu.code32 || limit < 0xffff ? limit : 0xffff;
}

/** Fetches one code byte at CS:`eip` for the single-instruction decoder. */
function fetchCodeByte(cpu: Cpu, eip: number): number {
  let lin: number;
  if (cpu.mode64) {
    lin = eip; // translate() raises #GP(0) past the canonical range
  } else {
    const off = cpu.code32 ? eip >>> 0 : eip & 0xffff;
    if (off > codeLimit(cpu)) raiseGP(cpu, 0);
    lin = (cpu.segBase[SEG_CS] + off) >>> 0;
  }
  const i = translateFetch(cpu, lin);
  if (cpu.tlbBacking[i] < 0) return mmioRead(cpu, cpu.tlbPfn[i] * 4096 + (lin & 0xfff), 1);
  return cpu.tlbMem[i][cpu.tlbOff[i] + (lin & 0xfff)];
}
installFetchCodeByte(fetchCodeByte);

/**
 * Runs until an exit, a kick (`stopFlag[0] !== 0`, checked before every
 * block) or about `budget` instructions.
 */
export function runCpu(cpu: Cpu, budget: number, stopFlag: Int32Array): VcpuExit {
  if (cpu.physical.generation !== cpu.tlbGeneration) flushTlb(cpu, false);
  const limit = cpu.icount + budget;
  for (;;) {
    const pending = cpu.pendingExit;
    if (pending !== null) {
      cpu.pendingExit = null;
      return pending;
    }
    if (stopFlag[0] !== 0) return KICKED;
    if (cpu.mpState !== MP_RUNNABLE) {
      if (cpu.mpState === MP_HALTED && serviceEvents(cpu)) continue;
      return HLT;
    }
    if (cpu.icount >= limit) return BUDGET;
    if (cpu.shadow === 0) {
      if (serviceEvents(cpu)) continue;
      if (cpu.interruptWindowExit && (cpu.flags & IF) !== 0) return INTERRUPT_WINDOW;
    }
    if (cpu.shadow !== 0 || (cpu.flags & TF) !== 0) stepOne(cpu, stopFlag);
    else execute(cpu, false, limit, stopFlag);
  }
}

/**
 * Delivers the highest-priority pending event, if any (SDM vol. 3, 6.9):
 * a pending exception, then NMI, then a maskable interrupt when IF = 1.
 * Returns true if one was delivered (or delivery ended in an exit).
 */
function serviceEvents(cpu: Cpu): boolean {
  let vector: number;
  let kind: number;
  let hasError = false;
  let errorCode = 0;
  if (cpu.exceptionPending) {
    cpu.exceptionPending = false;
    vector = cpu.exceptionVector;
    kind = EVENT_EXCEPTION;
    hasError = cpu.exceptionHasError;
    errorCode = cpu.exceptionError;
  } else if (cpu.nmiPending && !cpu.nmiMasked) {
    cpu.nmiPending = false;
    cpu.nmiMasked = true;
    vector = VEC_NMI;
    kind = EVENT_NMI;
  } else if ((cpu.flags & IF) !== 0 && cpu.interruptPendingFlag) {
    cpu.interruptPendingFlag = false;
    vector = cpu.interruptVector;
    kind = EVENT_EXTERNAL;
  } else if ((cpu.flags & IF) !== 0 && cpu.interruptController !== null) {
    vector = cpu.interruptController.pendingVector();
    if (vector < 0) return false;
    cpu.interruptController.acknowledge(vector);
    kind = EVENT_EXTERNAL;
  } else {
    return false;
  }
  try {
    deliverWithFaultRules(cpu, vector, kind, hasError, errorCode);
  } catch (e) {
    if (e !== cpu.exitSignal) throw e;
    cpu.pendingExit = cpu.exitSignal.exit;
  }
  return true;
}

/** One instruction under an interrupt shadow or TF, then the single-step trap. */
function stepOne(cpu: Cpu, stopFlag: Int32Array): void {
  cpu.shadow = 0;
  cpu.debugTrapArmed = (cpu.flags & TF) !== 0;
  const completed = execute(cpu, true, 0, stopFlag);
  // After MOV SS/POP SS the single-step trap waits for the next instruction
  // (SDM vol. 3, 6.8.3): that one traps with TF still set.
  if (completed && cpu.debugTrapArmed && (cpu.shadow & SHADOW_MOV_SS) === 0) {
    cpu.dr[6] |= DR6_BS;
    deliverTrap(cpu, VEC_DB);
  }
  cpu.debugTrapArmed = false;
}

/** Delivers a trap-class exception (EIP already past the instruction). */
function deliverTrap(cpu: Cpu, vector: number): void {
  try {
    deliverException(cpu, vector, false, 0);
  } catch (e) {
    if (e !== cpu.exitSignal) throw e;
    cpu.pendingExit = cpu.exitSignal.exit;
  }
}

/**
 * Whether the loop may go straight on to the next block: no budget end,
 * kick, single-step, interrupt shadow, deliverable event or exit pending.
 * Anything that changes IF/TF/mode or talks to a device also sets
 * `blockStop`, which ends the chain before this is asked.
 */
function canChain(cpu: Cpu, icountLimit: number, stopFlag: Int32Array): boolean {
  if (cpu.icount >= icountLimit || stopFlag[0] !== 0) return false;
  if (
    cpu.nmiPending ||
    cpu.exceptionPending ||
    cpu.interruptPendingFlag ||
    cpu.shadow !== 0 ||
    cpu.mpState !== MP_RUNNABLE ||
    cpu.pendingExit !== null
  ) {
    return false;
  }
  const flags = cpu.flags;
  if ((flags & (TF | IF)) === 0) return true;
  if ((flags & TF) !== 0 || cpu.interruptWindowExit) return false;
  // Asked last: the interrupt controller may acknowledge a PIC here (ExtINT),
  // so it is only asked when the interrupt would be taken right away.
  const ic = cpu.interruptController;
  return ic === null || ic.pendingVector() < 0;
}

/**
 * Executes blocks from CS:EIP, chaining from one block to the next while
 * `canChain` allows (`single`: exactly one instruction). Returns false if an
 * instruction faulted (the fault is delivered here) or requested an exit.
 */
function execute(cpu: Cpu, single: boolean, icountLimit: number, stopFlag: Int32Array): boolean {
  let k = 0;
  try {
    for (;;) {
      const eip = cpu.eip;
      cpu.insnStart = eip;
      cpu.blockStop = 0;
      const limit = codeLimit(cpu);
      if (eip > limit) raiseGP(cpu, 0);
      const lin = cpu.mode64 ? eip : (cpu.segBase[SEG_CS] + eip) >>> 0;
      const i = translateFetch(cpu, lin);
      const backing = cpu.tlbBacking[i];
      const mode = codeMode(cpu);
      let block: Block | null = null;
      if (backing >= 0) {
        const offset = cpu.tlbOff[i] + (lin & 0xfff);
        block =
          cpu.blocks.find(backing, offset, mode) ??
          cpu.blocks.build(cpu, backing, offset, limit - eip, mode);
        // The block must end before the CS limit (and before 16-bit EIP wraps).
        if (block !== null && eip + block.byteLength > limit) block = null;
      }
      if (block === null) {
        const d = cpu.scratchDecoded;
        singleReader.setSingle(cpu, eip);
        decode(singleReader, d, cpu.code32, cpu.mode64);
        if (cpu.mode64) cpu.eip = eip + d.length;
        else cpu.eip = cpu.code32 ? (eip + d.length) >>> 0 : (eip + d.length) & 0xffff;
        d.handler(cpu, d);
        cpu.icount += 1;
      } else {
        const insns = block.insns;
        const n = single ? 1 : block.count;
        k = 0;
        while (k < n) {
          const d = insns[k];
          const start = cpu.eip;
          const next = start + d.length;
          cpu.insnStart = start;
          cpu.eip = next;
          d.handler(cpu, d);
          k++;
          // A handler that moved EIP ends the block even if it forgot `endsBlock`.
          if (cpu.blockStop !== 0 || cpu.eip !== next) break;
        }
        cpu.icount += k;
        k = 0;
      }
      if (single || cpu.blockStop !== 0 || !canChain(cpu, icountLimit, stopFlag)) return true;
    }
  } catch (e) {
    cpu.icount += k;
    cpu.eip = cpu.insnStart;
    if (e === cpu.fault) {
      const f = cpu.fault;
      try {
        deliverException(cpu, f.vector, f.hasError, f.errorCode);
      } catch (e2) {
        if (e2 !== cpu.exitSignal) throw e2;
        cpu.pendingExit = cpu.exitSignal.exit;
      }
      return false;
    }
    if (e === cpu.exitSignal) {
      cpu.pendingExit = cpu.exitSignal.exit;
      return false;
    }
    throw e;
  }
}
