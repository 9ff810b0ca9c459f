/**
 * RDRAND (0F C7 /6) and RDSEED (0F C7 /7), register forms only (SDM vol. 2,
 * RDRAND/RDSEED). Both read the host's cryptographic random source, so a
 * guest kernel can seed its random pool at boot instead of waiting for
 * timing jitter, which is slow on an emulated CPU. They always succeed:
 * CF = 1; OF, SF, ZF, AF and PF are cleared.
 */
import { webcrypto } from "node:crypto";
import { ARITH_FLAGS, CF } from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { setFlagsDirect } from "../flags.js";
import { defineGroup0F } from "../ops.js";

/** Random words, refilled in place when used up: no allocation per instruction. */
const pool = new Uint32Array(1024);
let next = pool.length;

function randomWord(): number {
  if (next === pool.length) {
    webcrypto.getRandomValues(pool);
    next = 0;
  }
  return pool[next++];
}

function rdrand(cpu: Cpu, d: Decoded): void {
  const v = randomWord();
  if (d.opSize === 16) cpu.setReg16(d.rm, v & 0xffff);
  else if (d.opSize === 32) cpu.setReg32(d.rm, v | 0);
  else cpu.setReg64(d.rm, v | 0, randomWord() | 0); // REX.W: 64 random bits
  setFlagsDirect(cpu, ARITH_FLAGS, CF);
}

defineGroup0F(0xc7, 6, { mod: "reg" }, rdrand);
defineGroup0F(0xc7, 7, { mod: "reg" }, rdrand);
