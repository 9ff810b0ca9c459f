/**
 * Extension points of the soft CPU core, filled by the modules that own the
 * behaviour (they assign the functions at import time, like opcode
 * registration in ops.ts; insn/index.ts imports every such module):
 *
 *   - `systemHooks` — the "sys" engineer (src/hv/soft/cpu/system/):
 *     protected-mode event delivery through the IDT, segment loads from
 *     descriptors, protected-mode IRET, the TSS I/O bitmap, MSRs and CPUID.
 *   - `fpuHooks` — the FPU engineer (src/hv/soft/cpu/fpu/): the X87 and SSE
 *     register sets for getState/setState.
 *   - `registerCpuInitializer` — per-CPU state owned by another module.
 *     Declare the field with TypeScript module augmentation and create it in
 *     an initializer (it runs at the end of every Cpu constructor):
 *
 *         declare module "../cpu.js" { interface Cpu { fpu: FpuState } }
 *         registerCpuInitializer((cpu) => { cpu.fpu = new FpuState(); });
 *
 * Hooks are code, not state: module-level is fine (several VMs share them).
 * The defaults make a missing implementation visible as an `internal-error`
 * exit instead of silently doing the wrong thing.
 */
import type { RegisterValue, RegSet } from "../../registers.js";
import type { Cpu } from "./cpu.js";
import { raiseGP, raiseInternalError } from "./fault.js";

/** What kind of event is delivered (decides error codes, DPL checks and the saved EIP). */
export const EVENT_EXCEPTION = 0;
/** An external (maskable) interrupt from the interrupt controller. */
export const EVENT_EXTERNAL = 1;
export const EVENT_NMI = 2;
/** INT n (CD ib): gate DPL is checked against CPL; vm86 IOPL rules apply. */
export const EVENT_SOFTWARE_INT = 3;
/** INT3 / INTO: software-raised exceptions (gate DPL checked, no vm86 IOPL check). */
export const EVENT_SOFTWARE_EXCEPTION = 4;
/** INT1 / ICEBP (F1): privileged software exception (no DPL check). */
export const EVENT_PRIVILEGED_SOFTWARE = 5;

export interface SystemHooks {
  /**
   * Delivers `vector` in protected mode or vm86 (SDM vol. 3, 6.12, 20.3):
   * reads the IDT gate, switches stacks, pushes the frame (and `errorCode`
   * when `hasError`), loads CS:EIP. `cpu.eip` already holds the return
   * address (the faulting instruction for faults, the next one for traps
   * and INT n). Must raise faults (#GP/#NP/#SS/#TS/#PF) *before* committing
   * any register, so that a failed delivery leaves the CPU unchanged: the
   * core then applies the double-fault rules (events.ts) itself.
   */
  deliverProtected(
    cpu: Cpu,
    vector: number,
    kind: number,
    hasError: boolean,
    errorCode: number,
  ): void;
  /**
   * Loads segment register `seg` (SEG_ES..SEG_GS) from `selector` in
   * protected mode (not vm86): descriptor checks, accessed bit, then
   * `cpu.setSegment(...)`. Used by MOV Sreg, POP Sreg, LDS/LES/LSS/LFS/LGS.
   */
  loadSegmentProtected(cpu: Cpu, seg: number, selector: number): void;
  /** IRET/IRETD/IRETQ in protected mode, vm86 or IA-32e mode (SDM vol. 2, IRET). `opSize` 16, 32 or 64. */
  iretProtected(cpu: Cpu, opSize: number): void;
  /**
   * IN/OUT/INS/OUTS when CPL > IOPL or in vm86: checks the TSS I/O bitmap
   * (SDM vol. 1, 19.5.2); raises #GP(0) when denied.
   */
  checkIoPermission(cpu: Cpu, port: number, size: number): void;
  /** RDMSR/getState of MSR `index`; undefined when the model has no such MSR. */
  readMsr(cpu: Cpu, index: number): bigint | undefined;
  /** WRMSR/setState; returns false when the MSR does not exist or the value is invalid. */
  writeMsr(cpu: Cpu, index: number, value: bigint): boolean;
  /** MSRs this CPU model implements (for the register catalog). */
  msrList(cpu: Cpu): readonly number[];
  /** CPUID `(leaf, subleaf)` pairs the model defines (for the register catalog). */
  cpuidList(cpu: Cpu): readonly (readonly [leaf: number, subleaf: number])[];
  /** getState of a CPUID leaf: fills `out` with eax, ebx, ecx, edx; false if not defined. */
  readCpuidLeaf(cpu: Cpu, leaf: number, subleaf: number, out: Uint32Array): boolean;
  /** setState of a CPUID leaf (eax, ebx, ecx, edx); false if the model refuses it. */
  writeCpuidLeaf(cpu: Cpu, leaf: number, subleaf: number, regs: Uint32Array): boolean;
}

export const systemHooks: SystemHooks = {
  deliverProtected(cpu, vector) {
    raiseInternalError(cpu, `protected-mode delivery of vector ${vector} is not implemented`);
  },
  loadSegmentProtected(cpu) {
    raiseInternalError(cpu, "protected-mode segment loads are not implemented");
  },
  iretProtected(cpu) {
    raiseInternalError(cpu, "protected-mode IRET is not implemented");
  },
  checkIoPermission(cpu) {
    raiseGP(cpu, 0);
  },
  readMsr(cpu, index) {
    return index === 0xc0000080 ? BigInt(cpu.efer >>> 0) : undefined;
  },
  writeMsr(cpu, index, value) {
    if (index !== 0xc0000080) return false;
    cpu.writeEfer(Number(value & 0xffffffffn));
    return true;
  },
  msrList() {
    return [0xc0000080];
  },
  cpuidList() {
    return [];
  },
  readCpuidLeaf() {
    return false;
  },
  writeCpuidLeaf() {
    return false;
  },
};

/** Register sets the FPU module serves (X87, SSE). */
export interface FpuRegisterHooks {
  read(cpu: Cpu, set: RegSet, number: number): RegisterValue;
  write(cpu: Cpu, set: RegSet, number: number, value: RegisterValue): void;
}

/** Filled by the FPU module; null until then (reads give zeros, writes are refused). */
export const fpuHooks: { registers: FpuRegisterHooks | null } = { registers: null };

const initializers: ((cpu: Cpu) => void)[] = [];

/** Adds per-CPU state initialisation (see the file comment). */
export function registerCpuInitializer(init: (cpu: Cpu) => void): void {
  initializers.push(init);
}

/** Runs every initializer on a freshly constructed CPU (called by the Cpu constructor). */
export function runCpuInitializers(cpu: Cpu): void {
  for (const init of initializers) init(cpu);
}
