/**
 * Runs 64-bit cases on the soft CPU in the environment of soft-env64.ts and
 * reports the same CaseResult64 the 64-bit native runner does. One runner
 * serves a whole run; between cases only user-visible state is reset.
 */
import { MP_RUNNABLE, RegSet, Sse } from "../../hv/registers.js";
import { ESP } from "../../hv/soft/cpu/constants.js";
import { SoftCpuCore } from "../../hv/soft/cpu/core.js";
import type { Cpu } from "../../hv/soft/cpu/cpu.js";
import { fpuHooks } from "../../hv/soft/cpu/hooks.js";
import { FX_XMM } from "../fxsave.js";
import { CODE_ADDR, DATA_SIZE, FXSAVE_SIZE, VEC_SOFT_EXIT, VEC_TIMEOUT } from "../layout.js";
import { readSoftFpu, softFpuAvailable, writeSoftFpu } from "../soft-fpu.js";
import { SoftRam } from "../soft-memory.js";
import type { CaseResult64, DiffCase64 } from "./case64.js";
import {
  buildTables64,
  CODE_PHYS_64,
  DATA_PHYS_64,
  enterLongMode,
  enterUserMode64,
  IDT_VECTORS_64,
  KERNEL_BASE_64,
  RAM_SIZE_64,
  STUBS_64,
} from "./soft-env64.js";

const BUDGET = 100_000;

/** Exceptions that push an error code (SDM vol. 3, table 6-1). */
function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17 || vector === 21;
}

/** XMM8-15 (soft-fpu.ts moves the x87 state, MXCSR and XMM0-7). */
function writeHighXmm(cpu: Cpu, fx: Uint8Array): void {
  const hooks = fpuHooks.registers;
  if (hooks === null) return;
  for (let i = 8; i < 16; i++) {
    const off = FX_XMM + 16 * i;
    hooks.write(cpu, RegSet.SSE, Sse.XMM0 + i, fx.slice(off, off + 16));
  }
}

function readHighXmm(cpu: Cpu, out: Uint8Array): void {
  const hooks = fpuHooks.registers;
  if (hooks === null) return;
  for (let i = 8; i < 16; i++) {
    const v = hooks.read(cpu, RegSet.SSE, Sse.XMM0 + i);
    if (v instanceof Uint8Array) out.set(v.subarray(0, 16), FX_XMM + 16 * i);
  }
}

export class SoftRunner64 {
  readonly ram = new SoftRam(RAM_SIZE_64);
  readonly core: SoftCpuCore;
  readonly cpu: Cpu;
  private readonly stop = new Int32Array(1);
  private readonly fxOut = new Uint8Array(FXSAVE_SIZE);
  private lastCodeLength = 0;

  constructor() {
    buildTables64(this.ram);
    this.core = new SoftCpuCore({ physical: this.ram });
    this.cpu = this.core.cpu;
    enterLongMode(this.cpu);
  }

  /** Whether the soft CPU exposes x87/SSE state. */
  get fpuAvailable(): boolean {
    return softFpuAvailable();
  }

  private reg(n: number): bigint {
    const r = this.cpu.r32;
    return (BigInt(r[n * 2 + 1] >>> 0) << 32n) | BigInt(r[n * 2] >>> 0);
  }

  private read64(phys: number): bigint {
    return (BigInt(this.ram.readU32(phys + 4)) << 32n) | BigInt(this.ram.readU32(phys));
  }

  /** Runs one case from a clean 64-bit user-mode state. */
  run(c: DiffCase64): CaseResult64 {
    const cpu = this.cpu;
    const ram = this.ram;
    if (this.lastCodeLength > c.code.length) {
      ram.write(CODE_PHYS_64, new Uint8Array(this.lastCodeLength));
    }
    ram.write(CODE_PHYS_64, c.code);
    this.lastCodeLength = c.code.length;
    ram.bytes.fill(0, DATA_PHYS_64, DATA_PHYS_64 + DATA_SIZE);
    for (const span of c.dataInit) ram.bytes.set(span.bytes, DATA_PHYS_64 + span.offset);
    ram.registry.noteWrite(0, DATA_PHYS_64 / 4096, DATA_SIZE / 4096);

    for (let i = 0; i < 16; i++) {
      cpu.r32[i * 2] = Number(c.gpr[i] & 0xffffffffn);
      cpu.r32[i * 2 + 1] = Number(c.gpr[i] >> 32n);
    }
    enterUserMode64(cpu);
    cpu.setEflags(c.rflags);
    cpu.eip = CODE_ADDR;
    cpu.mpState = MP_RUNNABLE;
    cpu.exceptionPending = false;
    cpu.interruptPendingFlag = false;
    cpu.shadow = 0;
    cpu.cr2 = 0;
    if (softFpuAvailable()) {
      writeSoftFpu(cpu, c.fxsave);
      writeHighXmm(cpu, c.fxsave);
    }

    const exit = this.core.run(BUDGET, this.stop);
    const data = ram.bytes.subarray(DATA_PHYS_64, DATA_PHYS_64 + DATA_SIZE);
    let fxsave: Uint8Array = this.fxOut.fill(0);
    if (softFpuAvailable()) {
      fxsave = readSoftFpu(cpu, this.fxOut);
      readHighXmm(cpu, fxsave);
    }
    const gpr = new BigUint64Array(16);
    for (let i = 0; i < 16; i++) gpr[i] = this.reg(i);

    const vector = cpu.eip - 1 - (KERNEL_BASE_64 + STUBS_64);
    if (exit.kind === "hlt" && cpu.cpl === 0 && vector >= 0 && vector < IDT_VECTORS_64) {
      // The 64-bit frame: [error code], RIP, CS, RFLAGS, RSP, SS (SDM vol. 3, figure 6-9).
      const sp = (cpu.r32[ESP << 1] >>> 0) - KERNEL_BASE_64;
      const err = hasErrorCode(vector);
      const frame = err ? sp + 8 : sp;
      gpr[ESP] = this.read64(frame + 24);
      return {
        vector,
        errorCode: err ? ram.readU32(sp) : 0,
        cr2: vector === 14 ? BigInt.asUintN(64, BigInt(cpu.cr2)) : 0n,
        rip: this.read64(frame),
        gpr,
        rflags: ram.readU32(frame + 16),
        fxsave,
        data,
      };
    }
    const timeout = exit.kind === "budget";
    const detail =
      exit.kind === "internal-error" || exit.kind === "shutdown"
        ? `${exit.kind}: ${exit.reason}`
        : `exit ${exit.kind} at rip 0x${cpu.eip.toString(16)} (cpl ${cpu.cpl})`;
    return {
      vector: timeout ? VEC_TIMEOUT : VEC_SOFT_EXIT,
      errorCode: 0,
      cr2: 0n,
      rip: BigInt.asUintN(64, BigInt(cpu.eip)),
      gpr,
      rflags: cpu.getEflags(),
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
