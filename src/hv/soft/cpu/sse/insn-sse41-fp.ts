/**
 * SSE4.1 floating-point instructions (SDM vol. 2): ROUNDPS/PD/SS/SD and the
 * dot products DPPS/DPPD.
 *
 * ROUND*: imm8[1:0] is the rounding mode unless imm8[2] selects MXCSR.RC;
 * imm8[3] suppresses the precision exception. An SNaN raises IE and is
 * quieted; DAZ applies to the source; no DE.
 * DPPS/DPPD: the products selected by imm8[7:4] (others +0.0) are summed
 * pairwise — (p0 + p1) + (p2 + p3) — each step rounded under MXCSR with its
 * own exceptions; the sum goes to the lanes selected by imm8[3:0], zeros
 * elsewhere.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOpInMap, IMM_B, MAP_0F3A } from "../ops.js";
import { sseCheck } from "./check.js";
import { roundToInteger } from "./fp-convert.js";
import { fp, fpBegin, fpCommit, MX_IE, MX_PE } from "./fp-env.js";
import { fpAdd, fpMul } from "./fp-arith.js";
import { QUIET32, QUIET64_HI, isDenormal32, isDenormal64, isNan32, isNan64 } from "./fp-format.js";
import { lane32, lane64 } from "./fp-lanes.js";
import { srcXmm, srcXmm32, srcXmm64 } from "./operands.js";
import { SLOT_RES, SLOT_TMP, SLOT_TMP2, type SseState } from "./state.js";

const spec = { modrm: true, prefix: 0x66, imm: IMM_B } as const;

/** Rounds single lane `ia` to an integral value into lane `io`. */
function roundLane32(x: SseState, ia: number, io: number, rc: number, quiet: boolean): void {
  const b = x.u32[ia];
  if (isNan32(b)) {
    if ((b & QUIET32) === 0) fp.flags |= MX_IE;
    x.u32[io] = (b | QUIET32) >>> 0;
    return;
  }
  const v = fp.daz && isDenormal32(b) ? (b >>> 31 ? -0 : 0) : x.f32[ia];
  const r = roundToInteger(v, rc);
  if (r !== v && !quiet) fp.flags |= MX_PE;
  x.f32[io] = r;
}

/** Rounds double lane `ia` (f64 units) into lane `io`. */
function roundLane64(x: SseState, ia: number, io: number, rc: number, quiet: boolean): void {
  const lo = x.u32[2 * ia];
  const hi = x.u32[2 * ia + 1];
  if (isNan64(lo, hi)) {
    if ((hi & QUIET64_HI) === 0) fp.flags |= MX_IE;
    x.u32[2 * io] = lo;
    x.u32[2 * io + 1] = hi | QUIET64_HI;
    return;
  }
  const v = fp.daz && isDenormal64(lo, hi) ? (hi >>> 31 ? -0 : 0) : x.f64[ia];
  const r = roundToInteger(v, rc);
  if (r !== v && !quiet) fp.flags |= MX_PE;
  x.f64[io] = r;
}

/** ROUNDPS (lanes 4), ROUNDPD (2), ROUNDSS (1, single), ROUNDSD (1, double). */
function round(lanes: number, wide: boolean) {
  return (cpu: Cpu, d: Decoded): void => {
    sseCheck(cpu);
    const s = lanes > 1 ? srcXmm(cpu, d) : wide ? srcXmm64(cpu, d) : srcXmm32(cpu, d);
    fpBegin(cpu.fpu.mxcsr);
    const rc = (d.imm & 4) !== 0 ? fp.rc : d.imm & 3;
    const quiet = (d.imm & 8) !== 0;
    const x = cpu.sse;
    for (let i = 0; i < lanes; i++) {
      if (wide) roundLane64(x, s * 2 + i, SLOT_RES * 2 + i, rc, quiet);
      else roundLane32(x, s * 4 + i, SLOT_RES * 4 + i, rc, quiet);
    }
    fpCommit(cpu);
    const n = wide ? lanes * 2 : lanes;
    for (let i = 0; i < n; i++) x.u32[d.reg * 4 + i] = x.u32[SLOT_RES * 4 + i];
  };
}
defineOpInMap(MAP_0F3A, 0x08, -1, spec, round(4, false));
defineOpInMap(MAP_0F3A, 0x09, -1, spec, round(2, true));
defineOpInMap(MAP_0F3A, 0x0a, -1, spec, round(1, false));
defineOpInMap(MAP_0F3A, 0x0b, -1, spec, round(1, true));

const T = SLOT_TMP;
const T2 = SLOT_TMP2;

// DPPS xmm, xmm/m128, imm8.
defineOpInMap(MAP_0F3A, 0x40, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const x = cpu.sse;
  fpBegin(cpu.fpu.mxcsr);
  for (let i = 0; i < 4; i++) {
    if ((d.imm >> (4 + i)) & 1) lane32(x, fpMul, d.reg * 4 + i, s * 4 + i, T * 4 + i);
    else x.u32[T * 4 + i] = 0;
  }
  lane32(x, fpAdd, T * 4, T * 4 + 1, T2 * 4);
  lane32(x, fpAdd, T * 4 + 2, T * 4 + 3, T2 * 4 + 1);
  lane32(x, fpAdd, T2 * 4, T2 * 4 + 1, T2 * 4 + 2);
  fpCommit(cpu);
  const sum = x.u32[T2 * 4 + 2];
  for (let i = 0; i < 4; i++) x.u32[d.reg * 4 + i] = (d.imm >> i) & 1 ? sum : 0;
});

// DPPD xmm, xmm/m128, imm8 (imm[5:4] products, imm[1:0] destination lanes).
defineOpInMap(MAP_0F3A, 0x41, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const x = cpu.sse;
  fpBegin(cpu.fpu.mxcsr);
  for (let i = 0; i < 2; i++) {
    if ((d.imm >> (4 + i)) & 1) lane64(x, fpMul, d.reg * 2 + i, s * 2 + i, T * 2 + i);
    else x.u32[T * 4 + 2 * i] = x.u32[T * 4 + 2 * i + 1] = 0;
  }
  lane64(x, fpAdd, T * 2, T * 2 + 1, T2 * 2);
  fpCommit(cpu);
  const lo = x.u32[T2 * 4];
  const hi = x.u32[T2 * 4 + 1];
  for (let i = 0; i < 2; i++) {
    const on = (d.imm >> i) & 1;
    x.u32[d.reg * 4 + 2 * i] = on ? lo : 0;
    x.u32[d.reg * 4 + 2 * i + 1] = on ? hi : 0;
  }
});
