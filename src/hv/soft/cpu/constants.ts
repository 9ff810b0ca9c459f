/**
 * Architectural constants of the soft CPU: register numbers, EFLAGS and
 * control-register bits, exception vectors. Pure data, no code paths.
 *
 * Intel SDM vol. 1 ch. 3 (registers, EFLAGS), vol. 3 ch. 2 (CR0/CR4, EFER),
 * vol. 3 ch. 6 (exception vectors).
 */

// ---- General-purpose registers (x86 encoding order; see registers.ts GPR set) ----
export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;
/** Number of architectural GPRs (R8-R15 exist in the storage for long mode). */
export const GPR_COUNT = 16;
/**
 * A hidden 17th register that always reads 0. The decoder points absent
 * base/index registers of an effective address at it, so address
 * computation needs no branches. Never write it.
 */
export const ZERO_REG = 16;
/** R8-R15 (reachable with REX prefixes in 64-bit mode). */
export const R8 = 8;
export const R15 = 15;

/**
 * Byte offset in `Cpu.r8` of the legacy 8-bit register with encoding `n`
 * (0-7: AL CL DL BL AH CH DH BH). AL..BL are byte 0 of regs 0..3; AH..BH are
 * byte 1 of regs 0..3 (SDM vol. 1, 3.4.1). Without REX only.
 */
export const REG8_OFFSET: readonly number[] = [0, 8, 16, 24, 1, 9, 17, 25];
/**
 * Byte offset in `Cpu.r8` of the 8-bit register with encoding `n` (0-15)
 * when a REX prefix is present: AL CL DL BL SPL BPL SIL DIL R8B..R15B, i.e.
 * always the low byte of register n (SDM vol. 1, 3.7.2.1).
 */
export const REG8_OFFSET_REX: readonly number[] = Array.from({ length: 16 }, (_, n) => n * 8);

// ---- REX prefix bits (SDM vol. 2, 2.2.1) ----
/** REX.W: 64-bit operand size. */
export const REX_W = 8;
/** REX.R: extends ModRM.reg. */
export const REX_R = 4;
/** REX.X: extends SIB.index. */
export const REX_X = 2;
/** REX.B: extends ModRM.rm, SIB.base or the opcode's register field. */
export const REX_B = 1;

// ---- Segment registers: hidden-part array indices (same as registers.ts `Seg`) ----
export const SEG_ES = 0;
export const SEG_CS = 1;
export const SEG_SS = 2;
export const SEG_DS = 3;
export const SEG_FS = 4;
export const SEG_GS = 5;
export const SEG_LDTR = 6;
export const SEG_TR = 7;
/** Segment slots in the hidden-part arrays (6 data/code + LDTR + TR). */
export const SEG_COUNT = 8;

/**
 * Segment attributes (`Cpu.segAttr`) use the registers.ts SEGMENT layout:
 * bits 0-7 the descriptor's access byte, bits 12-15 AVL/L/D(B)/G. 0 = unusable.
 */
export const ATTR_ACCESSED = 0x01;
/** Data: writable; code: readable. */
export const ATTR_RW = 0x02;
/** Data: expand-down; code: conforming. */
export const ATTR_DC = 0x04;
/** 1 = code segment (with ATTR_S). */
export const ATTR_CODE = 0x08;
/** 1 = code/data, 0 = system descriptor. */
export const ATTR_S = 0x10;
export const ATTR_DPL_SHIFT = 5;
export const ATTR_PRESENT = 0x80;
export const ATTR_AVL = 0x1000;
export const ATTR_L = 0x2000;
/** D/B: 32-bit default operand size (code), 32-bit stack pointer / upper bound (SS, data). */
export const ATTR_DB = 0x4000;
export const ATTR_G = 0x8000;
/** Attributes of a real-mode / vm86 data segment: present, DPL per mode, writable, accessed. */
export const ATTR_REAL_DATA = 0x93;
/** Attributes of a real-mode code segment: present, code, readable, accessed. */
export const ATTR_REAL_CODE = 0x9b;

// ---- EFLAGS (SDM vol. 1, 3.4.3) ----
export const CF = 0x1;
/** Bit 1 reads as 1. */
export const FLAGS_FIXED1 = 0x2;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const IOPL_MASK = 0x3000;
export const IOPL_SHIFT = 12;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const VIF = 0x80000;
export const VIP = 0x100000;
export const ID = 0x200000;
/** The six arithmetic status flags, computed lazily (flags.ts). */
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Bits that exist in EFLAGS on this model (others read 0, bit 1 reads 1). */
export const EFLAGS_IMPLEMENTED =
  ARITH_FLAGS | TF | IF | DF | IOPL_MASK | NT | RF | VM | AC | VIF | VIP | ID;

// ---- CR0 (SDM vol. 3, 2.5) ----
export const CR0_PE = 0x1;
export const CR0_MP = 0x2;
export const CR0_EM = 0x4;
export const CR0_TS = 0x8;
export const CR0_ET = 0x10;
export const CR0_NE = 0x20;
export const CR0_WP = 0x10000;
export const CR0_AM = 0x40000;
export const CR0_NW = 0x20000000;
export const CR0_CD = 0x40000000;
export const CR0_PG = 0x80000000 | 0;

// ---- CR4 ----
export const CR4_VME = 0x1;
export const CR4_PVI = 0x2;
export const CR4_TSD = 0x4;
export const CR4_DE = 0x8;
export const CR4_PSE = 0x10;
export const CR4_PAE = 0x20;
export const CR4_MCE = 0x40;
export const CR4_PGE = 0x80;
export const CR4_PCE = 0x100;
export const CR4_OSFXSR = 0x200;
export const CR4_OSXMMEXCPT = 0x400;
export const CR4_FSGSBASE = 0x10000;
export const CR4_PCIDE = 0x20000;
export const CR4_OSXSAVE = 0x40000;
export const CR4_SMEP = 0x100000;
export const CR4_SMAP = 0x200000;

// ---- EFER (MSR 0xC0000080) ----
export const EFER_SCE = 0x1;
export const EFER_LME = 0x100;
export const EFER_LMA = 0x400;
export const EFER_NXE = 0x800;

// ---- Long mode (SDM vol. 3, 2.2 and 4.5) ----
/** Linear addresses are 48 bits; a canonical address has bits 63:47 all equal. */
export const LINEAR_BITS = 48;
/** 2^47: canonical addresses, as signed numbers, lie in [-2^47, 2^47). */
export const CANONICAL_LIMIT = 0x800000000000;

// ---- DR6 / DR7 bits used by the core ----
/** DR6.BS: the #DB was a single-step trap. */
export const DR6_BS = 0x4000;
/** Bits of DR6 that read as 1 (SDM vol. 3, 17.2.3). */
export const DR6_FIXED1 = 0xffff0ff0 | 0;
export const DR7_FIXED1 = 0x400;

// ---- Exception vectors (SDM vol. 3, table 6-1) ----
export const VEC_DE = 0;
export const VEC_DB = 1;
export const VEC_NMI = 2;
export const VEC_BP = 3;
export const VEC_OF = 4;
export const VEC_BR = 5;
export const VEC_UD = 6;
export const VEC_NM = 7;
export const VEC_DF = 8;
export const VEC_TS = 10;
export const VEC_NP = 11;
export const VEC_SS = 12;
export const VEC_GP = 13;
export const VEC_PF = 14;
export const VEC_MF = 16;
export const VEC_AC = 17;
export const VEC_MC = 18;
export const VEC_XM = 19;

// ---- #PF error code bits (SDM vol. 3, 4.7) ----
export const PF_P = 0x1;
export const PF_W = 0x2;
export const PF_U = 0x4;
export const PF_RSVD = 0x8;
export const PF_I = 0x10;
