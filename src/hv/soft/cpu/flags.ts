/**
 * EFLAGS with lazily computed arithmetic flags.
 *
 * Most arithmetic results' flags are never read (the next instruction
 * overwrites them), so an arithmetic handler only *records* what it did in
 * `cpu.lf` (an Int32Array): the operation kind, the result, the operands and
 * the operand size. CF/PF/AF/ZF/SF/OF are computed from that record when
 * something reads them (Jcc, SETcc, PUSHF, ADC...). The other EFLAGS bits
 * (TF, IF, DF, IOPL, ...) always live in `cpu.flags`.
 *
 * Contract for instruction handlers (the alu engineer's API):
 *
 *   - ADD/ADC/SUB/SBB/CMP/NEG/AND/OR/XOR/TEST/INC/DEC: compute the result
 *     yourself, then call exactly one `setLazy*` with the *unmasked or masked*
 *     result and operands (only the low `size` bits are used).
 *   - Shifts, rotates, MUL/IMUL, BT*, BCD, anything else that defines flags
 *     explicitly: `setLazyResult` (SF/ZF/PF from a result, CF/AF/OF given) or
 *     `setFlagsDirect(cpu, mask, values)` (any subset of flags, others kept).
 *   - Read flags with `getCF`...`getOF`, `testCondition(cc)`, or `getEflags`.
 *
 * `size` is the operand size in bits: 8, 16, 32 or 64. 64-bit operations use
 * the `*64` recorders, which also keep the high dwords (LF_*_HI): every
 * flag is then computed exactly from int32 halves.
 * SDM vol. 1, 3.4.3.1 and appendix A (which instruction sets which flag).
 */
import {
  AF,
  ARITH_FLAGS,
  CF,
  EFLAGS_IMPLEMENTED,
  FLAGS_FIXED1,
  OF,
  PF,
  SF,
  ZF,
} from "./constants.js";
import {
  type FlagHolder,
  LF_A,
  LF_B,
  LF_C,
  LF_OP,
  LF_RES,
  LF_SIZE,
  OP_ADC,
  OP_ADD,
  OP_DEC,
  OP_INC,
  OP_LOGIC,
  OP_NONE,
  OP_RESULT,
  OP_SBB,
  OP_SUB,
  LF_RES_HI,
} from "./flags-record.js";
import { getCF64, getOF64, record64 } from "./flags64.js";

export * from "./flags-record.js";
export * from "./flags64.js";

/** PARITY[b] = PF for low byte b (1 when the number of set bits is even). */
const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let v = i; v !== 0; v >>= 1) bits += v & 1;
  PARITY[i] = (bits & 1) === 0 ? 1 : 0;
}

/** All-ones mask of an operand size, as an unsigned number. */
function sizeMask(size: number): number {
  return size === 32 ? 0xffffffff : (1 << size) - 1;
}

// ---- Recording (hot path: keep these tiny) ----

/** ADD (and the addition half of XADD): res = a + b. */
export function setLazyAdd(cpu: FlagHolder, res: number, a: number, b: number, size: number): void {
  const lf = cpu.lf;
  lf[LF_OP] = OP_ADD;
  lf[LF_RES] = res;
  lf[LF_A] = a;
  lf[LF_B] = b;
  lf[LF_SIZE] = size;
}

/** ADC: res = a + b + carryIn (carryIn 0 or 1). */
export function setLazyAdc(
  cpu: FlagHolder,
  res: number,
  a: number,
  b: number,
  carryIn: number,
  size: number,
): void {
  const lf = cpu.lf;
  lf[LF_OP] = OP_ADC;
  lf[LF_RES] = res;
  lf[LF_A] = a;
  lf[LF_B] = b;
  lf[LF_C] = carryIn;
  lf[LF_SIZE] = size;
}

/** SUB/CMP/NEG (NEG: a = 0, b = operand) and CMPS/SCAS: res = a - b. */
export function setLazySub(cpu: FlagHolder, res: number, a: number, b: number, size: number): void {
  const lf = cpu.lf;
  lf[LF_OP] = OP_SUB;
  lf[LF_RES] = res;
  lf[LF_A] = a;
  lf[LF_B] = b;
  lf[LF_SIZE] = size;
}

/** SBB: res = a - b - borrowIn (borrowIn 0 or 1). */
export function setLazySbb(
  cpu: FlagHolder,
  res: number,
  a: number,
  b: number,
  borrowIn: number,
  size: number,
): void {
  const lf = cpu.lf;
  lf[LF_OP] = OP_SBB;
  lf[LF_RES] = res;
  lf[LF_A] = a;
  lf[LF_B] = b;
  lf[LF_C] = borrowIn;
  lf[LF_SIZE] = size;
}

/** AND/OR/XOR/TEST: CF=OF=AF=0, SF/ZF/PF from res. */
export function setLazyLogic(cpu: FlagHolder, res: number, size: number): void {
  const lf = cpu.lf;
  lf[LF_OP] = OP_LOGIC;
  lf[LF_RES] = res;
  lf[LF_SIZE] = size;
}

/** INC: res = a + 1. CF is preserved. */
export function setLazyInc(cpu: FlagHolder, res: number, a: number, size: number): void {
  preserveCarry(cpu);
  const lf = cpu.lf;
  lf[LF_OP] = OP_INC;
  lf[LF_RES] = res;
  lf[LF_A] = a;
  lf[LF_B] = 1;
  lf[LF_SIZE] = size;
}

/** DEC: res = a - 1. CF is preserved. */
export function setLazyDec(cpu: FlagHolder, res: number, a: number, size: number): void {
  preserveCarry(cpu);
  const lf = cpu.lf;
  lf[LF_OP] = OP_DEC;
  lf[LF_RES] = res;
  lf[LF_A] = a;
  lf[LF_B] = 1;
  lf[LF_SIZE] = size;
}

/** 64-bit INC (CF preserved): r = a + 1. */
export function setLazyInc64(
  cpu: FlagHolder,
  rLo: number,
  rHi: number,
  aLo: number,
  aHi: number,
): void {
  preserveCarry(cpu);
  record64(cpu, OP_INC, rLo, rHi, aLo, aHi, 1, 0);
}

/** 64-bit DEC (CF preserved): r = a - 1. */
export function setLazyDec64(
  cpu: FlagHolder,
  rLo: number,
  rHi: number,
  aLo: number,
  aHi: number,
): void {
  preserveCarry(cpu);
  record64(cpu, OP_DEC, rLo, rHi, aLo, aHi, 1, 0);
}

/**
 * SF/ZF/PF from `res`; CF, AF and OF taken from `explicit` (EFLAGS bit
 * positions: CF=1, AF=0x10, OF=0x800; other bits ignored). For shifts,
 * MUL/IMUL, BSF/BSR-like instructions that define SF/ZF/PF from a result.
 */
export function setLazyResult(cpu: FlagHolder, res: number, size: number, explicit: number): void {
  const lf = cpu.lf;
  lf[LF_OP] = OP_RESULT;
  lf[LF_RES] = res;
  lf[LF_C] = explicit & (CF | AF | OF);
  lf[LF_SIZE] = size;
}

/**
 * Sets the flags in `mask` (any EFLAGS bits, usually a subset of the
 * arithmetic ones) to the corresponding bits of `values`; every other flag
 * keeps its current value. For rotates (CF/OF only), BT (CF only), BCD, SAHF.
 * Not for IF/TF/VM etc. when a mode change is involved: use `setEflags`.
 */
export function setFlagsDirect(cpu: FlagHolder, mask: number, values: number): void {
  materialize(cpu);
  cpu.flags = (cpu.flags & ~mask) | (values & mask);
}

/** Moves CF out of the lazy record into `cpu.flags` (before INC/DEC). */
function preserveCarry(cpu: FlagHolder): void {
  const op = cpu.lf[LF_OP];
  if (op !== OP_NONE && op !== OP_INC && op !== OP_DEC) {
    cpu.flags = (cpu.flags & ~CF) | getCF(cpu);
  }
}

/** Computes the lazy flags into `cpu.flags` and clears the record. */
export function materialize(cpu: FlagHolder): void {
  if (cpu.lf[LF_OP] === OP_NONE) return;
  const arith = getCF(cpu) | getPF(cpu) | getAF(cpu) | getZF(cpu) | getSF(cpu) | getOF(cpu);
  cpu.flags = (cpu.flags & ~ARITH_FLAGS) | arith;
  cpu.lf[LF_OP] = OP_NONE;
}

// ---- Reading. Each getter returns the flag's own bit (e.g. getZF → 0 or 0x40). ----

/** CF: 0 or 1. */
export function getCF(cpu: FlagHolder): number {
  const lf = cpu.lf;
  const size = lf[LF_SIZE];
  if (size === 64) return getCF64(cpu);
  const m = sizeMask(size);
  switch (lf[LF_OP]) {
    case OP_ADD:
      return (lf[LF_RES] & m) >>> 0 < (lf[LF_A] & m) >>> 0 ? 1 : 0;
    case OP_ADC: {
      const r = (lf[LF_RES] & m) >>> 0;
      const a = (lf[LF_A] & m) >>> 0;
      return (lf[LF_C] !== 0 ? r <= a : r < a) ? 1 : 0;
    }
    case OP_SUB:
      return (lf[LF_A] & m) >>> 0 < (lf[LF_B] & m) >>> 0 ? 1 : 0;
    case OP_SBB: {
      const a = (lf[LF_A] & m) >>> 0;
      const b = (lf[LF_B] & m) >>> 0;
      return (lf[LF_C] !== 0 ? a <= b : a < b) ? 1 : 0;
    }
    case OP_LOGIC:
      return 0;
    case OP_RESULT:
      return lf[LF_C] & CF;
    default: // OP_NONE, OP_INC, OP_DEC
      return cpu.flags & CF;
  }
}

/** ZF: 0 or 0x40. */
export function getZF(cpu: FlagHolder): number {
  const lf = cpu.lf;
  if (lf[LF_OP] === OP_NONE) return cpu.flags & ZF;
  const size = lf[LF_SIZE];
  if (size === 64) return (lf[LF_RES] | lf[LF_RES_HI]) === 0 ? ZF : 0;
  return (lf[LF_RES] & sizeMask(size)) === 0 ? ZF : 0;
}

/** SF: 0 or 0x80. */
export function getSF(cpu: FlagHolder): number {
  const lf = cpu.lf;
  if (lf[LF_OP] === OP_NONE) return cpu.flags & SF;
  const size = lf[LF_SIZE];
  if (size === 64) return lf[LF_RES_HI] < 0 ? SF : 0;
  return ((lf[LF_RES] >>> (size - 1)) & 1) !== 0 ? SF : 0;
}

/** PF: 0 or 4 (parity of the low byte of the result). */
export function getPF(cpu: FlagHolder): number {
  const lf = cpu.lf;
  if (lf[LF_OP] === OP_NONE) return cpu.flags & PF;
  return PARITY[lf[LF_RES] & 0xff] << 2;
}

/** AF: 0 or 0x10 (carry/borrow out of bit 3). */
export function getAF(cpu: FlagHolder): number {
  const lf = cpu.lf;
  switch (lf[LF_OP]) {
    case OP_NONE:
      return cpu.flags & AF;
    case OP_LOGIC:
      return 0;
    case OP_RESULT:
      return lf[LF_C] & AF;
    default: // add/sub families: bit 4 of a ^ b ^ res
      return (lf[LF_A] ^ lf[LF_B] ^ lf[LF_RES]) & AF;
  }
}

/** OF: 0 or 0x800. */
export function getOF(cpu: FlagHolder): number {
  const lf = cpu.lf;
  const size = lf[LF_SIZE];
  if (size === 64) return getOF64(cpu);
  const shift = size - 1;
  switch (lf[LF_OP]) {
    case OP_ADD:
    case OP_ADC:
    case OP_INC: {
      // Signed overflow: both operands have the same sign and the result differs.
      const a = lf[LF_A];
      const r = lf[LF_RES];
      return (((a ^ r) & (lf[LF_B] ^ r)) >>> shift) & 1 ? OF : 0;
    }
    case OP_SUB:
    case OP_SBB:
    case OP_DEC: {
      // Operands of different signs and the result's sign differs from a's.
      const a = lf[LF_A];
      return (((a ^ lf[LF_B]) & (a ^ lf[LF_RES])) >>> shift) & 1 ? OF : 0;
    }
    case OP_LOGIC:
      return 0;
    case OP_RESULT:
      return lf[LF_C] & OF;
    default:
      return cpu.flags & OF;
  }
}

/**
 * Evaluates condition code `cc` (0-15, the low nibble of Jcc/SETcc/CMOVcc:
 * O NO B AE E NE BE A S NS P NP L GE LE G; SDM vol. 2, appendix B.1.4.7).
 */
export function testCondition(cpu: FlagHolder, cc: number): boolean {
  let result: boolean;
  switch (cc >> 1) {
    case 0:
      result = getOF(cpu) !== 0;
      break;
    case 1:
      result = getCF(cpu) !== 0;
      break;
    case 2:
      result = getZF(cpu) !== 0;
      break;
    case 3:
      result = (getCF(cpu) | getZF(cpu)) !== 0;
      break;
    case 4:
      result = getSF(cpu) !== 0;
      break;
    case 5:
      result = getPF(cpu) !== 0;
      break;
    case 6:
      result = (getSF(cpu) !== 0) !== (getOF(cpu) !== 0);
      break;
    default:
      result = getZF(cpu) !== 0 || (getSF(cpu) !== 0) !== (getOF(cpu) !== 0);
      break;
  }
  return (cc & 1) === 0 ? result : !result;
}

/** The full EFLAGS value (bit 1 set, arithmetic flags computed). */
export function getEflags(cpu: FlagHolder): number {
  if (cpu.lf[LF_OP] === OP_NONE) return (cpu.flags | FLAGS_FIXED1) >>> 0;
  const arith = getCF(cpu) | getPF(cpu) | getAF(cpu) | getZF(cpu) | getSF(cpu) | getOF(cpu);
  return ((cpu.flags & ~ARITH_FLAGS) | arith | FLAGS_FIXED1) >>> 0;
}

/**
 * Replaces EFLAGS wholesale (no privilege masking: POPF/IRET apply their
 * own rules first). Unimplemented bits are cleared, bit 1 set. Callers that
 * may change VM, IF or TF must also call `cpu.flagsChanged()` (Cpu does it in
 * `cpu.setEflags`).
 */
export function writeEflags(cpu: FlagHolder, value: number): void {
  cpu.flags = (value & EFLAGS_IMPLEMENTED) | FLAGS_FIXED1;
  cpu.lf[LF_OP] = OP_NONE;
}
