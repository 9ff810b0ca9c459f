/**
 * Local APIC register map and bit layouts (Intel SDM vol. 3, ch. 11 "Advanced
 * Programmable Interrupt Controller (APIC)"; ch. 10 in older editions).
 *
 * Registers are named by their *index*: the xAPIC MMIO offset divided by 16,
 * which is also the x2APIC MSR number minus 0x800 (SDM vol. 3, table 11-6).
 * Both interfaces therefore share one register implementation.
 */

/** Register indexes (xAPIC offset >> 4 = x2APIC MSR - 0x800). */
export const Reg = {
  ID: 0x02,
  VERSION: 0x03,
  TPR: 0x08,
  APR: 0x09,
  PPR: 0x0a,
  EOI: 0x0b,
  RRD: 0x0c,
  LDR: 0x0d,
  DFR: 0x0e,
  SVR: 0x0f,
  ISR0: 0x10, // .. 0x17
  TMR0: 0x18, // .. 0x1f
  IRR0: 0x20, // .. 0x27
  ESR: 0x28,
  LVT_CMCI: 0x2f,
  ICR_LOW: 0x30,
  ICR_HIGH: 0x31,
  LVT_TIMER: 0x32,
  LVT_THERMAL: 0x33,
  LVT_PERF: 0x34,
  LVT_LINT0: 0x35,
  LVT_LINT1: 0x36,
  LVT_ERROR: 0x37,
  TIMER_INITIAL: 0x38,
  TIMER_CURRENT: 0x39,
  TIMER_DIVIDE: 0x3e,
  SELF_IPI: 0x3f,
} as const;

/** Number of 16-byte register slots in the APIC page (0x000-0x3F0). */
export const REGISTER_COUNT = 0x40;

/**
 * LVT entries this model has, in `LapicState.lvt` order. Six entries
 * (Max LVT Entry = 5): no CMCI LVT, so offset 0x2F0 is a reserved register,
 * as on processors without machine-check error counting.
 */
export const Lvt = { TIMER: 0, THERMAL: 1, PERF: 2, LINT0: 3, LINT1: 4, ERROR: 5 } as const;
export const LVT_COUNT = 6;

/**
 * Version register: version 0x14 (integrated APIC), Max LVT Entry 5, and bit
 * 24 "EOI-broadcast suppression supported" (SDM vol. 3, 11.4.8), so guests
 * may use directed EOI through the IOAPIC's EOI register (version 0x20).
 */
export const APIC_VERSION = 0x14 | ((LVT_COUNT - 1) << 16) | (1 << 24);

/** LVT and ICR fields. */
export const VECTOR_MASK = 0xff;
export const DELIVERY_MODE_SHIFT = 8;
export const DELIVERY_STATUS = 1 << 12;
export const LVT_POLARITY_LOW = 1 << 13;
export const LVT_REMOTE_IRR = 1 << 14;
export const LVT_LEVEL_TRIGGER = 1 << 15;
export const LVT_MASKED = 1 << 16;
export const TIMER_MODE_SHIFT = 17;
export const TIMER_MODE_ONE_SHOT = 0;
export const TIMER_MODE_PERIODIC = 1;
export const TIMER_MODE_TSC_DEADLINE = 2;

/** Guest-writable bits per LVT entry (SDM vol. 3, figure 11-8). */
export const LVT_WRITABLE: readonly number[] = [
  0x000700ff, // timer: vector, mask, timer mode (bit 18 only with TSC-deadline: see lapic.ts)
  0x000107ff, // thermal: vector, delivery mode, mask
  0x000107ff, // performance counters
  0x0001a7ff, // LINT0: + polarity, trigger mode
  0x0001a7ff, // LINT1
  0x000100ff, // error: vector, mask
];

/** Delivery modes (ICR, LVT, MSI data bits 8-10; SDM vol. 3, 11.6.1). */
export const DeliveryMode = {
  FIXED: 0,
  LOWEST_PRIORITY: 1,
  SMI: 2,
  NMI: 4,
  INIT: 5,
  STARTUP: 6,
  EXTINT: 7,
} as const;

/** ICR low-dword fields (SDM vol. 3, figure 11-12). */
export const ICR_DEST_LOGICAL = 1 << 11;
export const ICR_LEVEL_ASSERT = 1 << 14;
export const ICR_TRIGGER_LEVEL = 1 << 15;
export const ICR_SHORTHAND_SHIFT = 18;
/** Guest-writable ICR low bits: vector, mode, dest mode, level, trigger, shorthand. */
export const ICR_LOW_WRITABLE = 0x000ccfff;
export const Shorthand = {
  NONE: 0,
  SELF: 1,
  ALL_INCLUDING_SELF: 2,
  ALL_EXCLUDING_SELF: 3,
} as const;

/** Spurious-interrupt vector register (SDM vol. 3, figure 11-23). */
export const SVR_ENABLE = 1 << 8;
export const SVR_FOCUS_DISABLED = 1 << 9;
export const SVR_SUPPRESS_EOI_BROADCAST = 1 << 12;
export const SVR_WRITABLE = 0xff | SVR_ENABLE | SVR_FOCUS_DISABLED | SVR_SUPPRESS_EOI_BROADCAST;

/** Error status register bits (SDM vol. 3, figure 11-9). */
export const Esr = {
  SEND_ILLEGAL_VECTOR: 1 << 5,
  RECEIVE_ILLEGAL_VECTOR: 1 << 6,
  ILLEGAL_REGISTER: 1 << 7,
} as const;

/** Destination format register: flat model (0xF) or cluster model (0x0) in bits 28-31. */
export const DFR_FLAT = 0xffffffff;
export const DFR_MODEL_SHIFT = 28;
export const DFR_CLUSTER_MODEL = 0;

/** Divide configuration: bits 0, 1 and 3 (SDM vol. 3, figure 11-10). */
export const DIVIDE_WRITABLE = 0xb;

/** IA32_APIC_BASE bits (SDM vol. 3, figure 11-5 and 11.12.1). */
export const APIC_BASE_BSP = 1n << 8n;
export const APIC_BASE_EXTD = 1n << 10n;
export const APIC_BASE_ENABLE = 1n << 11n;
export const APIC_DEFAULT_BASE = 0xfee00000;

/** MSRs served by the APIC. */
export const MSR_APIC_BASE = 0x1b;
export const MSR_TSC_DEADLINE = 0x6e0;
export const MSR_X2APIC_FIRST = 0x800;
export const MSR_X2APIC_LAST = 0x8ff;

/** x2APIC broadcast destination (physical and logical: SDM vol. 3, 11.12.9). */
export const X2APIC_BROADCAST = 0xffffffff;
/** xAPIC broadcast destination. */
export const XAPIC_BROADCAST = 0xff;

/**
 * The APIC timer's input clock: the "bus clock" before the divider. 1 GHz,
 * so one tick with divide-by-1 is one nanosecond of virtual time (the value
 * KVM and QEMU use too; guests calibrate it against the PIT or read CPUID 15h).
 */
export const APIC_BUS_HZ = 1_000_000_000;
