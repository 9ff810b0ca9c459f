/**
 * CMOVcc (0F 40-4F) and SETcc (0F 90-9F); the condition is the opcode's low
 * nibble (SDM vol. 2, appendix B.1.4.7). SDM vol. 2, CMOVcc and SETcc.
 *
 * CMOVcc reads its source even when the condition is false, so a bad memory
 * operand faults either way (SDM: "the source operand is read"); with a
 * 32-bit operand the destination's high dword is zeroed either way (64-bit
 * mode writes the register). SETcc ignores ModRM.reg.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { testCondition } from "../flags.js";
import { defineOpRange, MAP_0F } from "../ops.js";

function cmov(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 32) {
    const v = cpu.readModrm32(d);
    cpu.setReg32(d.reg, testCondition(cpu, d.opcode & 0xf) ? v : cpu.r32[d.reg << 1]);
  } else if (d.opSize === 16) {
    const v = cpu.readModrm16(d);
    if (testCondition(cpu, d.opcode & 0xf)) cpu.r16[d.reg << 2] = v;
  } else {
    const lo = cpu.readModrm64(d);
    if (testCondition(cpu, d.opcode & 0xf)) cpu.setReg64(d.reg, lo, cpu.valueHi);
  }
}

function setcc(cpu: Cpu, d: Decoded): void {
  cpu.writeModrm8(d, testCondition(cpu, d.opcode & 0xf) ? 1 : 0);
}

defineOpRange(0x40, 16, { modrm: true }, cmov, MAP_0F);
defineOpRange(0x90, 16, { modrm: true }, setcc, MAP_0F);
