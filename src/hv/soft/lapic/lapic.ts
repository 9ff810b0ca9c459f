/**
 * One vCPU's local APIC (Intel SDM vol. 3, ch. 11): interrupt acceptance into
 * the IRR, priority against the PPR, the INTA cycle (IRR → ISR), EOI, the
 * local vector table, error reporting and IPIs. Register semantics live in
 * registers.ts, the MMIO page in mmio.ts, the MSRs in msr.ts, the timer in
 * timer.ts, routing between APICs in apic-bus.ts.
 *
 * The CPU sees it as a `CpuInterruptController` (cpu/bus.ts): the loop calls
 * `pendingVector()` at block boundaries when EFLAGS.IF = 1, then
 * `acknowledge(vector)`. NMI, SMI, INIT and SIPI go through the
 * `ApicCpuLink` (cpu-link.ts).
 *
 * Modes:
 *   - Hardware-disabled (IA32_APIC_BASE[11] = 0) or hidden ("hide-lapic"):
 *     the processor acts as one without an APIC (SDM 11.4.3): LINT0 is the
 *     INTR pin (the PIC's vector is taken at INTA), LINT1 the NMI pin; no
 *     messages are accepted, no registers are visible.
 *   - Software-disabled (SVR[8] = 0): LVT entries stay masked; INIT, NMI,
 *     SMI and SIPI messages still work; fixed interrupts are accepted into
 *     the IRR but held until software enables the APIC (SDM 11.4.7.2).
 *
 * ExtINT (SDM 11.5.1, 11.6.1): the vector comes from the PIC's acknowledge.
 * Because the CPU interface's `acknowledge` cannot change the vector the CPU
 * delivers, the PIC's INTA happens in `pendingVector()` and the vector is
 * held in `extIntVector` until the CPU acknowledges it (the CPU asks only
 * when it is about to take an interrupt, so nothing is acknowledged early).
 */
import type { CpuInterruptController } from "../cpu/bus.js";
import {
  APIC_BASE_BSP,
  APIC_BASE_ENABLE,
  APIC_BASE_EXTD,
  DELIVERY_MODE_SHIFT,
  DeliveryMode,
  Esr,
  LVT_MASKED,
  Lvt,
  SVR_ENABLE,
  SVR_FOCUS_DISABLED,
  SVR_SUPPRESS_EOI_BROADCAST,
  VECTOR_MASK,
} from "./constants.js";
import type { ApicCpuLink } from "./cpu-link.js";
import { x2apicLogicalId, type DestinationTarget } from "./destination.js";
import { resolveLapicOptions, type LapicHost, type LapicOptions } from "./options.js";
import { ApicMessage } from "./message.js";
import { readApicMsr, writeApicMsr } from "./msr.js";
import { arbitrationPriority, beatsProcessorPriority } from "./priority.js";
import { getRegisterPage, loadLapic, saveLapic, setRegisterPage } from "./snapshot.js";
import { copyLapicState, resetLapicState, type LapicState } from "./state.js";
import { driveLint, lint0WantsExtInt, lintEntryChanged, lintEoi, type LintHost } from "./lint.js";
import { LapicTimer, type ApicClock } from "./timer.js";
import { addVector, hasVector, highestVector, removeVector } from "./vector-set.js";

export class Lapic implements DestinationTarget, CpuInterruptController, LintHost {
  readonly index: number;
  readonly apicId: number;
  readonly bsp: boolean;
  readonly x2apicSupported: boolean;
  /** Bits of a valid APIC base address (12 .. MAXPHYADDR-1). */
  readonly baseMask: bigint;
  /** The whole state; change it only through this class (or `loadState`). */
  readonly state: LapicState;
  readonly timer: LapicTimer;
  readonly #host: LapicHost;
  readonly #link: ApicCpuLink;
  readonly #lint0ExtInt: boolean;
  readonly #message = new ApicMessage();
  #hidden = false;

  constructor(host: LapicHost, index: number, clock: ApicClock, options: LapicOptions) {
    const config = resolveLapicOptions(index, options);
    this.#host = host;
    this.index = index;
    this.apicId = config.apicId;
    this.bsp = config.bsp;
    this.x2apicSupported = config.x2apic;
    this.baseMask = config.baseMask;
    this.#link = options.link;
    this.#lint0ExtInt = config.lint0ExtIntAtReset;
    this.state = resetLapicState(this.apicId);
    const expire = () => this.#timerExpired();
    this.timer = new LapicTimer(this.state, clock, options.tsc, expire, `lapic${index}`);
    this.reset();
  }

  // ---- Modes ----

  /** IA32_APIC_BASE[11]: the APIC exists for the guest. */
  get hardwareEnabled(): boolean {
    return (this.state.apicBase & APIC_BASE_ENABLE) !== 0n;
  }
  get softwareEnabled(): boolean {
    return (this.state.svr & SVR_ENABLE) !== 0;
  }
  get x2apicMode(): boolean {
    return (this.state.apicBase & APIC_BASE_EXTD) !== 0n;
  }
  /** Hidden from the guest by the "hide-lapic" capability. */
  get hidden(): boolean {
    return this.#hidden;
  }
  set hidden(value: boolean) {
    this.#hidden = value;
  }
  /** On the APIC bus: takes messages and routes IPIs (hardware-enabled and not hidden). */
  get active(): boolean {
    return !this.#hidden && this.hardwareEnabled;
  }
  /** The physical page of the xAPIC MMIO registers, or undefined when there is none. */
  get mmioBase(): number | undefined {
    if (!this.active || this.x2apicMode) return undefined;
    return Number(this.state.apicBase & this.baseMask);
  }

  // ---- Destination matching (destination.ts) ----

  get physicalId(): number {
    return this.x2apicMode ? this.apicId : this.state.id >>> 24;
  }
  get logicalId(): number {
    return this.x2apicMode ? x2apicLogicalId(this.apicId) : this.state.ldr;
  }
  get dfr(): number {
    return this.state.dfr;
  }
  /** The APR, which lowest-priority arbitration compares. */
  get arbitrationPriority(): number {
    return arbitrationPriority(this.state);
  }
  /** Focus processor for `vector` (SDM 11.6.2.4): it holds it in IRR or ISR, focus checking on. */
  isFocusFor(vector: number): boolean {
    const s = this.state;
    return (
      (s.svr & SVR_FOCUS_DISABLED) === 0 && (hasVector(s.irr, vector) || hasVector(s.isr, vector))
    );
  }

  // ---- The CPU's side (CpuInterruptController) ----

  /** The vector the CPU should take now, or -1 (see the file comment for ExtINT). */
  pendingVector(): number {
    const s = this.state;
    if (s.extIntVector >= 0) return s.extIntVector;
    if (this.#wantsExtInt()) {
      const source = this.#host.extIntSource;
      if (source !== undefined && source.hasInterrupt()) {
        s.extIntVector = source.acknowledge() & VECTOR_MASK;
        s.extIntRequested = false;
        return s.extIntVector;
      }
    }
    if (!this.active || !this.softwareEnabled) return -1;
    const vector = highestVector(s.irr);
    return vector >= 0 && beatsProcessorPriority(s, vector) ? vector : -1;
  }

  /**
   * The INTA cycle: `vector` moves from IRR to ISR. Returns the vector the
   * CPU must deliver: `vector`, or the spurious vector (SVR[7:0]) when the
   * interrupt vanished in between (SDM 11.9), which is not put in service.
   */
  acknowledge(vector: number): number {
    const s = this.state;
    if (s.extIntVector >= 0 && vector === s.extIntVector) {
      s.extIntVector = -1;
      return vector;
    }
    if (vector !== this.pendingVector()) return s.svr & VECTOR_MASK;
    removeVector(s.irr, vector);
    addVector(s.isr, vector);
    return vector;
  }

  // ---- Receiving messages ----

  /**
   * Accepts a message addressed to this APIC (the bus already matched the
   * destination). Returns false when it was refused or merged with an
   * interrupt already requested.
   */
  accept(message: ApicMessage): boolean {
    switch (message.deliveryMode) {
      case DeliveryMode.FIXED:
      case DeliveryMode.LOWEST_PRIORITY:
        if (message.levelTriggered && !message.assert) return false;
        return this.requestInterrupt(message.vector, message.levelTriggered);
      case DeliveryMode.NMI:
        this.#link.nmi();
        break;
      case DeliveryMode.SMI:
        this.#link.smi();
        break;
      case DeliveryMode.INIT:
        // "INIT level de-assert" (level-triggered, level 0) only resynchronised arbitration IDs.
        if (message.levelTriggered && !message.assert) return false;
        this.#receiveInit();
        break;
      case DeliveryMode.STARTUP:
        this.#link.sipi(message.vector);
        break;
      case DeliveryMode.EXTINT:
        this.state.extIntRequested = true;
        break;
      default:
        return false; // reserved delivery mode
    }
    this.#link.wake();
    return true;
  }

  /**
   * Puts `vector` in the IRR (TMR set for level-triggered, clear for edge:
   * SDM 11.8.4). Vectors 0-15 are illegal: "receive illegal vector" instead.
   */
  requestInterrupt(vector: number, levelTriggered: boolean): boolean {
    const s = this.state;
    if (vector < 16) {
      this.raiseError(Esr.RECEIVE_ILLEGAL_VECTOR);
      return false;
    }
    if (hasVector(s.irr, vector)) return false;
    addVector(s.irr, vector);
    if (levelTriggered) addVector(s.tmr, vector);
    else removeVector(s.tmr, vector);
    this.#link.wake();
    return true;
  }

  /** INIT performed by the CPU after leaving SMM with an INIT latched (see ApicCpuLink.init). */
  initLatchedInit(): void {
    this.#receiveInit();
  }

  #receiveInit(): void {
    if (this.#link.init(this.bsp)) this.resetForInit();
  }

  // ---- EOI ----

  /** EOI: the highest in-service vector leaves the ISR (SDM 11.8.5). */
  eoi(): void {
    const s = this.state;
    const vector = highestVector(s.isr);
    if (vector < 0) return;
    removeVector(s.isr, vector);
    if (!hasVector(s.tmr, vector)) return;
    lintEoi(this, vector);
    if ((s.svr & SVR_SUPPRESS_EOI_BROADCAST) === 0) this.#host.eoiBroadcast(vector);
  }

  // ---- Errors ----

  /** Records an error (ESR bits) and raises the LVT error interrupt (SDM 11.5.3). */
  raiseError(bits: number): void {
    const s = this.state;
    s.pendingErrors |= bits;
    const lvt = s.lvt[Lvt.ERROR];
    if ((lvt & LVT_MASKED) !== 0 || !this.active) return;
    const vector = lvt & VECTOR_MASK;
    // An illegal error vector is itself an error; do not recurse on it.
    if (vector < 16) s.pendingErrors |= Esr.RECEIVE_ILLEGAL_VECTOR;
    else this.requestInterrupt(vector, false);
  }

  // ---- LINT0 / LINT1 and local interrupts (lint.ts) ----

  /** The board drives LINT0 (pin 0) or LINT1 (pin 1). */
  setLint(pin: 0 | 1, level: boolean): void {
    driveLint(this, pin, level);
  }

  /** Re-evaluates a LINT pin after its LVT entry was written (registers.ts). */
  lintEntryChanged(pin: number): void {
    lintEntryChanged(this, pin);
  }

  /** NMI, SMI or INIT raised locally (an LVT entry, or the NMI pin without an APIC). */
  deliverLocal(mode: number): void {
    if (mode === DeliveryMode.NMI) this.#link.nmi();
    else if (mode === DeliveryMode.SMI) this.#link.smi();
    else if (mode === DeliveryMode.INIT) this.#receiveInit();
    else return;
    this.#link.wake();
  }

  /** Tells the CPU's run loop that something may be pending. */
  wake(): void {
    this.#link.wake();
  }

  /** The timer LVT (thermal and performance LVTs would use the same path). */
  #timerExpired(): void {
    const lvt = this.state.lvt[Lvt.TIMER];
    if ((lvt & LVT_MASKED) !== 0 || !this.active) return;
    this.requestInterrupt(lvt & VECTOR_MASK, false);
  }

  /** ExtINT wanted: the PIC's INTR on LINT0 (ExtINT entry, or no APIC), or an ExtINT message. */
  #wantsExtInt(): boolean {
    const s = this.state;
    if (!this.active) return (s.lintLevels & 1) !== 0;
    return s.extIntRequested || lint0WantsExtInt(s);
  }

  // ---- IPIs ----

  /** Sends `message` from this APIC (registers.ts decodes the ICR into it). */
  sendIpi(message: ApicMessage): void {
    const mode = message.deliveryMode;
    if (
      (mode === DeliveryMode.FIXED || mode === DeliveryMode.LOWEST_PRIORITY) &&
      message.vector < 16
    ) {
      this.raiseError(Esr.SEND_ILLEGAL_VECTOR);
      return;
    }
    this.#host.sendIpi(this, message);
  }

  /** A scratch message for decoding ICR writes (no allocation per IPI). */
  get scratchMessage(): ApicMessage {
    return this.#message;
  }

  // ---- Reset ----

  /** Power-up / RESET state (SDM 11.4.7.1); the LINT pin levels are wires and stay. */
  reset(): void {
    const fresh = resetLapicState(this.apicId);
    if (this.bsp) fresh.apicBase |= APIC_BASE_BSP;
    if (this.#lint0ExtInt) fresh.lvt[Lvt.LINT0] = DeliveryMode.EXTINT << DELIVERY_MODE_SHIFT;
    this.#replaceState(fresh);
  }

  /** INIT (SDM 11.4.7.3): like RESET, but the APIC ID and IA32_APIC_BASE stay. */
  resetForInit(): void {
    const fresh = resetLapicState(this.apicId);
    fresh.apicBase = this.state.apicBase;
    fresh.id = this.state.id;
    this.#replaceState(fresh);
  }

  /**
   * Hardware disable (IA32_APIC_BASE[11] cleared): the APIC's state is lost;
   * re-enabling finds it as after RESET, with `apicBase` as written.
   */
  resetForDisable(apicBase: bigint): void {
    const fresh = resetLapicState(this.apicId);
    fresh.apicBase = apicBase;
    fresh.id = this.state.id;
    this.#replaceState(fresh);
  }

  #replaceState(fresh: LapicState): void {
    this.timer.stop();
    fresh.lintLevels = this.state.lintLevels;
    copyLapicState(this.state, fresh);
  }

  // ---- MSRs (msr.ts) and the register page (mmio.ts), for the CPU ----

  /** RDMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE or an x2APIC MSR; undefined = #GP(0). */
  readMsr(index: number): bigint | undefined {
    return readApicMsr(this, index);
  }

  /** WRMSR of one of the APIC's MSRs; false = #GP(0), nothing changed. `guest` false: host restore. */
  writeMsr(index: number, value: bigint, guest = true): boolean {
    return writeApicMsr(this, index, value, guest);
  }

  // ---- Save / load (snapshot.ts) ----

  /** The state as a "lapic" section (instance = vCPU index). */
  saveState(): Uint8Array {
    return saveLapic(this);
  }

  /** Loads a "lapic" section, all or nothing; see snapshot.ts for what is refused. */
  loadState(section: Uint8Array): void {
    loadLapic(this, section);
  }

  /** The 64 registers by index as the host sees them (KVM_GET_LAPIC-like; snapshot.ts). */
  getRegisterPage(): Uint32Array {
    return getRegisterPage(this);
  }

  /** Sets the registers from a page made by `getRegisterPage` (no guest-visible side effects). */
  setRegisterPage(page: Uint32Array): void {
    setRegisterPage(this, page);
  }

  /** Stops the timer; the APIC must not be used afterwards. */
  destroy(): void {
    this.timer.stop();
  }
}
