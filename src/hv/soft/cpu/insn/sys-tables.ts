/**
 * Descriptor-table and machine-status instructions: 0F 00 (SLDT, STR, LLDT,
 * LTR, VERR, VERW), 0F 01 (SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG),
 * LAR (0F 02), LSL (0F 03) and ARPL (63). SDM vol. 2, each instruction.
 */
import { CR0_PE, SEG_LDTR, SEG_TR, ZF } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { raiseGP, raiseUD } from "../fault.js";
import { TWO32 } from "../int64.js";
import { setFlagsDirect } from "../flags.js";
import { defineGroup0F, defineOp, defineOp0F } from "../ops.js";
import { requireCpl0 } from "../system/control-checks.js";
import { accessRights, loadLdt, loadTr, segmentLimit, verifySegment } from "../system/tables.js";
import "../system/install.js";

/** 0F 00 and ARPL/LAR/LSL exist only in protected mode (#UD in real mode and vm86). */
function requireProtectedMode(cpu: Cpu): void {
  if (!cpu.protectedMode || cpu.vm86) raiseUD(cpu);
}

/** Stores a selector to r/m16, or zero-extended to r32/r64 with a wider operand size. */
function storeSelector(cpu: Cpu, d: Decoded, selector: number): void {
  if (d.mod === 3 && d.opSize !== 16) cpu.setReg32(d.rm, selector);
  else cpu.writeModrm16(d, selector);
}

// ---- 0F 00 ----

defineGroup0F(0x00, 0, {}, (cpu, d) => {
  requireProtectedMode(cpu);
  storeSelector(cpu, d, cpu.segSel[SEG_LDTR]);
});
defineGroup0F(0x00, 1, {}, (cpu, d) => {
  requireProtectedMode(cpu);
  storeSelector(cpu, d, cpu.segSel[SEG_TR]);
});
defineGroup0F(0x00, 2, {}, (cpu, d) => {
  requireProtectedMode(cpu);
  requireCpl0(cpu);
  loadLdt(cpu, cpu.readModrm16(d));
});
defineGroup0F(0x00, 3, {}, (cpu, d) => {
  requireProtectedMode(cpu);
  requireCpl0(cpu);
  loadTr(cpu, cpu.readModrm16(d));
});
defineGroup0F(0x00, 4, {}, (cpu, d) => {
  requireProtectedMode(cpu);
  setFlagsDirect(cpu, ZF, verifySegment(cpu, cpu.readModrm16(d), false) ? ZF : 0);
});
defineGroup0F(0x00, 5, {}, (cpu, d) => {
  requireProtectedMode(cpu);
  setFlagsDirect(cpu, ZF, verifySegment(cpu, cpu.readModrm16(d), true) ? ZF : 0);
});

// ---- 0F 01 ----

/**
 * SGDT/SIDT: limit (2 bytes) and the full 32-bit base, whatever the operand
 * size; in 64-bit mode the base is 8 bytes.
 */
function storeTableRegister(cpu: Cpu, d: Decoded, base: number, limit: number): void {
  if (cpu.mode64) {
    const lin = cpu.eaWrite(d, 10);
    cpu.checkWritable(lin, 10);
    cpu.write16(lin, limit);
    cpu.write64(lin + 2, base | 0, Math.floor(base / TWO32) | 0);
    return;
  }
  const lin = cpu.eaWrite(d, 6);
  cpu.write16(lin, limit);
  cpu.write32(lin + 2, base);
}

/**
 * LGDT/LIDT: limit and base; a 16-bit operand size keeps 24 bits of the
 * base. In 64-bit mode the base is 8 bytes and must be canonical (#GP(0)).
 */
function loadTableRegister(cpu: Cpu, d: Decoded, idt: boolean): void {
  requireCpl0(cpu);
  let base: number;
  let limit: number;
  if (cpu.mode64) {
    const lin = cpu.eaRead(d, 10);
    limit = cpu.read16(lin);
    const lo = cpu.read64(lin + 2);
    const hi = cpu.valueHi;
    if ((hi << 16) >> 16 !== hi) raiseGP(cpu, 0);
    base = hi * TWO32 + (lo >>> 0);
  } else {
    const lin = cpu.eaRead(d, 6);
    limit = cpu.read16(lin);
    const raw = cpu.read32(lin + 2);
    base = d.opSize === 16 ? raw & 0xffffff : raw >>> 0;
  }
  if (idt) {
    cpu.idtBase = base;
    cpu.idtLimit = limit;
  } else {
    cpu.gdtBase = base;
    cpu.gdtLimit = limit;
  }
}

defineGroup0F(0x01, 0, { mod: "mem" }, (cpu, d) => {
  storeTableRegister(cpu, d, cpu.gdtBase, cpu.gdtLimit);
});
defineGroup0F(0x01, 1, { mod: "mem" }, (cpu, d) => {
  storeTableRegister(cpu, d, cpu.idtBase, cpu.idtLimit);
});
defineGroup0F(0x01, 2, { mod: "mem" }, (cpu, d) => loadTableRegister(cpu, d, false));
defineGroup0F(0x01, 3, { mod: "mem" }, (cpu, d) => loadTableRegister(cpu, d, true));
/** SMSW: CR0's low word to memory; a register destination with 32/64-bit size gets all of CR0. */
defineGroup0F(0x01, 4, {}, (cpu, d) => {
  if (d.mod === 3 && d.opSize !== 16) cpu.setReg32(d.rm, cpu.cr0);
  else cpu.writeModrm16(d, cpu.cr0 & 0xffff);
});
/** LMSW: loads PE, MP, EM, TS; it can set PE but never clear it. */
defineGroup0F(0x01, 6, { endsBlock: true }, (cpu, d) => {
  requireCpl0(cpu);
  const v = cpu.readModrm16(d);
  cpu.writeCr(0, (cpu.cr0 & ~0xe) | (v & 0xf) | (cpu.cr0 & CR0_PE));
});
defineGroup0F(0x01, 7, { mod: "mem" }, (cpu, d) => {
  requireCpl0(cpu);
  cpu.invlpg(cpu.ea(d));
});

// ---- LAR, LSL ----

defineOp0F(0x02, { modrm: true }, (cpu, d) => {
  requireProtectedMode(cpu);
  const rights = accessRights(cpu, cpu.readModrm16(d));
  if (rights >= 0) {
    if (d.opSize !== 16) cpu.setReg32(d.reg, rights);
    else cpu.r16[d.reg << 2] = rights & 0xff00;
  }
  setFlagsDirect(cpu, ZF, rights >= 0 ? ZF : 0);
});
defineOp0F(0x03, { modrm: true }, (cpu, d) => {
  requireProtectedMode(cpu);
  const limit = segmentLimit(cpu, cpu.readModrm16(d));
  if (limit >= 0) {
    if (d.opSize !== 16) cpu.setReg32(d.reg, limit);
    else cpu.r16[d.reg << 2] = limit;
  }
  setFlagsDirect(cpu, ZF, limit >= 0 ? ZF : 0);
});

// ---- ARPL r/m16, r16 ----

defineOp(0x63, { modrm: true }, (cpu, d) => {
  requireProtectedMode(cpu);
  const dest = cpu.readModrmRmw16(d);
  const src = cpu.r16[d.reg << 2];
  if ((dest & 3) < (src & 3)) {
    cpu.writeModrmRmw16(d, (dest & ~3) | (src & 3));
    setFlagsDirect(cpu, ZF, ZF);
  } else {
    setFlagsDirect(cpu, ZF, 0);
  }
});
