/**
 * 64-bit-mode SSE: XMM8-15 through REX.R/REX.B, and the REX.W GPR forms
 * (MOVQ, CVTSI2SD/SS r64, CVT(T)SD2SI/SS2SI r64, PINSRQ/PEXTRQ; SDM vol. 2,
 * each instruction's "REX.W" opcode rows). XMM0-15 and MXCSR are compared.
 */
import { FX_MXCSR, writeU32 } from "../fxsave.js";
import { type CaseBuilder64, type Operand, reg64Name } from "./builder64.js";
import { type Form64, type Group64, opText, regOrMem } from "./group64.js";

const xmm = (n: number): string => `xmm${n}`;

/** An XMM register number 0-15 with random contents. */
function pickXmm(b: CaseBuilder64): number {
  const n = b.rng.chance(0.6) ? 8 + b.rng.int(8) : b.rng.int(8);
  b.randomXmm(n);
  return n;
}

function xmmOperand(b: CaseBuilder64, mem: boolean, bytes: number): Operand {
  if (mem) return b.mem(bytes, b.dataOffset(bytes, bytes === 16 ? 16 : 1));
  return { kind: "reg", n: pickXmm(b) };
}

interface SseSpec {
  readonly name: string;
  readonly prefix: readonly number[];
  readonly opcode: readonly number[];
  /** xmm <- r/m (GPR), r <- xmm, or xmm <- xmm/m. */
  readonly kind: "x-from-g" | "g-from-x" | "x-from-x";
  readonly w: boolean;
  /** Memory operand size in bytes (x-from-g / x-from-x), 0 = register only. */
  readonly memBytes: number;
  readonly imm?: number;
}

const SPECS: readonly SseSpec[] = [
  {
    name: "MOVQ xmm, r/m64",
    prefix: [0x66],
    opcode: [0x0f, 0x6e],
    kind: "x-from-g",
    w: true,
    memBytes: 8,
  },
  {
    name: "MOVD xmm, r/m32",
    prefix: [0x66],
    opcode: [0x0f, 0x6e],
    kind: "x-from-g",
    w: false,
    memBytes: 4,
  },
  {
    name: "MOVQ r/m64, xmm",
    prefix: [0x66],
    opcode: [0x0f, 0x7e],
    kind: "g-from-x",
    w: true,
    memBytes: 8,
  },
  {
    name: "MOVD r/m32, xmm",
    prefix: [0x66],
    opcode: [0x0f, 0x7e],
    kind: "g-from-x",
    w: false,
    memBytes: 4,
  },
  {
    name: "CVTSI2SD xmm, r/m64",
    prefix: [0xf2],
    opcode: [0x0f, 0x2a],
    kind: "x-from-g",
    w: true,
    memBytes: 8,
  },
  {
    name: "CVTSI2SS xmm, r/m64",
    prefix: [0xf3],
    opcode: [0x0f, 0x2a],
    kind: "x-from-g",
    w: true,
    memBytes: 8,
  },
  {
    name: "CVTSI2SD xmm, r/m32",
    prefix: [0xf2],
    opcode: [0x0f, 0x2a],
    kind: "x-from-g",
    w: false,
    memBytes: 4,
  },
  {
    name: "CVTTSD2SI r64, xmm",
    prefix: [0xf2],
    opcode: [0x0f, 0x2c],
    kind: "g-from-x",
    w: true,
    memBytes: 0,
  },
  {
    name: "CVTSD2SI r64, xmm",
    prefix: [0xf2],
    opcode: [0x0f, 0x2d],
    kind: "g-from-x",
    w: true,
    memBytes: 0,
  },
  {
    name: "CVTTSS2SI r64, xmm",
    prefix: [0xf3],
    opcode: [0x0f, 0x2c],
    kind: "g-from-x",
    w: true,
    memBytes: 0,
  },
  {
    name: "CVTSS2SI r64, xmm",
    prefix: [0xf3],
    opcode: [0x0f, 0x2d],
    kind: "g-from-x",
    w: true,
    memBytes: 0,
  },
  {
    name: "CVTSD2SI r32, xmm",
    prefix: [0xf2],
    opcode: [0x0f, 0x2d],
    kind: "g-from-x",
    w: false,
    memBytes: 0,
  },
  {
    name: "PINSRQ xmm, r/m64, imm8",
    prefix: [0x66],
    opcode: [0x0f, 0x3a, 0x22],
    kind: "x-from-g",
    w: true,
    memBytes: 8,
    imm: 1,
  },
  {
    name: "PINSRD xmm, r/m32, imm8",
    prefix: [0x66],
    opcode: [0x0f, 0x3a, 0x22],
    kind: "x-from-g",
    w: false,
    memBytes: 4,
    imm: 3,
  },
  {
    name: "PEXTRQ r/m64, xmm, imm8",
    prefix: [0x66],
    opcode: [0x0f, 0x3a, 0x16],
    kind: "g-from-x",
    w: true,
    memBytes: 8,
    imm: 1,
  },
  {
    name: "PEXTRD r/m32, xmm, imm8",
    prefix: [0x66],
    opcode: [0x0f, 0x3a, 0x16],
    kind: "g-from-x",
    w: false,
    memBytes: 4,
    imm: 3,
  },
  {
    name: "PMOVMSKB r64, xmm",
    prefix: [0x66],
    opcode: [0x0f, 0xd7],
    kind: "g-from-x",
    w: true,
    memBytes: 0,
  },
  {
    name: "MOVMSKPD r64, xmm",
    prefix: [0x66],
    opcode: [0x0f, 0x50],
    kind: "g-from-x",
    w: true,
    memBytes: 0,
  },
  {
    name: "MOVDQU xmm, xmm/m128",
    prefix: [0xf3],
    opcode: [0x0f, 0x6f],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "MOVDQA xmm, xmm/m128",
    prefix: [0x66],
    opcode: [0x0f, 0x6f],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "MOVQ xmm, xmm/m64",
    prefix: [0xf3],
    opcode: [0x0f, 0x7e],
    kind: "x-from-x",
    w: false,
    memBytes: 8,
  },
  {
    name: "PADDQ xmm, xmm/m128",
    prefix: [0x66],
    opcode: [0x0f, 0xd4],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "PXOR xmm, xmm/m128",
    prefix: [0x66],
    opcode: [0x0f, 0xef],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "PSHUFB xmm, xmm/m128",
    prefix: [0x66],
    opcode: [0x0f, 0x38, 0x00],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "PCMPEQQ xmm, xmm/m128",
    prefix: [0x66],
    opcode: [0x0f, 0x38, 0x29],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "ADDPD xmm, xmm/m128",
    prefix: [0x66],
    opcode: [0x0f, 0x58],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "MULSD xmm, xmm/m64",
    prefix: [0xf2],
    opcode: [0x0f, 0x59],
    kind: "x-from-x",
    w: false,
    memBytes: 8,
  },
  {
    name: "DIVSS xmm, xmm/m32",
    prefix: [0xf3],
    opcode: [0x0f, 0x5e],
    kind: "x-from-x",
    w: false,
    memBytes: 4,
  },
  {
    name: "SQRTPD xmm, xmm/m128",
    prefix: [0x66],
    opcode: [0x0f, 0x51],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "UNPCKLPD xmm, xmm/m128",
    prefix: [0x66],
    opcode: [0x0f, 0x14],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "SHUFPS xmm, xmm/m128, imm8",
    prefix: [],
    opcode: [0x0f, 0xc6],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
    imm: 255,
  },
];

function sseForm(spec: SseSpec, mem: boolean): Form64 {
  return {
    name: `${spec.name} (${mem ? "mem" : "reg"})`,
    gen: (b) => {
      b.compareSse = true;
      if (b.rng.chance(0.3)) b.randomRounding();
      const imm = spec.imm === undefined ? [] : [b.rng.int(256) & spec.imm];
      const immText = imm.length > 0 ? `, ${imm[0]}` : "";
      const gsize = spec.w ? 64 : 32;
      if (spec.kind === "x-from-x") {
        const dst = pickXmm(b);
        const src = xmmOperand(b, mem, spec.memBytes);
        b.insn({ prefix: spec.prefix, opcode: spec.opcode, reg: dst, rm: src, imm });
        const srcText = src.kind === "reg" ? xmm(src.n) : opText(src, spec.memBytes * 8);
        return `${spec.name.split(" ")[0].toLowerCase()} ${xmm(dst)}, ${srcText}${immText}`;
      }
      const x = pickXmm(b);
      const g = regOrMem(b, mem, gsize);
      b.insn({ prefix: spec.prefix, w: spec.w, opcode: spec.opcode, reg: x, rm: g, imm });
      const gText = g.kind === "reg" ? reg64Name(g.n, gsize) : opText(g, gsize);
      const op = spec.name.split(" ")[0].toLowerCase();
      return spec.kind === "x-from-g"
        ? `${op} ${xmm(x)}, ${gText}${immText}`
        : `${op} ${gText}, ${xmm(x)}${immText}`;
    },
  };
}

/** Arithmetic with some MXCSR exceptions unmasked: #XM (vector 19) or a result. */
const UNMASKED: readonly SseSpec[] = [
  {
    name: "DIVSD xmm, xmm/m64",
    prefix: [0xf2],
    opcode: [0x0f, 0x5e],
    kind: "x-from-x",
    w: false,
    memBytes: 8,
  },
  {
    name: "ADDPS xmm, xmm/m128",
    prefix: [],
    opcode: [0x0f, 0x58],
    kind: "x-from-x",
    w: false,
    memBytes: 16,
  },
  {
    name: "CVTSD2SI r64, xmm",
    prefix: [0xf2],
    opcode: [0x0f, 0x2d],
    kind: "g-from-x",
    w: true,
    memBytes: 0,
  },
];

function unmaskedForm(spec: SseSpec): Form64 {
  const inner = sseForm(spec, false);
  return {
    name: `${spec.name} (exceptions unmasked: #XM)`,
    gen: (b) => {
      const text = inner.gen(b);
      // Clear a random subset of the six mask bits (SDM vol. 1, 10.2.3.1).
      writeU32(b.fxsave, FX_MXCSR, 0x1f80 & ~((b.rng.int(64) || 1) << 7));
      return text;
    },
  };
}

function sseForms(): Form64[] {
  const forms: Form64[] = UNMASKED.map(unmaskedForm);
  for (const spec of SPECS) {
    forms.push(sseForm(spec, false));
    if (spec.memBytes > 0) forms.push(sseForm(spec, true));
  }
  return forms;
}

export const SSE64_GROUPS: readonly Group64[] = [
  { name: "sse64", title: "64-bit mode: SSE with XMM8-15 and REX.W GPR forms", forms: sseForms() },
];
