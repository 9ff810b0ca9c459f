/**
 * SSE2..SSE4.2 integer instructions on XMM registers (and the SSE/SSSE3
 * forms on MMX registers): arithmetic, compares, logic, shifts, packs,
 * unpacks, shuffles, inserts/extracts, blends, sign/zero extension, SSSE3,
 * SSE4.1, PCMPxSTRx, CRC32, POPCNT and LZCNT (TZCNT is left out: the soft
 * CPU does not advertise BMI1 and so runs it as BSF).
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { FX_FCW, FX_FSW, FX_FTW, FX_ST, writeU16 } from "../fxsave.js";
import { AF, OF, PF, SF } from "../layout.js";
import { type Form, type Group, hx, r } from "./group.js";
import { dumpXmm, intLanes, safeStack, sseState, xmm, xmmMem } from "./sse-common.js";

interface Spec {
  /** Mnemonic. */
  readonly mn: string;
  /** Bytes before ModRM (mandatory prefix, 0F, map, opcode). */
  readonly op: readonly number[];
  /** imm8 generator, if the instruction has one. */
  readonly imm?: (b: CaseBuilder) => number;
  /** Size of the memory operand (16: aligned m128), 0: register form only. */
  readonly mem?: number;
  /** 16-byte memory operand without alignment requirement. */
  readonly unaligned?: boolean;
}

const anyImm = (b: CaseBuilder): number => b.rng.int(256);
const COUNTS = [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 127, 255];
const countImm = (b: CaseBuilder): number => b.rng.pick(COUNTS);

function xmmForms(s: Spec): Form[] {
  const forms: Form[] = [];
  const memSize = s.mem ?? 16;
  for (const memForm of memSize === 0 ? [false] : [false, true]) {
    forms.push({
      name: `${s.mn.toUpperCase()} xmm, ${memForm ? `m${memSize * 8}` : "xmm"}`,
      gen: (b) => {
        sseState(b, false);
        const dst = b.rng.int(8);
        let text: string;
        if (memForm) {
          const init = intLanes(b.rng).subarray(0, memSize);
          const { mem } =
            memSize === 16 && s.unaligned !== true
              ? xmmMem(b, init, true)
              : b.mem(memSize, { init });
          b.asm.memRm(s.op, dst, mem);
          text = `${s.mn} ${xmm(dst)}, ${memText(mem)}`;
        } else {
          const src = b.rng.int(8);
          if (/^ps[rl]/.test(s.mn)) {
            // Register shift counts: a small count in the low qword, sometimes huge.
            const count = new Uint8Array(16);
            count[0] = b.rng.pick(COUNTS);
            if (b.rng.chance(0.2)) count[5] = 1;
            b.fxsave.set(count, 160 + 16 * src);
          }
          b.asm.regRm(s.op, dst, src);
          text = `${s.mn} ${xmm(dst)}, ${xmm(src)}`;
        }
        if (s.imm !== undefined) {
          const v = s.imm(b);
          b.asm.imm(v, 1);
          text += `, ${hx(v)}`;
        }
        dumpXmm(b);
        return text;
      },
    });
  }
  return forms;
}

const p66 = (...op: number[]): number[] => [0x66, 0x0f, ...op];

const SSE2_ARITH: readonly [string, number][] = [
  ["paddb", 0xfc], ["paddw", 0xfd], ["paddd", 0xfe], ["paddq", 0xd4], ["paddsb", 0xec],
  ["paddsw", 0xed], ["paddusb", 0xdc], ["paddusw", 0xdd], ["psubb", 0xf8], ["psubw", 0xf9],
  ["psubd", 0xfa], ["psubq", 0xfb], ["psubsb", 0xe8], ["psubsw", 0xe9], ["psubusb", 0xd8],
  ["psubusw", 0xd9], ["pcmpeqb", 0x74], ["pcmpeqw", 0x75], ["pcmpeqd", 0x76], ["pcmpgtb", 0x64],
  ["pcmpgtw", 0x65], ["pcmpgtd", 0x66], ["pmullw", 0xd5], ["pmulhw", 0xe5], ["pmulhuw", 0xe4],
  ["pmuludq", 0xf4], ["pmaddwd", 0xf5], ["pand", 0xdb], ["pandn", 0xdf], ["por", 0xeb],
  ["pxor", 0xef], ["pminub", 0xda], ["pmaxub", 0xde], ["pminsw", 0xea], ["pmaxsw", 0xee],
  ["pavgb", 0xe0], ["pavgw", 0xe3], ["psadbw", 0xf6],
]; // prettier-ignore

const SHUFFLE: readonly Spec[] = [
  ...[0x60, 0x61, 0x62, 0x63, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d].map((o) => ({
    mn: `punpck/pack 66 0F ${o.toString(16)}`,
    op: p66(o),
  })),
  { mn: "psllw", op: p66(0xf1) }, { mn: "psrlw", op: p66(0xd1) }, { mn: "psraw", op: p66(0xe1) },
  { mn: "pslld", op: p66(0xf2) }, { mn: "psrld", op: p66(0xd2) }, { mn: "psrad", op: p66(0xe2) },
  { mn: "psllq", op: p66(0xf3) }, { mn: "psrlq", op: p66(0xd3) },
  { mn: "pshufd", op: p66(0x70), imm: anyImm },
  { mn: "pshufhw", op: [0xf3, 0x0f, 0x70], imm: anyImm },
  { mn: "pshuflw", op: [0xf2, 0x0f, 0x70], imm: anyImm },
  { mn: "shufps", op: [0x0f, 0xc6], imm: anyImm },
  { mn: "shufpd", op: p66(0xc6), imm: anyImm },
  { mn: "unpcklps", op: [0x0f, 0x14] }, { mn: "unpckhps", op: [0x0f, 0x15] },
  { mn: "unpcklpd", op: p66(0x14) }, { mn: "unpckhpd", op: p66(0x15) },
  { mn: "andps", op: [0x0f, 0x54] }, { mn: "andnpd", op: p66(0x55) },
  { mn: "orps", op: [0x0f, 0x56] }, { mn: "xorpd", op: p66(0x57) },
  { mn: "blendps", op: p66(0x3a, 0x0c), imm: anyImm },
  { mn: "blendpd", op: p66(0x3a, 0x0d), imm: anyImm },
  { mn: "pblendw", op: p66(0x3a, 0x0e), imm: anyImm },
  { mn: "blendvps", op: p66(0x38, 0x14) }, { mn: "blendvpd", op: p66(0x38, 0x15) },
  { mn: "pblendvb", op: p66(0x38, 0x10) },
  { mn: "palignr", op: p66(0x3a, 0x0f), imm: countImm },
  { mn: "insertps", op: p66(0x3a, 0x21), imm: anyImm, mem: 4 },
  ...[0x20, 0x21, 0x22, 0x23, 0x24, 0x25].flatMap((o) => [
    { mn: `pmovsx 66 0F 38 ${o.toString(16)}`, op: p66(0x38, o), mem: [8, 4, 2, 8, 4, 8][o - 0x20] },
    { mn: `pmovzx 66 0F 38 ${(o + 16).toString(16)}`, op: p66(0x38, o + 16), mem: [8, 4, 2, 8, 4, 8][o - 0x20] },
  ]),
]; // prettier-ignore

const SSSE3_SSE4: readonly Spec[] = [
  ...[0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x1c, 0x1d, 0x1e].map(
    (o) => ({ mn: `ssse3 66 0F 38 ${o.toString(16)}`, op: p66(0x38, o) }),
  ),
  ...[0x28, 0x29, 0x2b, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41].map(
    (o) => ({ mn: `sse4 66 0F 38 ${o.toString(16)}`, op: p66(0x38, o) }),
  ),
  { mn: "mpsadbw", op: p66(0x3a, 0x42), imm: anyImm },
  { mn: "ptest", op: p66(0x38, 0x17) },
  ...[0x60, 0x61, 0x62, 0x63].map((o) => ({
    mn: `pcmpxstrx 66 0F 3A ${o.toString(16)}`,
    op: p66(0x3a, o),
    imm: (b: CaseBuilder) => b.rng.int(128),
    unaligned: true,
  })),
];

/** Immediate shifts (66 0F 71/72/73 /r ib). */
function shiftImmForms(): Form[] {
  const list: [string, number, number][] = [
    ["psrlw", 0x71, 2], ["psraw", 0x71, 4], ["psllw", 0x71, 6], ["psrld", 0x72, 2],
    ["psrad", 0x72, 4], ["pslld", 0x72, 6], ["psrlq", 0x73, 2], ["psrldq", 0x73, 3],
    ["psllq", 0x73, 6], ["pslldq", 0x73, 7],
  ]; // prettier-ignore
  return list.map(([mn, opcode, ext]) => ({
    name: `${mn.toUpperCase()} xmm, imm8`,
    gen: (b) => {
      sseState(b, false);
      const reg = b.rng.int(8);
      const count = countImm(b);
      b.asm.regRm(p66(opcode), ext, reg).imm(count, 1);
      dumpXmm(b);
      return `${mn} ${xmm(reg)}, ${hx(count)}`;
    },
  }));
}

/** Instructions with a general-register operand. */
function gprForms(): Form[] {
  const list: [string, number[], boolean, boolean][] = [
    // [mnemonic, opcode, GPR is the destination, has imm8]
    ["pextrw", p66(0xc5), true, true],
    ["pmovmskb", p66(0xd7), true, false],
    ["movmskps", [0x0f, 0x50], true, false],
    ["movmskpd", p66(0x50), true, false],
    ["pinsrw", p66(0xc4), false, true],
    ["movd xmm, r32", p66(0x6e), false, false],
    ["pinsrb", p66(0x3a, 0x20), false, true],
    ["pinsrd", p66(0x3a, 0x22), false, true],
    ["cvtsi2ss", [0xf3, 0x0f, 0x2a], false, false],
  ];
  const forms: Form[] = list.map(([mn, op, gprDst, hasImm]) => ({
    name: `${mn.toUpperCase()} (gpr ${gprDst ? "dst" : "src"})`,
    gen: (b) => {
      sseState(b, false);
      const g = b.reg();
      const x = b.rng.int(8);
      // PEXTRx/PINSRx encode the XMM register in ModRM.reg for inserts, ModRM.rm for PEXTRW.
      if (gprDst) b.asm.regRm(op, g, x);
      else b.asm.regRm(op, x, g);
      const imm = hasImm ? b.rng.int(256) : -1;
      if (hasImm) b.asm.imm(imm, 1);
      dumpXmm(b);
      return `${mn} ${gprDst ? `${r(g, 32)}, ${xmm(x)}` : `${xmm(x)}, ${r(g, 32)}`}`;
    },
  }));
  // PEXTRB/PEXTRD/EXTRACTPS/MOVD r32, xmm: ModRM.reg is the XMM source, rm the GPR.
  for (const [mn, op, hasImm] of [
    ["pextrb", p66(0x3a, 0x14), true],
    ["pextrd", p66(0x3a, 0x16), true],
    ["extractps", p66(0x3a, 0x17), true],
    ["movd r32, xmm", p66(0x7e), false],
  ] as const) {
    forms.push({
      name: `${mn.toUpperCase()} r32`,
      gen: (b) => {
        sseState(b, false);
        const g = b.reg();
        const x = b.rng.int(8);
        b.asm.regRm(op, x, g);
        if (hasImm) b.asm.imm(b.rng.int(256), 1);
        dumpXmm(b);
        return `${mn} ${r(g, 32)}, ${xmm(x)}`;
      },
    });
  }
  // CRC32, POPCNT, LZCNT (integer only).
  for (const [mn, op, size, undefinedFlags] of [
    ["crc32 r32, r8", [0xf2, 0x0f, 0x38, 0xf0], 8, 0],
    ["crc32 r32, r16", [0x66, 0xf2, 0x0f, 0x38, 0xf1], 16, 0],
    ["crc32 r32, r32", [0xf2, 0x0f, 0x38, 0xf1], 32, 0],
    ["popcnt r32", [0xf3, 0x0f, 0xb8], 32, 0],
    ["popcnt r16", [0x66, 0xf3, 0x0f, 0xb8], 16, 0],
    ["lzcnt r32", [0xf3, 0x0f, 0xbd], 32, OF | SF | AF | PF],
    ["lzcnt r16", [0x66, 0xf3, 0x0f, 0xbd], 16, OF | SF | AF | PF],
  ] as const) {
    forms.push({
      name: mn.toUpperCase(),
      gen: (b) => {
        safeStack(b);
        const dst = b.reg();
        const src = b.reg();
        b.asm.regRm([...op], dst, src);
        b.undefined(undefinedFlags);
        return `${mn.split(" ")[0]} ${r(dst, mn.startsWith("crc32") ? 32 : size)}, ${r(src, size)}`;
      },
    });
  }
  return forms;
}

/** SSE/SSSE3 instructions on MMX registers. */
function mmxForms(): Form[] {
  const list: [string, number[]][] = [
    ["pavgb", [0x0f, 0xe0]], ["pavgw", [0x0f, 0xe3]], ["pminub", [0x0f, 0xda]],
    ["pmaxsw", [0x0f, 0xee]], ["pmulhuw", [0x0f, 0xe4]], ["psadbw", [0x0f, 0xf6]],
    ["paddq", [0x0f, 0xd4]], ["psubq", [0x0f, 0xfb]], ["pmuludq", [0x0f, 0xf4]],
    ["pshufb", [0x0f, 0x38, 0x00]], ["phaddw", [0x0f, 0x38, 0x01]], ["pmaddubsw", [0x0f, 0x38, 0x04]],
    ["psignd", [0x0f, 0x38, 0x0a]], ["pmulhrsw", [0x0f, 0x38, 0x0b]], ["pabsb", [0x0f, 0x38, 0x1c]],
  ]; // prettier-ignore
  return list.map(([mn, op]) => ({
    name: `${mn.toUpperCase()} mm, mm`,
    gen: (b) => {
      const fx = b.fxsave;
      for (let i = 0; i < 8; i++) {
        const bytes = new Uint8Array(10);
        b.rng.fill(bytes);
        bytes[8] = bytes[9] = 0xff;
        fx.set(bytes, FX_ST + 16 * i);
      }
      fx[FX_FTW] = 0xff;
      writeU16(fx, FX_FCW, 0x037f);
      writeU16(fx, FX_FSW, b.rng.int(8) << 11);
      b.compareFpu = true;
      safeStack(b);
      const dst = b.rng.int(8);
      const src = b.rng.int(8);
      b.asm.regRm(op, dst, src);
      return `${mn} mm${dst}, mm${src}`;
    },
  }));
}

export const SSE_INT_GROUPS: readonly Group[] = [
  {
    name: "sse-int",
    title: "SSE2 integer arithmetic, compares and logic on XMM",
    forms: SSE2_ARITH.flatMap(([mn, o]) => xmmForms({ mn, op: p66(o) })),
  },
  {
    name: "sse-shuffle",
    title: "packs, unpacks, shifts, shuffles, blends, PMOVSX/ZX on XMM",
    forms: [...SHUFFLE.flatMap(xmmForms), ...shiftImmForms()],
  },
  {
    name: "sse-ssse3-sse4",
    title: "SSSE3, SSE4.1/4.2 integer, PCMPxSTRx, GPR forms, CRC32, POPCNT, LZCNT, MMX forms",
    forms: [...SSSE3_SSE4.flatMap(xmmForms), ...gprForms(), ...mmxForms()],
  },
];
