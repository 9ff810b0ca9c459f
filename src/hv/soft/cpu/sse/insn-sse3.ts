/**
 * SSE3 floating-point instructions (SDM vol. 2): ADDSUBPS/ADDSUBPD (subtract
 * in even lanes, add in odd ones) and the horizontal HADDPS/HADDPD/HSUBPS/
 * HSUBPD (pairs of adjacent lanes of the destination, then of the source).
 * Each elementary operation follows the usual rules (fp-lanes.ts), its left
 * operand being the "first source" for NaN propagation. (MOVSLDUP/MOVSHDUP/
 * MOVDDUP are in insn-move.ts, LDDQU too.)
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp0F } from "../ops.js";
import { sseCheck } from "./check.js";
import { fpAdd, fpSub } from "./fp-arith.js";
import { fpBegin, fpCommit } from "./fp-env.js";
import { lane32, lane64 } from "./fp-lanes.js";
import { srcXmm } from "./operands.js";
import { SLOT_RES } from "./state.js";

/** Runs `body(dst, src)` between fpBegin and fpCommit, then moves SLOT_RES to xmm(reg). */
function fpPacked(body: (cpu: Cpu, dst: number, src: number) => void) {
  return (cpu: Cpu, d: Decoded): void => {
    sseCheck(cpu);
    const src = srcXmm(cpu, d);
    fpBegin(cpu.fpu.mxcsr);
    body(cpu, d.reg, src);
    fpCommit(cpu);
    cpu.sse.copy(d.reg, SLOT_RES);
  };
}

const R = SLOT_RES;

// ADDSUBPS (F2 0F D0), ADDSUBPD (66 0F D0).
defineOp0F(
  0xd0,
  { modrm: true, prefix: 0xf2 },
  fpPacked((cpu, a, b) => {
    for (let i = 0; i < 4; i++)
      lane32(cpu.sse, i & 1 ? fpAdd : fpSub, a * 4 + i, b * 4 + i, R * 4 + i);
  }),
);
defineOp0F(
  0xd0,
  { modrm: true, prefix: 0x66 },
  fpPacked((cpu, a, b) => {
    lane64(cpu.sse, fpSub, a * 2, b * 2, R * 2);
    lane64(cpu.sse, fpAdd, a * 2 + 1, b * 2 + 1, R * 2 + 1);
  }),
);

// HADDPS/HSUBPS (F2 0F 7C/7D): r0 = d0∘d1, r1 = d2∘d3, r2 = s0∘s1, r3 = s2∘s3.
for (const [opcode, op] of [
  [0x7c, fpAdd],
  [0x7d, fpSub],
] as const) {
  defineOp0F(
    opcode,
    { modrm: true, prefix: 0xf2 },
    fpPacked((cpu, a, b) => {
      lane32(cpu.sse, op, a * 4, a * 4 + 1, R * 4);
      lane32(cpu.sse, op, a * 4 + 2, a * 4 + 3, R * 4 + 1);
      lane32(cpu.sse, op, b * 4, b * 4 + 1, R * 4 + 2);
      lane32(cpu.sse, op, b * 4 + 2, b * 4 + 3, R * 4 + 3);
    }),
  );
  // HADDPD/HSUBPD (66 0F 7C/7D): r0 = d0∘d1, r1 = s0∘s1.
  defineOp0F(
    opcode,
    { modrm: true, prefix: 0x66 },
    fpPacked((cpu, a, b) => {
      lane64(cpu.sse, op, a * 2, a * 2 + 1, R * 2);
      lane64(cpu.sse, op, b * 2, b * 2 + 1, R * 2 + 1);
    }),
  );
}
