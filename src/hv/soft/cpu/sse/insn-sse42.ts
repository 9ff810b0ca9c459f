/**
 * SSE4.2 string comparisons and CRC32 (SDM vol. 2): PCMPESTRI/PCMPESTRM
 * (explicit lengths in EAX/EDX, RAX/RDX with REX.W), PCMPISTRI/PCMPISTRM
 * (null-terminated), results in ECX or XMM0 and CF/ZF/SF/OF (AF, PF
 * cleared); CRC32 r32/r64, r/m8/16/32/64 with the CRC-32C (Castagnoli)
 * polynomial, bit-reflected, no pre- or post-inversion. (PCMPGTQ is in
 * insn-sse41-int.ts.) The memory operand of PCMPxSTRx need not be aligned.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { AF, CF, EAX, ECX, EDX, OF, PF, SF, ZF } from "../constants.js";
import { setFlagsDirect } from "../flags.js";
import { defineOpInMap, IMM_B, MAP_0F38, MAP_0F3A } from "../ops.js";
import { sseCheck } from "./check.js";
import { srcXmm } from "./operands.js";
import { compareStrings, explicitLength, resultIndex, strResult } from "./pcmpstr.js";

const spec = { modrm: true, prefix: 0x66, imm: IMM_B } as const;

/** A general register as a signed number (64-bit with REX.W). */
function lengthRegister(cpu: Cpu, n: number, wide: boolean): number {
  const lo = cpu.r32[n << 1];
  return wide ? cpu.r32[(n << 1) + 1] * 4294967296 + (lo >>> 0) : lo;
}

function run(cpu: Cpu, d: Decoded, explicit: boolean): void {
  sseCheck(cpu);
  const s = srcXmm(cpu, d, false);
  const count = (d.imm & 1) !== 0 ? 8 : 16;
  const wide = d.opSize === 64;
  const l1 = explicit ? explicitLength(lengthRegister(cpu, EAX, wide), count) : -1;
  const l2 = explicit ? explicitLength(lengthRegister(cpu, EDX, wide), count) : -1;
  compareStrings(cpu.sse.u8, d.reg, s, d.imm, l1, l2);
  const r = strResult;
  setFlagsDirect(
    cpu,
    CF | ZF | SF | OF | AF | PF,
    (r.cf ? CF : 0) | (r.zf ? ZF : 0) | (r.sf ? SF : 0) | (r.of ? OF : 0),
  );
}

/** xSTRI: ECX ← the index. */
function index(explicit: boolean) {
  return (cpu: Cpu, d: Decoded): void => {
    run(cpu, d, explicit);
    cpu.setReg32(ECX, resultIndex(d.imm));
  };
}

/** xSTRM: XMM0 ← the bit mask (imm8[6] = 0) or the expanded element mask. */
function mask(explicit: boolean) {
  return (cpu: Cpu, d: Decoded): void => {
    run(cpu, d, explicit);
    const x = cpu.sse;
    const m = strResult.mask;
    x.zero(0);
    if ((d.imm & 0x40) === 0) {
      x.u16[0] = m;
    } else if (strResult.count === 16) {
      for (let i = 0; i < 16; i++) x.u8[i] = (m >> i) & 1 ? 0xff : 0;
    } else {
      for (let i = 0; i < 8; i++) x.u16[i] = (m >> i) & 1 ? 0xffff : 0;
    }
  };
}

defineOpInMap(MAP_0F3A, 0x60, -1, spec, mask(true)); // PCMPESTRM
defineOpInMap(MAP_0F3A, 0x61, -1, spec, index(true)); // PCMPESTRI
defineOpInMap(MAP_0F3A, 0x62, -1, spec, mask(false)); // PCMPISTRM
defineOpInMap(MAP_0F3A, 0x63, -1, spec, index(false)); // PCMPISTRI

// ---- CRC32 ----

/** CRC-32C table, reflected polynomial 0x82F63B78. */
const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC_TABLE[n] = c;
}

/** Folds the low `bytes` bytes of `v` into `crc`. */
export function crc32c(crc: number, v: number, bytes: number): number {
  for (let i = 0; i < bytes; i++) {
    crc = CRC_TABLE[(crc ^ (v >>> (8 * i))) & 0xff] ^ (crc >>> 8);
  }
  return crc >>> 0;
}

/** Writes the CRC to the destination: r32 (upper half cleared) or r64 (REX.W). */
function crcResult(cpu: Cpu, d: Decoded, crc: number): void {
  cpu.setReg64(d.reg, crc, 0);
}

// CRC32 r32|r64, r/m8 (F2 0F 38 F0).
defineOpInMap(MAP_0F38, 0xf0, -1, { modrm: true, prefix: 0xf2 }, (cpu, d) => {
  const v = cpu.readModrm8(d);
  crcResult(cpu, d, crc32c(cpu.r32[d.reg << 1], v, 1));
});
// CRC32 r32, r/m16 (66), r/m32; r64, r/m64 (REX.W) (F2 0F 38 F1).
defineOpInMap(MAP_0F38, 0xf1, -1, { modrm: true, prefix: 0xf2 }, (cpu, d) => {
  const crc = cpu.r32[d.reg << 1];
  if (d.opSize === 64) {
    const lo = cpu.readModrm64(d);
    crcResult(cpu, d, crc32c(crc32c(crc, lo, 4), cpu.valueHi, 4));
  } else if (d.opSize === 16) {
    crcResult(cpu, d, crc32c(crc, cpu.readModrm16(d), 2));
  } else {
    crcResult(cpu, d, crc32c(crc, cpu.readModrm32(d), 4));
  }
});
