/**
 * Shared helpers of the long-mode tests: one 64-bit-mode harness reused
 * across cases, BigInt references for flags, a deterministic PRNG and a few
 * instruction encoders. Registers are addressed by number (0 = RAX ... 15 = R15).
 */
import { CpuHarness } from "../cpu/harness.js";

export const RAX = 0;
export const RCX = 1;
export const RDX = 2;
export const RBX = 3;
export const RSP = 4;
export const RBP = 5;
export const RSI = 6;
export const RDI = 7;

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;

export const MASK64 = (1n << 64n) - 1n;
export const SIGN64 = 1n << 63n;

/** Where test code is loaded. */
export const CODE = 0x1000;
/** HLT. */
export const HLT = 0xf4;

/** xorshift64*: deterministic pseudo-random 64-bit values. */
export class Rng {
  private s: bigint;
  constructor(seed: bigint) {
    this.s = seed & MASK64 || 1n;
  }
  next(): bigint {
    let x = this.s;
    x ^= x >> 12n;
    x ^= (x << 25n) & MASK64;
    x ^= x >> 27n;
    this.s = x;
    return (x * 0x2545f4914f6cdd1dn) & MASK64;
  }
}

/** Interesting 64-bit operands: zero, ones, signs, 32-bit boundaries. */
export const EDGES: readonly bigint[] = [
  0n,
  1n,
  2n,
  0x7fn,
  0xffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffffffffffffffffn,
  0xfffffffffffffffen,
  0x123456789abcdef0n,
  0x00000001ffffffffn,
];

/** Operand pairs: every pair of edges, then random values. */
export function pairs(seed: bigint, randomCount: number): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const a of EDGES) for (const b of EDGES) out.push([a, b]);
  const rng = new Rng(seed);
  for (let i = 0; i < randomCount; i++) out.push([rng.next(), rng.next()]);
  return out;
}

/** Parity flag of the low byte. */
export function parity(r: bigint): number {
  let v = Number(r & 0xffn);
  v ^= v >> 4;
  v ^= v >> 2;
  v ^= v >> 1;
  return (v & 1) === 0 ? PF : 0;
}

/** ZF, SF, PF of a 64-bit result. */
export function szp(r: bigint): number {
  return (r === 0n ? ZF : 0) | ((r & SIGN64) !== 0n ? SF : 0) | parity(r);
}

/** Encodes a 64-bit immediate little-endian. */
export function imm64(v: bigint): number[] {
  const u = BigInt.asUintN(64, v);
  return Array.from({ length: 8 }, (_, i) => Number((u >> BigInt(i * 8)) & 0xffn));
}

/** Encodes a 32-bit immediate little-endian. */
export function imm32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Exception handlers: vector v halts at FAULT_BASE + 16 * v. */
export const FAULT_BASE = 0x3000;
/** The kernel stack RSP is reset to before each `run`. */
export const STACK_TOP = 0x80000;
/** Vectors with an error code (SDM vol. 3, table 6-1). */
const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17]);

/** A 64-bit-mode harness that runs one snippet after another. */
export class LongEnv {
  readonly h = CpuHarness.long64();
  private loaded: readonly number[] = [];

  constructor() {
    for (let v = 0; v < 32; v++) {
      this.h.setIdt64(v, FAULT_BASE + v * 16);
      this.h.poke(FAULT_BASE + v * 16, [HLT]);
    }
  }

  /**
   * The exception the last `run` stopped in, or -1: [vector, error code
   * (-1 if none), faulting RIP] read from the 64-bit frame.
   */
  fault(): [number, number, bigint] | null {
    const rip = this.h.rip - 1n - BigInt(FAULT_BASE);
    if (rip < 0n || rip >= 32n * 16n || rip % 16n !== 0n) return null;
    const v = Number(rip / 16n);
    const sp = Number(this.h.reg64(RSP));
    if (ERROR_CODE_VECTORS.has(v)) return [v, Number(this.h.read64(sp)), this.h.read64(sp + 8)];
    return [v, -1, this.h.read64(sp)];
  }

  /**
   * Runs `code` (HLT appended) at CODE with the given registers and RFLAGS
   * (other registers keep their values). Returns the exit kind.
   */
  run(code: readonly number[], regs: Record<number, bigint> = {}, flags = 0x2): string {
    const h = this.h;
    const bytes = [...code, HLT];
    if (bytes.length !== this.loaded.length || bytes.some((b, i) => b !== this.loaded[i])) {
      h.poke(CODE, bytes);
      this.loaded = bytes;
    }
    h.setReg64(RSP, BigInt(STACK_TOP));
    for (const [n, v] of Object.entries(regs)) h.setReg64(Number(n), v);
    h.eflags = flags;
    h.start(CODE);
    return h.run().kind;
  }

  reg(n: number): bigint {
    return this.h.reg64(n);
  }

  get flags(): number {
    return this.h.eflags;
  }
}
