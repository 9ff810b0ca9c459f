/**
 * SSE/SSE2/SSE3/SSE4.1 floating point: ADD/SUB/MUL/DIV/MIN/MAX/SQRT in the
 * PS/PD/SS/SD forms, ADDSUB/HADD/HSUB, CMPxx with every predicate, COMIS/
 * UCOMIS (EFLAGS), ROUNDxx, DPPS/DPPD and the conversions between floats
 * and integers. Lanes are biased to zeros, denormals, the range limits,
 * infinities and NaNs; MXCSR rounding, FTZ and DAZ are random and an
 * exception is occasionally unmasked (#XM; not for DPPS/DPPD, see below).
 * RCPPS/RSQRTPS are left out: their approximations are model-specific by
 * definition.
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { type Form, type Group, hx, r } from "./group.js";
import { dumpXmm, floatLanes, sseState, xmm, xmmMem } from "./sse-common.js";

const PREFIXES: readonly [string, number[], number][] = [
  // [suffix, prefix bytes, memory operand size]
  ["ps", [], 16],
  ["pd", [0x66], 16],
  ["ss", [0xf3], 4],
  ["sd", [0xf2], 8],
];

/** A form "OP xmm, xmm/mem" with opcode bytes `op` (after the mandatory prefix), optional imm8. */
function xmmForm(
  name: string,
  op: number[],
  memSize: number,
  memForm: boolean,
  imm?: (b: CaseBuilder) => number,
  unmaskedChance = 0.05,
): Form {
  return {
    name: `${name.toUpperCase()} xmm, ${memForm ? `m${memSize * 8}` : "xmm"}`,
    gen: (b) => {
      sseState(b, true, unmaskedChance);
      const dst = b.rng.int(8);
      let text: string;
      if (memForm) {
        const init = floatLanes(b.rng, b.rng.chance(0.5)).subarray(0, memSize);
        const aligned = memSize === 16;
        const { mem } = aligned ? xmmMem(b, init, true) : b.mem(memSize, { init });
        b.asm.memRm(op, dst, mem);
        text = `${name} ${xmm(dst)}, ${memText(mem)}`;
      } else {
        const src = b.rng.int(8);
        b.asm.regRm(op, dst, src);
        text = `${name} ${xmm(dst)}, ${xmm(src)}`;
      }
      if (imm !== undefined) {
        const v = imm(b);
        b.asm.imm(v, 1);
        text += `, ${hx(v)}`;
      }
      dumpXmm(b);
      return text;
    },
  };
}

function both(
  name: string,
  op: number[],
  memSize: number,
  imm?: (b: CaseBuilder) => number,
  unmaskedChance?: number,
): Form[] {
  return [
    xmmForm(name, op, memSize, false, imm, unmaskedChance),
    xmmForm(name, op, memSize, true, imm, unmaskedChance),
  ];
}

const ARITH: readonly [string, number][] = [
  ["add", 0x58], ["mul", 0x59], ["sub", 0x5c], ["min", 0x5d], ["div", 0x5e], ["max", 0x5f],
  ["sqrt", 0x51],
]; // prettier-ignore

function arithForms(): Form[] {
  const forms: Form[] = [];
  for (const [mn, opcode] of ARITH) {
    for (const [suffix, prefix, size] of PREFIXES) {
      forms.push(...both(mn + suffix, [...prefix, 0x0f, opcode], size));
    }
  }
  const sse3: [string, number[]][] = [
    ["addsubps", [0xf2, 0x0f, 0xd0]],
    ["addsubpd", [0x66, 0x0f, 0xd0]],
    ["haddps", [0xf2, 0x0f, 0x7c]],
    ["haddpd", [0x66, 0x0f, 0x7c]],
    ["hsubps", [0xf2, 0x0f, 0x7d]],
    ["hsubpd", [0x66, 0x0f, 0x7d]],
  ];
  for (const [mn, op] of sse3) forms.push(...both(mn, op, 16));
  return forms;
}

function compareForms(): Form[] {
  const forms: Form[] = [];
  for (const [suffix, prefix, size] of PREFIXES) {
    forms.push(...both(`cmp${suffix}`, [...prefix, 0x0f, 0xc2], size, (b) => b.rng.int(8)));
  }
  for (const [mn, op, size] of [
    ["comiss", [0x0f, 0x2f], 4],
    ["ucomiss", [0x0f, 0x2e], 4],
    ["comisd", [0x66, 0x0f, 0x2f], 8],
    ["ucomisd", [0x66, 0x0f, 0x2e], 8],
  ] as const) {
    forms.push(...both(mn, [...op], size));
  }
  const round: [string, number, number][] = [
    ["roundps", 0x08, 16],
    ["roundpd", 0x09, 16],
    ["roundss", 0x0a, 4],
    ["roundsd", 0x0b, 8],
  ];
  for (const [mn, opcode, size] of round) {
    forms.push(...both(mn, [0x66, 0x0f, 0x3a, opcode], size, (b) => b.rng.int(16)));
  }
  // DPPS/DPPD run in several internal steps; which masked flags an unmasked
  // exception in one step leaves behind is implementation-specific (an AMD
  // host omits a masked DE of the other lane): keep their exceptions masked.
  forms.push(...both("dpps", [0x66, 0x0f, 0x3a, 0x40], 16, (b) => b.rng.int(256), 0));
  forms.push(...both("dppd", [0x66, 0x0f, 0x3a, 0x41], 16, (b) => b.rng.int(256), 0));
  return forms;
}

/** Conversions with XMM operands on both sides. */
const CVT_XMM: readonly [string, number[], number][] = [
  ["cvtps2pd", [0x0f, 0x5a], 8],
  ["cvtpd2ps", [0x66, 0x0f, 0x5a], 16],
  ["cvtss2sd", [0xf3, 0x0f, 0x5a], 4],
  ["cvtsd2ss", [0xf2, 0x0f, 0x5a], 8],
  ["cvtdq2ps", [0x0f, 0x5b], 16],
  ["cvtps2dq", [0x66, 0x0f, 0x5b], 16],
  ["cvttps2dq", [0xf3, 0x0f, 0x5b], 16],
  ["cvttpd2dq", [0x66, 0x0f, 0xe6], 16],
  ["cvtdq2pd", [0xf3, 0x0f, 0xe6], 8],
  ["cvtpd2dq", [0xf2, 0x0f, 0xe6], 16],
];

function convertForms(): Form[] {
  const forms: Form[] = [];
  for (const [mn, op, size] of CVT_XMM) forms.push(...both(mn, op, size));
  // Float → 32-bit GPR.
  for (const [mn, op] of [
    ["cvtss2si", [0xf3, 0x0f, 0x2d]],
    ["cvttss2si", [0xf3, 0x0f, 0x2c]],
    ["cvtsd2si", [0xf2, 0x0f, 0x2d]],
    ["cvttsd2si", [0xf2, 0x0f, 0x2c]],
  ] as const) {
    forms.push({
      name: `${mn.toUpperCase()} r32, xmm`,
      gen: (b) => {
        sseState(b, true);
        const dst = b.reg();
        const src = b.rng.int(8);
        b.asm.regRm([...op], dst, src);
        dumpXmm(b);
        return `${mn} ${r(dst, 32)}, ${xmm(src)}`;
      },
    });
  }
  // 32-bit GPR → float.
  for (const [mn, op] of [
    ["cvtsi2ss", [0xf3, 0x0f, 0x2a]],
    ["cvtsi2sd", [0xf2, 0x0f, 0x2a]],
  ] as const) {
    forms.push({
      name: `${mn.toUpperCase()} xmm, r32`,
      gen: (b) => {
        sseState(b, true);
        const src = b.reg();
        const dst = b.rng.int(8);
        if (b.rng.chance(0.5)) b.set(src, (b.rng.u32() >> b.rng.int(32)) | 0);
        b.asm.regRm([...op], dst, src);
        dumpXmm(b);
        return `${mn} ${xmm(dst)}, ${r(src, 32)}`;
      },
    });
  }
  return forms;
}

export const SSE_FP_GROUPS: readonly Group[] = [
  { name: "sse-arith", title: "SSE/SSE2/SSE3 FP arithmetic (PS/PD/SS/SD)", forms: arithForms() },
  { name: "sse-fpcmp", title: "CMPxx, COMIS/UCOMIS, ROUNDxx, DPPS/DPPD", forms: compareForms() },
  { name: "sse-cvt", title: "CVT* between floats and integers", forms: convertForms() },
];
