/**
 * POPCNT (F3 0F B8), LZCNT (F3 0F BD) and TZCNT (F3 0F BC) on 16/32/64-bit
 * operands (SDM vol. 2).
 *
 * On a processor without the feature the F3 prefix of 0F BD/BC is ignored
 * and the instruction is BSR/BSF (SDM vol. 2, LZCNT/TZCNT "Operation" notes),
 * so each is gated on its CPUID bit as the guest sees it: LZCNT on
 * CPUID.80000001h:ECX.LZCNT[5], TZCNT on CPUID.7.0:EBX.BMI1[3] (which this
 * model does not advertise, since BMI1 also means VEX-encoded instructions),
 * falling back to the unprefixed (alu) handler. POPCNT clears every status
 * flag but ZF (source zero). LZCNT/TZCNT set CF (source zero) and ZF (result
 * zero); OF, SF, AF, PF are undefined in the SDM: this model clears them.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { AF, CF, OF, PF, SF, ZF } from "../constants.js";
import { setFlagsDirect } from "../flags.js";
import { defineOp0F, MAP_0F, opTable, PFX_NONE } from "../ops.js";
import { FEAT_EXT_ECX_LZCNT } from "../system/cpuid.js";

const ALL = CF | PF | AF | ZF | SF | OF;
/** CPUID.(7,0):EBX bit 3: BMI1 (TZCNT among others). */
const FEAT7_BMI1 = 1 << 3;

/** Runs the unprefixed form of 0F `opcode` (BSF/BSR) for the same operands. */
function legacyForm(cpu: Cpu, d: Decoded, opcode: number): void {
  const slot = opTable[((MAP_0F * 4 + PFX_NONE) << 8) | opcode];
  const form = slot?.forms[d.mod === 3 ? 1 : 0] ?? null;
  if (form === null) throw new Error(`sse: no unprefixed form of 0F ${opcode.toString(16)}`);
  form.handler(cpu, d);
}

/** Population count of a 32-bit value. */
export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Leading zeros of hi:lo as a `bits`-wide value. */
function leadingZeros(lo: number, hi: number, bits: number): number {
  if (bits === 64) return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
  return Math.clz32(lo) - (32 - bits);
}

/** Trailing zeros of hi:lo as a `bits`-wide value (`bits` when zero). */
function trailingZeros(lo: number, hi: number, bits: number): number {
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  if (bits === 64 && hi !== 0) return 32 + 31 - Math.clz32(hi & -hi);
  return bits;
}

/** Reads the source r/m as hi:lo for the operand size; returns lo, hi in `srcHi`. */
let srcHi = 0;
function source(cpu: Cpu, d: Decoded): number {
  srcHi = 0;
  if (d.opSize === 64) {
    const lo = cpu.readModrm64(d);
    srcHi = cpu.valueHi;
    return lo;
  }
  return d.opSize === 16 ? cpu.readModrm16(d) : cpu.readModrm32(d);
}

/** Writes a count to the destination register at the operand size. */
function result(cpu: Cpu, d: Decoded, v: number): void {
  if (d.opSize === 16) cpu.r16[d.reg << 2] = v;
  else cpu.setReg64(d.reg, v, 0);
}

defineOp0F(0xb8, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  const lo = source(cpu, d);
  const n = popcount32(lo) + popcount32(srcHi);
  result(cpu, d, n);
  setFlagsDirect(cpu, ALL, n === 0 ? ZF : 0);
});

function countFlags(cpu: Cpu, count: number, bits: number): void {
  setFlagsDirect(cpu, ALL, (count === bits ? CF : 0) | (count === 0 ? ZF : 0));
}

defineOp0F(0xbd, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  if ((cpu.sys.cpuid.extendedFeaturesEcx & FEAT_EXT_ECX_LZCNT) === 0) {
    return legacyForm(cpu, d, 0xbd);
  }
  const lo = source(cpu, d);
  const n = leadingZeros(lo, srcHi, d.opSize);
  result(cpu, d, n);
  countFlags(cpu, n, d.opSize);
});

defineOp0F(0xbc, { modrm: true, prefix: 0xf3 }, (cpu, d) => {
  if ((cpu.sys.cpuid.leaf7Ebx & FEAT7_BMI1) === 0) return legacyForm(cpu, d, 0xbc);
  const lo = source(cpu, d);
  const n = trailingZeros(lo, srcHi, d.opSize);
  result(cpu, d, n);
  countFlags(cpu, n, d.opSize);
});
