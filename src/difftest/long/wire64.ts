/**
 * The 64-bit native runner's wire format (tools/difftest/native-runner64.c,
 * header comment), little-endian:
 *
 *   case:   u32 magic 'TSD8', u32 codeLength, u64 gpr[16], u64 rflags,
 *           u8 fxsave[512], u8 data[DATA_SIZE], u8 code[codeLength]
 *   result: u32 magic 'TSR8', u32 signal, u32 trapno, u32 error, u64 cr2,
 *           u64 rip, u64 gpr[16], u64 rflags, u8 fxsave[512], u8 data[DATA_SIZE]
 */
import { CODE_MAX, DATA_SIZE, FXSAVE_SIZE } from "../layout.js";
import { signalToVector, WireError } from "../wire.js";
import type { CaseResult64, DiffCase64 } from "./case64.js";

export const CASE_MAGIC_64 = 0x38445354;
export const RESULT_MAGIC_64 = 0x38525354;
const CASE_HEADER = 8 + 8 * 17;
const RESULT_HEADER = 16 + 8 * 19;
/** Bytes of one result record. */
export const RESULT_SIZE_64 = RESULT_HEADER + FXSAVE_SIZE + DATA_SIZE;

/** Serialises `cases` into one buffer for the runner's stdin. */
export function encodeCases64(cases: readonly DiffCase64[]): Buffer {
  let total = 0;
  for (const c of cases) {
    if (c.code.length > CODE_MAX) {
      throw new WireError(`case ${c.group}#${c.index}: code of ${c.code.length} bytes is too long`);
    }
    total += CASE_HEADER + FXSAVE_SIZE + DATA_SIZE + c.code.length;
  }
  const buf = Buffer.alloc(total);
  let at = 0;
  for (const c of cases) {
    buf.writeUInt32LE(CASE_MAGIC_64, at);
    buf.writeUInt32LE(c.code.length, at + 4);
    for (let i = 0; i < 16; i++) buf.writeBigUInt64LE(c.gpr[i], at + 8 + 8 * i);
    buf.writeBigUInt64LE(BigInt(c.rflags >>> 0), at + 136);
    at += CASE_HEADER;
    buf.set(c.fxsave, at);
    at += FXSAVE_SIZE;
    for (const span of c.dataInit) buf.set(span.bytes, at + span.offset);
    at += DATA_SIZE;
    buf.set(c.code, at);
    at += c.code.length;
  }
  return buf;
}

/** Decodes result `i` of `buf` (fxsave and data are views into `buf`). */
export function decodeResult64(buf: Buffer, i: number): CaseResult64 & { signal: number } {
  const at = i * RESULT_SIZE_64;
  const magic = buf.readUInt32LE(at);
  if (magic !== RESULT_MAGIC_64) {
    throw new WireError(`native result ${i}: bad magic 0x${magic.toString(16)}`);
  }
  const signal = buf.readUInt32LE(at + 4);
  const vector = signalToVector(signal, buf.readUInt32LE(at + 8));
  const gpr = new BigUint64Array(16);
  for (let r = 0; r < 16; r++) gpr[r] = buf.readBigUInt64LE(at + 32 + 8 * r);
  const fx = at + RESULT_HEADER;
  return {
    signal,
    vector,
    errorCode: buf.readUInt32LE(at + 12),
    cr2: vector === 14 ? buf.readBigUInt64LE(at + 16) : 0n,
    rip: buf.readBigUInt64LE(at + 24),
    gpr,
    rflags: Number(buf.readBigUInt64LE(at + 160) & 0xffffffffn),
    fxsave: buf.subarray(fx, fx + FXSAVE_SIZE),
    data: buf.subarray(fx + FXSAVE_SIZE, fx + FXSAVE_SIZE + DATA_SIZE),
  };
}
