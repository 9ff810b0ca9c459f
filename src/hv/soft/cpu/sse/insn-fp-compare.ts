/**
 * Floating-point comparisons (SDM vol. 2): CMPPS/CMPPD/CMPSS/CMPSD with the
 * eight predicates of imm8[2:0] (all ones or all zeros per lane), and
 * COMISS/COMISD/UCOMISS/UCOMISD, which set ZF, PF, CF (unordered 111,
 * greater 000, less 001, equal 100) and clear OF, SF, AF. COMIS* signal
 * invalid for any NaN, UCOMIS* only for an SNaN.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { AF, CF, OF, PF, SF, ZF } from "../constants.js";
import { setFlagsDirect } from "../flags.js";
import { defineOp0F, IMM_B } from "../ops.js";
import { sseCheck } from "./check.js";
import { fpBegin, fpCommit } from "./fp-env.js";
import {
  CMP_EQUAL,
  CMP_LESS,
  CMP_UNORDERED,
  compare32,
  compare64,
  predicate,
  predicateSignals,
} from "./fp-lanes.js";
import { srcXmm, srcXmm32, srcXmm64 } from "./operands.js";
import { SLOT_RES } from "./state.js";

type Handler = (cpu: Cpu, d: Decoded) => void;

/** CMPPS (lanes 4, wide false), CMPPD (2, true), CMPSS (1, false), CMPSD (1, true). */
function cmp(lanes: number, wide: boolean): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const s = lanes > 1 ? srcXmm(cpu, d) : wide ? srcXmm64(cpu, d) : srcXmm32(cpu, d);
    const x = cpu.sse;
    const p = d.imm & 7;
    const signals = predicateSignals(p);
    fpBegin(cpu.fpu.mxcsr);
    const u = x.u32;
    for (let i = 0; i < lanes; i++) {
      if (wide) {
        const r = predicate(p, compare64(x, d.reg * 2 + i, s * 2 + i, signals)) ? -1 : 0;
        u[SLOT_RES * 4 + 2 * i] = u[SLOT_RES * 4 + 2 * i + 1] = r;
      } else {
        u[SLOT_RES * 4 + i] = predicate(p, compare32(x, d.reg * 4 + i, s * 4 + i, signals))
          ? -1
          : 0;
      }
    }
    fpCommit(cpu);
    const n = wide ? lanes * 2 : lanes;
    for (let i = 0; i < n; i++) u[d.reg * 4 + i] = u[SLOT_RES * 4 + i];
  };
}
defineOp0F(0xc2, { modrm: true, imm: IMM_B }, cmp(4, false));
defineOp0F(0xc2, { modrm: true, imm: IMM_B, prefix: 0x66 }, cmp(2, true));
defineOp0F(0xc2, { modrm: true, imm: IMM_B, prefix: 0xf3 }, cmp(1, false));
defineOp0F(0xc2, { modrm: true, imm: IMM_B, prefix: 0xf2 }, cmp(1, true));

/** COMISS/UCOMISS (wide false), COMISD/UCOMISD (true). */
function comis(wide: boolean, ordered: boolean): Handler {
  return (cpu, d) => {
    sseCheck(cpu);
    const s = wide ? srcXmm64(cpu, d) : srcXmm32(cpu, d);
    fpBegin(cpu.fpu.mxcsr);
    const rel = wide
      ? compare64(cpu.sse, d.reg * 2, s * 2, ordered)
      : compare32(cpu.sse, d.reg * 4, s * 4, ordered);
    fpCommit(cpu);
    const flags =
      rel === CMP_UNORDERED ? ZF | PF | CF : rel === CMP_LESS ? CF : rel === CMP_EQUAL ? ZF : 0;
    setFlagsDirect(cpu, ZF | PF | CF | OF | SF | AF, flags);
  };
}
defineOp0F(0x2f, { modrm: true }, comis(false, true));
defineOp0F(0x2f, { modrm: true, prefix: 0x66 }, comis(true, true));
defineOp0F(0x2e, { modrm: true }, comis(false, false));
defineOp0F(0x2e, { modrm: true, prefix: 0x66 }, comis(true, false));
