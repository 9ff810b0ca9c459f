/**
 * SSE data movement: aligned and unaligned 128-bit loads and stores (the
 * aligned forms sometimes get a misaligned operand: #GP), MOVSS/MOVSD in
 * both directions and register forms, half moves, SSE3 duplicating moves,
 * non-temporal stores, MOVQ/MOVD with memory, MASKMOVDQU to DS:EDI, MOVNTI.
 */
import { bit } from "../builder.js";
import { memText } from "../encoder.js";
import { DATA_ADDR, EDI } from "../layout.js";
import { type Form, type Group, r } from "./group.js";
import { dumpXmm, intLanes, safeStack, sseState, xmm, xmmMem } from "./sse-common.js";

interface Move {
  readonly mn: string;
  readonly op: readonly number[];
  /** Memory operand size (bytes). */
  readonly size: number;
  /** 16-byte alignment required (#GP otherwise). */
  readonly aligned: boolean;
  /** Forms: "load" (xmm ← mem), "store" (mem ← xmm), "reg" (register form). */
  readonly kinds: readonly ("load" | "store" | "reg")[];
}

const MOVES: readonly Move[] = [
  { mn: "movups", op: [0x0f, 0x10], size: 16, aligned: false, kinds: ["load", "reg"] },
  { mn: "movups st", op: [0x0f, 0x11], size: 16, aligned: false, kinds: ["store", "reg"] },
  { mn: "movapd", op: [0x66, 0x0f, 0x28], size: 16, aligned: true, kinds: ["load", "reg"] },
  { mn: "movaps st", op: [0x0f, 0x29], size: 16, aligned: true, kinds: ["store"] },
  { mn: "movdqa", op: [0x66, 0x0f, 0x6f], size: 16, aligned: true, kinds: ["load"] },
  { mn: "movdqu", op: [0xf3, 0x0f, 0x6f], size: 16, aligned: false, kinds: ["load", "reg"] },
  { mn: "movdqa st", op: [0x66, 0x0f, 0x7f], size: 16, aligned: true, kinds: ["store", "reg"] },
  { mn: "lddqu", op: [0xf2, 0x0f, 0xf0], size: 16, aligned: false, kinds: ["load"] },
  { mn: "movntdqa", op: [0x66, 0x0f, 0x38, 0x2a], size: 16, aligned: true, kinds: ["load"] },
  { mn: "movntps", op: [0x0f, 0x2b], size: 16, aligned: true, kinds: ["store"] },
  { mn: "movntdq", op: [0x66, 0x0f, 0xe7], size: 16, aligned: true, kinds: ["store"] },
  { mn: "movss", op: [0xf3, 0x0f, 0x10], size: 4, aligned: false, kinds: ["load", "reg"] },
  { mn: "movss st", op: [0xf3, 0x0f, 0x11], size: 4, aligned: false, kinds: ["store", "reg"] },
  { mn: "movsd", op: [0xf2, 0x0f, 0x10], size: 8, aligned: false, kinds: ["load", "reg"] },
  { mn: "movsd st", op: [0xf2, 0x0f, 0x11], size: 8, aligned: false, kinds: ["store"] },
  { mn: "movlps/movhlps", op: [0x0f, 0x12], size: 8, aligned: false, kinds: ["load", "reg"] },
  { mn: "movhps/movlhps", op: [0x0f, 0x16], size: 8, aligned: false, kinds: ["load", "reg"] },
  { mn: "movlpd", op: [0x66, 0x0f, 0x12], size: 8, aligned: false, kinds: ["load"] },
  { mn: "movhpd st", op: [0x66, 0x0f, 0x17], size: 8, aligned: false, kinds: ["store"] },
  { mn: "movlps st", op: [0x0f, 0x13], size: 8, aligned: false, kinds: ["store"] },
  { mn: "movsldup", op: [0xf3, 0x0f, 0x12], size: 16, aligned: true, kinds: ["load", "reg"] },
  { mn: "movshdup", op: [0xf3, 0x0f, 0x16], size: 16, aligned: true, kinds: ["load", "reg"] },
  { mn: "movddup", op: [0xf2, 0x0f, 0x12], size: 8, aligned: false, kinds: ["load", "reg"] },
  { mn: "movq", op: [0xf3, 0x0f, 0x7e], size: 8, aligned: false, kinds: ["load", "reg"] },
  { mn: "movq st", op: [0x66, 0x0f, 0xd6], size: 8, aligned: false, kinds: ["store", "reg"] },
  { mn: "movd", op: [0x66, 0x0f, 0x6e], size: 4, aligned: false, kinds: ["load"] },
  { mn: "movd st", op: [0x66, 0x0f, 0x7e], size: 4, aligned: false, kinds: ["store"] },
];

function moveForms(mv: Move): Form[] {
  return mv.kinds.map((kind) => ({
    name: `${mv.mn.toUpperCase()} (${kind})`,
    gen: (b) => {
      sseState(b, false);
      const x = b.rng.int(8);
      if (kind === "reg") {
        const y = b.rng.int(8);
        b.asm.regRm(mv.op, x, y);
        dumpXmm(b);
        return `${mv.mn} ${xmm(x)}, ${xmm(y)}`;
      }
      const init = intLanes(b.rng).subarray(0, mv.size);
      const { mem } = mv.size === 16 ? xmmMem(b, init, mv.aligned, 0.1) : b.mem(mv.size, { init });
      b.asm.memRm(mv.op, x, mem);
      dumpXmm(b);
      return `${mv.mn} ${memText(mem)} ${kind === "store" ? "←" : "→"} ${xmm(x)}`;
    },
  }));
}

const extra: Form[] = [
  {
    name: "MASKMOVDQU xmm, xmm",
    gen: (b) => {
      sseState(b, false);
      const offset = b.dataOffset(16);
      b.poke(offset, intLanes(b.rng));
      b.set(EDI, DATA_ADDR + offset);
      const data = b.rng.int(8);
      const mask = b.rng.int(8);
      b.asm.regRm([0x66, 0x0f, 0xf7], data, mask);
      dumpXmm(b);
      return `maskmovdqu ${xmm(data)}, ${xmm(mask)}`;
    },
  },
  {
    name: "MOVNTI m32, r32",
    gen: (b) => {
      safeStack(b);
      const src = b.reg();
      const { mem } = b.mem(4, { exclude: bit(src) });
      b.asm.memRm([0x0f, 0xc3], src, mem);
      return `movnti ${memText(mem)}, ${r(src, 32)}`;
    },
  },
];

export const SSE_MOV_GROUPS: readonly Group[] = [
  {
    name: "sse-mov",
    title: "SSE loads, stores, register moves, MASKMOVDQU, MOVNTI",
    forms: [...MOVES.flatMap(moveForms), ...extra],
  },
];
