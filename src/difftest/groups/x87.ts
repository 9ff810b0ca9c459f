/**
 * x87 groups: arithmetic (register and memory operands, integer operands),
 * compares (FCOM/FUCOM/FCOMI/FICOM/FTST/FXAM, with FNSTSW), loads and
 * stores of every format (single, double, extended, integer, BCD), stack
 * and control instructions. Each case starts from a random x87 state
 * (fp-values.ts) with exceptions masked and compares the whole x87 state
 * after. Transcendentals and unmasked exceptions: x87-special.ts.
 */
import { memText } from "../encoder.js";
import { EAX } from "../layout.js";
import { type Form, type Group, m } from "./group.js";
import { CC_023, CC_ALL, FCOMI_C1, fixedForm, memForm, regForm, x87 } from "./x87-forms.js";

const ARITH = ["fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"] as const;

function arithForms(): Form[] {
  const forms: Form[] = [];
  for (const op of [0, 1, 4, 5, 6, 7]) {
    const mn = ARITH[op];
    const up = mn.toUpperCase();
    forms.push(
      regForm(`${up} ST(0), ST(i)`, (i) => `${mn} st0, st${i}`, 0xd8, 0xc0 + op * 8, CC_023),
    );
    // DC/DE encode FSUB/FSUBR and FDIV/FDIVR the other way round (SDM vol. 2, FSUB "DC E8+i").
    const dc = op >= 4 ? op ^ 1 : op;
    forms.push(
      regForm(`${up} ST(i), ST(0)`, (i) => `${mn} st${i}, st0`, 0xdc, 0xc0 + dc * 8, CC_023),
    );
    forms.push(
      regForm(`${up}P ST(i), ST(0)`, (i) => `${mn}p st${i}, st0`, 0xde, 0xc0 + dc * 8, CC_023),
    );
    forms.push(memForm(up, mn, 0xd8, op, "m32fp", CC_023));
    forms.push(memForm(up, mn, 0xdc, op, "m64fp", CC_023));
    forms.push(memForm(`FI${up.slice(1)}`, `fi${mn.slice(1)}`, 0xda, op, "m32int", CC_023));
    forms.push(memForm(`FI${up.slice(1)}`, `fi${mn.slice(1)}`, 0xde, op, "m16int", CC_023));
  }
  for (const [name, bytes] of [
    ["FCHS", [0xd9, 0xe0]],
    ["FABS", [0xd9, 0xe1]],
    ["FSQRT", [0xd9, 0xfa]],
    ["FRNDINT", [0xd9, 0xfc]],
    ["FSCALE", [0xd9, 0xfd]],
    ["FXTRACT", [0xd9, 0xf4]],
  ] as const) {
    forms.push(fixedForm(name, bytes, CC_023));
  }
  for (const [name, bytes] of [
    ["FPREM", [0xd9, 0xf8]],
    ["FPREM1", [0xd9, 0xf5]],
  ] as const) {
    const form = fixedForm(name, bytes, 0);
    forms.push({
      name,
      gen: (b) => {
        b.partialRemainder = true;
        return form.gen(b);
      },
    });
  }
  return forms;
}

/** Appends FNSTSW AX half of the time (the condition codes then land in a GPR too). */
function withFnstsw(form: Form): Form {
  return {
    name: form.name,
    gen: (b) => {
      const text = form.gen(b);
      if (!b.rng.chance(0.5)) return text;
      b.set(EAX, b.gpr[EAX]);
      b.asm.byte(0xdf, 0xe0);
      b.undefinedFsw = CC_ALL; // FNSTSW leaves C0-C3 undefined; AX holds them
      return `${text}; fnstsw ax`;
    },
  };
}

function compareForms(): Form[] {
  const forms: Form[] = [
    regForm("FCOM ST(i)", (i) => `fcom st${i}`, 0xd8, 0xd0, 0),
    regForm("FCOMP ST(i)", (i) => `fcomp st${i}`, 0xd8, 0xd8, 0),
    fixedForm("FCOMPP", [0xde, 0xd9], 0),
    regForm("FUCOM ST(i)", (i) => `fucom st${i}`, 0xdd, 0xe0, 0),
    regForm("FUCOMP ST(i)", (i) => `fucomp st${i}`, 0xdd, 0xe8, 0),
    fixedForm("FUCOMPP", [0xda, 0xe9], 0),
    regForm("FCOMI ST(0), ST(i)", (i) => `fcomi st0, st${i}`, 0xdb, 0xf0, FCOMI_C1),
    regForm("FUCOMI ST(0), ST(i)", (i) => `fucomi st0, st${i}`, 0xdb, 0xe8, FCOMI_C1),
    regForm("FCOMIP ST(0), ST(i)", (i) => `fcomip st0, st${i}`, 0xdf, 0xf0, FCOMI_C1),
    regForm("FUCOMIP ST(0), ST(i)", (i) => `fucomip st0, st${i}`, 0xdf, 0xe8, FCOMI_C1),
    memForm("FCOM", "fcom", 0xd8, 2, "m32fp", 0),
    memForm("FCOMP", "fcomp", 0xdc, 3, "m64fp", 0),
    memForm("FICOM", "ficom", 0xda, 2, "m32int", 0),
    memForm("FICOMP", "ficomp", 0xde, 3, "m16int", 0),
    fixedForm("FTST", [0xd9, 0xe4], 0),
    fixedForm("FXAM", [0xd9, 0xe5], 0),
  ];
  // FCOMI's results are in EFLAGS, and its C1 is vendor-specific (x87-forms.ts): no FNSTSW.
  return forms.map((f) => (f.name.includes("COMI") ? f : withFnstsw(f)));
}

function loadStoreForms(): Form[] {
  const forms: Form[] = [
    memForm("FLD", "fld", 0xd9, 0, "m32fp", CC_023),
    memForm("FLD", "fld", 0xdd, 0, "m64fp", CC_023),
    memForm("FLD", "fld", 0xdb, 5, "m80fp", CC_023),
    regForm("FLD ST(i)", (i) => `fld st${i}`, 0xd9, 0xc0, CC_023),
    memForm("FILD", "fild", 0xdf, 0, "m16int", CC_023),
    memForm("FILD", "fild", 0xdb, 0, "m32int", CC_023),
    memForm("FILD", "fild", 0xdf, 5, "m64int", CC_023),
    memForm("FBLD", "fbld", 0xdf, 4, "m80bcd", CC_023),
    memForm("FST", "fst", 0xd9, 2, "m32fp", CC_023),
    memForm("FST", "fst", 0xdd, 2, "m64fp", CC_023),
    memForm("FSTP", "fstp", 0xd9, 3, "m32fp", CC_023),
    memForm("FSTP", "fstp", 0xdd, 3, "m64fp", CC_023),
    memForm("FSTP", "fstp", 0xdb, 7, "m80fp", CC_023),
    regForm("FST ST(i)", (i) => `fst st${i}`, 0xdd, 0xd0, CC_023),
    regForm("FSTP ST(i)", (i) => `fstp st${i}`, 0xdd, 0xd8, CC_023),
    memForm("FIST", "fist", 0xdf, 2, "m16int", CC_023),
    memForm("FIST", "fist", 0xdb, 2, "m32int", CC_023),
    memForm("FISTP", "fistp", 0xdf, 3, "m16int", CC_023),
    memForm("FISTP", "fistp", 0xdb, 3, "m32int", CC_023),
    memForm("FISTP", "fistp", 0xdf, 7, "m64int", CC_023),
    memForm("FISTTP", "fisttp", 0xdf, 1, "m16int", CC_023),
    memForm("FISTTP", "fisttp", 0xdb, 1, "m32int", CC_023),
    memForm("FISTTP", "fisttp", 0xdd, 1, "m64int", CC_023),
    memForm("FBSTP", "fbstp", 0xdf, 6, "m80bcd", CC_023),
  ];
  const consts = ["FLD1", "FLDL2T", "FLDL2E", "FLDPI", "FLDLG2", "FLDLN2", "FLDZ"];
  consts.forEach((name, k) => forms.push(fixedForm(name, [0xd9, 0xe8 + k], CC_023)));
  return forms;
}

const FCMOV = [
  ["FCMOVB", 0xda, 0xc0],
  ["FCMOVE", 0xda, 0xc8],
  ["FCMOVBE", 0xda, 0xd0],
  ["FCMOVU", 0xda, 0xd8],
  ["FCMOVNB", 0xdb, 0xc0],
  ["FCMOVNE", 0xdb, 0xc8],
  ["FCMOVNBE", 0xdb, 0xd0],
  ["FCMOVNU", 0xdb, 0xd8],
] as const;

function stackControlForms(): Form[] {
  const forms: Form[] = [
    regForm("FXCH ST(i)", (i) => `fxch st${i}`, 0xd9, 0xc8, CC_023),
    regForm("FFREE ST(i)", (i) => `ffree st${i}`, 0xdd, 0xc0, CC_ALL),
    fixedForm("FINCSTP", [0xd9, 0xf7], CC_023),
    fixedForm("FDECSTP", [0xd9, 0xf6], CC_023),
    fixedForm("FNOP", [0xd9, 0xd0], CC_ALL),
    fixedForm("FNCLEX", [0xdb, 0xe2], CC_ALL),
    fixedForm("FNINIT", [0xdb, 0xe3], 0),
    fixedForm("FWAIT", [0x9b], 0),
    memForm("FNSTCW", "fnstcw", 0xd9, 7, "m16", CC_ALL),
    memForm("FNSTSW", "fnstsw", 0xdd, 7, "m16", CC_ALL),
    {
      name: "FNSTSW AX",
      gen: (b) => {
        x87(b, CC_ALL);
        b.asm.byte(0xdf, 0xe0);
        return "fnstsw ax";
      },
    },
    {
      name: "FLDCW m16",
      gen: (b) => {
        x87(b, CC_ALL);
        const rng = b.rng;
        const cw =
          0x40 | (rng.chance(0.7) ? 0x3f : rng.int(0x40)) | (rng.int(4) << 8) | (rng.int(4) << 10);
        const { mem } = b.mem(2, { init: Uint8Array.of(cw, cw >>> 8) });
        b.asm.memRm([0xd9], 5, mem);
        return `fldcw ${m(memText(mem), 16)}`;
      },
    },
  ];
  for (const [name, opcode, base] of FCMOV) {
    forms.push(
      regForm(
        `${name} ST(0), ST(i)`,
        (i) => `${name.toLowerCase()} st0, st${i}`,
        opcode,
        base,
        CC_023,
      ),
    );
  }
  return forms;
}

export const X87_GROUPS: readonly Group[] = [
  {
    name: "x87-arith",
    title: "x87 FADD..FDIVR (reg, m32/m64, m16/m32 int), FSQRT, FPREM, FSCALE...",
    forms: arithForms(),
  },
  {
    name: "x87-compare",
    title: "x87 FCOM/FUCOM/FCOMI/FICOM/FTST/FXAM (+ FNSTSW AX)",
    forms: compareForms(),
  },
  {
    name: "x87-ldst",
    title: "x87 loads and stores: fp32/64/80, int16/32/64, BCD, FISTTP, constants",
    forms: loadStoreForms(),
  },
  {
    name: "x87-control",
    title: "x87 FXCH/FFREE/FINCSTP/FCMOVcc/FNSTSW/FLDCW/FNCLEX/FNINIT/FWAIT",
    forms: stackControlForms(),
  },
];
