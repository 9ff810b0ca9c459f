/**
 * SSE4.1 lane inserts and extracts (SDM vol. 2): PEXTRB/PEXTRW/PEXTRD/PEXTRQ
 * and EXTRACTPS to a general register (zero-extended) or memory, PINSRB/
 * PINSRD/PINSRQ from a general register or memory, and INSERTPS (lane
 * select, insert, zero mask). REX.W selects the 64-bit forms (PEXTRQ/PINSRQ).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOpInMap, IMM_B, MAP_0F3A } from "../ops.js";
import { sseCheck } from "./check.js";
import { srcXmm32, writeLinear } from "./operands.js";

const spec = { modrm: true, prefix: 0x66, imm: IMM_B } as const;

/** Stores a `size`-byte lane value to r32 (zero-extended) or memory. */
function extractTo(cpu: Cpu, d: Decoded, v: number, size: number): void {
  if (d.mod === 3) {
    cpu.setReg32(d.rm, v);
    return;
  }
  const lin = writeLinear(cpu, d, size, false);
  if (size === 1) cpu.write8(lin, v);
  else if (size === 2) cpu.write16(lin, v);
  else cpu.write32(lin, v);
}

// PEXTRB r32/m8, xmm, imm8 (imm[3:0]).
defineOpInMap(MAP_0F3A, 0x14, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  extractTo(cpu, d, cpu.sse.u8[d.reg * 16 + (d.imm & 15)], 1);
});
// PEXTRW r32/m16, xmm, imm8 (imm[2:0]).
defineOpInMap(MAP_0F3A, 0x15, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  extractTo(cpu, d, cpu.sse.u16[d.reg * 8 + (d.imm & 7)], 2);
});
// PEXTRD r/m32, xmm, imm8 (imm[1:0]); with REX.W PEXTRQ r/m64, xmm, imm8 (imm[0]).
defineOpInMap(MAP_0F3A, 0x16, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  if (d.opSize === 64) {
    const q = d.reg * 4 + (d.imm & 1) * 2;
    cpu.writeModrm64(d, u[q], u[q + 1]);
  } else {
    extractTo(cpu, d, u[d.reg * 4 + (d.imm & 3)], 4);
  }
});
// EXTRACTPS r/m32, xmm, imm8 (imm[1:0]).
defineOpInMap(MAP_0F3A, 0x17, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  extractTo(cpu, d, cpu.sse.u32[d.reg * 4 + (d.imm & 3)], 4);
});

// PINSRB xmm, r32/m8, imm8: byte imm[3:0] ← the low byte.
defineOpInMap(MAP_0F3A, 0x20, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  const v = d.mod === 3 ? cpu.getReg32(d.rm) & 0xff : cpu.read8(cpu.eaRead(d, 1));
  cpu.sse.u8[d.reg * 16 + (d.imm & 15)] = v;
});
// PINSRD xmm, r/m32, imm8 / PINSRQ xmm, r/m64, imm8.
defineOpInMap(MAP_0F3A, 0x22, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  const u = cpu.sse.u32;
  if (d.opSize === 64) {
    const lo = cpu.readModrm64(d);
    const q = d.reg * 4 + (d.imm & 1) * 2;
    u[q] = lo;
    u[q + 1] = cpu.valueHi;
  } else {
    u[d.reg * 4 + (d.imm & 3)] = cpu.readModrm32(d);
  }
});

// INSERTPS xmm1, xmm2/m32, imm8: source lane imm[7:6] (register source only),
// destination lane imm[5:4], then lanes of imm[3:0] zeroed.
defineOpInMap(MAP_0F3A, 0x21, -1, spec, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm32(cpu, d);
  const u = cpu.sse.u32;
  const v = u[s * 4 + (d.mod === 3 ? (d.imm >> 6) & 3 : 0)];
  u[d.reg * 4 + ((d.imm >> 4) & 3)] = v;
  for (let i = 0; i < 4; i++) if ((d.imm >> i) & 1) u[d.reg * 4 + i] = 0;
});
