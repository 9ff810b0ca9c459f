/**
 * The opcode registry. Instruction handlers register themselves here, from
 * their own files, at import time; the decoder (decoder.ts) resolves an
 * encoding to one registered *form* (handler + decode info). Anything not
 * registered decodes to #UD.
 *
 *     defineOp(0x88, { modrm: true }, movEbGb);                 // one-byte map
 *     defineOp0F(0xaf, { modrm: true }, imulGvEv);              // 0F map
 *     defineGroup(0xf7, 0, { imm: IMM_Z }, testEvIz);           // F7 /0 (ModRM.reg = 0)
 *     defineGroup0F(0x01, 7, { mod: "mem" }, invlpg);           // 0F 01 /7, memory forms
 *     defineGroup0F(0x01, 7, { rm: 0 }, swapgs);                // 0F 01 F8 (mod 3, rm 0)
 *     defineOp0F(0x10, { modrm: true, prefix: 0xf3 }, movss);   // F3 0F 10 (mandatory prefix)
 *
 * Resolution order: (map, mandatory prefix, opcode) slot — falling back to
 * the no-prefix slot; then for a group, ModRM.reg; then mod === 3 with a
 * per-rm form if one exists, else the register form; else the memory form.
 * Registering the same form twice throws (two files claiming one opcode).
 * In 64-bit mode a slot of `opTable64` (defineOp64, invalidIn64) replaces
 * the legacy slot; `default64`/`force64` in the spec set the operand size.
 *
 * Opcode ownership (so two engineers never write the same handler):
 *   cpu (insn/base-*.ts): MOV (88-8C, 8E, A0-A3, B0-BF, C6/0, C7/0), LEA, XCHG (86, 87,
 *     90-97; 90 = NOP/PAUSE), PUSH/POP (50-5F, 68, 6A, 8F/0, FF/6, 06 07 0E 16 17 1E 1F,
 *     0F A0 A1 A8 A9), PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE, Jcc (70-7F, 0F 80-8F), JMP
 *     (E9, EB, FF/4), CALL (E8, FF/2), RET near (C2, C3), LOOPcc/JCXZ (E0-E3), INT n,
 *     INT3, INTO, INT1, IRET (real mode; protected via systemHooks), HLT, CLC STC CMC
 *     CLD STD CLI STI, LAHF/SAHF, IN/OUT (E4-E7, EC-EF), string instructions (6C-6F,
 *     A4-A7, AA-AF), XLAT, CBW/CWDE, CWD/CDQ, LDS/LES/LSS/LFS/LGS (C4, C5, 0F B2 B4 B5),
 *     hint NOPs 0F 18-1F, 9B WAIT (calls the FPU's `fpuWait`).
 *   alu (insn/int-*.ts): 00-3F arithmetic and BCD, 40-4F INC/DEC, 62 BOUND, 69/6B IMUL,
 *     80-85, A8/A9, C0/C1/D0-D3, D4-D6, F6/F7, FE/0-1, FF/0-1, and the 0F integer ops
 *     (BT*, BSF/BSR, SHLD/SHRD, MOVZX/MOVSX, CMOVcc, SETcc, CMPXCHG*, XADD, BSWAP, IMUL).
 *   sys (insn/sys-*.ts, system/): far JMP/CALL/RET (EA, 9A, CA, CB, FF/3, FF/5), ARPL
 *     (63), 0F 00, 0F 01, LAR/LSL, CLTS, MOV CR/DR, RDMSR/WRMSR, RDTSC(P), CPUID,
 *     INVD/WBINVD, SYSENTER/SYSEXIT, RSM, and the protected-mode halves behind
 *     `systemHooks` (hooks.ts).
 *   fpu (fpu/): D8-DF, 0F AE (FXSAVE...), 0F MMX/SSE encodings.
 */
import type { Handler } from "./decoded.js";

// ---- Immediate kinds (OpSpec.imm) ----
export const IMM_NONE = 0;
/** ib: one byte, zero-extended (0..255). */
export const IMM_B = 1;
/** ib sign-extended (Jcc rel8, 83 /x, 6A, 6B). */
export const IMM_BS = 2;
/** iw: two bytes (RET iw, ENTER's size), 0..65535. */
export const IMM_W = 3;
/** iz: 2 bytes with 16-bit operand size (0..65535), else 4 (a signed int32). */
export const IMM_Z = 4;
/** iv: like iz, but 8 bytes with a 64-bit operand size (MOV r64, imm64). */
export const IMM_V = 5;
/** moffs (A0-A3): an address-size offset (8 bytes in 64-bit mode), stored as `disp`/`dispHi`. */
export const IMM_MOFFS = 6;
/** Far pointer ptr16:16 / ptr16:32: `imm` = offset (iz), `imm2` = selector. */
export const IMM_FAR = 7;
/** ENTER: `imm` = iw, `imm2` = ib. */
export const IMM_W_B = 8;

// ---- Form flags (OpSpec booleans, copied into Decoded.flags) ----
/** The instruction ends a decoded block (control transfers, mode changes, HLT...). */
export const F_ENDS_BLOCK = 0x1;
/** LOCK is allowed (with a memory destination). Otherwise F0 → #UD. */
export const F_LOCKABLE = 0x2;
/** 64-bit mode: the operand size defaults to 64 (66 gives 16; SDM vol. 2, table A-1 "d64"). */
export const F_DEFAULT64 = 0x4;
/** 64-bit mode: the operand size is always 64, 66 is ignored (near branches, Intel; "f64"). */
export const F_FORCE64 = 0x8;

/** Decode information of an opcode form. */
export interface OpSpec {
  /** The instruction has a ModRM byte (implied by defineGroup*). */
  readonly modrm?: boolean;
  /** Immediate kind (IMM_*), default none. */
  readonly imm?: number;
  /** Ends the decoded block (any instruction that may change CS:EIP other than by falling through, or the mode). */
  readonly endsBlock?: boolean;
  /** LOCK prefix permitted with a memory operand. */
  readonly lockable?: boolean;
  /** Only the memory (mod != 3) or only the register (mod == 3) form. Default both. */
  readonly mod?: "mem" | "reg";
  /** With mod == 3 only: this exact ModRM.rm (0-7), e.g. 0F 01 D0 is /2 rm 0. */
  readonly rm?: number;
  /** Mandatory prefix: 0x66, 0xF3 or 0xF2 (SSE-style encodings). */
  readonly prefix?: 0x66 | 0xf3 | 0xf2;
  /** 64-bit mode: operand size 64 by default, 16 with 66 (PUSH, POP, ENTER, LEAVE...). */
  readonly default64?: boolean;
  /** 64-bit mode: operand size always 64 (near branches). */
  readonly force64?: boolean;
}

/** A resolved opcode form: what the decoder needs after the ModRM byte. */
export class OpForm {
  constructor(
    readonly handler: Handler,
    readonly imm: number,
    readonly flags: number,
  ) {}
}

/** One table slot: (map, mandatory prefix, opcode). */
export class OpSlot {
  /** True once registered with a ModRM byte. */
  modrm = false;
  /** True when dispatched by ModRM.reg. */
  group = false;
  /**
   * Forms by `(group ? reg * 2 : 0) + (mod === 3 ? 1 : 0)`: index 0/1 for plain
   * opcodes, 0..15 for groups. Without ModRM only index 0 is used.
   */
  readonly forms: (OpForm | null)[] = new Array<OpForm | null>(16).fill(null);
  /** mod === 3 forms by `reg * 8 + rm`, or null. */
  rmForms: (OpForm | null)[] | null = null;
}

export const MAP_PRIMARY = 0;
export const MAP_0F = 1;
export const MAP_0F38 = 2;
export const MAP_0F3A = 3;

/** Mandatory-prefix variant index: none, 66, F3, F2. */
export const PFX_NONE = 0;
export const PFX_66 = 1;
export const PFX_F3 = 2;
export const PFX_F2 = 3;

/** Slots by `((map * 4 + pfx) << 8) | opcode`; null = nothing registered. */
export const opTable: (OpSlot | null)[] = new Array<OpSlot | null>(4 * 4 * 256).fill(null);
/**
 * 64-bit mode overrides, same keys: a slot here replaces the legacy one in
 * 64-bit mode (63 = MOVSXD instead of ARPL, SYSCALL...). `INVALID_IN_64`
 * marks an opcode that raises #UD in 64-bit mode (PUSH ES, AAA, BOUND...).
 */
export const opTable64: (OpSlot | null)[] = new Array<OpSlot | null>(4 * 4 * 256).fill(null);
/** A slot with no forms: decodes to #UD. */
export const INVALID_IN_64 = new OpSlot();

function prefixIndex(prefix: number | undefined): number {
  switch (prefix) {
    case undefined:
      return PFX_NONE;
    case 0x66:
      return PFX_66;
    case 0xf3:
      return PFX_F3;
    case 0xf2:
      return PFX_F2;
    default:
      throw new Error(`opcode registry: invalid mandatory prefix ${prefix}`);
  }
}

function slotFor(
  table: (OpSlot | null)[],
  map: number,
  prefix: number | undefined,
  opcode: number,
): OpSlot {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xff) {
    throw new Error(`opcode registry: opcode ${opcode} out of range`);
  }
  const key = ((map * 4 + prefixIndex(prefix)) << 8) | opcode;
  let slot = table[key];
  if (slot === INVALID_IN_64) throw new Error("opcode registry: opcode is invalid in 64-bit mode");
  if (slot === null) {
    slot = new OpSlot();
    table[key] = slot;
  }
  return slot;
}

function name(map: number, opcode: number, reg: number): string {
  const prefix = ["", "0F ", "0F 38 ", "0F 3A "][map];
  const op = opcode.toString(16).padStart(2, "0").toUpperCase();
  return reg >= 0 ? `${prefix}${op} /${reg}` : `${prefix}${op}`;
}

function flagsOf(spec: OpSpec): number {
  return (
    (spec.endsBlock === true ? F_ENDS_BLOCK : 0) |
    (spec.lockable === true ? F_LOCKABLE : 0) |
    (spec.default64 === true ? F_DEFAULT64 : 0) |
    (spec.force64 === true ? F_FORCE64 : 0)
  );
}

function put(slot: OpSlot, index: number, form: OpForm, what: string): void {
  if (slot.forms[index] !== null) throw new Error(`opcode registry: ${what} registered twice`);
  slot.forms[index] = form;
}

/** Registers `handler` for `opcode` of `map` (and `reg` for groups, -1 otherwise). */
export function defineOpInMap(
  map: number,
  opcode: number,
  reg: number,
  spec: OpSpec,
  handler: Handler,
): void {
  defineIn(opTable, map, opcode, reg, spec, handler);
}

/**
 * Registers a form that applies only in 64-bit mode (the legacy registration
 * of the same opcode, if any, keeps serving the other modes). A 64-bit slot
 * replaces the legacy slot as a whole: register every form it needs.
 */
export function defineOp64InMap(
  map: number,
  opcode: number,
  reg: number,
  spec: OpSpec,
  handler: Handler,
): void {
  defineIn(opTable64, map, opcode, reg, spec, handler);
}

/** One-byte opcode valid only in 64-bit mode, or with a different meaning there. */
export function defineOp64(opcode: number, spec: OpSpec, handler: Handler): void {
  defineOp64InMap(MAP_PRIMARY, opcode, -1, spec, handler);
}

/** Marks one-byte opcodes that raise #UD in 64-bit mode (SDM vol. 2, table A-2 "i64"). */
export function invalidIn64(...opcodes: number[]): void {
  for (const opcode of opcodes) {
    const key = (MAP_PRIMARY << 8) | opcode;
    if (opTable64[key] !== null) throw new Error("opcode registry: 64-bit slot already used");
    opTable64[key] = INVALID_IN_64;
  }
}

function defineIn(
  table: (OpSlot | null)[],
  map: number,
  opcode: number,
  reg: number,
  spec: OpSpec,
  handler: Handler,
): void {
  const slot = slotFor(table, map, spec.prefix, opcode);
  const what = name(map, opcode, reg);
  const isGroup = reg >= 0;
  const modrm = isGroup || spec.modrm === true;
  const used = slot.forms.some((f) => f !== null) || slot.rmForms !== null;
  if (used && (slot.group !== isGroup || slot.modrm !== modrm)) {
    throw new Error(`opcode registry: ${what} conflicts with an earlier registration's shape`);
  }
  slot.group = isGroup;
  slot.modrm = modrm;
  const form = new OpForm(handler, spec.imm ?? IMM_NONE, flagsOf(spec));
  if (spec.rm !== undefined) {
    if (!modrm || spec.rm < 0 || spec.rm > 7 || spec.mod === "mem") {
      throw new Error(`opcode registry: ${what}: rm needs a ModRM register form`);
    }
    if (slot.rmForms === null) slot.rmForms = new Array<OpForm | null>(64).fill(null);
    const at = (isGroup ? reg : 0) * 8 + spec.rm;
    if (slot.rmForms[at] !== null) throw new Error(`opcode registry: ${what} rm ${spec.rm} twice`);
    slot.rmForms[at] = form;
    return;
  }
  const base = isGroup ? reg * 2 : 0;
  if (!modrm) {
    put(slot, 0, form, what);
    return;
  }
  if (spec.mod !== "reg") put(slot, base, form, `${what} (memory form)`);
  if (spec.mod !== "mem") put(slot, base + 1, form, `${what} (register form)`);
}

/** One-byte opcode map. */
export function defineOp(opcode: number, spec: OpSpec, handler: Handler): void {
  defineOpInMap(MAP_PRIMARY, opcode, -1, spec, handler);
}

/** Two-byte map (0F xx). */
export function defineOp0F(opcode: number, spec: OpSpec, handler: Handler): void {
  defineOpInMap(MAP_0F, opcode, -1, spec, handler);
}

/** Group opcode of the one-byte map, dispatched by ModRM.reg (`reg` 0-7). */
export function defineGroup(opcode: number, reg: number, spec: OpSpec, handler: Handler): void {
  checkReg(reg);
  defineOpInMap(MAP_PRIMARY, opcode, reg, spec, handler);
}

/** Group opcode of the 0F map, dispatched by ModRM.reg (`reg` 0-7). */
export function defineGroup0F(opcode: number, reg: number, spec: OpSpec, handler: Handler): void {
  checkReg(reg);
  defineOpInMap(MAP_0F, opcode, reg, spec, handler);
}

/** Registers the same handler for a run of consecutive opcodes (e.g. 50-57 PUSH r). */
export function defineOpRange(
  first: number,
  count: number,
  spec: OpSpec,
  handler: Handler,
  map = MAP_PRIMARY,
): void {
  for (let i = 0; i < count; i++) defineOpInMap(map, first + i, -1, spec, handler);
}

function checkReg(reg: number): void {
  if (!Number.isInteger(reg) || reg < 0 || reg > 7) {
    throw new Error(`opcode registry: group reg ${reg} out of range`);
  }
}

/** Whether anything is registered for (map, opcode) without a mandatory prefix (tests, tools). */
export function isDefined(map: number, opcode: number): boolean {
  return opTable[((map * 4) << 8) | opcode] !== null;
}
