/**
 * SSE/SSE2 floating-point arithmetic (SDM vol. 2): ADD, SUB, MUL, DIV, MIN,
 * MAX, SQRT in their PS (none), PD (66), SS (F3) and SD (F2) forms, and the
 * approximations RCPPS/RCPSS/RSQRTPS/RSQRTSS. Packed forms compute every
 * lane into scratch, settle the exceptions (fp-env.ts), then write; scalar
 * forms change only lane 0 of the destination.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { defineOp0F } from "../ops.js";
import { sseCheck } from "./check.js";
import { fpAdd, fpDiv, fpMul, fpSub } from "./fp-arith.js";
import { fpBegin, fpCommit } from "./fp-env.js";
import {
  type BinaryOp,
  lane32,
  lane64,
  minMaxLane32,
  minMaxLane64,
  sqrtLane32,
  sqrtLane64,
} from "./fp-lanes.js";
import { rcp32, rsqrt32 } from "./fp-approx.js";
import { srcXmm, srcXmm32, srcXmm64 } from "./operands.js";
import { SLOT_RES } from "./state.js";

/** A lane computation: (state, source lane, destination lane, output lane) in lane units. */
type LaneFn = (cpu: Cpu, ia: number, ib: number, io: number) => void;

/** op ps / op pd: every lane of xmm(reg) op xmm/m128, 16-byte aligned. */
function packed(lanes: number, fn: LaneFn): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    sseCheck(cpu);
    const src = srcXmm(cpu, d);
    fpBegin(cpu.fpu.mxcsr);
    const dst = d.reg;
    for (let i = 0; i < lanes; i++) fn(cpu, dst * lanes + i, src * lanes + i, SLOT_RES * lanes + i);
    fpCommit(cpu);
    cpu.sse.copy(dst, SLOT_RES);
  };
}

/** op ss: lane 0 of xmm(reg) op xmm/m32. */
function scalar32(fn: LaneFn): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    sseCheck(cpu);
    const src = srcXmm32(cpu, d);
    fpBegin(cpu.fpu.mxcsr);
    fn(cpu, d.reg * 4, src * 4, SLOT_RES * 4);
    fpCommit(cpu);
    const u = cpu.sse.u32;
    u[d.reg * 4] = u[SLOT_RES * 4];
  };
}

/** op sd: lane 0 of xmm(reg) op xmm/m64. */
function scalar64(fn: LaneFn): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    sseCheck(cpu);
    const src = srcXmm64(cpu, d);
    fpBegin(cpu.fpu.mxcsr);
    fn(cpu, d.reg * 2, src * 2, SLOT_RES * 2);
    fpCommit(cpu);
    const u = cpu.sse.u32;
    u[d.reg * 4] = u[SLOT_RES * 4];
    u[d.reg * 4 + 1] = u[SLOT_RES * 4 + 1];
  };
}

/** Registers the four forms (PS, PD, SS, SD) of an opcode from its single and double lane functions. */
function defineFour(opcode: number, f32: LaneFn, f64: LaneFn): void {
  defineOp0F(opcode, { modrm: true }, packed(4, f32));
  defineOp0F(opcode, { modrm: true, prefix: 0x66 }, packed(2, f64));
  defineOp0F(opcode, { modrm: true, prefix: 0xf3 }, scalar32(f32));
  defineOp0F(opcode, { modrm: true, prefix: 0xf2 }, scalar64(f64));
}

function arith(op: BinaryOp): [LaneFn, LaneFn] {
  return [
    (cpu, ia, ib, io) => lane32(cpu.sse, op, ia, ib, io),
    (cpu, ia, ib, io) => lane64(cpu.sse, op, ia, ib, io),
  ];
}

defineFour(0x58, ...arith(fpAdd));
defineFour(0x59, ...arith(fpMul));
defineFour(0x5c, ...arith(fpSub));
defineFour(0x5e, ...arith(fpDiv));
defineFour(
  0x5d,
  (cpu, ia, ib, io) => minMaxLane32(cpu.sse, false, ia, ib, io),
  (cpu, ia, ib, io) => minMaxLane64(cpu.sse, false, ia, ib, io),
);
defineFour(
  0x5f,
  (cpu, ia, ib, io) => minMaxLane32(cpu.sse, true, ia, ib, io),
  (cpu, ia, ib, io) => minMaxLane64(cpu.sse, true, ia, ib, io),
);
// SQRT: the source is the ModRM operand alone (ia is the source lane here).
defineFour(
  0x51,
  (cpu, _ia, ib, io) => sqrtLane32(cpu.sse, ib, io),
  (cpu, _ia, ib, io) => sqrtLane64(cpu.sse, ib, io),
);

// RCPPS/RCPSS (0F 53), RSQRTPS/RSQRTSS (0F 52): no exceptions, no MXCSR effect.
function approx(fn: (bits: number) => number, lanes: number): (cpu: Cpu, d: Decoded) => void {
  return (cpu, d) => {
    sseCheck(cpu);
    const src = lanes === 4 ? srcXmm(cpu, d) : srcXmm32(cpu, d);
    const u = cpu.sse.u32;
    for (let i = 0; i < lanes; i++) u[SLOT_RES * 4 + i] = fn(u[src * 4 + i]);
    for (let i = 0; i < lanes; i++) u[d.reg * 4 + i] = u[SLOT_RES * 4 + i];
  };
}
defineOp0F(0x53, { modrm: true }, approx(rcp32, 4));
defineOp0F(0x53, { modrm: true, prefix: 0xf3 }, approx(rcp32, 1));
defineOp0F(0x52, { modrm: true }, approx(rsqrt32, 4));
defineOp0F(0x52, { modrm: true, prefix: 0xf3 }, approx(rsqrt32, 1));
