/**
 * The native runner's wire format (tools/difftest/native-runner.c, header
 * comment), little-endian:
 *
 *   case:   u32 magic 'TSDC', u32 codeLength, u32 gpr[8], u32 eflags,
 *           u8 fxsave[512], u8 data[DATA_SIZE], u8 code[codeLength]
 *   result: u32 magic 'TSDR', u32 signal, u32 trapno, u32 error, u32 cr2,
 *           u32 eip, u32 gpr[8], u32 eflags, u8 fxsave[512], u8 data[DATA_SIZE]
 *
 * and the translation of a result's signal into the exception vector the
 * soft side reports.
 */
import type { CaseResult, DiffCase } from "./case.js";
import { CODE_MAX, DATA_SIZE, FXSAVE_SIZE, VEC_BP, VEC_TIMEOUT } from "./layout.js";

export const CASE_MAGIC = 0x43445354;
export const RESULT_MAGIC = 0x52445354;
const CASE_HEADER = 4 * 11;
const RESULT_HEADER = 4 * 15;
/** Bytes of one result record. */
export const RESULT_SIZE = RESULT_HEADER + FXSAVE_SIZE + DATA_SIZE;

/** Linux signal numbers (i386). */
const SIGTRAP = 5;
const SIGALRM = 14;

/** Malformed native output (a runner bug or a version mismatch). */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }
}

/** Bytes one case takes on the wire. */
export function caseSize(c: DiffCase): number {
  return CASE_HEADER + FXSAVE_SIZE + DATA_SIZE + c.code.length;
}

/** Serialises `cases` into one buffer for the runner's stdin. */
export function encodeCases(cases: readonly DiffCase[]): Buffer {
  let total = 0;
  for (const c of cases) {
    if (c.code.length > CODE_MAX) {
      throw new WireError(`case ${c.group}#${c.index}: code of ${c.code.length} bytes is too long`);
    }
    total += caseSize(c);
  }
  const buf = Buffer.alloc(total);
  let at = 0;
  for (const c of cases) {
    buf.writeUInt32LE(CASE_MAGIC, at);
    buf.writeUInt32LE(c.code.length, at + 4);
    for (let i = 0; i < 8; i++) buf.writeUInt32LE(c.gpr[i] >>> 0, at + 8 + 4 * i);
    buf.writeUInt32LE(c.eflags >>> 0, at + 40);
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

/** The exception vector a native result stands for. */
export function signalToVector(signal: number, trapno: number): number {
  if (signal === SIGALRM) return VEC_TIMEOUT;
  if (signal === SIGTRAP && trapno === 3) return VEC_BP;
  // SIGFPE/SIGILL/SIGSEGV/SIGBUS/SIGTRAP from a CPU exception carry its vector in trapno.
  return trapno;
}

/** Decodes result `i` of `buf` (views into `buf`, no copies). */
export function decodeResult(buf: Buffer, i: number): CaseResult & { signal: number } {
  const at = i * RESULT_SIZE;
  if (buf.readUInt32LE(at) !== RESULT_MAGIC) {
    throw new WireError(`native result ${i}: bad magic 0x${buf.readUInt32LE(at).toString(16)}`);
  }
  const signal = buf.readUInt32LE(at + 4);
  const trapno = buf.readUInt32LE(at + 8);
  const vector = signalToVector(signal, trapno);
  const gpr = new Uint32Array(8);
  for (let r = 0; r < 8; r++) gpr[r] = buf.readUInt32LE(at + 24 + 4 * r);
  const fx = at + RESULT_HEADER;
  return {
    signal,
    vector,
    errorCode: buf.readUInt32LE(at + 12),
    cr2: vector === 14 ? buf.readUInt32LE(at + 16) : 0,
    eip: buf.readUInt32LE(at + 20),
    gpr,
    eflags: buf.readUInt32LE(at + 56),
    fxsave: buf.subarray(fx, fx + FXSAVE_SIZE),
    data: buf.subarray(fx + FXSAVE_SIZE, fx + FXSAVE_SIZE + DATA_SIZE),
  };
}
