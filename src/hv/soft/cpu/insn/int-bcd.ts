/**
 * Decimal adjust and ASCII adjust: DAA (27), DAS (2F), AAA (37), AAS (3F),
 * AAM (D4 ib), AAD (D5 ib), and SALC (D6, undocumented: AL = CF ? FF : 00,
 * no flag changes). SDM vol. 2, the instructions' pseudo-code is followed
 * literally (note DAS has no "else CF = 0" for the high digit, unlike DAA).
 *
 * Undefined flags: DAA/DAS OF = 0 (Bochs); AAA/AAS leave OF, SF, ZF, PF
 * unchanged; AAM/AAD set SF, ZF, PF from AL and clear OF, AF, CF (the flags
 * of a logical result, as Bochs and QEMU do).
 */
import type { Cpu } from "../cpu.js";
import { AF, ARITH_FLAGS, CF, PF, SF, ZF } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { raiseDE } from "../fault.js";
import { getAF, getCF, setFlagsDirect, setLazyLogic } from "../flags.js";
import { defineOp, IMM_B, invalidIn64 } from "../ops.js";

/** SF, ZF and PF of an 8-bit value. */
function szp8(v: number): number {
  let p = v ^ (v >> 4);
  p ^= p >> 2;
  p ^= p >> 1;
  return ((v & 0x80) !== 0 ? SF : 0) | (v === 0 ? ZF : 0) | ((p & 1) === 0 ? PF : 0);
}

function daa(cpu: Cpu): void {
  const oldAl = cpu.r8[0];
  const oldCf = getCF(cpu);
  let al = oldAl;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || getAF(cpu) !== 0) {
    al += 6;
    cf = oldCf | (al > 0xff ? 1 : 0);
    al &= 0xff;
    af = AF;
  }
  if (oldAl > 0x99 || oldCf !== 0) {
    al = (al + 0x60) & 0xff;
    cf = 1;
  } else {
    cf = 0;
  }
  cpu.r8[0] = al;
  setFlagsDirect(cpu, ARITH_FLAGS, szp8(al) | af | cf);
}

function das(cpu: Cpu): void {
  const oldAl = cpu.r8[0];
  const oldCf = getCF(cpu);
  let al = oldAl;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || getAF(cpu) !== 0) {
    cf = oldCf | (al < 6 ? 1 : 0);
    al = (al - 6) & 0xff;
    af = AF;
  }
  if (oldAl > 0x99 || oldCf !== 0) {
    al = (al - 0x60) & 0xff;
    cf = 1;
  }
  cpu.r8[0] = al;
  setFlagsDirect(cpu, ARITH_FLAGS, szp8(al) | af | cf);
}

/** AAA: AX + 106H on adjustment (the 286+ form, so AL's carry reaches AH). */
function aaa(cpu: Cpu): void {
  if ((cpu.r8[0] & 0x0f) > 9 || getAF(cpu) !== 0) {
    cpu.r16[0] = cpu.r16[0] + 0x106;
    cpu.r8[0] &= 0x0f;
    setFlagsDirect(cpu, AF | CF, AF | CF);
  } else {
    cpu.r8[0] &= 0x0f;
    setFlagsDirect(cpu, AF | CF, 0);
  }
}

/** AAS: AX - 6 then AH - 1 (together AX - 106H) on adjustment. */
function aas(cpu: Cpu): void {
  if ((cpu.r8[0] & 0x0f) > 9 || getAF(cpu) !== 0) {
    cpu.r16[0] = cpu.r16[0] - 0x106;
    cpu.r8[0] &= 0x0f;
    setFlagsDirect(cpu, AF | CF, AF | CF);
  } else {
    cpu.r8[0] &= 0x0f;
    setFlagsDirect(cpu, AF | CF, 0);
  }
}

/** AAM ib: AH = AL / ib, AL = AL mod ib; #DE when ib = 0. */
function aam(cpu: Cpu, d: Decoded): void {
  const base = d.imm;
  if (base === 0) raiseDE(cpu);
  const al = cpu.r8[0];
  const q = (al / base) | 0;
  cpu.r8[1] = q;
  cpu.r8[0] = al - q * base;
  setLazyLogic(cpu, cpu.r8[0], 8);
}

/** AAD ib: AL = (AL + AH * ib) mod 256, AH = 0. */
function aad(cpu: Cpu, d: Decoded): void {
  const al = (cpu.r8[0] + cpu.r8[1] * d.imm) & 0xff;
  cpu.r16[0] = al;
  setLazyLogic(cpu, al, 8);
}

function salc(cpu: Cpu): void {
  cpu.r8[0] = getCF(cpu) !== 0 ? 0xff : 0;
}

defineOp(0x27, {}, daa);
defineOp(0x2f, {}, das);
defineOp(0x37, {}, aaa);
defineOp(0x3f, {}, aas);
defineOp(0xd4, { imm: IMM_B }, aam);
defineOp(0xd5, { imm: IMM_B }, aad);
defineOp(0xd6, {}, salc);
// None of them exists in 64-bit mode (SDM vol. 2, table A-2 "i64").
invalidIn64(0x27, 0x2f, 0x37, 0x3f, 0xd4, 0xd5, 0xd6);
