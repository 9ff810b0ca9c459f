/**
 * SSE/SSE2 integer data rearrangement (SDM vol. 2): PUNPCKL/H* and
 * PUNPCKL/HQDQ, PACKSSWB/PACKUSWB/PACKSSDW (and SSE4.1 PACKUSDW), PSHUFD,
 * PSHUFHW, PSHUFLW, PSHUFW (MMX), PINSRW, PEXTRW, PMOVMSKB (XMM and MMX).
 * Results are built in SLOT_RES first because source and destination may
 * be the same register.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp0F, IMM_B, MAP_0F, MAP_0F38 } from "../ops.js";
import { enterMmx, mmxCheck, sseCheck } from "./check.js";
import { defineInt } from "./int-forms.js";
import { type IntOp, sat16, sat8, satU16, satU8 } from "./int-ops.js";
import { mmToSlot, slotToMm, srcMm, srcXmm } from "./operands.js";
import { SLOT_MM, SLOT_RES, type SseState } from "./state.js";

/** Interleaves the low (`high` false) or high halves of d and s in lanes of `size` bytes. */
function unpack(size: number, high: boolean): IntOp {
  return (x, d, s, n) => {
    const v = x.u8;
    const half = n / 2;
    const from = high ? half : 0;
    const out = SLOT_RES * 16;
    for (let lane = 0; lane < half / size; lane++) {
      for (let k = 0; k < size; k++) {
        v[out + 2 * lane * size + k] = v[d * 16 + from + lane * size + k];
        v[out + (2 * lane + 1) * size + k] = v[s * 16 + from + lane * size + k];
      }
    }
    for (let i = 0; i < n; i++) v[d * 16 + i] = v[out + i];
  };
}

/** Packs words to bytes (signed or unsigned saturation): d's lanes low, s's lanes high. */
function packWords(sat: (v: number) => number): IntOp {
  return (x, d, s) => {
    const w = x.i16;
    const out = SLOT_RES * 16;
    for (let i = 0; i < 8; i++) {
      x.u8[out + i] = sat(w[d * 8 + i]);
      x.u8[out + 8 + i] = sat(w[s * 8 + i]);
    }
    x.copy(d, SLOT_RES);
  };
}

/** Packs dwords to words. */
function packDwords(sat: (v: number) => number): IntOp {
  return (x, d, s) => {
    const w = x.i32;
    const out = SLOT_RES * 8;
    for (let i = 0; i < 4; i++) {
      x.u16[out + i] = sat(w[d * 4 + i]);
      x.u16[out + 4 + i] = sat(w[s * 4 + i]);
    }
    x.copy(d, SLOT_RES);
  };
}

defineInt(MAP_0F, 0x60, unpack(1, false), false);
defineInt(MAP_0F, 0x61, unpack(2, false), false);
defineInt(MAP_0F, 0x62, unpack(4, false), false);
defineInt(MAP_0F, 0x6c, unpack(8, false), false);
defineInt(MAP_0F, 0x68, unpack(1, true), false);
defineInt(MAP_0F, 0x69, unpack(2, true), false);
defineInt(MAP_0F, 0x6a, unpack(4, true), false);
defineInt(MAP_0F, 0x6d, unpack(8, true), false);
defineInt(MAP_0F, 0x63, packWords(sat8), false);
defineInt(MAP_0F, 0x67, packWords(satU8), false);
defineInt(MAP_0F, 0x6b, packDwords(sat16), false);
defineInt(MAP_0F38, 0x2b, packDwords(satU16), false);

// ---- Shuffles with an immediate ----

/** PSHUFD: dword i ← source dword imm[2i+1:2i]. */
function pshufd(x: SseState, d: number, s: number, imm: number): void {
  const u = x.u32;
  for (let i = 0; i < 4; i++) u[SLOT_RES * 4 + i] = u[s * 4 + ((imm >> (2 * i)) & 3)];
  x.copy(d, SLOT_RES);
}

/** PSHUFLW/PSHUFHW/PSHUFW: words base..base+3 shuffled within their group; others copied. */
function pshufWords(x: SseState, d: number, s: number, imm: number, base: number): void {
  const w = x.u16;
  x.copy(SLOT_RES, s);
  for (let i = 0; i < 4; i++) w[SLOT_RES * 8 + base + i] = w[s * 8 + base + ((imm >> (2 * i)) & 3)];
  x.copy(d, SLOT_RES);
}

defineOp0F(0x70, { modrm: true, imm: IMM_B, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  pshufd(cpu.sse, d.reg, srcXmm(cpu, d), d.imm);
});
defineOp0F(0x70, { modrm: true, imm: IMM_B, prefix: 0xf3 }, (cpu, d) => {
  sseCheck(cpu);
  pshufWords(cpu.sse, d.reg, srcXmm(cpu, d), d.imm, 4);
});
defineOp0F(0x70, { modrm: true, imm: IMM_B, prefix: 0xf2 }, (cpu, d) => {
  sseCheck(cpu);
  pshufWords(cpu.sse, d.reg, srcXmm(cpu, d), d.imm, 0);
});
defineOp0F(0x70, { modrm: true, imm: IMM_B }, (cpu, d) => {
  mmxCheck(cpu);
  const src = srcMm(cpu, d);
  pshufWords(cpu.sse, SLOT_MM, src, d.imm, 0);
  slotToMm(cpu, SLOT_MM, d.reg);
  enterMmx(cpu);
});

// ---- PINSRW / PEXTRW ----

/** The word PINSRW inserts: the low word of r32 or m16. */
function insertedWord(cpu: Cpu, d: Decoded): number {
  return d.mod === 3 ? cpu.getReg32(d.rm) & 0xffff : cpu.read16(cpu.eaRead(d, 2));
}

defineOp0F(0xc4, { modrm: true, imm: IMM_B, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  cpu.sse.u16[d.reg * 8 + (d.imm & 7)] = insertedWord(cpu, d);
});
defineOp0F(0xc4, { modrm: true, imm: IMM_B }, (cpu, d) => {
  mmxCheck(cpu);
  const w = insertedWord(cpu, d);
  mmToSlot(cpu, d.reg, SLOT_MM);
  cpu.sse.u16[SLOT_MM * 8 + (d.imm & 3)] = w;
  slotToMm(cpu, SLOT_MM, d.reg);
  enterMmx(cpu);
});
// PEXTRW r32, xmm/mm, imm8: zero-extended into the full register (setReg32 clears 63:32).
defineOp0F(0xc5, { modrm: true, mod: "reg", imm: IMM_B, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  cpu.setReg32(d.reg, cpu.sse.u16[d.rm * 8 + (d.imm & 7)]);
});
defineOp0F(0xc5, { modrm: true, mod: "reg", imm: IMM_B }, (cpu, d) => {
  mmxCheck(cpu);
  mmToSlot(cpu, d.rm, SLOT_MM);
  cpu.setReg32(d.reg, cpu.sse.u16[SLOT_MM * 8 + (d.imm & 3)]);
  enterMmx(cpu);
});

// ---- PMOVMSKB r32, xmm/mm: the top bit of every byte ----
function byteMask(x: SseState, slot: number, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m |= (x.u8[slot * 16 + i] >> 7) << i;
  return m;
}
defineOp0F(0xd7, { modrm: true, mod: "reg", prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  cpu.setReg32(d.reg, byteMask(cpu.sse, d.rm, 16));
});
defineOp0F(0xd7, { modrm: true, mod: "reg" }, (cpu, d) => {
  mmxCheck(cpu);
  mmToSlot(cpu, d.rm, SLOT_MM);
  cpu.setReg32(d.reg, byteMask(cpu.sse, SLOT_MM, 8));
  enterMmx(cpu);
});
