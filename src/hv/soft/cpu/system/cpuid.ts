/**
 * The CPUID model of the soft CPU: one table of leaves built from a small
 * configuration, so what the guest reads always matches what the emulator
 * implements. Only features that really work are advertised (SDM vol. 2,
 * CPUID, tables 3-8 to 3-11 for the bit positions).
 *
 * The table is also the CPUID register set of the hypervisor API: the host
 * may overwrite a leaf (READ_ONLY_FOR_GUEST), the guest only reads it.
 */
import { HvError } from "../../../errors.js";
import { cpuidNumber } from "../../../registers.js";
import { LINEAR_BITS } from "../constants.js";
import { MAX_PHYS_BITS } from "../mmu.js";

// ---- CPUID.1:EDX feature bits (SDM vol. 2, table 3-11) ----
export const FEAT_FPU = 1 << 0;
export const FEAT_VME = 1 << 1;
export const FEAT_DE = 1 << 2;
export const FEAT_PSE = 1 << 3;
export const FEAT_TSC = 1 << 4;
export const FEAT_MSR = 1 << 5;
export const FEAT_PAE = 1 << 6;
export const FEAT_MCE = 1 << 7;
export const FEAT_CX8 = 1 << 8;
export const FEAT_APIC = 1 << 9;
export const FEAT_SEP = 1 << 11;
export const FEAT_MTRR = 1 << 12;
export const FEAT_PGE = 1 << 13;
export const FEAT_MCA = 1 << 14;
export const FEAT_CMOV = 1 << 15;
export const FEAT_PAT = 1 << 16;
export const FEAT_PSE36 = 1 << 17;
export const FEAT_CLFSH = 1 << 19;
export const FEAT_MMX = 1 << 23;
export const FEAT_FXSR = 1 << 24;
export const FEAT_SSE = 1 << 25;
export const FEAT_SSE2 = 1 << 26;
// ---- CPUID.1:ECX feature bits of the SSE module (SDM vol. 2, table 3-10) ----
export const FEAT_ECX_SSE3 = 1 << 0;
export const FEAT_ECX_SSSE3 = 1 << 9;
export const FEAT_ECX_SSE41 = 1 << 19;
export const FEAT_ECX_SSE42 = 1 << 20;
export const FEAT_ECX_POPCNT = 1 << 23;
export const FEAT_ECX_XSAVE = 1 << 26;
/** CPUID.1:ECX bit 27 mirrors CR4.OSXSAVE (filled in by the CPUID instruction). */
export const FEAT_ECX_OSXSAVE = 1 << 27;
/** CPUID.80000001h:ECX bit 5: LZCNT. */
export const FEAT_EXT_ECX_LZCNT = 1 << 5;
/** CPUID.(0Dh,1):EAX: XSAVEOPT (bit 0) and XSAVEC (bit 1). */
export const FEAT_XSAVE_OPT_C = 0x3;
/** XCR0 bits supported (x87, SSE) and the XSAVE area size (legacy region + header). */
export const XSAVE_XCR0_SUPPORTED = 0x3;
export const XSAVE_AREA_BYTES = 576;
/** CPUID.1:ECX bit 31: "running under a hypervisor" (reserved for this use on real CPUs). */
export const FEAT_ECX_HYPERVISOR = 1 << 31;
/** CPUID.7.0:EBX bit 1: IA32_TSC_ADJUST exists. */
export const FEAT7_TSC_ADJUST = 1 << 1;
/** CPUID.1:ECX.RDRAND and CPUID.(7,0):EBX.RDSEED (insn/sys-random.ts). */
export const FEAT_ECX_RDRAND = 1 << 30;
export const FEAT7_RDSEED = 1 << 18;
/** CPUID.80000001h:EDX bit 20: execute-disable (EFER.NXE, PAE NX bit). */
export const FEAT_EXT_NX = 1 << 20;
/** CPUID.80000001h:EDX bit 11: SYSCALL/SYSRET (in 64-bit mode). */
export const FEAT_EXT_SYSCALL = 1 << 11;
/** CPUID.80000001h:EDX bit 26: 1-GiB pages. */
export const FEAT_EXT_PAGE1GB = 1 << 26;
/** CPUID.80000001h:EDX bit 27: RDTSCP and IA32_TSC_AUX. */
export const FEAT_EXT_RDTSCP = 1 << 27;
/** CPUID.80000001h:EDX bit 29: Intel 64 (long mode, EFER.LME). */
export const FEAT_EXT_LM = 1 << 29;
/** CPUID.80000001h:ECX bit 0: LAHF/SAHF in 64-bit mode. */
export const FEAT_EXT_ECX_LAHF_LM = 1 << 0;
/** CPUID.1:ECX bit 13: CMPXCHG16B. */
export const FEAT_ECX_CX16 = 1 << 13;
/** CPUID.1:ECX bit 17: process-context identifiers (CR4.PCIDE). */
export const FEAT_ECX_PCID = 1 << 17;
/** CPUID.(7,0):EBX bit 0: RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE and CR4.FSGSBASE. */
export const FEAT7_FSGSBASE = 1 << 0;

/** The hypervisor leaf range (read by guests when CPUID.1:ECX bit 31 is set). */
export const HYPERVISOR_LEAF = 0x40000000;
export const EXTENDED_LEAF = 0x80000000;

/** How the model is built. Every field has a default (`defaultCpuidConfig`). */
export interface CpuidConfig {
  /** Family (6 by default). Families above 15 go to the extended-family field. */
  readonly family: number;
  /** Model (0-255; the high nibble goes to the extended-model field). */
  readonly model: number;
  readonly stepping: number;
  /** Advertise the local APIC (CPUID.1:EDX.APIC). Only once the APIC exists. */
  readonly apic: boolean;
  /**
   * Initial APIC ID (CPUID.1:EBX[31:24]); null (the default) = the vCPU
   * index, filled in when the CPUID instruction runs.
   */
  readonly apicId: number | null;
  /** Advertise NX (the MMU honours the PAE XD bit when EFER.NXE = 1). */
  readonly nx: boolean;
  /**
   * Advertise Intel 64: long mode (LM), SYSCALL/SYSRET, LAHF/SAHF in 64-bit
   * mode, CMPXCHG16B, RDFSBASE & co. (CR4.FSGSBASE) and 1-GiB pages.
   */
  readonly longMode: boolean;
  /** Advertise PCIDs (CR4.PCIDE; accepted, but every CR3 load flushes anyway). */
  readonly pcid: boolean;
  /** Set CPUID.1:ECX bit 31 and define the hypervisor leaf 0x40000000. */
  readonly hypervisorBit: boolean;
  /** The processor brand string (at most 47 ASCII characters). */
  readonly brand: string;
}

export const defaultCpuidConfig: CpuidConfig = Object.freeze({
  family: 6,
  // Model 15 (Core 2 generation): Linux derives a constant-rate TSC from family
  // 6 model >= 14, which matches our TSC that follows host time.
  model: 15,
  // Family 6, model 15, stepping 1: the signature reset.ts leaves in EDX (6F1h).
  stepping: 1,
  apic: false,
  apicId: null,
  nx: true,
  longMode: true,
  pcid: false,
  hypervisorBit: true,
  brand: "tsvm soft x86 CPU",
});

/** Vendor string "GenuineIntel" as EBX, EDX, ECX (the order CPUID.0 returns them). */
const VENDOR = "GenuineIntel";
/** Hypervisor signature in leaf 0x40000000 (EBX, ECX, EDX). */
const HV_SIGNATURE = "TsvmTsvmTsvm";
/** CLFLUSH line size in 8-byte units (64 bytes) for CPUID.1:EBX[15:8]. */
const CLFLUSH_LINE_QWORDS = 8;
/** Highest basic leaf: 0Dh (XSAVE); leaves 2-6 and 8-0Ch describe nothing. */
const MAX_BASIC_LEAF = 0xd;
/** Highest extended leaf: 80000008h gives the address sizes. */
const MAX_EXTENDED_LEAF = 0x80000008;
/** CPUID.80000008h:EAX: physical address bits (MAXPHYADDR, mmu.ts) and linear bits. */
const ADDRESS_SIZES = MAX_PHYS_BITS | (LINEAR_BITS << 8);

/** Reads four little-endian ASCII bytes of `s` at `at` as a dword (missing bytes are 0). */
function dwordOf(s: string, at: number): number {
  let v = 0;
  for (let i = 3; i >= 0; i--) v = (v << 8) | ((s.charCodeAt(at + i) || 0) & 0xff);
  return v >>> 0;
}

function checkConfig(c: CpuidConfig): void {
  const int = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max;
  if (!int(c.family, 0x10e) || c.family === 0) {
    throw new HvError("invalid-argument", `CPUID family ${c.family} is out of range (1-270)`);
  }
  if (!int(c.model, 0xff)) throw new HvError("invalid-argument", `CPUID model ${c.model} > 255`);
  if (!int(c.stepping, 0xf)) {
    throw new HvError("invalid-argument", `CPUID stepping ${c.stepping} > 15`);
  }
  if (c.apicId !== null && !int(c.apicId, 0xff)) {
    throw new HvError("invalid-argument", `APIC ID ${c.apicId} is not 0-255`);
  }
  if (c.brand.length > 47 || !/^[\x20-\x7e]*$/.test(c.brand)) {
    throw new HvError("invalid-argument", "CPUID brand must be at most 47 printable ASCII chars");
  }
}

/** CPUID.1:EAX: stepping, model, family with the extended fields (SDM vol. 2, figure 3-6). */
function versionInfo(c: CpuidConfig): number {
  const family = Math.min(c.family, 15);
  const extFamily = c.family >= 15 ? c.family - 15 : 0;
  const model = c.model & 0xf;
  // The extended model is only meaningful for families 6 and 15.
  const extModel = c.family === 6 || c.family >= 15 ? c.model >> 4 : 0;
  return (c.stepping | (model << 4) | (family << 8) | (extModel << 16) | (extFamily << 20)) >>> 0;
}

/**
 * The CPUID leaves of one vCPU. `query` is what the CPUID instruction runs;
 * `read`/`write` serve the register API.
 */
export class CpuidModel {
  readonly config: CpuidConfig;
  /** `(leaf, subleaf)` pairs defined, in a stable order (the register catalog's). */
  readonly leaves: readonly (readonly [number, number])[];
  /** Keyed by `cpuidNumber(leaf, subleaf)`: [eax, ebx, ecx, edx] as unsigned. */
  readonly #table = new Map<number, Uint32Array>();
  /** Leaves whose result depends on the subleaf in ECX. */
  readonly #indexed = new Set<number>();

  constructor(config: Partial<CpuidConfig> = {}) {
    const c: CpuidConfig = { ...defaultCpuidConfig, ...config };
    checkConfig(c);
    this.config = Object.freeze(c);
    this.#build(c);
    this.leaves = Object.freeze(
      [...this.#table.keys()].map((n) => Object.freeze([Math.floor(n / 256), n % 256] as const)),
    );
  }

  #set(leaf: number, subleaf: number, eax: number, ebx: number, ecx: number, edx: number): void {
    this.#table.set(cpuidNumber(leaf, subleaf), Uint32Array.of(eax, ebx, ecx, edx));
  }

  #build(c: CpuidConfig): void {
    this.#set(0, 0, MAX_BASIC_LEAF, dwordOf(VENDOR, 0), dwordOf(VENDOR, 8), dwordOf(VENDOR, 4));
    let edx = FEAT_FPU | FEAT_DE | FEAT_PSE | FEAT_TSC | FEAT_MSR | FEAT_PAE | FEAT_CX8 | FEAT_SEP;
    edx |= FEAT_MTRR | FEAT_PGE | FEAT_CMOV | FEAT_PAT | FEAT_CLFSH | FEAT_MMX | FEAT_FXSR;
    edx |= FEAT_SSE | FEAT_SSE2;
    if (c.apic) edx |= FEAT_APIC;
    const ebx = (CLFLUSH_LINE_QWORDS << 8) | (1 << 16) | ((c.apicId ?? 0) << 24);
    let ecx = (c.hypervisorBit ? FEAT_ECX_HYPERVISOR : 0) | FEAT_ECX_RDRAND;
    if (c.longMode) ecx |= FEAT_ECX_CX16;
    ecx |= FEAT_ECX_SSE3 | FEAT_ECX_SSSE3 | FEAT_ECX_SSE41 | FEAT_ECX_SSE42 | FEAT_ECX_POPCNT;
    ecx |= FEAT_ECX_XSAVE;
    if (c.pcid && c.longMode) ecx |= FEAT_ECX_PCID;
    this.#set(1, 0, versionInfo(c), ebx >>> 0, ecx >>> 0, edx >>> 0);
    // Leaf 2: AL = 1 (one CPUID(2) call needed), every descriptor byte null.
    this.#set(2, 0, 1, 0, 0, 0);
    // Leaf 4 subleaf 0 with cache type 0 says "no cache levels described".
    this.#set(4, 0, 0, 0, 0, 0);
    this.#indexed.add(4);
    this.#set(5, 0, 0, 0, 0, 0);
    this.#set(6, 0, 0, 0, 0, 0);
    const leaf7 = FEAT7_TSC_ADJUST | FEAT7_RDSEED | (c.longMode ? FEAT7_FSGSBASE : 0);
    this.#set(7, 0, 0, leaf7, 0, 0);
    this.#indexed.add(7);
    for (let leaf = 8; leaf <= 0xc; leaf++) this.#set(leaf, 0, 0, 0, 0, 0);
    // Leaf 0Dh: XCR0-supported components, area sizes; subleaf 1: XSAVEOPT, XSAVEC.
    const area = XSAVE_AREA_BYTES;
    this.#set(0xd, 0, XSAVE_XCR0_SUPPORTED, area, area, 0);
    this.#set(0xd, 1, FEAT_XSAVE_OPT_C, area, 0, 0);
    this.#indexed.add(0xd);
    if (c.hypervisorBit) {
      const s = HV_SIGNATURE;
      this.#set(HYPERVISOR_LEAF, 0, HYPERVISOR_LEAF, dwordOf(s, 0), dwordOf(s, 4), dwordOf(s, 8));
    }
    this.#set(EXTENDED_LEAF, 0, MAX_EXTENDED_LEAF, 0, 0, 0);
    let extEdx = FEAT_EXT_RDTSCP | (c.nx ? FEAT_EXT_NX : 0);
    if (c.longMode) extEdx |= FEAT_EXT_LM | FEAT_EXT_SYSCALL | FEAT_EXT_PAGE1GB;
    const extEcx = (c.longMode ? FEAT_EXT_ECX_LAHF_LM : 0) | FEAT_EXT_ECX_LZCNT;
    this.#set(EXTENDED_LEAF + 1, 0, 0, 0, extEcx, extEdx >>> 0);
    const brand = c.brand.padEnd(48, "\0");
    for (let i = 0; i < 3; i++) {
      const at = i * 16;
      this.#set(
        EXTENDED_LEAF + 2 + i,
        0,
        dwordOf(brand, at),
        dwordOf(brand, at + 4),
        dwordOf(brand, at + 8),
        dwordOf(brand, at + 12),
      );
    }
    // 80000005h-80000007h describe nothing here (L1/L2 caches, power management).
    for (let leaf = 5; leaf <= 7; leaf++) this.#set(EXTENDED_LEAF + leaf, 0, 0, 0, 0, 0);
    this.#set(EXTENDED_LEAF + 8, 0, ADDRESS_SIZES, 0, 0, 0);
  }

  /**
   * Runs CPUID for `leaf`/`subleaf` into `out` ([eax, ebx, ecx, edx]).
   * A leaf above the basic or extended maximum returns the highest basic
   * leaf's data, as Intel CPUs do (SDM vol. 2, CPUID, "INPUT EAX = 0"
   * note); an undefined leaf below the maximum returns zeros.
   */
  query(leaf: number, subleaf: number, out: Uint32Array): void {
    leaf >>>= 0;
    const maxBasic = this.#max(0);
    const inExtended = leaf >= EXTENDED_LEAF;
    const inHypervisor = leaf >= HYPERVISOR_LEAF && leaf < HYPERVISOR_LEAF + 0x100;
    let max = inExtended ? this.#max(EXTENDED_LEAF) : maxBasic;
    if (inHypervisor)
      max = this.#table.has(cpuidNumber(HYPERVISOR_LEAF, 0))
        ? this.#max(HYPERVISOR_LEAF)
        : maxBasic;
    if (leaf > max) leaf = maxBasic;
    const sub = this.#indexed.has(leaf) ? subleaf >>> 0 : 0;
    const entry = sub <= 0xff ? this.#table.get(cpuidNumber(leaf, sub)) : undefined;
    if (entry === undefined) out.fill(0);
    else out.set(entry);
  }

  #max(base: number): number {
    const e = this.#table.get(cpuidNumber(base, 0));
    return e === undefined ? base : e[0];
  }

  /** Copies a defined leaf's eax, ebx, ecx, edx into `out`; false if the leaf is not defined. */
  get(leaf: number, subleaf: number, out: Uint32Array): boolean {
    const e = subleaf <= 0xff ? this.#table.get(cpuidNumber(leaf, subleaf)) : undefined;
    if (e === undefined) return false;
    out.set(e);
    return true;
  }

  /**
   * Replaces a defined leaf (the host's view: READ_ONLY_FOR_GUEST). Only
   * leaves of the model can be set; returns false otherwise.
   */
  set(leaf: number, subleaf: number, regs: ArrayLike<number>): boolean {
    const e = subleaf <= 0xff ? this.#table.get(cpuidNumber(leaf, subleaf)) : undefined;
    if (e === undefined || regs.length !== 4) return false;
    for (let i = 0; i < 4; i++) e[i] = regs[i] >>> 0;
    return true;
  }

  /** CPUID.1:EDX as currently defined (the host may have changed it). */
  get featuresEdx(): number {
    return this.#table.get(cpuidNumber(1, 0))?.[3] ?? 0;
  }

  /** CPUID.1:ECX as currently defined. */
  get featuresEcx(): number {
    return this.#table.get(cpuidNumber(1, 0))?.[2] ?? 0;
  }

  /** CPUID.(7,0):EBX as currently defined. */
  get leaf7Ebx(): number {
    return this.#table.get(cpuidNumber(7, 0))?.[1] ?? 0;
  }

  /** CPUID.80000001h:ECX as currently defined. */
  get extendedFeaturesEcx(): number {
    return this.#table.get(cpuidNumber(EXTENDED_LEAF + 1, 0))?.[2] ?? 0;
  }

  /** CPUID.80000001h:EDX as currently defined. */
  get extendedFeaturesEdx(): number {
    return this.#table.get(cpuidNumber(EXTENDED_LEAF + 1, 0))?.[3] ?? 0;
  }
}
