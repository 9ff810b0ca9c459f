/**
 * vCPU states that boot loaders hand a kernel, expressed as tag/value
 * register entries (src/hv/registers.ts), so they work on every backend.
 */
import { Ctl, RegSet, Seg, type RegisterEntry } from "../../hv/registers.js";
import { encodeSegment } from "../../hv/x86/register-values.js";

/** Access byte 0x9B (present, DPL 0, code, readable, accessed) + G and D flags. */
const FLAT_CODE32 = 0xc09b;
/** Access byte 0x93 (present, DPL 0, data, writable, accessed) + G and B flags. */
const FLAT_DATA32 = 0xc093;
/** A 32-bit TSS that is busy: what LTR leaves (access byte 0x8B). */
const TSS32_BUSY = 0x008b;
/** An LDT descriptor (access byte 0x82). */
const LDT = 0x0082;

function seg(base: number, limit: number, selector: number, attributes: number): Uint8Array {
  return encodeSegment({ base: BigInt(base), limit, selector, attributes });
}

export interface FlatProtectedEntry {
  readonly eip: number;
  /** GPR values by x86 number (0 = EAX ... 7 = EDI); others are zero. */
  readonly gprs?: Partial<Record<number, number>>;
  /** Selectors recorded in CS and the data segments (hidden parts are flat either way). */
  readonly codeSelector?: number;
  readonly dataSelector?: number;
}

/**
 * 32-bit protected mode with flat 4 GiB segments, paging off and interrupts
 * disabled: the state both the Multiboot 1 specification (section 3.2,
 * "Machine state") and the Linux 32-bit boot protocol ("32-bit boot
 * protocol": __BOOT_CS 0x10, __BOOT_DS 0x18) promise a kernel.
 */
export function flatProtectedMode(entry: FlatProtectedEntry): RegisterEntry[] {
  const cs = entry.codeSelector ?? 0x10;
  const ds = entry.dataSelector ?? 0x18;
  const entries: RegisterEntry[] = [];
  for (let n = 0; n < 16; n++) {
    const v = entry.gprs?.[n] ?? 0;
    entries.push({ id: { set: RegSet.GPR, number: n }, value: BigInt(v >>> 0) });
  }
  entries.push({ id: { set: RegSet.RIP, number: 0 }, value: BigInt(entry.eip >>> 0) });
  entries.push({ id: { set: RegSet.RFLAGS, number: 0 }, value: 0x2n });
  entries.push({
    id: { set: RegSet.SEGMENT, number: Seg.CS },
    value: seg(0, 0xffffffff, cs, FLAT_CODE32),
  });
  for (const s of [Seg.DS, Seg.ES, Seg.FS, Seg.GS, Seg.SS]) {
    entries.push({
      id: { set: RegSet.SEGMENT, number: s },
      value: seg(0, 0xffffffff, ds, FLAT_DATA32),
    });
  }
  entries.push({
    id: { set: RegSet.SEGMENT, number: Seg.TR },
    value: seg(0, 0xffff, 0, TSS32_BUSY),
  });
  entries.push({ id: { set: RegSet.SEGMENT, number: Seg.LDTR }, value: seg(0, 0xffff, 0, LDT) });
  entries.push({ id: { set: RegSet.CONTROL, number: Ctl.CR0 }, value: 0x11n }); // PE | ET
  entries.push({ id: { set: RegSet.CONTROL, number: Ctl.CR3 }, value: 0n });
  entries.push({ id: { set: RegSet.CONTROL, number: Ctl.CR4 }, value: 0n });
  return entries;
}
