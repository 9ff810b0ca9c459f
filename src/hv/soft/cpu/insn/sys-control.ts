/**
 * Control and debug registers and cache control: MOV to/from CR0/CR2/CR3/
 * CR4 (0F 20, 0F 22), MOV to/from DR0-DR7 (0F 21, 0F 23), CLTS (0F 06),
 * INVD (0F 08), WBINVD (0F 09), CLFLUSH (0F AE /7). SDM vol. 2, each
 * instruction; the CR write side effects are control.ts's. In 64-bit mode
 * the register operand is always 64 bits and REX.R reaches CR8 (the TPR).
 */
import { CR0_TS, CR4_DE, VEC_DB } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { writeControlRegister64 } from "../control.js";
import { raiseFault, raiseGP, raiseUD } from "../fault.js";
import { TWO32 } from "../int64.js";
import { defineGroup0F, defineOp0F } from "../ops.js";
import { ACCESS_READ } from "../tlb-layout.js";
import { translate } from "../tlb.js";
import {
  cr4AllowedBits,
  DR6_BD,
  DR7_GD,
  dr6Value,
  dr7Value,
  requireCpl0,
} from "../system/control-checks.js";
import "../system/install.js";

/** CR0, CR2, CR3, CR4 exist everywhere, CR8 in 64-bit mode; the others are #UD. */
function checkCrNumber(cpu: Cpu, n: number): void {
  if (n !== 0 && n !== 2 && n !== 3 && n !== 4 && !(n === 8 && cpu.mode64)) raiseUD(cpu);
}

/** A control register as a number (CR2/CR3 may exceed 32 bits in long mode). */
function readCr(cpu: Cpu, n: number): number {
  if (n === 0) return cpu.cr0;
  if (n === 2) return cpu.cr2;
  if (n === 3) return cpu.cr3;
  if (n === 8) return cpu.cr8;
  return cpu.cr4;
}

// The ModRM mod field is ignored by MOV CR/DR (always a register): only mod = 3 is registered.
defineOp0F(0x20, { modrm: true, mod: "reg" }, (cpu, d) => {
  checkCrNumber(cpu, d.reg);
  requireCpl0(cpu);
  const v = readCr(cpu, d.reg);
  if (cpu.mode64) cpu.setReg64(d.rm, v | 0, Math.floor(v / TWO32) | 0);
  else cpu.setReg32(d.rm, v);
});
defineOp0F(0x22, { modrm: true, mod: "reg", endsBlock: true }, (cpu, d) => {
  checkCrNumber(cpu, d.reg);
  requireCpl0(cpu);
  const v = cpu.r32[d.rm << 1];
  if (d.reg === 4 && (v & ~cr4AllowedBits(cpu)) !== 0) raiseGP(cpu, 0);
  if (cpu.mode64) writeControlRegister64(cpu, d.reg, v, cpu.r32[(d.rm << 1) | 1]);
  else cpu.writeCr(d.reg, v);
});

/**
 * The debug register a MOV DR names: DR4/DR5 alias DR6/DR7 unless CR4.DE
 * (then #UD); with DR7.GD set, any access raises #DB with DR6.BD (SDM vol. 3, 18.2.4).
 */
function debugRegister(cpu: Cpu, d: Decoded): number {
  requireCpl0(cpu);
  let n = d.reg;
  if (n > 7) raiseUD(cpu); // REX.R: DR8-DR15 do not exist
  if (n === 4 || n === 5) {
    if ((cpu.cr4 & CR4_DE) !== 0) raiseUD(cpu);
    n += 2;
  }
  if ((cpu.dr[7] & DR7_GD) !== 0) {
    cpu.dr[6] |= DR6_BD;
    cpu.dr[7] &= ~DR7_GD;
    raiseFault(cpu, VEC_DB, false, 0);
  }
  return n;
}

defineOp0F(0x21, { modrm: true, mod: "reg" }, (cpu, d) => {
  const n = debugRegister(cpu, d);
  cpu.setReg32(d.rm, cpu.dr[n]); // zero-extended (DR0-DR3 keep 32 bits here)
});
defineOp0F(0x23, { modrm: true, mod: "reg", endsBlock: true }, (cpu, d) => {
  const n = debugRegister(cpu, d);
  const v = cpu.r32[d.rm << 1];
  // DR6/DR7 bits 63:32 are reserved in 64-bit mode (SDM vol. 3, 18.2.6).
  if (cpu.mode64 && n >= 6 && cpu.r32[(d.rm << 1) | 1] !== 0) raiseGP(cpu, 0);
  if (n === 6) cpu.dr[6] = dr6Value(v);
  else if (n === 7) cpu.dr[7] = dr7Value(v);
  else cpu.dr[n] = v;
  cpu.blockStop = 1;
});

defineOp0F(0x06, {}, (cpu) => {
  requireCpl0(cpu);
  cpu.writeCr(0, cpu.cr0 & ~CR0_TS);
});
// INVD / WBINVD: no caches to write back or drop.
defineOp0F(0x08, {}, (cpu) => requireCpl0(cpu));
defineOp0F(0x09, {}, (cpu) => requireCpl0(cpu));

/**
 * CLFLUSH m8: no cache, but the operand is checked like a byte read
 * (segment limit, then a #PF if the page is not mapped) without touching
 * the memory itself, which may be a device.
 */
defineGroup0F(0xae, 7, { mod: "mem" }, (cpu, d) => {
  const lin = cpu.eaRead(d, 1);
  translate(cpu, lin, ACCESS_READ, cpu.cpl === 3);
});
