/**
 * Messages on the APIC bus: what an MSI (address, data) pair, an ICR write or
 * an IOAPIC redirection entry asks for, decoded once into one shape the bus
 * routes (SDM vol. 3, 11.6.1 for the ICR; 11.11 for the MSI format).
 */
import {
  DELIVERY_MODE_SHIFT,
  ICR_DEST_LOGICAL,
  ICR_LEVEL_ASSERT,
  ICR_SHORTHAND_SHIFT,
  ICR_TRIGGER_LEVEL,
  VECTOR_MASK,
} from "./constants.js";

/** One decoded message. The bus reuses instances: nothing is allocated per interrupt. */
export class ApicMessage {
  vector = 0;
  /** A `DeliveryMode` value (3 is reserved). */
  deliveryMode = 0;
  levelTriggered = false;
  /** Level-triggered messages: assert (true) or de-assert. */
  assert = true;
  logical = false;
  destination = 0;
  /** A `Shorthand` value; MSIs have none. */
  shorthand = 0;
  /** MSI redirection hint: with logical destinations, arbitrate for the lowest priority. */
  redirectionHint = false;
  /** The destination is 32 bits wide (x2APIC ICR); otherwise 8 bits (xAPIC ICR, MSI, IOAPIC). */
  wideDestination = false;
}

/** MSI address: 0xFEE in bits 20-31 (SDM vol. 3, figure 11-24). */
export const MSI_ADDRESS_PREFIX = 0xfee;

/**
 * Decodes an MSI (address, data) pair into `out`. Returns false when the
 * address is not in the interrupt range 0xFEE00000-0xFEEFFFFF (such a write
 * is a memory write, not an interrupt).
 */
export function decodeMsi(address: number, data: number, out: ApicMessage): boolean {
  if (address >>> 20 !== MSI_ADDRESS_PREFIX) return false;
  out.vector = data & VECTOR_MASK;
  out.deliveryMode = (data >>> DELIVERY_MODE_SHIFT) & 7;
  out.levelTriggered = (data & ICR_TRIGGER_LEVEL) !== 0;
  out.assert = !out.levelTriggered || (data & ICR_LEVEL_ASSERT) !== 0;
  out.logical = (address & (1 << 2)) !== 0;
  out.redirectionHint = (address & (1 << 3)) !== 0;
  out.destination = (address >>> 12) & 0xff;
  out.shorthand = 0;
  out.wideDestination = false;
  return true;
}

/** Decodes an ICR write; `x2apic`: the high half is a 32-bit destination, not bits 24-31. */
export function decodeIcr(low: number, high: number, x2apic: boolean, out: ApicMessage): void {
  out.vector = low & VECTOR_MASK;
  out.deliveryMode = (low >>> DELIVERY_MODE_SHIFT) & 7;
  out.levelTriggered = (low & ICR_TRIGGER_LEVEL) !== 0;
  out.assert = (low & ICR_LEVEL_ASSERT) !== 0;
  out.logical = (low & ICR_DEST_LOGICAL) !== 0;
  out.redirectionHint = false;
  out.destination = x2apic ? high >>> 0 : high >>> 24;
  out.shorthand = (low >>> ICR_SHORTHAND_SHIFT) & 3;
  out.wideDestination = x2apic;
}
