/**
 * Which local APICs a message's destination names (SDM vol. 3, 11.6.2 for
 * xAPIC physical, flat and cluster modes; 11.12.9-10 for x2APIC).
 *
 * Mixed set-ups (an 8-bit message reaching an APIC in x2APIC mode, as
 * IOAPIC and MSI messages do) follow what x2APIC platforms do: 0xFF is still
 * a broadcast, other values are compared as 32-bit destinations.
 */
import {
  DFR_CLUSTER_MODEL,
  DFR_MODEL_SHIFT,
  X2APIC_BROADCAST,
  XAPIC_BROADCAST,
} from "./constants.js";
import type { ApicMessage } from "./message.js";

/** What matching needs to know about one APIC. */
export interface DestinationTarget {
  readonly x2apicMode: boolean;
  /** xAPIC: the 8-bit APIC ID; x2APIC: the 32-bit x2APIC ID. */
  readonly physicalId: number;
  /** xAPIC: the LDR (logical ID in bits 24-31); x2APIC: the derived 32-bit LDR. */
  readonly logicalId: number;
  /** xAPIC destination format register. */
  readonly dfr: number;
}

/** True when `message` (shorthand "none") is addressed to `target`. */
export function matchesDestination(target: DestinationTarget, message: ApicMessage): boolean {
  const dest = message.destination >>> 0;
  const broadcast = message.wideDestination ? X2APIC_BROADCAST : XAPIC_BROADCAST;
  if (dest === broadcast) return true;
  if (!message.logical) return target.physicalId === dest;
  if (target.x2apicMode) {
    // Cluster in bits 16-31, a bitmap of 16 APICs in bits 0-15 (SDM 11.12.10.2).
    const ldr = target.logicalId >>> 0;
    return dest >>> 16 === ldr >>> 16 && (dest & ldr & 0xffff) !== 0;
  }
  const dest8 = dest & 0xff;
  const ldr8 = target.logicalId >>> 24;
  const model = target.dfr >>> DFR_MODEL_SHIFT;
  if (model === 0xf) return (dest8 & ldr8) !== 0; // flat: 8-bit mask
  if (model !== DFR_CLUSTER_MODEL) return false;
  // Cluster: cluster in bits 4-7 (15 = all clusters), member mask in bits 0-3.
  const cluster = dest8 >>> 4;
  return (cluster === 0xf || cluster === ldr8 >>> 4) && (dest8 & ldr8 & 0xf) !== 0;
}

/** The LDR of an x2APIC: cluster (ID bits 4-19) in bits 16-31, 1 << ID[3:0] (SDM 11.12.10.2). */
export function x2apicLogicalId(x2apicId: number): number {
  return (((x2apicId >>> 4) << 16) | (1 << (x2apicId & 0xf))) >>> 0;
}
