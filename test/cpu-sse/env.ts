/**
 * Test environment for the SSE tests: a flat 32-bit protected-mode harness
 * (test/cpu/harness.ts) with a GDT and an IDT whose handlers record the
 * exception vector in memory and halt, CR4.OSFXSR/OSXMMEXCPT set, and
 * helpers to set and read XMM lanes, assemble ModRM operands and run a
 * snippet.
 *
 * Physical layout: 0x1000 GDT, 0x2000 IDT, 0x3000 handlers (vector v at
 * 0x3000 + 16 v: mov dword [FAULT], v; hlt), FAULT = 0x4000, TSS at 0x5000
 * (ring-0 stack for faults from ring 3), data at DATA = 0x8000, code at
 * CODE = 0x10000, stack top 0x80000.
 */
import assert from "node:assert/strict";
import { MP_RUNNABLE } from "../../src/hv/registers.js";
import { CR4_OSFXSR, CR4_OSXMMEXCPT, SEG_TR } from "../../src/hv/soft/cpu/constants.js";
import { CpuHarness } from "../cpu/harness.js";

export const GDT = 0x1000;
export const IDT = 0x2000;
export const HANDLERS = 0x3000;
export const FAULT = 0x4000;
export const TSS = 0x5000;
export const DATA = 0x8000;
export const CODE = 0x10000;
export const HLT = 0xf4;
/** No exception was delivered. */
export const NO_FAULT = -1;

export function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** ModRM with register operands. */
export function rr(reg: number, rm: number): number[] {
  return [0xc0 | ((reg & 7) << 3) | (rm & 7)];
}

/** ModRM for [disp32] with /reg. */
export function mem(reg: number, addr: number): number[] {
  return [((reg & 7) << 3) | 5, ...le32(addr)];
}

function descriptor(access: number): number[] {
  // base 0, limit 0xFFFFF, G and D/B set.
  return [0xff, 0xff, 0, 0, 0, access, 0xcf, 0];
}

export class SseEnv {
  readonly h: CpuHarness;
  /** The snippet currently at CODE (reloaded only when it changes). */
  private loaded = "";

  constructor(options: { user?: boolean } = {}) {
    this.h = CpuHarness.flat32({ ramSize: 1 << 20, user: options.user });
    const cpu = this.h.cpu;
    this.h.poke(GDT, [
      ...[0, 0, 0, 0, 0, 0, 0, 0],
      ...descriptor(0x9a), // 0x08 ring-0 code
      ...descriptor(0x92), // 0x10 ring-0 data
      ...descriptor(0xfa), // 0x1b ring-3 code
      ...descriptor(0xf2), // 0x23 ring-3 data
    ]);
    cpu.gdtBase = GDT;
    cpu.gdtLimit = 39;
    // A 32-bit TSS giving the ring-0 stack (SS0:ESP0) for faults raised at CPL 3.
    this.h.poke(TSS + 4, [...le32(0x80000), ...le32(0x10)]);
    cpu.setSegment(SEG_TR, 0x28, TSS, 0x67, 0x8b);
    for (let v = 0; v < 32; v++) {
      const handler = HANDLERS + 16 * v;
      this.h.poke(handler, [0xc7, 0x05, ...le32(FAULT), ...le32(v), HLT]);
      const lo = (0x08 << 16) | (handler & 0xffff);
      const hi = (handler & 0xffff0000) | 0x8e00; // present, DPL 0, 32-bit interrupt gate
      this.h.poke(IDT + 8 * v, [...le32(lo), ...le32(hi)]);
    }
    cpu.idtBase = IDT;
    cpu.idtLimit = 32 * 8 - 1;
    cpu.cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
  }

  get cpu() {
    return this.h.cpu;
  }

  /**
   * Runs `code` + HLT at CODE; returns the exception vector delivered, or
   * NO_FAULT. ESP is reset so repeated faults do not exhaust the stack.
   */
  run(code: readonly number[]): number {
    const h = this.h;
    h.write32(FAULT, 0xffffffff);
    h.esp = 0x70000;
    const key = code.join(",");
    if (key !== this.loaded) {
      h.load(CODE, [...code, HLT]);
      this.loaded = key;
    } else {
      h.start(CODE);
    }
    h.cpu.mpState = MP_RUNNABLE;
    const exit = h.run(10_000);
    assert.equal(exit.kind, "hlt");
    const v = h.read32(FAULT);
    return v === 0xffffffff ? NO_FAULT : v;
  }

  /** Runs and asserts that no exception happened. */
  exec(code: readonly number[]): void {
    assert.equal(this.run(code), NO_FAULT, "unexpected exception");
  }

  // ---- XMM lanes ----
  setU32(n: number, lanes: readonly number[]): void {
    for (let i = 0; i < 4; i++) this.cpu.sse.u32[n * 4 + i] = lanes[i] ?? 0;
  }
  u32(n: number): number[] {
    return Array.from(this.cpu.sse.u32.subarray(n * 4, n * 4 + 4));
  }
  setF32(n: number, lanes: readonly number[]): void {
    for (let i = 0; i < 4; i++) this.cpu.sse.f32[n * 4 + i] = lanes[i] ?? 0;
  }
  f32(n: number): number[] {
    return Array.from(this.cpu.sse.f32.subarray(n * 4, n * 4 + 4));
  }
  setF64(n: number, lanes: readonly number[]): void {
    for (let i = 0; i < 2; i++) this.cpu.sse.f64[n * 2 + i] = lanes[i] ?? 0;
  }
  f64(n: number): number[] {
    return Array.from(this.cpu.sse.f64.subarray(n * 2, n * 2 + 2));
  }
  setBytes(n: number, bytes: readonly number[]): void {
    for (let i = 0; i < 16; i++) this.cpu.sse.u8[n * 16 + i] = bytes[i] ?? 0;
  }
  bytes(n: number): number[] {
    return Array.from(this.cpu.sse.u8.subarray(n * 16, n * 16 + 16));
  }
  /** 64-bit lane as a bigint. */
  u64(n: number, i: number): bigint {
    const u = this.cpu.sse.u32;
    return (BigInt(u[n * 4 + 2 * i + 1]) << 32n) | BigInt(u[n * 4 + 2 * i]);
  }
  setU64(n: number, lanes: readonly bigint[]): void {
    const u = this.cpu.sse.u32;
    for (let i = 0; i < 2; i++) {
      const v = BigInt.asUintN(64, lanes[i] ?? 0n);
      u[n * 4 + 2 * i] = Number(v & 0xffffffffn);
      u[n * 4 + 2 * i + 1] = Number(v >> 32n);
    }
  }

  get mxcsr(): number {
    return this.cpu.fpu.mxcsr;
  }
  set mxcsr(v: number) {
    this.cpu.fpu.mxcsr = v;
  }

  // ---- Memory ----
  poke(addr: number, bytes: readonly number[]): void {
    this.h.poke(addr, bytes);
  }
  peek(addr: number, n: number): number[] {
    return Array.from(this.h.memory.bytes.subarray(addr, addr + n));
  }
  write32(addr: number, v: number): void {
    this.h.write32(addr, v);
  }
  read32(addr: number): number {
    return this.h.read32(addr);
  }
}
