/**
 * The x87 groups that need special rules: the transcendentals (operands
 * inside each instruction's domain, results within 2 ulps) and unmasked or
 * pending exceptions (informative: vendors differ, see fp-values.ts).
 */
import { FSW_C1, setSt } from "../fxsave.js";
import type { Rng } from "../rng.js";
import { f80FromNumber } from "./fp-values.js";
import { type Form, type Group } from "./group.js";
import { CC_023, CC_03, CC_ALL, FCOMI_C1, fixedForm, memForm, regForm, x87 } from "./x87-forms.js";

/** Where each transcendental is defined and accurate (SDM vol. 2, each instruction's description). */
type Domain = (rng: Rng) => [st0: number, st1: number];

const logUniform = (rng: Rng, lo: number, hi: number): number =>
  2 ** (lo + (rng.u32() / 2 ** 32) * (hi - lo));
const signed = (rng: Rng, x: number): number => (rng.chance(0.5) ? -x : x);

const DOMAINS: Record<string, Domain> = {
  // F2XM1: -1.0 <= ST(0) <= +1.0; outside that the result is undefined.
  F2XM1: (rng) => [signed(rng, rng.chance(0.1) ? rng.pick([0, 1]) : logUniform(rng, -40, 0)), 0],
  // FYL2X: ST(0) > 0 (other signs give #IA, covered by the generic groups' random states).
  FYL2X: (rng) => [logUniform(rng, -60, 60), signed(rng, logUniform(rng, -20, 20))],
  // FYL2XP1: |ST(0)| < 1 - sqrt(2)/2.
  FYL2XP1: (rng) => [
    signed(rng, logUniform(rng, -60, -1.8)),
    signed(rng, logUniform(rng, -20, 20)),
  ],
  FPATAN: (rng) => [signed(rng, logUniform(rng, -30, 30)), signed(rng, logUniform(rng, -30, 30))],
  // Trigonometric: |ST(0)| < 2^63; compared where no argument reduction is needed
  // (|x| < sqrt(2)), plus out-of-range operands (C2 = 1, operand unchanged).
  TRIG: (rng) => [
    signed(rng, rng.chance(0.05) ? 2 ** 63 * rng.range(1, 4) : logUniform(rng, -30, 0.5)),
    0,
  ],
};

/**
 * A transcendental with operands inside its domain. The x87 computes these
 * within about one ulp, not correctly rounded, and vendors differ in the
 * last bit: results are compared within 2 ulps, and C1 (the rounding
 * direction) is not compared.
 */
function transcendentalForm(
  name: string,
  bytes: readonly number[],
  undefinedFsw: number,
  domain: Domain,
): Form {
  return {
    name,
    gen: (b) => {
      x87(b, undefinedFsw | FSW_C1, 2);
      const [st0, st1] = domain(b.rng);
      setSt(b.fxsave, 0, withRandomLowBits(b.rng, f80FromNumber(st0)));
      setSt(b.fxsave, 1, withRandomLowBits(b.rng, f80FromNumber(st1)));
      b.fpuUlps = 2;
      b.asm.byte(...bytes);
      return `${name.toLowerCase()} (st0=${st0.toPrecision(6)}, st1=${st1.toPrecision(6)})`;
    },
  };
}

/** Fills the 11 significand bits a double cannot hold (full 64-bit inputs; nonzero finite only). */
function withRandomLowBits(rng: Rng, v: Uint8Array): Uint8Array {
  // Zeros stay zeros; powers of two (the domain ends, e.g. F2XM1's ±1) stay exact.
  if ((v[7] & 0x80) === 0 || v.subarray(0, 8).every((x, i) => x === (i === 7 ? 0x80 : 0))) return v;
  v[0] = rng.int(256);
  v[1] = (v[1] & 0xf8) | rng.int(8);
  return v;
}

function transcendentalForms(): Form[] {
  return [
    transcendentalForm("F2XM1", [0xd9, 0xf0], CC_023, DOMAINS.F2XM1),
    transcendentalForm("FYL2X", [0xd9, 0xf1], CC_023, DOMAINS.FYL2X),
    transcendentalForm("FPTAN", [0xd9, 0xf2], CC_03, DOMAINS.TRIG),
    transcendentalForm("FPATAN", [0xd9, 0xf3], CC_023, DOMAINS.FPATAN),
    transcendentalForm("FYL2XP1", [0xd9, 0xf9], CC_023, DOMAINS.FYL2XP1),
    transcendentalForm("FSINCOS", [0xd9, 0xfb], CC_03, DOMAINS.TRIG),
    transcendentalForm("FSIN", [0xd9, 0xfe], CC_03, DOMAINS.TRIG),
    transcendentalForm("FCOS", [0xd9, 0xff], CC_03, DOMAINS.TRIG),
  ];
}

/**
 * The same instructions with unmasked exceptions and pending exceptions
 * (then FWAIT or the next x87 instruction raises #MF). Behaviour here
 * differs between vendors, so this group is informative, never gating.
 */
function unmaskedForms(): Form[] {
  const forms: Form[] = [
    memForm("FADD", "fadd", 0xd8, 0, "m32fp", CC_023, true),
    memForm("FDIV", "fdiv", 0xdc, 6, "m64fp", CC_023, true),
    regForm("FMUL ST(0), ST(i)", (i) => `fmul st0, st${i}`, 0xd8, 0xc8, CC_023, true),
    memForm("FLD", "fld", 0xd9, 0, "m32fp", CC_023, true),
    memForm("FST", "fst", 0xd9, 2, "m32fp", CC_023, true),
    memForm("FISTP", "fistp", 0xdf, 3, "m16int", CC_023, true),
    regForm("FCOM ST(i)", (i) => `fcom st${i}`, 0xd8, 0xd0, 0, true),
    regForm("FCOMI ST(0), ST(i)", (i) => `fcomi st0, st${i}`, 0xdb, 0xf0, FCOMI_C1, true),
    fixedForm("FSQRT", [0xd9, 0xfa], CC_023, true),
    fixedForm("FWAIT", [0x9b], 0, true),
    fixedForm("FNCLEX", [0xdb, 0xe2], CC_ALL, true),
  ];
  return forms.map((form) => ({
    name: `${form.name} (unmasked)`,
    gen: (b) => {
      const text = form.gen(b);
      if (!b.rng.chance(0.5)) return text;
      b.asm.byte(0x9b);
      return `${text}; fwait`;
    },
  }));
}

export const X87_SPECIAL_GROUPS: readonly Group[] = [
  {
    name: "x87-trans",
    title: "x87 transcendentals: F2XM1 FYL2X FYL2XP1 FPTAN FPATAN FSIN FCOS FSINCOS",
    forms: transcendentalForms(),
  },
  {
    name: "x87-unmasked",
    title: "x87 with unmasked and pending exceptions, FWAIT/#MF (vendor-specific, informative)",
    forms: unmaskedForms(),
  },
];
