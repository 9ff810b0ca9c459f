/**
 * Register state as tag/value pairs (seed 002, "Next gen kvm api": a register
 * is addressed by `(set, number)` and carries its size and attributes, so one
 * call can read or write any subset, and "all registers" can be enumerated).
 *
 * Values: registers of at most 8 bytes are `bigint` (unsigned); larger ones
 * are a `Uint8Array` of exactly `size` bytes, little-endian. The layouts of
 * the wide values are fixed below (SEGMENT_LAYOUT, CPUID leaves, x87 and XMM).
 */

/** Register sets. Values >= 0x100 are "fake" sets: state that is not an
 * architectural register but is part of a vCPU's complete state. */
export const RegSet = {
  GPR: 0x01,
  SEGMENT: 0x02,
  CONTROL: 0x03,
  DEBUG: 0x04,
  X87: 0x05,
  SSE: 0x06,
  MSR: 0x07,
  CPUID: 0x08,
  RIP: 0x100,
  RFLAGS: 0x101,
  INTERRUPT_SHADOW: 0x102,
  EVENTS: 0x103,
  MP_STATE: 0x104,
  SMM: 0x105,
} as const;
export type RegSet = (typeof RegSet)[keyof typeof RegSet];

export const RegAttr = {
  /** The guest and the host may change it. */
  READ_WRITE: 0,
  /** Nobody may change it (e.g. a fixed MSR). setState refuses it. */
  READ_ONLY: 1,
  /** The host may set it; the guest only reads it (e.g. CPUID leaves). */
  READ_ONLY_FOR_GUEST: 2,
} as const;
export type RegAttr = (typeof RegAttr)[keyof typeof RegAttr];

export interface RegisterId {
  readonly set: RegSet;
  readonly number: number;
  /** Size of the value in bytes. */
  readonly size: number;
  readonly attributes: RegAttr;
  /** Human-readable name, for listings and error messages. */
  readonly name: string;
}

export type RegisterValue = bigint | Uint8Array;

export interface RegisterEntry {
  readonly id: RegisterRef;
  readonly value: RegisterValue;
}

/** What callers pass to name a register: only `set` and `number` matter. */
export interface RegisterRef {
  readonly set: RegSet;
  readonly number: number;
}

/** A stable string key for maps keyed by register. */
export function regKey(r: RegisterRef): string {
  return `${r.set}:${r.number}`;
}

// ---- GPR set: numbers follow the x86 encoding (0 = RAX ... 15 = R15). ----
export const GPR_NAMES = [
  "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
] as const; // prettier-ignore

// ---- SEGMENT set ----
/** Numbers 0-5 follow the x86 encoding (ES, CS, SS, DS, FS, GS). */
export const SEGMENT_NAMES = [
  "es",
  "cs",
  "ss",
  "ds",
  "fs",
  "gs",
  "ldtr",
  "tr",
  "gdtr",
  "idtr",
] as const;
export const Seg = {
  ES: 0,
  CS: 1,
  SS: 2,
  DS: 3,
  FS: 4,
  GS: 5,
  LDTR: 6,
  TR: 7,
  GDTR: 8,
  IDTR: 9,
} as const;
/**
 * Every SEGMENT value is 16 bytes: base (u64 at 0), limit (u32 at 8, in bytes,
 * already scaled by G), selector (u16 at 12), attributes (u16 at 14: the
 * descriptor's access byte in bits 0-7 and flags nibble AVL/L/D/G in bits
 * 12-15, as in the VMCS "access rights" layout without the unusable bit; bit
 * 16 does not fit, so an unusable segment has attributes 0). GDTR/IDTR use
 * only base and limit.
 */
export const SEGMENT_LAYOUT = {
  base: 0,
  limit: 8,
  selector: 12,
  attributes: 14,
  size: 16,
} as const;

// ---- CONTROL set ----
export const Ctl = { CR0: 0, CR2: 2, CR3: 3, CR4: 4, CR8: 8, XCR0: 16 } as const;

// ---- DEBUG set: DR0-DR7, numbered as their index. ----

// ---- X87 set ----
/** ST registers are stored as physical registers R0-R7 (10 bytes each:
 * 64-bit significand then 16-bit sign+exponent); MMX registers alias them. */
export const X87 = {
  R0: 0, // .. R7 = 7
  FCW: 8,
  FSW: 9,
  /** Full 16-bit tag word (2 bits per register), as FSTENV stores it. */
  FTW: 10,
  FOP: 11,
  FIP: 12,
  FCS: 13,
  FDP: 14,
  FDS: 15,
} as const;

// ---- SSE set ----
export const Sse = { XMM0: 0 /* .. XMM15 = 15 */, MXCSR: 16 } as const;

// ---- CPUID set: number = leaf * 256 + subleaf; value 16 bytes: eax, ebx, ecx, edx. ----
export function cpuidNumber(leaf: number, subleaf = 0): number {
  return (leaf >>> 0) * 256 + (subleaf & 0xff);
}

// ---- EVENTS set (fake): pending exception / interrupt / NMI. ----
export const Events = {
  EXCEPTION_PENDING: 0, // 1 byte, 0/1
  EXCEPTION_VECTOR: 1, // 1 byte
  EXCEPTION_HAS_ERROR_CODE: 2, // 1 byte, 0/1
  EXCEPTION_ERROR_CODE: 3, // 4 bytes
  INTERRUPT_PENDING: 4, // 1 byte: an external interrupt accepted but not yet delivered
  INTERRUPT_VECTOR: 5, // 1 byte
  NMI_PENDING: 6, // 1 byte
  NMI_MASKED: 7, // 1 byte: inside an NMI handler, until IRET
} as const;

/** INTERRUPT_SHADOW (fake) number 0, 1 byte: bit 0 = after STI, bit 1 = after MOV SS/POP SS. */
export const SHADOW_STI = 1;
export const SHADOW_MOV_SS = 2;

// ---- MP_STATE set (fake) ----
export const MpState = {
  /** number 0: the state itself (1 byte), one of the MP_* values. */
  STATE: 0,
  /** number 1: the SIPI vector received (1 byte). */
  SIPI_VECTOR: 1,
} as const;
export const MP_RUNNABLE = 0;
export const MP_HALTED = 1;
export const MP_WAIT_FOR_SIPI = 2;

// ---- SMM set (fake) ----
export const Smm = {
  IN_SMM: 0, // 1 byte
  SMBASE: 1, // 4 bytes
  PENDING_SMI: 2, // 1 byte
  LATCHED_INIT: 3, // 1 byte
} as const;

/** MSRs every backend's CPU model implements (more may be listed by a model). */
export const Msr = {
  TSC: 0x10,
  APIC_BASE: 0x1b,
  FEATURE_CONTROL: 0x3a,
  TSC_ADJUST: 0x3b,
  MTRRCAP: 0xfe,
  SYSENTER_CS: 0x174,
  SYSENTER_ESP: 0x175,
  SYSENTER_EIP: 0x176,
  MISC_ENABLE: 0x1a0,
  MTRR_PHYSBASE0: 0x200, // .. 0x20f: 8 base/mask pairs
  MTRR_FIX64K_00000: 0x250,
  MTRR_FIX16K_80000: 0x258,
  MTRR_FIX16K_A0000: 0x259,
  MTRR_FIX4K_C0000: 0x268, // .. 0x26f
  PAT: 0x277,
  MTRR_DEF_TYPE: 0x2ff,
  TSC_DEADLINE: 0x6e0,
  EFER: 0xc0000080,
  STAR: 0xc0000081,
  LSTAR: 0xc0000082,
  CSTAR: 0xc0000083,
  SFMASK: 0xc0000084,
  FS_BASE: 0xc0000100,
  GS_BASE: 0xc0000101,
  KERNEL_GS_BASE: 0xc0000102,
  TSC_AUX: 0xc0000103,
} as const;
