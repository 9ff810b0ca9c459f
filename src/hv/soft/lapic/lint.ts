/**
 * The LINT0 and LINT1 pins and their LVT entries (SDM vol. 3, 11.5.1):
 * polarity, edge or level (LINT0 only) fixed interrupts with remote IRR,
 * NMI/SMI/INIT on a rising edge, and ExtINT (LINT0 as the PIC's INTR, read
 * at the interrupt acknowledge: see Lapic.pendingVector).
 *
 * Without an active APIC (hardware-disabled or hidden) the pins are the
 * processor's INTR and NMI inputs and the LVT is not consulted.
 */
import {
  DELIVERY_MODE_SHIFT,
  DeliveryMode,
  LVT_LEVEL_TRIGGER,
  LVT_MASKED,
  LVT_POLARITY_LOW,
  LVT_REMOTE_IRR,
  Lvt,
  VECTOR_MASK,
} from "./constants.js";
import type { LapicState } from "./state.js";

/** What the pin logic needs from its APIC. */
export interface LintHost {
  readonly state: LapicState;
  /** Hardware-enabled and not hidden. */
  readonly active: boolean;
  requestInterrupt(vector: number, levelTriggered: boolean): boolean;
  /** NMI, SMI or INIT raised locally (an LVT entry or the bare NMI pin). */
  deliverLocal(mode: number): void;
  /** Something may now be pending for the CPU. */
  wake(): void;
}

/** Whether pin `pin` is asserted, after its LVT entry's polarity. */
export function lintAsserted(state: LapicState, pin: number): boolean {
  const high = (state.lintLevels & (1 << pin)) !== 0;
  return (state.lvt[Lvt.LINT0 + pin] & LVT_POLARITY_LOW) !== 0 ? !high : high;
}

/** The board drives pin `pin` to `level`. */
export function driveLint(host: LintHost, pin: 0 | 1, level: boolean): void {
  const s = host.state;
  const bit = 1 << pin;
  const wasAsserted = lintAsserted(s, pin);
  const wasHigh = (s.lintLevels & bit) !== 0;
  s.lintLevels = level ? s.lintLevels | bit : s.lintLevels & ~bit;
  if (!host.active) {
    if (level && !wasHigh) {
      if (pin === 1) host.deliverLocal(DeliveryMode.NMI);
      else host.wake();
    }
    return;
  }
  const asserted = lintAsserted(s, pin);
  evaluate(host, pin, asserted, asserted && !wasAsserted);
}

/** Re-evaluates a pin after its LVT entry was written: a held level may deliver now. */
export function lintEntryChanged(host: LintHost, pin: number): void {
  if (host.active) evaluate(host, pin, lintAsserted(host.state, pin), false);
}

/** EOI of level-triggered `vector`: clears a LINT remote IRR and re-delivers a held level. */
export function lintEoi(host: LintHost, vector: number): void {
  const s = host.state;
  for (let pin = 0; pin < 2; pin++) {
    const index = Lvt.LINT0 + pin;
    const lvt = s.lvt[index];
    if ((lvt & LVT_REMOTE_IRR) === 0 || (lvt & VECTOR_MASK) !== vector) continue;
    s.lvt[index] = lvt & ~LVT_REMOTE_IRR;
    lintEntryChanged(host, pin);
  }
}

/** Whether LINT0 currently asks for an ExtINT (unmasked ExtINT entry, pin asserted). */
export function lint0WantsExtInt(state: LapicState): boolean {
  const lvt = state.lvt[Lvt.LINT0];
  return (
    (lvt & LVT_MASKED) === 0 &&
    ((lvt >>> DELIVERY_MODE_SHIFT) & 7) === DeliveryMode.EXTINT &&
    lintAsserted(state, 0)
  );
}

function evaluate(host: LintHost, pin: number, asserted: boolean, rising: boolean): void {
  const s = host.state;
  const index = Lvt.LINT0 + pin;
  const lvt = s.lvt[index];
  if ((lvt & LVT_MASKED) !== 0) return;
  const mode = (lvt >>> DELIVERY_MODE_SHIFT) & 7;
  if (mode === DeliveryMode.FIXED) {
    // LINT1 is edge-only (SDM 11.5.1); LINT0 may be level-triggered, guarded by remote IRR.
    const levelTriggered = pin === 0 && (lvt & LVT_LEVEL_TRIGGER) !== 0;
    if (!levelTriggered) {
      if (rising) host.requestInterrupt(lvt & VECTOR_MASK, false);
    } else if (asserted && (lvt & LVT_REMOTE_IRR) === 0) {
      if (host.requestInterrupt(lvt & VECTOR_MASK, true)) s.lvt[index] = lvt | LVT_REMOTE_IRR;
    }
  } else if (mode === DeliveryMode.EXTINT) {
    if (asserted) host.wake();
  } else if (rising) {
    host.deliverLocal(mode);
  }
}
