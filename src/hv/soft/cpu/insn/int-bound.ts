/**
 * BOUND Gv, Ma (62 /r, memory operand only; the register form is #UD).
 * SDM vol. 2, BOUND: the signed index in Gv must satisfy
 * lower <= index <= upper, where the two signed bounds are consecutive
 * words/dwords at the memory operand; otherwise #BR (vector 5, a fault:
 * EIP points at the BOUND instruction). No flags change.
 */
import type { Cpu } from "../cpu.js";
import { VEC_BR } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { raiseFault } from "../fault.js";
import { defineOp, invalidIn64 } from "../ops.js";

function bound(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) {
    const lin = cpu.eaRead(d, 4);
    const lower = (cpu.read16(lin) << 16) >> 16;
    const upper = (cpu.read16(lin + 2) << 16) >> 16;
    const index = (cpu.r16[d.reg << 2] << 16) >> 16;
    if (index < lower || index > upper) raiseFault(cpu, VEC_BR, false, 0);
  } else {
    const lin = cpu.eaRead(d, 8);
    const lower = cpu.read32(lin);
    const upper = cpu.read32(lin + 4);
    const index = cpu.r32[d.reg << 1];
    if (index < lower || index > upper) raiseFault(cpu, VEC_BR, false, 0);
  }
}

defineOp(0x62, { modrm: true, mod: "mem" }, bound);
invalidIn64(0x62); // the EVEX prefix in 64-bit mode; no AVX-512 here
