/**
 * A tiny x86 encoder for the generated cases: prefixes, opcode bytes, ModRM
 * with register or memory operands (32-bit ModRM/SIB and 16-bit addressing),
 * and immediates. Encodings follow SDM vol. 2, 2.1 (tables 2-1 to 2-3).
 */
import { REG16_NAMES, REG32_NAMES, REG8_NAMES, EBP, ESP } from "./layout.js";

/** A 32-bit memory operand: [base + index * 2^scale + disp]. */
export interface Mem32 {
  readonly kind: "mem32";
  /** Base register (0-7) or null for none. */
  readonly base: number | null;
  /** Index register (0-7 except ESP) or null for none. */
  readonly index: number | null;
  /** log2 of the scale (0-3). */
  readonly scale: number;
  /** Displacement, a signed or unsigned 32-bit value. */
  readonly disp: number;
  /** Displacement width to encode: 0, 1 or 4 bytes (forced where the encoding needs one). */
  readonly dispSize: 0 | 1 | 4;
  /** Use a SIB byte even when not required (base-only forms can be written both ways). */
  readonly forceSib?: boolean;
}

/** A 16-bit memory operand (with the 67 prefix in 32-bit code): ModRM.rm 0-7 and a displacement. */
export interface Mem16 {
  readonly kind: "mem16";
  /** 0 [BX+SI], 1 [BX+DI], 2 [BP+SI], 3 [BP+DI], 4 [SI], 5 [DI], 6 [BP] or [disp16], 7 [BX]. */
  readonly rm: number;
  /** Displacement (16-bit). */
  readonly disp: number;
  /** 0, 1 or 2 bytes; rm 6 with dispSize 0 means [disp16] (mod 00). */
  readonly dispSize: 0 | 1 | 2;
}

export type Mem = Mem32 | Mem16;

/** Registers added by each 16-bit ModRM.rm (SDM vol. 2, table 2-1). */
export const MEM16_REGS: readonly (readonly number[])[] = [
  [3, 6],
  [3, 7],
  [5, 6],
  [5, 7],
  [6],
  [7],
  [5],
  [3],
];

function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16);
}

function signedDisp(v: number, size: number): string {
  const s = size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
  return s < 0 ? `-${hex(-s)}` : `+${hex(s)}`;
}

/** Assembly text of a memory operand, e.g. `[ebx+esi*4+0x10]`. */
export function memText(m: Mem): string {
  if (m.kind === "mem16") {
    const regs = m.rm === 6 && m.dispSize === 0 ? [] : MEM16_REGS[m.rm];
    const parts = regs.map((r) => REG16_NAMES[r]).join("+");
    if (parts === "") return `[${hex(m.disp & 0xffff)}]`;
    return m.dispSize === 0 ? `[${parts}]` : `[${parts}${signedDisp(m.disp, m.dispSize)}]`;
  }
  const parts: string[] = [];
  if (m.base !== null) parts.push(REG32_NAMES[m.base]);
  if (m.index !== null) parts.push(`${REG32_NAMES[m.index]}*${1 << m.scale}`);
  let text = parts.join("+");
  if (text === "") text = hex(m.disp);
  else if (m.dispSize !== 0) text += signedDisp(m.disp, m.dispSize);
  return `[${text}]`;
}

/** Name of register `n` at operand size `size` (8, 16, 32). */
export function regName(n: number, size: number): string {
  return size === 8 ? REG8_NAMES[n] : size === 16 ? REG16_NAMES[n] : REG32_NAMES[n];
}

/** Size keyword for a memory operand's text. */
export function sizeWord(size: number): string {
  return size === 8 ? "byte" : size === 16 ? "word" : size === 32 ? "dword" : "qword";
}

/** Collects the bytes of one case's code. */
export class Asm {
  readonly bytes: number[] = [];

  /** Appends raw bytes (prefixes, opcodes). */
  byte(...values: number[]): this {
    for (const v of values) this.bytes.push(v & 0xff);
    return this;
  }

  /** Appends a little-endian immediate of `size` bytes (1, 2 or 4). */
  imm(value: number, size: number): this {
    for (let i = 0; i < size; i++) this.bytes.push((value >>> (8 * i)) & 0xff);
    return this;
  }

  /** Opcode bytes then ModRM with mod = 3 (register operand `rm`). */
  regRm(opcode: readonly number[], reg: number, rm: number): this {
    this.byte(...opcode, 0xc0 | ((reg & 7) << 3) | (rm & 7));
    return this;
  }

  /** Opcode bytes then ModRM (+SIB, displacement) for memory operand `m`. Emits 67 for Mem16. */
  memRm(opcode: readonly number[], reg: number, m: Mem): this {
    if (m.kind === "mem16") {
      // The address-size prefix must precede the opcode (any order among prefixes).
      const prefixEnd = opcode.findIndex((b) => !isPrefix(b));
      const at = prefixEnd < 0 ? opcode.length : prefixEnd;
      this.byte(...opcode.slice(0, at), 0x67, ...opcode.slice(at));
      this.encodeMem16(reg, m);
    } else {
      this.byte(...opcode);
      this.encodeMem32(reg, m);
    }
    return this;
  }

  private encodeMem16(reg: number, m: Mem16): void {
    const r = (reg & 7) << 3;
    if (m.dispSize === 0) {
      if (m.rm === 6) this.byte(0x00 | r | 6).imm(m.disp, 2);
      else this.byte(0x00 | r | m.rm);
    } else if (m.dispSize === 1) {
      this.byte(0x40 | r | m.rm).imm(m.disp, 1);
    } else {
      this.byte(0x80 | r | m.rm).imm(m.disp, 2);
    }
  }

  private encodeMem32(reg: number, m: Mem32): void {
    const r = (reg & 7) << 3;
    if (m.index === ESP) throw new Error("encoder: ESP cannot be an index register");
    const needSib = m.index !== null || m.base === ESP || m.forceSib === true;
    if (m.base === null && !needSib) {
      this.byte(0x00 | r | 5).imm(m.disp, 4); // [disp32]
      return;
    }
    // [EBP] without displacement does not exist: mod 00 rm/base 101 means disp32.
    let dispSize = m.dispSize;
    if (m.base === EBP && dispSize === 0) dispSize = 1;
    if (m.base === null) dispSize = 4;
    const mod = m.base === null ? 0 : dispSize === 0 ? 0 : dispSize === 1 ? 1 : 2;
    if (needSib) {
      const index = m.index === null ? 4 : m.index;
      const base = m.base === null ? 5 : m.base;
      this.byte((mod << 6) | r | 4, (m.scale << 6) | (index << 3) | base);
    } else {
      this.byte((mod << 6) | r | (m.base as number));
    }
    if (dispSize !== 0) this.imm(m.disp, dispSize);
  }

  /** The code as a byte array. */
  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Legacy prefixes (SDM vol. 2, 2.1.1). */
export function isPrefix(b: number): boolean {
  return (
    b === 0x66 ||
    b === 0x67 ||
    b === 0xf0 ||
    b === 0xf2 ||
    b === 0xf3 ||
    b === 0x26 ||
    b === 0x2e ||
    b === 0x36 ||
    b === 0x3e ||
    b === 0x64 ||
    b === 0x65
  );
}
