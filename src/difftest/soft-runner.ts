/**
 * Runs cases on the soft CPU (src/hv/soft/cpu/) in the environment of
 * soft-env.ts and reports the same CaseResult the native runner does.
 *
 * One SoftRunner (one CPU, one RAM) serves a whole run: between cases only
 * the user-visible state is reset — GPRs, EFLAGS, segments, the code page,
 * the data area, the x87/SSE state. The result's `data` is a view of the
 * soft RAM, valid until the next `run`.
 */
import { MP_RUNNABLE } from "../hv/registers.js";
import { ESP } from "../hv/soft/cpu/constants.js";
import { SoftCpuCore } from "../hv/soft/cpu/core.js";
import type { Cpu } from "../hv/soft/cpu/cpu.js";
import type { CaseResult, DiffCase } from "./case.js";
import { CODE_ADDR, DATA_SIZE, FXSAVE_SIZE, VEC_SOFT_EXIT, VEC_TIMEOUT } from "./layout.js";
import { SoftRam } from "./soft-memory.js";
import {
  buildTables,
  CODE_PHYS,
  DATA_PHYS,
  enterProtectedMode,
  enterUserMode,
  IDT_VECTORS,
  KERNEL_BASE,
  RAM_SIZE,
  STUBS,
} from "./soft-env.js";
import { readSoftFpu, softFpuAvailable, writeSoftFpu } from "./soft-fpu.js";

/** Instructions a case may run on the soft side before it counts as a timeout. */
const BUDGET = 100_000;

/** Exceptions that push an error code (SDM vol. 3, table 6-1). */
function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17 || vector === 21;
}

export class SoftRunner {
  readonly ram = new SoftRam(RAM_SIZE);
  readonly core: SoftCpuCore;
  readonly cpu: Cpu;
  private readonly stop = new Int32Array(1);
  private readonly fxOut = new Uint8Array(FXSAVE_SIZE);
  private readonly emptyFx = new Uint8Array(FXSAVE_SIZE);
  private lastCodeLength = 0;

  constructor() {
    buildTables(this.ram);
    this.core = new SoftCpuCore({ physical: this.ram });
    this.cpu = this.core.cpu;
    enterProtectedMode(this.cpu);
  }

  /** Whether the soft CPU exposes x87/SSE state (the FPU module is loaded). */
  get fpuAvailable(): boolean {
    return softFpuAvailable();
  }

  /** Runs one case from a clean user-mode state. */
  run(c: DiffCase): CaseResult {
    const cpu = this.cpu;
    const ram = this.ram;
    // Code: clear what the previous case left, then write (invalidates decoded blocks).
    if (this.lastCodeLength > c.code.length) {
      ram.write(CODE_PHYS, new Uint8Array(this.lastCodeLength));
    }
    ram.write(CODE_PHYS, c.code);
    this.lastCodeLength = c.code.length;
    ram.bytes.fill(0, DATA_PHYS, DATA_PHYS + DATA_SIZE);
    for (const span of c.dataInit) ram.bytes.set(span.bytes, DATA_PHYS + span.offset);
    ram.registry.noteWrite(0, DATA_PHYS / 4096, DATA_SIZE / 4096);

    for (let i = 0; i < 8; i++) cpu.r32[i << 1] = c.gpr[i];
    enterUserMode(cpu);
    cpu.setEflags(c.eflags);
    cpu.eip = CODE_ADDR;
    cpu.mpState = MP_RUNNABLE;
    cpu.exceptionPending = false;
    cpu.interruptPendingFlag = false;
    cpu.shadow = 0;
    cpu.cr2 = 0;
    if (softFpuAvailable()) writeSoftFpu(cpu, c.fxsave);

    const exit = this.core.run(BUDGET, this.stop);
    const data = ram.bytes.subarray(DATA_PHYS, DATA_PHYS + DATA_SIZE);
    const fxsave = softFpuAvailable() ? readSoftFpu(cpu, this.fxOut) : this.emptyFx;
    const gpr = new Uint32Array(8);
    for (let i = 0; i < 8; i++) gpr[i] = cpu.r32[i << 1] >>> 0;

    const stubBase = KERNEL_BASE + STUBS;
    const vector = cpu.eip - 1 - stubBase;
    if (exit.kind === "hlt" && cpu.cpl === 0 && vector >= 0 && vector < IDT_VECTORS) {
      // The ring-0 frame: [error code], EIP, CS, EFLAGS, ESP, SS (SDM vol. 3, figure 6-4).
      const sp = (cpu.r32[ESP << 1] >>> 0) - KERNEL_BASE;
      const err = hasErrorCode(vector);
      const frame = err ? sp + 4 : sp;
      gpr[ESP] = ram.readU32(frame + 12);
      return {
        vector,
        errorCode: err ? ram.readU32(sp) : 0,
        cr2: vector === 14 ? cpu.cr2 >>> 0 : 0,
        eip: ram.readU32(frame),
        gpr,
        eflags: ram.readU32(frame + 8),
        fxsave,
        data,
      };
    }
    const timeout = exit.kind === "budget";
    const detail =
      exit.kind === "internal-error" || exit.kind === "shutdown"
        ? `${exit.kind}: ${exit.reason}`
        : `exit ${exit.kind} at eip 0x${(cpu.eip >>> 0).toString(16)} (cpl ${cpu.cpl})`;
    return {
      vector: timeout ? VEC_TIMEOUT : VEC_SOFT_EXIT,
      errorCode: 0,
      cr2: 0,
      eip: cpu.eip >>> 0,
      gpr,
      eflags: cpu.getEflags(),
      fxsave,
      data,
      detail,
    };
  }

  /** Releases the CPU's memory listeners. */
  destroy(): void {
    this.core.destroy();
  }
}
