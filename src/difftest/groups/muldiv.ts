/**
 * Multiplication and division: MUL/IMUL one-operand (F6/F7 /4-5), IMUL
 * r, r/m (0F AF), IMUL r, r/m, imm (69, 6B); DIV/IDIV (F6/F7 /6-7) with
 * operands built to divide cleanly half the time and to overflow or divide
 * by zero (#DE) otherwise.
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { EAX, EDX } from "../layout.js";
import { UNDEFINED_FLAGS } from "../undefined-flags.js";
import { type Form, type Group, hx, immBytes, m, maskOf, osz, r, SIZES, w } from "./group.js";

const IMPLICIT = (1 << EAX) | (1 << EDX);

/** Emits `opcode /ext` with a register or memory operand of `size`; returns its text. */
function rmOperand(
  b: CaseBuilder,
  opcode: readonly number[],
  ext: number,
  size: number,
  memForm: boolean,
  exclude: number,
): { text: string; reg: number } {
  if (memForm) {
    const { mem } = b.mem(size / 8, { exclude });
    b.asm.memRm(opcode, ext, mem);
    return { text: m(memText(mem), size), reg: -1 };
  }
  const reg = b.reg();
  b.asm.regRm(opcode, ext, reg);
  return { text: r(reg, size), reg };
}

function mulForms(): Form[] {
  const forms: Form[] = [];
  for (const [mn, ext] of [
    ["mul", 4],
    ["imul", 5],
  ] as const) {
    for (const size of SIZES) {
      for (const memForm of [false, true]) {
        forms.push({
          name: `${mn.toUpperCase()} r/m${size} (${memForm ? "mem" : "reg"})`,
          gen: (b) => {
            b.asm.byte(...osz(size));
            const op = rmOperand(b, [w(size, 0xf6)], ext, size, memForm, IMPLICIT);
            b.undefined(UNDEFINED_FLAGS.MUL);
            return `${mn} ${op.text}`;
          },
        });
      }
    }
  }
  for (const size of [16, 32]) {
    for (const memForm of [false, true]) {
      const kind = memForm ? "mem" : "reg";
      forms.push({
        name: `IMUL r${size}, r/m${size} (${kind})`,
        gen: (b) => {
          const dst = b.reg();
          b.asm.byte(...osz(size));
          const op = rmOperand(b, [0x0f, 0xaf], dst, size, memForm, 1 << dst);
          b.undefined(UNDEFINED_FLAGS.MUL);
          return `imul ${r(dst, size)}, ${op.text}`;
        },
      });
      for (const [opcode, immSize] of [
        [0x69, size],
        [0x6b, 8],
      ] as const) {
        forms.push({
          name: `IMUL r${size}, r/m${size}, imm${immSize === 8 ? 8 : size} (${kind})`,
          gen: (b) => {
            const dst = b.reg();
            const imm = b.rng.value(immSize);
            b.asm.byte(...osz(size));
            const op = rmOperand(b, [opcode], dst, size, memForm, 1 << dst);
            b.asm.imm(imm, immBytes(immSize));
            b.undefined(UNDEFINED_FLAGS.MUL);
            return `imul ${r(dst, size)}, ${op.text}, ${hx(imm)}`;
          },
        });
      }
    }
  }
  return forms;
}

const big = (v: number): bigint => BigInt(v >>> 0);

/**
 * Sets the dividend (AX, DX:AX or EDX:EAX) and returns the divisor for a
 * `size`-bit (I)DIV: half the time quotient * divisor + remainder with a
 * quotient that fits, otherwise random (mostly overflow), sometimes zero.
 */
function divOperands(b: CaseBuilder, size: number, signed: boolean): number {
  const rng = b.rng;
  const mask = BigInt.asUintN(size, -1n);
  let divisor = rng.value(size);
  let dividend: bigint;
  const special = rng.int(10);
  if (special === 0) {
    divisor = 0;
    dividend = BigInt(rng.u32()) << 16n;
  } else if (special === 1 && signed) {
    divisor = maskOf(size); // -1
    dividend = 1n << BigInt(2 * size - 1); // the most negative dividend: quotient overflows
  } else if (special < 6 && divisor !== 0) {
    const d = signed ? BigInt.asIntN(size, big(divisor)) : big(divisor);
    let q = BigInt(rng.value(size));
    q = signed ? BigInt.asIntN(size, q) : q;
    const absD = d < 0n ? -d : d;
    let rem = BigInt(rng.u32()) % absD;
    // The remainder takes the dividend's sign: keep them consistent.
    const product = q * d;
    if (signed && product < 0n) rem = -rem;
    dividend = product + rem;
  } else {
    dividend = (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
  }
  const wide = BigInt.asUintN(2 * size, dividend);
  const low = Number(wide & mask);
  const high = Number((wide >> BigInt(size)) & mask);
  if (size === 8) {
    b.set(EAX, (b.gpr[EAX] & ~0xffff) | (high << 8) | low);
  } else if (size === 16) {
    b.set(EAX, (b.gpr[EAX] & ~0xffff) | low);
    b.set(EDX, (b.gpr[EDX] & ~0xffff) | high);
  } else {
    b.set(EAX, low);
    b.set(EDX, high);
  }
  return divisor >>> 0;
}

function divForms(): Form[] {
  const forms: Form[] = [];
  for (const [mn, ext] of [
    ["div", 6],
    ["idiv", 7],
  ] as const) {
    for (const size of SIZES) {
      for (const memForm of [false, true]) {
        forms.push({
          name: `${mn.toUpperCase()} r/m${size} (${memForm ? "mem" : "reg"})`,
          gen: (b) => {
            const divisor = divOperands(b, size, ext === 7);
            const bytes = new Uint8Array(size / 8);
            for (let i = 0; i < bytes.length; i++) bytes[i] = divisor >>> (8 * i);
            b.asm.byte(...osz(size));
            let text: string;
            if (memForm) {
              const { mem } = b.mem(size / 8, { exclude: IMPLICIT, init: bytes });
              b.asm.memRm([w(size, 0xf6)], ext, mem);
              text = m(memText(mem), size);
            } else {
              // A divisor register other than the dividend's (those divide by part of themselves).
              const reg = b.reg(size === 8 ? (1 << 0) | (1 << 4) : IMPLICIT);
              const cur = b.gpr[reg & 3];
              if (size === 8 && reg >= 4) b.set(reg & 3, (cur & ~0xff00) | (divisor << 8));
              else b.set(reg, size === 32 ? divisor : (b.gpr[reg] & ~maskOf(size)) | divisor);
              b.asm.regRm([w(size, 0xf6)], ext, reg);
              text = r(reg, size);
            }
            b.undefined(UNDEFINED_FLAGS.DIV);
            return `${mn} ${text}`;
          },
        });
      }
    }
  }
  return forms;
}

export const MULDIV_GROUPS: readonly Group[] = [
  { name: "mul", title: "MUL/IMUL, all forms", forms: mulForms() },
  { name: "div", title: "DIV/IDIV incl. #DE (zero divisor, quotient overflow)", forms: divForms() },
];
