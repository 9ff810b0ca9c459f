/**
 * Flag instructions: CLC STC CMC CLD STD CLI STI LAHF SAHF (SDM vol. 2).
 * CLI/STI follow the IOPL rules of protected mode and vm86 (no VME/PVI yet:
 * with CR4.VME those would use VIF; see SDM vol. 3, 20.3).
 */
import { SHADOW_STI } from "../../../registers.js";
import { AF, CF, DF, IF, PF, SF, ZF } from "../constants.js";
import type { Cpu } from "../cpu.js";
import { raiseGP } from "../fault.js";
import { getCF, setFlagsDirect } from "../flags.js";
import { defineOp } from "../ops.js";

defineOp(0xf8, {}, (cpu) => setFlagsDirect(cpu, CF, 0));
defineOp(0xf9, {}, (cpu) => setFlagsDirect(cpu, CF, CF));
defineOp(0xf5, {}, (cpu) => setFlagsDirect(cpu, CF, getCF(cpu) ^ CF));
defineOp(0xfc, {}, (cpu) => {
  cpu.flags &= ~DF;
});
defineOp(0xfd, {}, (cpu) => {
  cpu.flags |= DF;
});

/** CLI/STI need CPL <= IOPL in protected mode, IOPL = 3 in vm86. */
function checkIfPrivilege(cpu: Cpu): void {
  if (cpu.protectedMode && (cpu.vm86 ? cpu.iopl < 3 : cpu.cpl > cpu.iopl)) raiseGP(cpu, 0);
}

function cli(cpu: Cpu): void {
  checkIfPrivilege(cpu);
  cpu.flags &= ~IF;
}

/**
 * STI: interrupts stay inhibited until after the next instruction if IF
 * was 0 (SDM vol. 2, STI), so `sti; hlt` and `sti; ret` work as expected.
 */
function sti(cpu: Cpu): void {
  checkIfPrivilege(cpu);
  if ((cpu.flags & IF) === 0) {
    cpu.flags |= IF;
    cpu.shadow |= SHADOW_STI;
  }
  cpu.blockStop = 1;
}
defineOp(0xfa, {}, cli);
defineOp(0xfb, { endsBlock: true }, sti);

/** LAHF: AH = SF:ZF:0:AF:0:PF:1:CF. */
defineOp(0x9f, {}, (cpu) => {
  cpu.r8[1] = (cpu.getEflags() & (SF | ZF | AF | PF | CF)) | 2;
});
/** SAHF: SF ZF AF PF CF from AH. */
defineOp(0x9e, {}, (cpu) => {
  setFlagsDirect(cpu, SF | ZF | AF | PF | CF, cpu.r8[1]);
});
