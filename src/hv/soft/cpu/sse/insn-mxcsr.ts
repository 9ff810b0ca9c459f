/**
 * LDMXCSR/STMXCSR (0F AE /2, /3; SDM vol. 2) and the fences LFENCE, MFENCE,
 * SFENCE (0F AE E8, F0, F8), which have nothing to order in this
 * single-threaded, in-order model. LDMXCSR raises #GP(0) for reserved bits
 * (those outside MXCSR_MASK); loading a set flag whose exception is unmasked
 * raises nothing until an SSE instruction raises a flag (SSE has no pending
 * exceptions, unlike the x87).
 */
import { defineGroup0F } from "../ops.js";
import { raiseGP } from "../fault.js";
import { sseCheck } from "./check.js";
import { MXCSR_WRITABLE } from "./fp-env.js";

defineGroup0F(0xae, 2, { mod: "mem" }, (cpu, d) => {
  sseCheck(cpu);
  const v = cpu.read32(cpu.eaRead(d, 4)) >>> 0;
  if ((v & ~MXCSR_WRITABLE) !== 0) raiseGP(cpu, 0);
  cpu.fpu.mxcsr = v;
});

defineGroup0F(0xae, 3, { mod: "mem" }, (cpu, d) => {
  sseCheck(cpu);
  cpu.write32(cpu.eaWrite(d, 4), cpu.fpu.mxcsr);
});

const fence = (): void => {};
defineGroup0F(0xae, 5, { mod: "reg" }, fence); // LFENCE (0F AE E8-EF)
defineGroup0F(0xae, 6, { mod: "reg" }, fence); // MFENCE (0F AE F0-F7)
defineGroup0F(0xae, 7, { mod: "reg" }, fence); // SFENCE (0F AE F8-FF)
