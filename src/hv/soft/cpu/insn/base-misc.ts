/**
 * Small data instructions: CBW/CWDE, CWD/CDQ, XLAT, WAIT, and the multi-byte and
 * hint NOPs (0F 18-1F: PREFETCHh and reserved NOP space, SDM vol. 2, NOP
 * and PREFETCHh; they do not access memory, so they never fault).
 */
import { EAX, EBX, EDX } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp, defineOpRange, MAP_0F } from "../ops.js";
import { SEG_ACCESS_READ } from "../state.js";
import { fpuWait } from "../fpu/index.js";
import { SEG_DS } from "../constants.js";

/** CBW (AX = sign-extended AL) / CWDE (EAX = sign-extended AX) / CDQE (RAX = sign-extended EAX). */
function cbw(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) cpu.r16[EAX << 2] = (cpu.r8[0] << 24) >> 24;
  else if (d.opSize === 32) cpu.setReg32(EAX, (cpu.r16[EAX << 2] << 16) >> 16);
  else cpu.r32[(EAX << 1) | 1] = cpu.r32[EAX << 1] >> 31;
}
/** CWD (DX:AX = sign-extended AX) / CDQ (EDX:EAX) / CQO (RDX:RAX = sign-extended RAX). */
function cwd(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) cpu.r16[EDX << 2] = (cpu.r16[EAX << 2] & 0x8000) !== 0 ? 0xffff : 0;
  else if (d.opSize === 32) cpu.setReg32(EDX, cpu.r32[EAX << 1] >> 31);
  else {
    const sign = cpu.r32[(EAX << 1) | 1] >> 31;
    cpu.setReg64(EDX, sign, sign);
  }
}
defineOp(0x98, {}, cbw);
defineOp(0x99, {}, cwd);

/** XLAT: AL = [seg:(E/R)BX + AL] (DS unless overridden). */
function xlat(cpu: Cpu, d: Decoded): void {
  const seg = d.segOverride >= 0 ? d.segOverride : SEG_DS;
  const off =
    d.addrSize === 64
      ? cpu.reg64Number(EBX) + cpu.r8[0]
      : d.addrSize === 16
        ? (cpu.r16[EBX << 2] + cpu.r8[0]) & 0xffff
        : ((cpu.r32[EBX << 1] >>> 0) + cpu.r8[0]) >>> 0;
  cpu.r8[0] = cpu.read8(cpu.segLinear(seg, off, 1, SEG_ACCESS_READ));
}
defineOp(0xd7, {}, xlat);

/** WAIT/FWAIT: the FPU decides (#NM with TS+MP, #MF for a pending unmasked exception). */
defineOp(0x9b, {}, (cpu) => fpuWait(cpu));

function nop(): void {}
defineOpRange(0x18, 8, { modrm: true }, nop, MAP_0F);
