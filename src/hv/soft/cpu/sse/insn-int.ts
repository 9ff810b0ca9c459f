/**
 * SSE2 packed integer arithmetic, comparison and logic on XMM registers
 * (66 0F xx: the MMX instruction set widened to 128 bits), plus the SSE and
 * SSE2 additions that also have MMX forms (PAVGB/W, PMINUB, PMAXUB, PMINSW,
 * PMAXSW, PMULHUW, PSADBW, PADDQ, PSUBQ, PMULUDQ). SDM vol. 2.
 */
import { MAP_0F } from "../ops.js";
import { defineInt } from "./int-forms.js";
import {
  bytes,
  dwords,
  type IntOp,
  mulEvenDwords,
  pand,
  pandn,
  pmaddwd,
  por,
  psadbw,
  pxor,
  qwordAdd,
  sat16,
  sat8,
  satU16,
  satU8,
  words,
} from "./int-ops.js";

const add = (a: number, b: number): number => a + b;
const sub = (a: number, b: number): number => a - b;
const min = (a: number, b: number): number => (a < b ? a : b);
const max = (a: number, b: number): number => (a > b ? a : b);
const avg = (a: number, b: number): number => (a + b + 1) >> 1;

/** [opcode (66 0F xx), operation, also an MMX form (0F xx) added by SSE/SSE2]. */
const table: [number, IntOp, boolean][] = [
  // Add / subtract: wrapping, signed and unsigned saturation.
  [0xfc, bytes(false, add), false],
  [0xfd, words(false, add), false],
  [0xfe, dwords(add), false],
  [0xd4, qwordAdd(false), true],
  [0xec, bytes(true, (a, b) => sat8(a + b)), false],
  [0xed, words(true, (a, b) => sat16(a + b)), false],
  [0xdc, bytes(false, (a, b) => satU8(a + b)), false],
  [0xdd, words(false, (a, b) => satU16(a + b)), false],
  [0xf8, bytes(false, sub), false],
  [0xf9, words(false, sub), false],
  [0xfa, dwords(sub), false],
  [0xfb, qwordAdd(true), true],
  [0xe8, bytes(true, (a, b) => sat8(a - b)), false],
  [0xe9, words(true, (a, b) => sat16(a - b)), false],
  [0xd8, bytes(false, (a, b) => satU8(a - b)), false],
  [0xd9, words(false, (a, b) => satU16(a - b)), false],
  // Compare: all ones where true.
  [0x74, bytes(false, (a, b) => (a === b ? 0xff : 0)), false],
  [0x75, words(false, (a, b) => (a === b ? 0xffff : 0)), false],
  [0x76, dwords((a, b) => (a === b ? -1 : 0)), false],
  [0x64, bytes(true, (a, b) => (a > b ? -1 : 0)), false],
  [0x65, words(true, (a, b) => (a > b ? -1 : 0)), false],
  [0x66, dwords((a, b) => (a > b ? -1 : 0)), false],
  // Multiply.
  [0xd5, words(true, (a, b) => Math.imul(a, b)), false],
  [0xe5, words(true, (a, b) => (a * b) >> 16), false],
  [0xe4, words(false, (a, b) => (a * b) >>> 16), true],
  [0xf4, mulEvenDwords(false), true],
  [0xf5, pmaddwd, false],
  // Logic.
  [0xdb, pand, false],
  [0xdf, pandn, false],
  [0xeb, por, false],
  [0xef, pxor, false],
  // Min / max / average / sum of absolute differences.
  [0xda, bytes(false, min), true],
  [0xde, bytes(false, max), true],
  [0xea, words(true, min), true],
  [0xee, words(true, max), true],
  [0xe0, bytes(false, avg), true],
  [0xe3, words(false, avg), true],
  [0xf6, psadbw, true],
];
for (const [opcode, op, mmx] of table) defineInt(MAP_0F, opcode, op, mmx);
