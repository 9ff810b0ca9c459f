/**
 * The SSE register file as the SSE instructions see it: typed-array views of
 * every lane width over the one buffer that holds XMM0-15 (`FpuState.xmmBuffer`,
 * shared with FXSAVE/FXRSTOR and the SSE register set), plus scratch slots
 * after the sixteen registers for memory operands and results, so a handler
 * addresses a register and a loaded memory operand the same way:
 *
 *     lane i of register n:   u8[n*16+i]  u16[n*8+i]  u32[n*4+i]  f32[n*4+i]  f64[n*2+i]
 *
 * MXCSR stays in `FpuState.mxcsr`. Attached to every Cpu as `cpu.sse`.
 */
import "../fpu/x87-exec.js"; // registers cpu.fpu first: our initializer reads it
import { registerCpuInitializer } from "../hooks.js";
import type { FpuState } from "../fpu/x87-state.js";

declare module "../cpu.js" {
  interface Cpu {
    /** Lane views of the XMM registers (sse/state.ts). */
    sse: SseState;
  }
}

/** Scratch slot that receives a memory source operand. */
export const SLOT_SRC = 16;
/** Scratch slot for a result built before it is committed. */
export const SLOT_RES = 17;
/** Scratch slot for an MMX destination operand (MMX forms of SSE instructions). */
export const SLOT_MM = 18;
/** Second scratch source (three-operand helpers, PCMPxSTRx). */
export const SLOT_SRC2 = 19;
/** Free scratch slots for multi-step instructions (DPPS, PCMPxSTRx...). */
export const SLOT_TMP = 20;
export const SLOT_TMP2 = 21;

export class SseState {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;

  constructor(readonly fpu: FpuState) {
    const b = fpu.xmmBuffer;
    this.u8 = new Uint8Array(b);
    this.i8 = new Int8Array(b);
    this.u16 = new Uint16Array(b);
    this.i16 = new Int16Array(b);
    this.u32 = new Uint32Array(b);
    this.i32 = new Int32Array(b);
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b);
  }

  /** Copies the 16 bytes of slot `from` to slot `to`. */
  copy(to: number, from: number): void {
    const u = this.u32;
    const t = to * 4;
    const f = from * 4;
    u[t] = u[f];
    u[t + 1] = u[f + 1];
    u[t + 2] = u[f + 2];
    u[t + 3] = u[f + 3];
  }

  /** Sets the 16 bytes of slot `n` to zero. */
  zero(n: number): void {
    const u = this.u32;
    u[n * 4] = u[n * 4 + 1] = u[n * 4 + 2] = u[n * 4 + 3] = 0;
  }
}

registerCpuInitializer((cpu) => {
  cpu.sse = new SseState(cpu.fpu);
});
