/**
 * Bitwise logic and shuffles of packed floating-point data (SDM vol. 2):
 * ANDPS/ANDPD, ANDNPS/ANDNPD, ORPS/ORPD, XORPS/XORPD, UNPCKLPS/UNPCKHPS,
 * UNPCKLPD/UNPCKHPD, SHUFPS, SHUFPD. No floating-point exceptions.
 */
import { defineOp0F, IMM_B } from "../ops.js";
import { pand, pandn, por, pxor, type IntOp } from "./int-ops.js";
import { xmmHandler } from "./int-forms.js";
import { sseCheck } from "./check.js";
import { srcXmm } from "./operands.js";
import { SLOT_RES } from "./state.js";

function both(opcode: number, op: IntOp): void {
  defineOp0F(opcode, { modrm: true }, xmmHandler(op));
  defineOp0F(opcode, { modrm: true, prefix: 0x66 }, xmmHandler(op));
}
both(0x54, pand);
both(0x55, pandn);
both(0x56, por);
both(0x57, pxor);

// UNPCKLPS/UNPCKHPS: dwords d0 s0 d1 s1 (low) or d2 s2 d3 s3 (high).
function unpackDwords(high: boolean): IntOp {
  return (x, d, s) => {
    const u = x.u32;
    const k = high ? 2 : 0;
    const r = SLOT_RES * 4;
    u[r] = u[d * 4 + k];
    u[r + 1] = u[s * 4 + k];
    u[r + 2] = u[d * 4 + k + 1];
    u[r + 3] = u[s * 4 + k + 1];
    x.copy(d, SLOT_RES);
  };
}
// UNPCKLPD/UNPCKHPD: qwords d0 s0 or d1 s1.
function unpackQwords(high: boolean): IntOp {
  return (x, d, s) => {
    const u = x.u32;
    const k = high ? 2 : 0;
    const r = SLOT_RES * 4;
    u[r] = u[d * 4 + k];
    u[r + 1] = u[d * 4 + k + 1];
    u[r + 2] = u[s * 4 + k];
    u[r + 3] = u[s * 4 + k + 1];
    x.copy(d, SLOT_RES);
  };
}
defineOp0F(0x14, { modrm: true }, xmmHandler(unpackDwords(false)));
defineOp0F(0x15, { modrm: true }, xmmHandler(unpackDwords(true)));
defineOp0F(0x14, { modrm: true, prefix: 0x66 }, xmmHandler(unpackQwords(false)));
defineOp0F(0x15, { modrm: true, prefix: 0x66 }, xmmHandler(unpackQwords(true)));

// SHUFPS: dwords 0-1 chosen from the destination, 2-3 from the source, by imm8 pairs.
defineOp0F(0xc6, { modrm: true, imm: IMM_B }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const u = cpu.sse.u32;
  const r = SLOT_RES * 4;
  const imm = d.imm;
  u[r] = u[d.reg * 4 + (imm & 3)];
  u[r + 1] = u[d.reg * 4 + ((imm >> 2) & 3)];
  u[r + 2] = u[s * 4 + ((imm >> 4) & 3)];
  u[r + 3] = u[s * 4 + ((imm >> 6) & 3)];
  cpu.sse.copy(d.reg, SLOT_RES);
});
// SHUFPD: qword 0 from the destination (imm bit 0), qword 1 from the source (bit 1).
defineOp0F(0xc6, { modrm: true, imm: IMM_B, prefix: 0x66 }, (cpu, d) => {
  sseCheck(cpu);
  const s = srcXmm(cpu, d);
  const u = cpu.sse.u32;
  const r = SLOT_RES * 4;
  const a = d.reg * 4 + (d.imm & 1) * 2;
  const b = s * 4 + ((d.imm >> 1) & 1) * 2;
  u[r] = u[a];
  u[r + 1] = u[a + 1];
  u[r + 2] = u[b];
  u[r + 3] = u[b + 1];
  cpu.sse.copy(d.reg, SLOT_RES);
});
