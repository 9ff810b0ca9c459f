/**
 * Software interrupts, IRET and HLT (SDM vol. 2: INT n/INTO/INT3/INT1,
 * IRET, HLT). Delivery itself is in events.ts (real mode) or the sys
 * module (protected mode, vm86).
 */
import { MP_HALTED } from "../../../registers.js";
import { SEG_CS, VEC_BP, VEC_DB, VEC_OF } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { deliverEvent } from "../events.js";
import { raiseGP } from "../fault.js";
import { getOF } from "../flags.js";
import {
  EVENT_PRIVILEGED_SOFTWARE,
  EVENT_SOFTWARE_EXCEPTION,
  EVENT_SOFTWARE_INT,
  systemHooks,
} from "../hooks.js";
import { defineOp, IMM_B, invalidIn64 } from "../ops.js";

const BRANCH = { endsBlock: true } as const;

defineOp(0xcd, { imm: IMM_B, endsBlock: true }, (cpu, d) => {
  deliverEvent(cpu, d.imm, EVENT_SOFTWARE_INT, false, 0);
});
defineOp(0xcc, BRANCH, (cpu) => {
  deliverEvent(cpu, VEC_BP, EVENT_SOFTWARE_EXCEPTION, false, 0);
});
defineOp(0xce, BRANCH, (cpu) => {
  if (getOF(cpu) !== 0) deliverEvent(cpu, VEC_OF, EVENT_SOFTWARE_EXCEPTION, false, 0);
});
invalidIn64(0xce); // INTO
defineOp(0xf1, BRANCH, (cpu) => {
  deliverEvent(cpu, VEC_DB, EVENT_PRIVILEGED_SOFTWARE, false, 0);
});

/**
 * IRET/IRETD/IRETQ (REX.W: `opSize` 64). NMIs are unblocked even if IRET
 * then faults (SDM vol. 3, 6.7.1). Real mode here; protected mode, vm86 and
 * IA-32e mode in the sys module.
 */
function iret(cpu: Cpu, d: Decoded): void {
  cpu.nmiMasked = false;
  if (cpu.protectedMode) {
    systemHooks.iretProtected(cpu, d.opSize);
    return;
  }
  let ip: number;
  let cs: number;
  let flags: number;
  const old = cpu.getEflags();
  if (d.opSize === 16) {
    ip = cpu.stackRead16(0);
    cs = cpu.stackRead16(2);
    flags = (old & 0xffff0000) | cpu.stackRead16(4);
  } else {
    ip = cpu.stackRead32(0) >>> 0;
    cs = cpu.stackRead32(4) & 0xffff;
    // Real-address mode keeps VM, VIP, VIF (SDM vol. 2, IRET: EFLAGS ← (tempEFLAGS AND 257FD5H) OR (EFLAGS AND 1A0000H)).
    flags = (cpu.stackRead32(8) & 0x257fd5) | (old & 0x1a0000);
  }
  if (ip > cpu.segLimit[SEG_CS]) raiseGP(cpu, 0);
  cpu.adjustSp(d.opSize === 16 ? 6 : 12);
  cpu.loadSegment(SEG_CS, cs);
  cpu.eip = ip;
  cpu.setEflags(flags);
  cpu.blockStop = 1;
}
defineOp(0xcf, BRANCH, iret);

/** HLT: privileged in protected mode; the loop returns an `hlt` exit. */
function hlt(cpu: Cpu): void {
  if (cpu.protectedMode && cpu.cpl !== 0) raiseGP(cpu, 0);
  cpu.mpState = MP_HALTED;
  cpu.blockStop = 1;
}
defineOp(0xf4, BRANCH, hlt);
