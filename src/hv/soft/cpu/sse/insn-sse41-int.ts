/**
 * SSE4.1 (and SSE4.2 PCMPGTQ) packed integer instructions on XMM registers
 * (SDM vol. 2): PMOVSX/PMOVZX, PMINSB/SD/UW/UD, PMAXSB/SD/UW/UD, PMULLD,
 * PMULDQ, PCMPEQQ, PCMPGTQ, PHMINPOSUW, PTEST, MPSADBW, and the blends
 * BLENDPS/BLENDPD/PBLENDW (immediate) and BLENDVPS/BLENDVPD/PBLENDVB (XMM0).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { AF, CF, OF, PF, SF, ZF } from "../constants.js";
import { setFlagsDirect } from "../flags.js";
import { defineOpInMap, IMM_B, MAP_0F38, MAP_0F3A } from "../ops.js";
import { sseCheck } from "./check.js";
import { defineInt } from "./int-forms.js";
import { bytes, dwords, type IntOp, mulEvenDwords, udwords, words } from "./int-ops.js";
import { srcXmm, srcXmm16, srcXmm32, srcXmm64 } from "./operands.js";
import { SLOT_RES, type SseState } from "./state.js";

type Handler = (cpu: Cpu, d: Decoded) => void;
const spec66 = { modrm: true, prefix: 0x66 } as const;
const spec66ib = { modrm: true, prefix: 0x66, imm: IMM_B } as const;

// ---- PMOVSX / PMOVZX: widen the low lanes of xmm/m64|m32|m16 ----

/** Widens `count` lanes of `from` bytes (signed or not) to `to`-byte lanes. */
function pmov(from: number, to: number, signed: boolean): Handler {
  const count = 16 / to;
  const srcBytes = count * from;
  return (cpu, d) => {
    sseCheck(cpu);
    const s =
      srcBytes === 8 ? srcXmm64(cpu, d) : srcBytes === 4 ? srcXmm32(cpu, d) : srcXmm16(cpu, d);
    const x = cpu.sse;
    const u = x.u32;
    for (let i = 0; i < count; i++) {
      let v: number;
      if (from === 1) v = signed ? x.i8[s * 16 + i] : x.u8[s * 16 + i];
      else if (from === 2) v = signed ? x.i16[s * 8 + i] : x.u16[s * 8 + i];
      else v = signed ? x.i32[s * 4 + i] : x.u32[s * 4 + i];
      const at = SLOT_RES * 16 + i * to;
      if (to === 2) x.u16[at / 2] = v;
      else if (to === 4) u[at / 4] = v;
      else {
        u[at / 4] = v;
        u[at / 4 + 1] = v < 0 ? -1 : 0;
      }
    }
    x.copy(d.reg, SLOT_RES);
  };
}
const widen: [number, number, number][] = [
  [0x20, 1, 2],
  [0x21, 1, 4],
  [0x22, 1, 8],
  [0x23, 2, 4],
  [0x24, 2, 8],
  [0x25, 4, 8],
];
for (const [opcode, from, to] of widen) {
  defineOpInMap(MAP_0F38, opcode, -1, spec66, pmov(from, to, true));
  defineOpInMap(MAP_0F38, opcode + 0x10, -1, spec66, pmov(from, to, false));
}

// ---- Min / max / multiply / compare ----
const min = (a: number, b: number) => (a < b ? a : b);
const max = (a: number, b: number) => (a > b ? a : b);
const xmm38 = (opcode: number, op: IntOp) => defineInt(MAP_0F38, opcode, op, false);
xmm38(0x38, bytes(true, min));
xmm38(0x39, dwords(min));
xmm38(0x3a, words(false, min));
xmm38(0x3b, udwords(min));
xmm38(0x3c, bytes(true, max));
xmm38(0x3d, dwords(max));
xmm38(0x3e, words(false, max));
xmm38(0x3f, udwords(max));
xmm38(
  0x40,
  dwords((a, b) => Math.imul(a, b)),
);
xmm38(0x28, mulEvenDwords(true));

/** Qword compare: all ones where `f(a, b)` on the signed 64-bit lanes. */
function qwordCompare(greater: boolean): IntOp {
  return (x, d, s) => {
    const u = x.u32;
    const v = x.i32;
    for (let q = 0; q < 2; q++) {
      const a = d * 4 + 2 * q;
      const b = s * 4 + 2 * q;
      const t = greater
        ? v[a + 1] > v[b + 1] || (v[a + 1] === v[b + 1] && u[a] > u[b])
        : u[a] === u[b] && u[a + 1] === u[b + 1];
      u[a] = u[a + 1] = t ? 0xffffffff : 0;
    }
  };
}
xmm38(0x29, qwordCompare(false)); // PCMPEQQ
xmm38(0x37, qwordCompare(true)); // PCMPGTQ (SSE4.2)

// PHMINPOSUW: the smallest unsigned word (lowest index on ties) and its index.
defineOpInMap(MAP_0F38, 0x41, -1, spec66, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const w = cpu.sse.u16;
  let best = 0;
  for (let i = 1; i < 8; i++) if (w[s * 8 + i] < w[s * 8 + best]) best = i;
  const v = w[s * 8 + best];
  cpu.sse.zero(d.reg);
  w[d.reg * 8] = v;
  w[d.reg * 8 + 1] = best;
});

// PTEST: ZF = (dst AND src) = 0, CF = (NOT dst AND src) = 0; AF OF PF SF cleared.
defineOpInMap(MAP_0F38, 0x17, -1, spec66, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const u = cpu.sse.u32;
  let and = 0;
  let andn = 0;
  for (let i = 0; i < 4; i++) {
    and |= u[d.reg * 4 + i] & u[s * 4 + i];
    andn |= ~u[d.reg * 4 + i] & u[s * 4 + i];
  }
  setFlagsDirect(cpu, ZF | CF | AF | OF | PF | SF, (and === 0 ? ZF : 0) | (andn === 0 ? CF : 0));
});

// MPSADBW xmm, xmm/m128, imm8: eight sums of absolute differences of 4-byte blocks.
defineOpInMap(MAP_0F3A, 0x42, -1, spec66ib, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const v = cpu.sse.u8;
  const a = d.reg * 16 + ((d.imm >> 2) & 1) * 4;
  const b = s * 16 + (d.imm & 3) * 4;
  const w = cpu.sse.u16;
  for (let i = 0; i < 8; i++) {
    let sum = 0;
    for (let j = 0; j < 4; j++) sum += Math.abs(v[a + i + j] - v[b + j]);
    w[SLOT_RES * 8 + i] = sum;
  }
  cpu.sse.copy(d.reg, SLOT_RES);
});

// ---- Blends ----

/** Copies lane i (of `size` bytes) from source slot `s` into `d` where `pick(i)`. */
function blend(
  x: SseState,
  d: number,
  s: number,
  size: number,
  pick: (i: number) => boolean,
): void {
  const v = x.u8;
  for (let i = 0; i < 16 / size; i++) {
    if (!pick(i)) continue;
    for (let k = 0; k < size; k++) v[d * 16 + i * size + k] = v[s * 16 + i * size + k];
  }
}
function blendImm(size: number): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const s = srcXmm(cpu, d);
    blend(cpu.sse, d.reg, s, size, (i) => ((d.imm >> i) & 1) !== 0);
  };
}
function blendVar(size: number): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const s = srcXmm(cpu, d);
    const v = cpu.sse.u8;
    // The mask is the top bit of each lane of XMM0 (byte at the lane's top).
    blend(cpu.sse, d.reg, s, size, (i) => v[i * size + size - 1] >= 0x80);
  };
}
defineOpInMap(MAP_0F3A, 0x0c, -1, spec66ib, blendImm(4)); // BLENDPS
defineOpInMap(MAP_0F3A, 0x0d, -1, spec66ib, blendImm(8)); // BLENDPD
defineOpInMap(MAP_0F3A, 0x0e, -1, spec66ib, blendImm(2)); // PBLENDW
defineOpInMap(MAP_0F38, 0x14, -1, spec66, blendVar(4)); // BLENDVPS
defineOpInMap(MAP_0F38, 0x15, -1, spec66, blendVar(8)); // BLENDVPD
defineOpInMap(MAP_0F38, 0x10, -1, spec66, blendVar(1)); // PBLENDVB
