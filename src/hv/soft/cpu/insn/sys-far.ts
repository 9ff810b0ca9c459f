/**
 * Far control transfers: JMP/CALL ptr16:16/32 (EA, 9A), JMP/CALL m16:16/32
 * (FF /5, FF /3) and RETF [imm16] (CB, CA). The mode-dependent work (code
 * segments, call gates, task switches) is in system/far.ts.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { TWO32 } from "../int64.js";
import { defineGroup, defineOp, IMM_FAR, IMM_W, invalidIn64 } from "../ops.js";
import { callFar, jumpFar, returnFar } from "../system/far.js";
import "../system/install.js";

/**
 * Reads a far pointer operand m16:16 / m16:32 / m16:64 (REX.W): offset
 * first, then the selector. A 64-bit offset is returned as a signed number.
 */
function readFarPointer(cpu: Cpu, d: Decoded): number {
  const size = d.opSize >> 3;
  const lin = cpu.eaRead(d, size + 2);
  let offset: number;
  if (size === 8) {
    const lo = cpu.read64(lin);
    offset = cpu.valueHi * TWO32 + (lo >>> 0);
  } else {
    offset = size === 4 ? cpu.read32(lin) >>> 0 : cpu.read16(lin);
  }
  cpu.sys.farSelector = cpu.read16(lin + size);
  return offset;
}

defineOp(0xea, { imm: IMM_FAR, endsBlock: true }, (cpu, d) => {
  jumpFar(cpu, d.imm2, d.imm, d.opSize);
});
defineOp(0x9a, { imm: IMM_FAR, endsBlock: true }, (cpu, d) => {
  callFar(cpu, d.imm2, d.imm, d.opSize);
});
invalidIn64(0xea, 0x9a); // no direct far pointers in 64-bit mode
defineGroup(0xff, 5, { mod: "mem", endsBlock: true }, (cpu, d) => {
  const offset = readFarPointer(cpu, d);
  jumpFar(cpu, cpu.sys.farSelector, offset, d.opSize);
});
defineGroup(0xff, 3, { mod: "mem", endsBlock: true }, (cpu, d) => {
  const offset = readFarPointer(cpu, d);
  callFar(cpu, cpu.sys.farSelector, offset, d.opSize);
});
defineOp(0xcb, { endsBlock: true }, (cpu, d) => {
  returnFar(cpu, d.opSize, 0);
});
defineOp(0xca, { imm: IMM_W, endsBlock: true }, (cpu, d) => {
  returnFar(cpu, d.opSize, d.imm);
});
