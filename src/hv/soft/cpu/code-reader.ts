/**
 * Where the decoder (decoder.ts) takes instruction bytes from: a window of a
 * backing in block mode, or fetched one by one through the TLB in single
 * mode (instructions that cross a page). SDM vol. 2, 2.3.11: at most 15 bytes.
 */
import type { Cpu } from "./cpu.js";

/** Longest legal instruction (SDM vol. 2, 2.3.11). */
export const MAX_INSN_LENGTH = 15;

/** Thrown by a CodeReader in block mode when the instruction runs past the bytes available. */
export class OutOfBytes extends Error {
  constructor() {
    super("instruction crosses the end of the decodable bytes");
    this.name = "OutOfBytes";
  }
}
export const OUT_OF_BYTES = new OutOfBytes();

/**
 * Where the decoder takes bytes from. Block mode: a window of a backing's
 * bytes (`bytes[pos..limit)`); past the window it throws OUT_OF_BYTES.
 * Single mode (`cpu` set): bytes past the window are fetched through the
 * TLB one by one, so a #PF or CS-limit #GP happens exactly when a byte of a
 * page-crossing instruction is needed.
 */
export class CodeReader {
  bytes: Uint8Array = new Uint8Array(0);
  pos = 0;
  limit = 0;
  /** Position of the instruction's first byte. */
  start = 0;
  /** Single mode: the CPU to fetch through, else null. */
  cpu: Cpu | null = null;
  /** Single mode: the CS offset of `bytes[0]`. */
  eipBase = 0;
  /** Single mode: scratch buffer for fetched bytes. */
  readonly scratch = new Uint8Array(16);

  /** Block mode over `bytes[from..limit)`. */
  setBlock(bytes: Uint8Array, from: number, limit: number): void {
    this.bytes = bytes;
    this.pos = from;
    this.start = from;
    this.limit = limit;
    this.cpu = null;
  }

  /** Single mode: fetch bytes of the instruction at CS:`eip` on demand. */
  setSingle(cpu: Cpu, eip: number): void {
    this.bytes = this.scratch;
    this.pos = 0;
    this.start = 0;
    this.limit = 0;
    this.cpu = cpu;
    this.eipBase = eip;
  }

  /** The next byte. */
  next(): number {
    if (this.pos < this.limit) return this.bytes[this.pos++];
    const cpu = this.cpu;
    if (cpu === null || this.limit >= this.scratch.length) throw OUT_OF_BYTES;
    const byte = fetchCodeByte(cpu, this.eipBase + this.limit);
    this.scratch[this.limit] = byte;
    this.limit++;
    this.pos++;
    return byte;
  }

  /** Bytes consumed by the current instruction. */
  get consumed(): number {
    return this.pos - this.start;
  }
}

/** Hook set by exec.ts: fetches one code byte at CS:`eip` (limit check, TLB, #PF). */
export let fetchCodeByte: (cpu: Cpu, eip: number) => number = () => {
  throw new Error("decoder: fetchCodeByte not installed");
};
export function installFetchCodeByte(fn: (cpu: Cpu, eip: number) => number): void {
  fetchCodeByte = fn;
}
