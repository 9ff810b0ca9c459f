/**
 * x87 arithmetic and comparisons: D8 (m32fp / ST(0),ST(i)), DC (m64fp /
 * ST(i),ST(0)), DA (m32int, FCMOVcc elsewhere), DE (m16int / popping forms)
 * — FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR and their reversed/popping
 * variants, FCOMPP, FUCOM(P)(P), FCOMI/FUCOMI(P) (SDM vol. 2).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { CF, PF, ZF, OF, SF, AF } from "../constants.js";
import { setFlagsDirect } from "../flags.js";
import { defineGroup } from "../ops.js";
import { classify, F80, isNaNCls } from "./f80.js";
import { Exc, FpEnv } from "./env.js";
import { f80Add, f80Div, f80Mul, f80Sub } from "./arith.js";
import { Cmp, f80Compare } from "./compare.js";
import { f80FromF32, f80FromF64 } from "./convert-float.js";
import { f80FromInt32 } from "./convert-int.js";
import { pcFormat, RoundFormat } from "./round.js";
import { FpuState, SW_C0, SW_C2, SW_C3 } from "./x87-state.js";
import {
  BLOCKING,
  byPriority,
  commit,
  stackUnderflow,
  underflowToIndefinite,
  x87Begin,
} from "./x87-exec.js";

/** Operation numbers: the ModRM.reg of D8/DC memory forms. */
const ADD = 0;
const MUL = 1;
const SUB = 4;
const SUBR = 5;
const DIV = 6;
const DIVR = 7;

/** out = a op b for the arithmetic op numbers. */
function compute(env: FpEnv, fmt: RoundFormat, op: number, a: F80, b: F80, out: F80): void {
  switch (op) {
    case ADD:
      return f80Add(env, fmt, a, b, out);
    case MUL:
      return f80Mul(env, fmt, a, b, out);
    case SUB:
      return f80Sub(env, fmt, a, b, out);
    case SUBR:
      return f80Sub(env, fmt, b, a, out);
    case DIV:
      return f80Div(env, fmt, a, b, out);
    default:
      return f80Div(env, fmt, b, a, out);
  }
}

/** ST(0) ← ST(0) op src, for a memory source already loaded into f.t1. */
function arithMem(f: FpuState, op: number): void {
  if (f.isEmpty(0)) return underflowToIndefinite(f, 0, false);
  // A NaN in ST(0) decides the result ahead of the source's denormal check (SDM vol. 1, 8.7:
  // a QNaN operand outranks #D; an SNaN raises IE, which outranks it too).
  if (isNaNCls(classify(f.st(0)))) f.env.flags &= ~Exc.DE;
  compute(f.env, pcFormat(f.env), op, f.st(0), f.t1, f.t0);
  commit(f, 0, f.t0, false);
}

/** Condition codes of FCOM/FUCOM (SDM vol. 2, FCOM table). */
const CC_OF: readonly number[] = [SW_C0, SW_C3, 0, SW_C3 | SW_C2 | SW_C0];
/** EFLAGS of FCOMI/FUCOMI. */
const EFL_OF: readonly number[] = [CF, ZF, 0, ZF | PF | CF];

/**
 * FCOM/FUCOM family: compares ST(0) with `src` (null: a register that was
 * empty) and pops `pops` times; `eflags` selects FCOMI's EFLAGS result.
 */
function compareOp(
  cpu: Cpu,
  f: FpuState,
  src: F80 | null,
  quiet: boolean,
  pops: number,
  eflags: boolean,
): void {
  let r: number;
  if (f.isEmpty(0) || src === null) {
    if (!stackUnderflow(f)) return;
    r = Cmp.UNORDERED;
  } else {
    r = f80Compare(f.env, f.st(0), src, quiet);
    const flags = byPriority(f.env.flags);
    f.raise(flags);
    if ((flags & BLOCKING & ~f.fcw) !== 0) return;
  }
  if (eflags) setFlagsDirect(cpu, CF | PF | ZF | OF | SF | AF, EFL_OF[r]);
  else f.setCc(CC_OF[r]);
  f.setC1(false);
  for (let i = 0; i < pops; i++) f.pop();
}

// ---- D8 / DC memory forms: m32fp, m64fp ----

function m32(cpu: Cpu, d: Decoded): FpuState {
  const f = x87Begin(cpu, d, true);
  f80FromF32(f.env, cpu.read32(cpu.eaRead(d, 4)) >>> 0, f.t1, true);
  return f;
}
function m64(cpu: Cpu, d: Decoded): FpuState {
  const f = x87Begin(cpu, d, true);
  const lin = cpu.eaRead(d, 8);
  f80FromF64(f.env, cpu.read32(lin + 4) >>> 0, cpu.read32(lin) >>> 0, f.t1, true);
  return f;
}
function m32int(cpu: Cpu, d: Decoded): FpuState {
  const f = x87Begin(cpu, d, true);
  f80FromInt32(cpu.read32(cpu.eaRead(d, 4)), f.t1);
  return f;
}
function m16int(cpu: Cpu, d: Decoded): FpuState {
  const f = x87Begin(cpu, d, true);
  f80FromInt32((cpu.read16(cpu.eaRead(d, 2)) << 16) >> 16, f.t1);
  return f;
}

const loaders = [m32, m64, m32int, m16int];
const memOpcodes = [0xd8, 0xdc, 0xda, 0xde];
for (let k = 0; k < 4; k++) {
  const load = loaders[k];
  const opcode = memOpcodes[k];
  for (const op of [ADD, MUL, SUB, SUBR, DIV, DIVR]) {
    defineGroup(opcode, op, { mod: "mem" }, (cpu, d) => arithMem(load(cpu, d), op));
  }
  // FCOM / FCOMP (D8/DC) and FICOM / FICOMP (DA/DE).
  defineGroup(opcode, 2, { mod: "mem" }, (cpu, d) =>
    compareOp(cpu, load(cpu, d), cpu.fpu.t1, false, 0, false),
  );
  defineGroup(opcode, 3, { mod: "mem" }, (cpu, d) =>
    compareOp(cpu, load(cpu, d), cpu.fpu.t1, false, 1, false),
  );
}

// ---- Register forms ----

/** D8: ST(0) ← ST(0) op ST(i). DC: ST(i) ← ST(i) op ST(0) (SUB/SUBR and DIV/DIVR swap). DE: DC + pop. */
function arithReg(cpu: Cpu, d: Decoded, op: number, toSti: boolean, pop: boolean): void {
  const f = x87Begin(cpu, d, false);
  const i = d.rm & 7;
  const dst = toSti ? i : 0;
  if (f.isEmpty(0) || f.isEmpty(i)) return underflowToIndefinite(f, dst, pop);
  const a = f.st(dst);
  const b = f.st(toSti ? 0 : i);
  compute(f.env, pcFormat(f.env), op, a, b, f.t0);
  commit(f, dst, f.t0, pop);
}

for (const op of [ADD, MUL, SUB, SUBR, DIV, DIVR]) {
  defineGroup(0xd8, op, { mod: "reg" }, (cpu, d) => arithReg(cpu, d, op, false, false));
  // In DC/DE the encodings of SUB/SUBR and DIV/DIVR are swapped (SDM vol. 2, FSUB/FDIV).
  const swapped =
    op === SUB ? SUBR : op === SUBR ? SUB : op === DIV ? DIVR : op === DIVR ? DIV : op;
  defineGroup(0xdc, op, { mod: "reg" }, (cpu, d) => arithReg(cpu, d, swapped, true, false));
  defineGroup(0xde, op, { mod: "reg" }, (cpu, d) => arithReg(cpu, d, swapped, true, true));
}

function regCompare(cpu: Cpu, d: Decoded, quiet: boolean, pops: number, eflags: boolean): void {
  const f = x87Begin(cpu, d, false);
  compareOp(cpu, f, f.isEmpty(d.rm & 7) ? null : f.st(d.rm & 7), quiet, pops, eflags);
}

// FCOM/FCOMP ST(i) (D8 D0+i / D8 D8+i) and their undocumented aliases DC D0/D8, DE D0.
defineGroup(0xd8, 2, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, false, 0, false));
defineGroup(0xd8, 3, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, false, 1, false));
defineGroup(0xdc, 2, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, false, 0, false));
defineGroup(0xdc, 3, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, false, 1, false));
defineGroup(0xde, 2, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, false, 1, false));
// FCOMPP (DE D9) and FUCOMPP (DA E9).
defineGroup(0xde, 3, { rm: 1 }, (cpu, d) => regCompare(cpu, d, false, 2, false));
defineGroup(0xda, 5, { rm: 1 }, (cpu, d) => regCompare(cpu, d, true, 2, false));
// FUCOM/FUCOMP ST(i) (DD E0+i / DD E8+i).
defineGroup(0xdd, 4, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, true, 0, false));
defineGroup(0xdd, 5, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, true, 1, false));
// FUCOMI/FCOMI (DB E8/F0+i) and FUCOMIP/FCOMIP (DF E8/F0+i).
defineGroup(0xdb, 5, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, true, 0, true));
defineGroup(0xdb, 6, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, false, 0, true));
defineGroup(0xdf, 5, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, true, 1, true));
defineGroup(0xdf, 6, { mod: "reg" }, (cpu, d) => regCompare(cpu, d, false, 1, true));
