/**
 * 64-bit-mode faults: non-canonical addresses (#GP(0), or #SS(0) through
 * RSP/RBP; SDM vol. 3, 6.15 and vol. 1, 3.3.7.1), #PF on an unmapped
 * canonical address with a 64-bit CR2, misaligned MOVDQA (#GP), and opcodes
 * that are invalid in 64-bit mode (#UD; SDM vol. 2, appendix A.2.5 "i64").
 */
import { hex, leBytes, reg64Name } from "./builder64.js";
import type { Form64, Group64 } from "./group64.js";

/** Addresses just outside the canonical ranges (bits 63:47 not all equal). */
const NON_CANONICAL = [
  0x0000800000000000n,
  0xffff7ffffffffff8n,
  0x8000000000000000n,
  0x1000000000000000n,
];
/** Canonical, unmapped on both sides. */
const UNMAPPED = [0x0000003000000000n, 0x00000000f0000000n, 0x00007ff000000000n];
const INVALID_IN_64 = [
  0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0xce, 0xd4, 0xd5,
  0xd6,
];

const FORMS: Form64[] = [
  {
    name: "MOV r64, [non-canonical] (#GP)",
    gen: (b) => {
      const dst = b.reg();
      const base = b.reg();
      b.gpr[base] = b.rng.pick(NON_CANONICAL);
      b.insn({ w: true, opcode: [0x8b], reg: dst, rm: b.baseOnly(base) });
      return `mov ${reg64Name(dst, 64)}, [${reg64Name(base, 64)}]`;
    },
  },
  {
    name: "MOV [non-canonical], r32 (#GP)",
    gen: (b) => {
      const src = b.reg();
      const base = b.reg();
      b.gpr[base] = b.rng.pick(NON_CANONICAL);
      b.insn({ opcode: [0x89], reg: src, rm: b.baseOnly(base) });
      return `mov [${reg64Name(base, 64)}], ${reg64Name(src, 32)}`;
    },
  },
  {
    name: "PUSH with a non-canonical RSP (#SS)",
    gen: (b) => {
      b.gpr[4] = b.rng.pick(NON_CANONICAL) + 8n;
      b.raw(0x50);
      return "push rax";
    },
  },
  {
    name: "MOV r64, [rbp] non-canonical (#SS)",
    gen: (b) => {
      b.take(5);
      const dst = b.reg();
      b.gpr[5] = b.rng.pick(NON_CANONICAL);
      b.insn({ w: true, opcode: [0x8b], reg: dst, rm: b.baseOnly(5) });
      return `mov ${reg64Name(dst, 64)}, [rbp]`;
    },
  },
  {
    name: "MOV [unmapped], r64 (#PF, 64-bit CR2)",
    gen: (b) => {
      const src = b.reg();
      const base = b.reg();
      b.gpr[base] = b.rng.pick(UNMAPPED) + BigInt(b.rng.int(4096));
      b.insn({
        w: true,
        opcode: [b.rng.chance(0.5) ? 0x89 : 0x8b],
        reg: src,
        rm: b.baseOnly(base),
      });
      return `mov [${reg64Name(base, 64)}], ${reg64Name(src, 64)} (or load)`;
    },
  },
  {
    name: "MOV RAX, moffs64 (A1, unmapped: #PF)",
    gen: (b) => {
      const target = b.rng.pick(UNMAPPED);
      b.take(0);
      b.raw(0x48, 0xa1, ...leBytes(target, 8));
      return `mov rax, [${hex(target)}]`;
    },
  },
  {
    name: "MOVDQA xmm, m128 misaligned (#GP)",
    gen: (b) => {
      const m = b.mem(16, 0x100 + 16 * b.rng.int(64) + 1 + b.rng.int(15));
      b.insn({ prefix: [0x66], opcode: [0x0f, 0x6f], reg: b.rng.int(16), rm: m });
      return `movdqa xmm, ${m.kind === "mem" ? m.text : ""}`;
    },
  },
  {
    name: "opcode invalid in 64-bit mode (#UD)",
    gen: (b) => {
      const op = b.rng.pick(INVALID_IN_64);
      b.raw(op, 0x0a);
      return `db 0x${op.toString(16)}`;
    },
  },
];

export const FAULT64_GROUPS: readonly Group64[] = [
  {
    name: "faults64",
    title: "64-bit mode: non-canonical #GP/#SS, #PF with 64-bit CR2, #UD",
    forms: FORMS,
  },
];
