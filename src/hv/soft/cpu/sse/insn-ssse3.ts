/**
 * SSSE3 (SDM vol. 2), each in an MMX form (0F 38 xx) and an XMM form
 * (66 0F 38 xx): PSHUFB, PHADDW/D, PHADDSW, PHSUBW/D, PHSUBSW, PMADDUBSW,
 * PSIGNB/W/D, PMULHRSW, PABSB/W/D, and PALIGNR (0F 3A 0F ib).
 */
import { defineOpInMap, IMM_B, MAP_0F38, MAP_0F3A } from "../ops.js";
import { enterMmx, mmxCheck, requireOsfxsr, sseCheck } from "./check.js";
import { defineInt } from "./int-forms.js";
import { type IntOp, sat16 } from "./int-ops.js";
import { mmToSlot, slotToMm, srcMm, srcXmm } from "./operands.js";
import { SLOT_MM, SLOT_RES, type SseState } from "./state.js";

const RB = SLOT_RES * 16;

/** PSHUFB: byte i ← 0 if the control byte's bit 7 is set, else dst[control mod n]. */
const pshufb: IntOp = (x, d, s, n) => {
  const v = x.u8;
  for (let i = 0; i < n; i++) {
    const c = v[s * 16 + i];
    v[RB + i] = c & 0x80 ? 0 : v[d * 16 + (c & (n - 1))];
  }
  for (let i = 0; i < n; i++) v[d * 16 + i] = v[RB + i];
};

/** Horizontal word op: pairs of the destination, then of the source. */
function hWords(f: (a: number, b: number) => number): IntOp {
  return (x, d, s, n) => {
    const w = x.i16;
    const half = n / 4; // result words from each operand
    for (let i = 0; i < half; i++) {
      w[SLOT_RES * 8 + i] = f(w[d * 8 + 2 * i], w[d * 8 + 2 * i + 1]);
      w[SLOT_RES * 8 + half + i] = f(w[s * 8 + 2 * i], w[s * 8 + 2 * i + 1]);
    }
    for (let i = 0; i < n / 2; i++) w[d * 8 + i] = w[SLOT_RES * 8 + i];
  };
}

/** Horizontal dword op. */
function hDwords(f: (a: number, b: number) => number): IntOp {
  return (x, d, s, n) => {
    const v = x.i32;
    const half = n / 8;
    for (let i = 0; i < half; i++) {
      v[SLOT_RES * 4 + i] = f(v[d * 4 + 2 * i], v[d * 4 + 2 * i + 1]);
      v[SLOT_RES * 4 + half + i] = f(v[s * 4 + 2 * i], v[s * 4 + 2 * i + 1]);
    }
    for (let i = 0; i < n / 4; i++) v[d * 4 + i] = v[SLOT_RES * 4 + i];
  };
}

/** PMADDUBSW: unsigned dst bytes × signed src bytes, adjacent products summed, saturated to words. */
const pmaddubsw: IntOp = (x, d, s, n) => {
  for (let i = 0; i < n / 2; i++) {
    const a0 = x.u8[d * 16 + 2 * i];
    const a1 = x.u8[d * 16 + 2 * i + 1];
    const b0 = x.i8[s * 16 + 2 * i];
    const b1 = x.i8[s * 16 + 2 * i + 1];
    x.i16[d * 8 + i] = sat16(a0 * b0 + a1 * b1);
  }
};

/** PSIGN*: negate where the source is negative, zero where it is zero. */
function psign(view: (x: SseState) => Int8Array | Int16Array | Int32Array, size: number): IntOp {
  return (x, d, s, n) => {
    const v = view(x);
    const per = 16 / size;
    for (let i = 0; i < n / size; i++) {
      const b = v[s * per + i];
      const a = v[d * per + i];
      v[d * per + i] = b < 0 ? -a : b === 0 ? 0 : a;
    }
  };
}

/** PABS*: absolute value of the source (the most negative value stays as its unsigned magnitude). */
function pabs(view: (x: SseState) => Int8Array | Int16Array | Int32Array, size: number): IntOp {
  return (x, d, s, n) => {
    const v = view(x);
    const per = 16 / size;
    for (let i = 0; i < n / size; i++) {
      const b = v[s * per + i];
      v[d * per + i] = b < 0 ? -b : b;
    }
  };
}

const i8 = (x: SseState) => x.i8;
const i16 = (x: SseState) => x.i16;
const i32 = (x: SseState) => x.i32;

const ops: [number, IntOp][] = [
  [0x00, pshufb],
  [0x01, hWords((a, b) => a + b)],
  [0x02, hDwords((a, b) => a + b)],
  [0x03, hWords((a, b) => sat16(a + b))],
  [0x04, pmaddubsw],
  [0x05, hWords((a, b) => a - b)],
  [0x06, hDwords((a, b) => a - b)],
  [0x07, hWords((a, b) => sat16(a - b))],
  [0x08, psign(i8, 1)],
  [0x09, psign(i16, 2)],
  [0x0a, psign(i32, 4)],
  [0x0b, (x, d, s, n) => {
    const w = x.i16;
    for (let i = 0; i < n / 2; i++) w[d * 8 + i] = (((w[d * 8 + i] * w[s * 8 + i]) >> 14) + 1) >> 1;
  }],
  [0x1c, pabs(i8, 1)],
  [0x1d, pabs(i16, 2)],
  [0x1e, pabs(i32, 4)],
]; // prettier-ignore
for (const [opcode, op] of ops) defineInt(MAP_0F38, opcode, op, true);

/** PALIGNR: the (dst:src) pair shifted right by `count` bytes, low n bytes kept. */
function palignr(x: SseState, d: number, s: number, n: number, count: number): void {
  const v = x.u8;
  for (let i = 0; i < n; i++) {
    const k = i + count; // index into src (0..n-1) then dst (n..2n-1)
    v[RB + i] = k < n ? v[s * 16 + k] : k < 2 * n ? v[d * 16 + k - n] : 0;
  }
  for (let i = 0; i < n; i++) v[d * 16 + i] = v[RB + i];
}
defineOpInMap(MAP_0F3A, 0x0f, -1, { modrm: true, imm: IMM_B, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  palignr(cpu.sse, d.reg, srcXmm(cpu, d), 16, d.imm);
});
defineOpInMap(MAP_0F3A, 0x0f, -1, { modrm: true, imm: IMM_B }, (cpu, d) => {
  requireOsfxsr(cpu);
  mmxCheck(cpu);
  const s = srcMm(cpu, d);
  mmToSlot(cpu, d.reg, SLOT_MM);
  palignr(cpu.sse, SLOT_MM, s, 8, d.imm);
  slotToMm(cpu, SLOT_MM, d.reg);
  enterMmx(cpu);
});
