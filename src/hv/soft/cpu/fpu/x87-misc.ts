/**
 * The D9 E0-FF register-only instructions (SDM vol. 2): FCHS FABS FTST FXAM,
 * the FLDxx constants, F2XM1 FYL2X FPTAN FPATAN FXTRACT FPREM1 FDECSTP
 * FINCSTP FPREM FYL2XP1 FSQRT FSINCOS FRNDINT FSCALE FSIN FCOS, and FNOP.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineGroup } from "../ops.js";
import { classify, Cls, F80, setIndefinite, setOne } from "./f80.js";
import { FpEnv } from "./env.js";
import { Cmp, f80Compare } from "./compare.js";
import { FpConst, loadConstant } from "./consts.js";
import { f80RoundInt } from "./convert-int.js";
import { f80Prem, PremResult } from "./prem.js";
import { f80Extract, f80Scale } from "./scale.js";
import { f80Sqrt } from "./sqrt.js";
import {
  f80Atan,
  f80Cos,
  f80Exp2m1,
  f80Sin,
  f80SinCos,
  f80Tan,
  f80Yl2x,
  f80Yl2xp1,
} from "./trans.js";
import { pcFormat } from "./round.js";
import { FpuState, SW_C0, SW_C1, SW_C2, SW_C3 } from "./x87-state.js";
import {
  BLOCKING,
  byPriority,
  commit,
  pushChecked,
  stackOverflow,
  stackUnderflow,
  underflowToIndefinite,
  x87Begin,
} from "./x87-exec.js";

const ZERO = new F80();
const prem = new PremResult();

/** Registers D9 /reg with ModRM.rm = rm (the D9 E0+n encodings). */
function d9(reg: number, rm: number, h: (cpu: Cpu, d: Decoded) => void): void {
  defineGroup(0xd9, reg, { rm }, h);
}

/** ST(0) ← fn(ST(0)). */
function unary(fn: (env: FpEnv, a: F80, out: F80) => void): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    const f = x87Begin(cpu, d, false);
    if (f.isEmpty(0)) return underflowToIndefinite(f, 0, false);
    fn(f.env, f.st(0), f.t0);
    commit(f, 0, f.t0, false);
  };
}

/** ST(1) ← fn(ST(0), ST(1)), then pop (FYL2X, FYL2XP1, FPATAN). */
function binaryPop(
  fn: (env: FpEnv, st0: F80, st1: F80, out: F80) => void,
): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    const f = x87Begin(cpu, d, false);
    if (f.isEmpty(0) || f.isEmpty(1)) return underflowToIndefinite(f, 1, true);
    fn(f.env, f.st(0), f.st(1), f.t0);
    commit(f, 1, f.t0, true);
  };
}

// FNOP (D9 D0): a waiting no-op.
d9(2, 0, (cpu, d) => void x87Begin(cpu, d, false));

d9(4, 0, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  if (f.isEmpty(0)) return underflowToIndefinite(f, 0, false);
  f.st(0).se ^= 0x8000;
  f.setC1(false);
});
d9(4, 1, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  if (f.isEmpty(0)) return underflowToIndefinite(f, 0, false);
  f.st(0).se &= 0x7fff;
  f.setC1(false);
});
// FTST: compare ST(0) with +0.0.
d9(4, 4, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  let r: number = Cmp.UNORDERED;
  if (f.isEmpty(0)) {
    if (!stackUnderflow(f)) return;
  } else {
    r = f80Compare(f.env, f.st(0), ZERO, false);
    f.raise(f.env.flags);
    if ((f.env.flags & BLOCKING & ~f.fcw) !== 0) return;
  }
  f.setCc([SW_C0, SW_C3, 0, SW_C3 | SW_C2 | SW_C0][r]);
});
// FXAM: classify ST(0) into C3 C2 C0, sign into C1 (SDM vol. 2, FXAM table).
d9(4, 5, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  const v = f.st(0);
  let cc: number;
  if (f.isEmpty(0)) cc = SW_C3 | SW_C0;
  else {
    const c = classify(v);
    cc =
      c === Cls.UNSUPPORTED
        ? 0
        : c === Cls.QNAN || c === Cls.SNAN
          ? SW_C0
          : c === Cls.NORMAL
            ? SW_C2
            : c === Cls.INF
              ? SW_C2 | SW_C0
              : c === Cls.ZERO
                ? SW_C3
                : SW_C3 | SW_C2;
  }
  f.setCc(cc | (v.se & 0x8000 ? SW_C1 : 0));
});

// FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (D9 E8-EE).
const CONSTS = [
  FpConst.ONE,
  FpConst.L2T,
  FpConst.L2E,
  FpConst.PI,
  FpConst.LG2,
  FpConst.LN2,
  FpConst.ZERO,
];
CONSTS.forEach((c, rm) =>
  d9(5, rm, (cpu, d) => {
    const f = x87Begin(cpu, d, false);
    loadConstant(c, f.env.rc, f.t1);
    pushChecked(f, f.t1);
  }),
);

d9(6, 0, unary(f80Exp2m1));
d9(
  6,
  1,
  binaryPop((env, x, y, out) => f80Yl2x(env, x, y, out)),
);
d9(
  7,
  1,
  binaryPop((env, x, y, out) => f80Yl2xp1(env, x, y, out)),
);
d9(
  6,
  3,
  binaryPop((env, x, y, out) => f80Atan(env, y, x, out)),
);
d9(
  7,
  2,
  unary((env, a, out) => f80Sqrt(env, pcFormat(env), a, out)),
);
d9(7, 4, unary(f80RoundInt));

/** FSIN/FCOS: C2 = 1 and ST(0) unchanged when |ST(0)| ≥ 2^63. */
function trig(fn: (env: FpEnv, a: F80, out: F80) => boolean): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    const f = x87Begin(cpu, d, false);
    f.sw &= ~SW_C2;
    if (f.isEmpty(0)) return underflowToIndefinite(f, 0, false);
    if (!fn(f.env, f.st(0), f.t0)) {
      f.sw |= SW_C2;
      f.raise(f.env.flags);
      return;
    }
    commit(f, 0, f.t0, false);
  };
}
d9(7, 6, trig(f80Sin));
d9(7, 7, trig(f80Cos));

/**
 * Two-result instructions (FPTAN, FSINCOS, FXTRACT): ST(0) ← first, then
 * push second. Stack checks first: ST(0) must be full and ST(7) empty.
 */
function twoResults(
  cpu: Cpu,
  d: Decoded,
  fn: (env: FpEnv, a: F80, first: F80, second: F80) => boolean,
): void {
  const f = x87Begin(cpu, d, false);
  f.sw &= ~SW_C2;
  if (f.isEmpty(0) || !f.isEmpty(7)) {
    const masked = f.isEmpty(0) ? stackUnderflow(f) : stackOverflow(f);
    if (!masked) return;
    setIndefinite(f.st(0));
    f.setValid(0);
    f.push(setIndefinite(f.t1));
    return;
  }
  if (!fn(f.env, f.st(0), f.t0, f.t1)) {
    f.sw |= SW_C2;
    f.raise(f.env.flags);
    return;
  }
  const flags = byPriority(f.env.flags);
  f.raise(flags);
  if ((flags & BLOCKING & ~f.fcw) !== 0) return;
  f.st(0).copy(f.t0);
  f.push(f.t1);
  f.setC1(f.env.c1 !== 0);
}
// FPTAN: tan, then 1.0 (a NaN or invalid result is pushed twice instead).
d9(6, 2, (cpu, d) =>
  twoResults(cpu, d, (env, a, first, second) => {
    if (!f80Tan(env, a, first)) return false;
    if (classify(first) === Cls.QNAN) second.copy(first);
    else setOne(second);
    return true;
  }),
);
// FSINCOS: ST(0) ← sin, push cos.
d9(7, 3, (cpu, d) =>
  twoResults(cpu, d, (env, a, first, second) => f80SinCos(env, a, first, second)),
);
// FXTRACT: ST(0) ← exponent, push significand.
d9(6, 4, (cpu, d) =>
  twoResults(cpu, d, (env, a, first, second) => {
    f80Extract(env, a, first, second);
    return true;
  }),
);

/**
 * FPREM (D9 F8) / FPREM1 (D9 F5) and their condition codes (SDM vol. 2):
 * complete, C2 = 0 and C0 C3 C1 = quotient bits 2 1 0; partial, C2 = 1 and
 * C0 = C1 = C3 = 0 (the SDM's Operation sets only C2 there; the host CPU
 * clears the rest). Stack underflow, a NaN operand or an invalid operation
 * leave C2 = C1 = 0 — software loops while C2 = 1 — and C0, C3 unchanged.
 */
function fprem(ieee: boolean): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    const f = x87Begin(cpu, d, false);
    f.sw &= ~(SW_C2 | SW_C1);
    if (f.isEmpty(0) || f.isEmpty(1)) return underflowToIndefinite(f, 0, false);
    f80Prem(f.env, f.st(0), f.st(1), ieee, f.t0, prem);
    const flags = byPriority(f.env.flags);
    f.raise(flags);
    if ((flags & BLOCKING & ~f.fcw) !== 0) return;
    f.st(0).copy(f.t0);
    if (prem.noQuotient) return;
    if (prem.incomplete) return f.setCc(SW_C2);
    const q = prem.quotient;
    f.setCc(
      ((q & 4) !== 0 ? SW_C0 : 0) | ((q & 2) !== 0 ? SW_C3 : 0) | ((q & 1) !== 0 ? SW_C1 : 0),
    );
  };
}
d9(6, 5, fprem(true));
d9(7, 0, fprem(false));

// FSCALE: ST(0) ← ST(0)·2^trunc(ST(1)).
d9(7, 5, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  if (f.isEmpty(0) || f.isEmpty(1)) return underflowToIndefinite(f, 0, false);
  f80Scale(f.env, f.st(0), f.st(1), f.t0);
  commit(f, 0, f.t0, false);
});

// FDECSTP / FINCSTP: rotate TOP, tags unchanged.
d9(6, 6, (cpu, d) => {
  const f: FpuState = x87Begin(cpu, d, false);
  f.top = (f.top - 1) & 7;
  f.setC1(false);
});
d9(6, 7, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  f.top = (f.top + 1) & 7;
  f.setC1(false);
});
