/**
 * Which status flags the Intel SDM (vol. 2, each instruction's "Flags
 * Affected") leaves *undefined* after an integer instruction. tsvm gives
 * them fixed values (documented in each int-*.ts file), but real processors
 * differ — Intel from AMD, and between generations — so a differential
 * tester comparing tsvm with the host CPU must ignore exactly these bits.
 *
 * Pure function of the instruction bytes (legacy prefixes skipped), plus the
 * masked shift count where the answer depends on it. Registers nothing.
 */
import { AF, CF, OF, PF, SF, ZF } from "../constants.js";

const ALL = CF | PF | AF | ZF | SF | OF;
const LEGACY_PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

/**
 * The EFLAGS bits left undefined by the instruction at the start of `code`
 * (32-bit code segment assumed for the default operand size unless
 * `code16`). `shiftCount` is the count a shift/rotate/SHLD/SHRD will use
 * (CL or the immediate, before masking): when omitted, every flag that
 * could be undefined for some count is reported. Returns 0 for
 * instructions whose flags are all defined (or that are not integer ones).
 */
export function undefinedFlags(
  code: ArrayLike<number>,
  shiftCount?: number,
  code16 = false,
): number {
  let i = 0;
  let opOverride = false;
  while (i < code.length && LEGACY_PREFIXES.has(code[i])) {
    if (code[i] === 0x66) opOverride = true;
    i++;
  }
  if (i >= code.length) return 0;
  const wide = code16 === opOverride ? 32 : 16;
  const op = code[i];
  const reg = i + 1 < code.length ? (code[i + 1] >> 3) & 7 : 0;
  if (op === 0x0f) return twoByte(i + 1 < code.length ? code[i + 1] : 0, shiftCount, wide);
  // OR (08-0D), AND (20-25), XOR (30-35) and TEST (84, 85, A8, A9): AF undefined.
  const row = op >> 3;
  if (op < 0x40 && (op & 7) < 6 && (row === 1 || row === 4 || row === 6)) return AF;
  if (op === 0x84 || op === 0x85 || op === 0xa8 || op === 0xa9) return AF;
  if (op >= 0x80 && op <= 0x83) return reg === 1 || reg === 4 || reg === 6 ? AF : 0;
  switch (op) {
    case 0x27: // DAA
    case 0x2f: // DAS
      return OF;
    case 0x37: // AAA
    case 0x3f: // AAS
      return OF | SF | ZF | PF;
    case 0xd4: // AAM
    case 0xd5: // AAD
      return OF | AF | CF;
    case 0x69: // IMUL Gv,Ev,Iz
    case 0x6b:
      return SF | ZF | AF | PF;
    case 0xf6:
    case 0xf7:
      if (reg <= 1) return AF; // TEST
      if (reg === 4 || reg === 5) return SF | ZF | AF | PF; // MUL, IMUL
      if (reg >= 6) return ALL; // DIV, IDIV
      return 0;
    case 0xc0:
    case 0xd0:
    case 0xd2:
      return shiftUndefined(reg, op === 0xd0 ? 1 : shiftCount, 8);
    case 0xc1:
    case 0xd1:
    case 0xd3:
      return shiftUndefined(reg, op === 0xd1 ? 1 : shiftCount, wide);
    default:
      return 0;
  }
}

function twoByte(op: number, shiftCount: number | undefined, size: number): number {
  switch (op) {
    case 0xa3: // BT, BTS, BTR, BTC
    case 0xab:
    case 0xb3:
    case 0xbb:
    case 0xba:
      return OF | SF | AF | PF;
    case 0xbc: // BSF, BSR
    case 0xbd:
      return CF | OF | SF | AF | PF;
    case 0xaf: // IMUL Gv,Ev
      return SF | ZF | AF | PF;
    case 0xa4: // SHLD, SHRD
    case 0xa5:
    case 0xac:
    case 0xad: {
      if (shiftCount === undefined) return ALL;
      const n = shiftCount & 0x1f;
      if (n === 0) return 0;
      if (n > size) return ALL; // the result itself is undefined too
      return AF | (n === 1 ? 0 : OF);
    }
    default:
      return 0;
  }
}

/** Group 2 (reg = ROL..SAR): OF undefined for counts other than 1, AF after shifts, CF past the width. */
function shiftUndefined(reg: number, count: number | undefined, size: number): number {
  const rotate = reg < 4;
  if (count === undefined) return rotate ? OF : OF | AF | (size < 32 ? CF : 0);
  const n = count & 0x1f;
  if (n === 0) return 0;
  let mask = n === 1 ? 0 : OF;
  if (!rotate) {
    mask |= AF;
    // SHL/SHR: CF is undefined when the count is at least the operand width.
    if ((reg === 4 || reg === 5 || reg === 6) && n >= size) mask |= CF;
  }
  return mask;
}
