/**
 * The architectural state of one soft CPU, in typed arrays and plain number
 * fields (no objects per register, no allocation while running).
 *
 * GPRs: one ArrayBuffer of 17 x 8 bytes (16 architectural 64-bit registers +
 * the hidden ZERO_REG) with three views, little-endian like the host:
 *
 *     r32[i * 2]      low dword of reg i   (r32[i * 2 + 1]: high dword, long mode)
 *     r16[i * 4]      low word of reg i
 *     r8[i * 8]       low byte of reg i;   AH/CH/DH/BH: r8[(n - 4) * 8 + 1]
 *                                          (use REG8_OFFSET[n] for encoding n)
 *
 * A 32-bit register write zeroes the high dword in every mode (`setReg32`):
 * 64-bit mode requires it (SDM vol. 1, 3.4.1.1), and the upper halves are
 * undefined outside it, so real processors do the same.
 *
 * 64-bit values are always two int32 halves (no BigInt on the hot paths);
 * a 64-bit memory read returns the low dword and leaves the high one in
 * `valueHi`.
 *
 * Addresses as numbers. Legacy and compatibility mode: linear addresses are
 * unsigned 32-bit numbers. 64-bit mode: a linear address (and RIP) is the
 * *signed* value of the canonical 64-bit address, in [-2^47, 2^47), which a
 * double holds exactly (0xFFFF_8000_0000_0000 is -2^47, 0x0000_7FFF_FFFF_F000
 * is 2^47 - 4096). The TLB tags pages by that number, so both kinds coexist.
 *
 * Segments: parallel arrays indexed by SEG_* (ES CS SS DS FS GS LDTR TR),
 * holding the visible selector and the hidden descriptor cache. Always
 * change a segment through `Cpu.setSegment` so derived fields stay right.
 *
 * Host is assumed little-endian (x86, ARM: every Node target).
 */
import { Decoded } from "./decoded.js";
import { CpuExitSignal, CpuFault } from "./fault.js";
import { LF_LENGTH } from "./flags.js";
import { CR0_ET, DR6_FIXED1, DR7_FIXED1, FLAGS_FIXED1, SEG_COUNT } from "./constants.js";
import { MP_RUNNABLE } from "../../registers.js";
import type { VcpuExit } from "../../exits.js";

/** Number of 8-byte register slots (16 GPRs + ZERO_REG). */
const REG_SLOTS = 17;

export class CpuState {
  // ---- General-purpose registers ----
  readonly regBuffer = new ArrayBuffer(REG_SLOTS * 8);
  /** Dword view: low dword of reg i at [i*2], high dword at [i*2+1]. */
  readonly r32 = new Int32Array(this.regBuffer);
  /** Word view: reg i at [i*4]. */
  readonly r16 = new Uint16Array(this.regBuffer);
  /** Byte view: reg i low byte at [i*8]; AH..BH at [(n-4)*8+1]. */
  readonly r8 = new Uint8Array(this.regBuffer);

  /**
   * EIP: offset of the *next* instruction while a handler runs (the loop
   * advances it before calling the handler), an unsigned number; in 64-bit
   * mode RIP as a signed canonical number (see above). Branch handlers
   * assign it. `insnStart` is the current instruction's offset.
   */
  eip = 0;
  /** EIP of the instruction being executed (faults restart here). */
  insnStart = 0;

  // ---- EFLAGS (see flags.ts) ----
  /** EFLAGS; the arithmetic bits are valid only when no lazy record is pending. */
  flags = FLAGS_FIXED1;
  /** Lazy arithmetic-flags record (flags.ts LF_*). */
  readonly lf = new Int32Array(LF_LENGTH);

  // ---- Segments (indexed by SEG_*) ----
  readonly segSel = new Uint16Array(SEG_COUNT);
  /** Base, low 32 bits (stored signed; use `>>> 0` for the unsigned value). */
  readonly segBase = new Int32Array(SEG_COUNT);
  /** Base, high 32 bits (FS/GS/LDTR/TR in long mode; 0 otherwise). */
  readonly segBaseHigh = new Int32Array(SEG_COUNT);
  /** Limit in bytes (already scaled by G). */
  readonly segLimit = new Uint32Array(SEG_COUNT);
  /** Attributes, registers.ts SEGMENT layout (access byte | flags << 8); 0 = unusable. */
  readonly segAttr = new Uint16Array(SEG_COUNT);
  /** Derived: lowest valid offset (expand-down segments start above the limit). */
  readonly segLow = new Uint32Array(SEG_COUNT);
  /** Derived: highest valid offset. */
  readonly segHigh = new Uint32Array(SEG_COUNT);
  /** Derived: SEG_ACCESS_READ | SEG_ACCESS_WRITE for data accesses through the segment. */
  readonly segAccess = new Uint8Array(SEG_COUNT);
  /**
   * The full 64-bit base as a signed number (segBaseHigh:segBase), used in
   * 64-bit mode for FS, GS, LDTR and TR. Kept in step by `setSegment` and
   * `setSegmentBase64`.
   */
  readonly segBaseL = new Float64Array(SEG_COUNT);

  // ---- Descriptor tables ----
  /** GDTR/IDTR bases: unsigned 32-bit, or a signed canonical number once loaded in 64-bit mode. */
  gdtBase = 0;
  gdtLimit = 0xffff;
  idtBase = 0;
  idtLimit = 0xffff;

  // ---- Control and debug registers ----
  cr0 = CR0_ET;
  /** CR2: unsigned 32-bit, or the signed canonical faulting address in 64-bit mode. */
  cr2 = 0;
  /** CR3 (up to MAXPHYADDR bits; PCID in bits 11:0 with CR4.PCIDE). */
  cr3 = 0;
  cr4 = 0;
  /** CR8 / TPR as the guest sees it (the APIC mirrors it later). */
  cr8 = 0;
  /** XCR0 (x87 only until the SSE/AVX work). */
  xcr0 = 1;
  /** DR0-DR7 (DR4/DR5 alias DR6/DR7 and are not stored separately). */
  readonly dr = new Uint32Array(8);
  /** IA32_EFER. */
  efer = 0;
  /**
   * PAE page-directory-pointer-table entries, loaded from CR3 when PAE paging
   * is enabled or CR3 written (SDM vol. 3, 4.4.1): low dword at [k*2], high at [k*2+1].
   */
  readonly pdpte = new Int32Array(8);

  // ---- Derived mode (recomputed by Cpu.updateMode; read-only elsewhere) ----
  /** Current privilege level (CS.RPL in protected mode, 3 in vm86, 0 in real mode). */
  cpl = 0;
  /** CR0.PE = 1 (includes vm86). */
  protectedMode = false;
  /** EFLAGS.VM = 1 and protected mode. */
  vm86 = false;
  /** CR0.PG = 1 (and PE). */
  paging = false;
  /** CS.D: default operand and address size 32 (also true in 64-bit mode). */
  code32 = false;
  /** SS.B: the stack pointer is ESP (else SP). */
  stack32 = false;
  /** IA-32e mode is active (EFER.LMA): 64-bit or compatibility mode. */
  longMode = false;
  /** 64-bit mode: long mode with CS.L = 1 (RIP, RSP and addresses are 64-bit). */
  mode64 = false;
  /** Physical address mask of the A20 gate (0xFFEFFFFF when A20 is masked). */
  a20Mask = -1;

  // ---- "Fake" state: events and run state (registers.ts EVENTS, MP_STATE, SMM) ----
  /** Interrupt shadow bits (registers.ts SHADOW_STI | SHADOW_MOV_SS). */
  shadow = 0;
  exceptionPending = false;
  exceptionVector = 0;
  exceptionHasError = false;
  exceptionError = 0;
  /** An external interrupt accepted (acknowledged) but not yet delivered. */
  interruptPendingFlag = false;
  interruptVector = 0;
  nmiPending = false;
  /** Inside an NMI handler: further NMIs wait for IRET. */
  nmiMasked = false;
  /** MP_RUNNABLE, MP_HALTED or MP_WAIT_FOR_SIPI. */
  mpState = MP_RUNNABLE;
  sipiVector = 0;
  inSmm = false;
  smbase = 0x30000;
  smiPending = false;
  initLatched = false;

  /**
   * A single-step #DB is due after the current instruction (TF was set when
   * it started). Event delivery clears it (SDM vol. 3, 17.3.1.4).
   */
  debugTrapArmed = false;
  /**
   * "interrupt-window-exit" capability: return an `interrupt-window` exit as
   * soon as the guest can take a maskable interrupt (IF = 1, no shadow).
   */
  interruptWindowExit = false;
  /** An exit decided inside an instruction (HLT, internal error), returned by the loop. */
  pendingExit: VcpuExit | null = null;

  /** Instructions retired since reset (RDTSC's counted mode, budgets). */
  icount = 0;

  /**
   * Set by a handler to end the current block after this instruction
   * (self-modifying store into the running block, IF/TF/mode changes).
   * The loop clears it before each block.
   */
  blockStop = 0;

  // ---- Preallocated objects (no allocation while running) ----
  readonly fault = new CpuFault();
  readonly exitSignal = new CpuExitSignal();
  /** High dword (int32) of the last 64-bit value read (`read64`, `readModrm64`, `pop64`...). */
  valueHi = 0;
  /** High dword of the last 64-bit effective address (`eaOffset64`). */
  eaHi = 0;
  /** Scratch for POPA (values read before any register changes). */
  readonly popaScratch = new Int32Array(8);
  /** Scratch record for decoding instructions that are not cached. */
  readonly scratchDecoded = new Decoded();

  constructor() {
    this.dr[6] = DR6_FIXED1;
    this.dr[7] = DR7_FIXED1;
  }
}

/** `segAccess` bits. */
export const SEG_ACCESS_READ = 1;
export const SEG_ACCESS_WRITE = 2;
