/**
 * SSE2 shifts of XMM registers (SDM vol. 2, PSLLW/PSRLW/PSRAW and friends):
 * by an XMM/m128 count (66 0F D1-D3, E1-E2, F1-F3; the count is the whole
 * low quadword, and counts past the lane width give zero, or the sign for
 * arithmetic shifts) and by an immediate (66 0F 71/72/73 groups), including
 * the whole-register byte shifts PSRLDQ (73 /3) and PSLLDQ (73 /7).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineGroup0F, defineOp0F, IMM_B } from "../ops.js";
import { sseCheck } from "./check.js";
import { srcXmm } from "./operands.js";
import type { SseState } from "./state.js";

const SHL = 0;
const SHR = 1;
const SAR = 2;

/** Shifts every `bits`-wide lane of register `r` by `count` (any non-negative number). */
function shiftLanes(x: SseState, r: number, kind: number, bits: number, count: number): void {
  if (bits === 64) {
    shiftQwords(x, r, kind, count);
    return;
  }
  const big = count >= bits;
  if (bits === 16) {
    if (kind === SAR) {
      const v = x.i16;
      const c = big ? 15 : count;
      for (let i = r * 8; i < r * 8 + 8; i++) v[i] >>= c;
    } else {
      const v = x.u16;
      for (let i = r * 8; i < r * 8 + 8; i++) {
        v[i] = big ? 0 : kind === SHL ? v[i] << count : v[i] >>> count;
      }
    }
    return;
  }
  if (kind === SAR) {
    const v = x.i32;
    const c = big ? 31 : count;
    for (let i = r * 4; i < r * 4 + 4; i++) v[i] >>= c;
  } else {
    const v = x.u32;
    for (let i = r * 4; i < r * 4 + 4; i++) {
      v[i] = big ? 0 : kind === SHL ? v[i] << count : v[i] >>> count;
    }
  }
}

function shiftQwords(x: SseState, r: number, kind: number, n: number): void {
  const v = x.u32;
  for (let q = 0; q < 2; q++) {
    const at = r * 4 + 2 * q;
    const lo = v[at];
    const hi = v[at + 1];
    if (n > 63) {
      v[at] = v[at + 1] = 0;
    } else if (n >= 32) {
      if (kind === SHL) {
        v[at + 1] = lo << (n - 32);
        v[at] = 0;
      } else {
        v[at] = hi >>> (n - 32);
        v[at + 1] = 0;
      }
    } else if (n > 0) {
      if (kind === SHL) {
        v[at + 1] = (hi << n) | (lo >>> (32 - n));
        v[at] = lo << n;
      } else {
        v[at] = (lo >>> n) | (hi << (32 - n));
        v[at + 1] = hi >>> n;
      }
    }
  }
}

/** Shifts register `r` as a whole by `n` bytes (left = toward higher bytes). */
function shiftBytes(x: SseState, r: number, left: boolean, n: number): void {
  const v = x.u8;
  const base = r * 16;
  if (left) {
    for (let i = 15; i >= 0; i--) v[base + i] = i - n >= 0 ? v[base + i - n] : 0;
  } else {
    for (let i = 0; i < 16; i++) v[base + i] = i + n < 16 ? v[base + i + n] : 0;
  }
}

function byRegister(kind: number, bits: number): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    sseCheck(cpu);
    const src = srcXmm(cpu, d);
    const u = cpu.sse.u32;
    const count = u[src * 4 + 1] !== 0 ? 0xffff : Math.min(u[src * 4], 0xffff);
    shiftLanes(cpu.sse, d.reg, kind, bits, count);
  };
}

function byImmediate(kind: number, bits: number): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    sseCheck(cpu);
    shiftLanes(cpu.sse, d.rm, kind, bits, d.imm);
  };
}

const table: [number, number, number, number, number][] = [
  // [opcode by register, group opcode, group reg, kind, lane bits]
  [0xf1, 0x71, 6, SHL, 16],
  [0xd1, 0x71, 2, SHR, 16],
  [0xe1, 0x71, 4, SAR, 16],
  [0xf2, 0x72, 6, SHL, 32],
  [0xd2, 0x72, 2, SHR, 32],
  [0xe2, 0x72, 4, SAR, 32],
  [0xf3, 0x73, 6, SHL, 64],
  [0xd3, 0x73, 2, SHR, 64],
];
for (const [opcode, group, reg, kind, bits] of table) {
  defineOp0F(opcode, { modrm: true, prefix: 0x66 }, byRegister(kind, bits));
  defineGroup0F(group, reg, { mod: "reg", imm: IMM_B, prefix: 0x66 }, byImmediate(kind, bits));
}

// PSRLDQ / PSLLDQ xmm, imm8: byte shifts of the whole register (counts > 15 clear it).
defineGroup0F(0x73, 3, { mod: "reg", imm: IMM_B, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  shiftBytes(cpu.sse, d.rm, false, d.imm > 16 ? 16 : d.imm);
});
defineGroup0F(0x73, 7, { mod: "reg", imm: IMM_B, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  shiftBytes(cpu.sse, d.rm, true, d.imm > 16 ? 16 : d.imm);
});
