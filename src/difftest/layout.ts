/**
 * The fixed environment both sides of the differential tester share
 * (tools/difftest/native-runner.c defines the same numbers): where the case's
 * code and data live, the wire sizes, and the user-mode selectors Linux gives
 * a 32-bit process, so instructions that read a segment register agree.
 */

/** Linear address of the case's code (the runner maps one page there). */
export const CODE_ADDR = 0x20000000;
/** Longest code the native runner accepts. */
export const CODE_MAX = 0x1000;
/** Linear address of the data area every memory operand points into. */
export const DATA_ADDR = 0x10000000;
/** Size of the data area (two pages, so accesses can cross a page boundary). */
export const DATA_SIZE = 0x2000;
/** Size of an FXSAVE image (SDM vol. 1, 10.5.1, table 10-2). */
export const FXSAVE_SIZE = 512;

/** Linux's flat user selectors in 32-bit mode (arch/x86/include/asm/segment.h). */
export const USER_CS = 0x23;
export const USER_DS = 0x2b;

/** INT3, appended to every case's code: the end marker (vector 3, a trap). */
export const INT3 = 0xcc;

/** GPR numbers in x86 encoding order, and their names. */
export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;
export const REG32_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;
export const REG16_NAMES = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] as const;
export const REG8_NAMES = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"] as const;

/** EFLAGS bits (SDM vol. 1, 3.4.3). */
export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const IOPL = 0x3000;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const VIF = 0x80000;
export const VIP = 0x100000;
export const ID = 0x200000;
/** The six status flags. */
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;

/** Exception vectors (SDM vol. 3, table 6-1). */
export const VEC_DE = 0;
export const VEC_BP = 3;
export const VEC_UD = 6;
export const VEC_NM = 7;
export const VEC_SS = 12;
export const VEC_GP = 13;
export const VEC_PF = 14;
export const VEC_MF = 16;
export const VEC_AC = 17;
export const VEC_XM = 19;
/** Not an exception: the case ran past its time limit (native SIGALRM / soft budget). */
export const VEC_TIMEOUT = 256;
/** Not an exception: the soft CPU stopped with an exit other than an exception. */
export const VEC_SOFT_EXIT = 257;

/** Short names of the vectors the tester reports. */
export function vectorName(v: number): string {
  const names: Record<number, string> = {
    0: "#DE",
    1: "#DB",
    3: "#BP",
    4: "#OF",
    5: "#BR",
    6: "#UD",
    7: "#NM",
    8: "#DF",
    10: "#TS",
    11: "#NP",
    12: "#SS",
    13: "#GP",
    14: "#PF",
    16: "#MF",
    17: "#AC",
    18: "#MC",
    19: "#XM",
    [VEC_TIMEOUT]: "timeout",
    [VEC_SOFT_EXIT]: "soft-exit",
  };
  return names[v] ?? `vector ${v}`;
}
