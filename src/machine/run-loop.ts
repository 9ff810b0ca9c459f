/**
 * The machine's run loop: runs the vCPUs round-robin in this thread, fires
 * due timers between slices, and sleeps while every vCPU is halted with no
 * timer due (a guest idle in HLT uses no host CPU). It yields to the Node
 * event loop every YIELD_INTERVAL_MS of host time while the guest runs, so
 * console input, sockets and the monitor are served (a yield costs more than
 * a slice, so not after every one).
 *
 * Slices are bounded in virtual time, although the soft vCPU counts
 * instructions: each vCPU keeps an estimate of its instructions per virtual
 * nanosecond (InstructionRate, learnt from slices that used their whole
 * budget), and a slice's budget is that rate times the shorter of
 *  - half the time to the next timer deadline (a quarter for the first
 *    slice after a new one): timers fire between slices, so without this a
 *    2 ms periodic interrupt would come once per slice. Half, because the
 *    rate changes with the code the guest runs (a polling loop full of port
 *    I/O is several times slower than the code before it): slices halve the
 *    distance until it is below MIN_SLICE, so only a rate overestimated
 *    more than twice makes a timer late;
 *  - the quantum: another vCPU (an AP polling for the BSP, or the reverse)
 *    gets its turn within it whatever the guest does.
 * The budget is never below MIN_SLICE (a run of near deadlines must not make
 * the loop spin on tiny slices) nor above `slice`. A timer the guest arms
 * during a slice (an I/O write) that becomes the earliest kicks the vCPU, so
 * the next slice is bounded by it. Inside a slice, due timers also fire
 * wherever the guest observes time (DueTimers, wired by the machine), so a
 * slice that runs long cannot hide an event from a guest polling for it.
 *
 * Devices ask for the machine to stop (power-off, reset, exit status) with
 * `requestStop`; the loop finishes the current slice and returns the reason.
 */
import type { AccessHandler, ExtIntSource, Vcpu } from "../hv/api.js";
import type { VcpuExit } from "../hv/exits.js";
import type { VirtualClock } from "../hw/clock.js";

export type StopReason =
  | { readonly kind: "poweroff" }
  | { readonly kind: "reset" }
  /** The guest asked for a process exit status (isa-debug-exit). */
  | { readonly kind: "exit"; readonly status: number }
  /** Triple fault or another shutdown condition. */
  | { readonly kind: "shutdown"; readonly reason: string }
  /** The emulator could not continue. */
  | { readonly kind: "error"; readonly reason: string }
  /** The host asked (monitor `quit`, signal). */
  | { readonly kind: "host-quit" };

export interface RunLoopOptions {
  readonly vcpus: readonly Vcpu[];
  readonly clock: VirtualClock;
  /** Most instructions per vCPU slice (soft backend budget). */
  readonly slice?: number;
  /** Longest slice in virtual ns (turned into instructions by the vCPU's measured rate). */
  readonly quantumNs?: number;
  /** Called after each round (e.g. to drain notifier callbacks). */
  readonly afterRound?: () => void;
  /** The machine's DueTimers on `clock`, if it wired the guest's time reads through one. */
  readonly dueTimers?: DueTimers;
}

const DEFAULT_SLICE = 200_000;
const DEFAULT_QUANTUM_NS = 4_000_000;
/** Fewest instructions a slice runs (tens of microseconds on the soft CPU). */
export const MIN_SLICE = 1000;
/** Part of the time to the next deadline a slice is aimed at (see the file comment). */
const DEADLINE_FRACTION = 0.5;
/**
 * The same for the first slice after a new deadline: its rate was measured on
 * the code that ran before the guest armed the timer, not on the code that
 * waits for it (often several times slower the first time it runs).
 */
const NEW_DEADLINE_FRACTION = 0.25;
/** Host time between yields to the event loop while vCPUs run. */
const YIELD_INTERVAL_MS = 4;
/** Longest sleep while idle: bounds the delay before noticing host-side state changes. */
const MAX_IDLE_MS = 100;

export class RunLoop {
  private stopReason: StopReason | undefined;
  private wakeIdle: (() => void) | undefined;
  private readonly halted: boolean[];
  private readonly rates: InstructionRate[];
  /** The vCPU inside run(), if any. */
  private running: Vcpu | undefined;
  /** A timer became the earliest since the last slice started. */
  private newDeadline = false;
  private readonly due: DueTimers;
  /** Instructions-equivalent slices run; for statistics. */
  rounds = 0;

  constructor(private readonly options: RunLoopOptions) {
    const { slice, quantumNs } = options;
    if (slice !== undefined && !(Number.isSafeInteger(slice) && slice > 0)) {
      throw new RangeError(`RunLoop: slice must be a positive integer, got ${slice}`);
    }
    if (quantumNs !== undefined && !(Number.isFinite(quantumNs) && quantumNs > 0)) {
      throw new RangeError(`RunLoop: quantumNs must be a positive number, got ${quantumNs}`);
    }
    if (options.dueTimers !== undefined && options.dueTimers.clock !== options.clock) {
      throw new RangeError("RunLoop: dueTimers must fire the loop's own clock");
    }
    this.due = options.dueTimers ?? new DueTimers(options.clock);
    this.due.onDueObserved(() => this.running?.kick());
    this.halted = options.vcpus.map(() => false);
    this.rates = options.vcpus.map(() => new InstructionRate());
    options.clock.onEarliestChange(() => this.earliestDeadlineChanged());
  }

  /** Asks the loop to stop with `reason` (the first request wins). Safe from device callbacks. */
  requestStop(reason: StopReason): void {
    this.stopReason ??= reason;
    for (const v of this.options.vcpus) v.kick();
    this.wake();
  }

  /** Something may have made a halted vCPU runnable (an interrupt, host input): try again now. */
  wake(): void {
    this.halted.fill(false);
    const w = this.wakeIdle;
    this.wakeIdle = undefined;
    w?.();
  }

  /**
   * A timer became the earliest. Armed by the running vCPU's I/O: end the
   * slice so the next one is bounded by it (also when the slice was expected
   * to end sooner: it may have overrun, a busy host having descheduled us).
   * Armed while idle: stop sleeping, the sleep was too long.
   */
  private earliestDeadlineChanged(): void {
    this.newDeadline = true;
    this.running?.kick();
    this.wake();
  }

  async run(): Promise<StopReason> {
    const { vcpus, clock } = this.options;
    const slice = this.options.slice ?? DEFAULT_SLICE;
    const quantum = this.options.quantumNs ?? DEFAULT_QUANTUM_NS;
    clock.resume();
    let lastYield = performance.now();
    try {
      while (this.stopReason === undefined) {
        let anyRan = false;
        for (let i = 0; i < vcpus.length && this.stopReason === undefined; i++) {
          if (this.halted[i]) continue;
          const rate = this.rates[i];
          const until = clock.timeUntilNextDeadline();
          const fraction = this.newDeadline ? NEW_DEADLINE_FRACTION : DEADLINE_FRACTION;
          this.newDeadline = false;
          const aim = until === undefined ? quantum : Math.min(quantum, until * fraction);
          const budget = rate.budget(aim, slice);
          const started = clock.now();
          this.running = vcpus[i];
          let exit: VcpuExit;
          try {
            exit = vcpus[i].run({ budget });
          } finally {
            this.running = undefined;
          }
          switch (exit.kind) {
            case "budget":
              rate.record(budget, clock.now() - started);
              anyRan = true;
              break;
            case "kicked":
              anyRan = true;
              break;
            case "hlt":
              this.halted[i] = true;
              break;
            case "shutdown":
              this.requestStop({ kind: "shutdown", reason: exit.reason });
              break;
            case "system-event":
              this.requestStop({ kind: exit.event });
              break;
            case "internal-error":
              this.requestStop({ kind: "error", reason: `vCPU ${i}: ${exit.reason}` });
              break;
            default:
              this.requestStop({
                kind: "error",
                reason: `vCPU ${i}: unexpected exit '${exit.kind}'`,
              });
          }
          // Timers are checked after each vCPU so one busy vCPU cannot starve the others'
          // interrupts, and the next vCPU's budget is bounded by the new next deadline.
          if (this.due.fire() > 0) this.halted.fill(false);
        }
        this.options.afterRound?.();
        this.rounds++;
        if (this.stopReason !== undefined) break;
        if (!anyRan) {
          await this.idle();
          lastYield = performance.now();
        } else if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
    } finally {
      clock.pause();
    }
    return this.stopReason ?? { kind: "error", reason: "run loop ended without a reason" };
  }

  /** Every vCPU is halted: sleep until the next timer or a wake(). */
  private async idle(): Promise<void> {
    const clock = this.options.clock;
    if (this.due.fire() > 0) {
      this.halted.fill(false);
      return;
    }
    const until = clock.timeUntilNextDeadline();
    const ms = until === undefined ? MAX_IDLE_MS : Math.min(MAX_IDLE_MS, until / 1e6);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wakeIdle = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
    this.wakeIdle = undefined;
    if (this.due.fire() > 0) this.halted.fill(false);
    // A halted vCPU may have been woken by an interrupt from a timer or from host input;
    // running it again is cheap (it returns `hlt` at once if it is still halted).
    this.halted.fill(false);
  }
}

/**
 * A vCPU's speed in instructions per virtual nanosecond, from slices that
 * ran their whole budget (only those say how many instructions ran). A
 * slower sample replaces the estimate, a quicker one moves it up a little:
 * overestimating the rate makes a timer late, underestimating it only costs
 * a few more slices.
 */
export class InstructionRate {
  /** Instructions per virtual ns; undefined until the first sample. */
  private perNs: number | undefined;

  /** Weight of a sample slower than the estimate. */
  static readonly FALL = 1;
  /** Weight of a sample faster than the estimate. */
  static readonly RISE = 0.125;

  /** The current estimate (instructions per virtual ns), undefined before any sample. */
  get estimate(): number | undefined {
    return this.perNs;
  }

  /** Records a slice that ran all of its `instructions` in `ns` virtual nanoseconds. */
  record(instructions: number, ns: number): void {
    // No virtual time passed (a coarse host clock): the sample bounds nothing.
    if (!(ns > 0) || !(instructions > 0)) return;
    const sample = instructions / ns;
    if (this.perNs === undefined) {
      this.perNs = sample;
    } else {
      const weight = sample < this.perNs ? InstructionRate.FALL : InstructionRate.RISE;
      this.perNs += (sample - this.perNs) * weight;
    }
  }

  /**
   * The budget for a slice that should end after `ns` virtual nanoseconds:
   * between MIN_SLICE and `max` instructions. Before the first sample the
   * rate is unknown and a short slice measures it.
   */
  budget(ns: number, max: number): number {
    const floor = Math.min(MIN_SLICE, max);
    if (this.perNs === undefined) return floor;
    const wanted = Math.floor(ns * this.perNs);
    return Math.max(floor, Math.min(max, wanted));
  }
}

/**
 * Makes due timers fire wherever the guest observes time, not only between
 * slices: a slice can run long (a busy host deschedules the process for
 * milliseconds; code the soft CPU runs for the first time is many times
 * slower than its measured rate), and a guest polling for an event (the TSC
 * in a wait loop, the UART's IIR for its character timeout, the PIC's IRR
 * for a timer's edge) must still see every event that its own clock says
 * has happened. The machine wires the vCPUs' clock (TSC and local APIC
 * timer reads), its port/MMIO dispatch (reads) and the PIC's INTA through
 * here; the run loop fires through `fire()` too. Timers never fire from
 * inside a timer callback.
 */
export class DueTimers {
  private firing = false;
  /** Ends the running vCPU's slice; set by the RunLoop using these timers. */
  private endSlice: () => void = () => {};

  constructor(readonly clock: VirtualClock) {}

  /**
   * Fires the timers due by now; 0 when called from inside a timer callback,
   * or while the clock is paused (the machine is being built or stopped).
   */
  fire(): number {
    if (this.firing || this.clock.paused) return 0;
    this.firing = true;
    try {
      return this.clock.runDue();
    } finally {
      this.firing = false;
    }
  }

  /** Called by the RunLoop: how to end the slice of the vCPU running now. */
  onDueObserved(endSlice: () => void): void {
    this.endSlice = endSlice;
  }

  /**
   * The clock as the vCPUs read it (the TSC, the local APIC timer). Reading
   * it once a timer is due ends the running slice at the next block, where
   * the run loop fires the timer. Not right there: the reader may be the
   * local APIC in the middle of a register write (WRMSR TSC_DEADLINE reads
   * the TSC), and its own timer firing inside would take the new deadline
   * for the old one.
   */
  observedClock(): Pick<VirtualClock, "now" | "createTimer"> {
    const clock = this.clock;
    return {
      now: () => {
        const now = clock.now();
        const next = clock.nextDeadline();
        if (next !== undefined && next <= now) this.endSlice();
        return now;
      },
      createTimer: (callback, name) => clock.createTimer(callback, name),
    };
  }

  /**
   * `handler`, firing due timers before each port or MMIO read. Writes pass
   * straight through: a device computes what a write does from the clock
   * itself, and a timer event just after a write instead of just before it
   * looks the same to the guest. (A clock read costs about as much as a
   * port write.)
   */
  beforeReads(handler: AccessHandler): AccessHandler {
    return {
      portRead: (vcpu, port, size) => {
        this.fire();
        return handler.portRead(vcpu, port, size);
      },
      portWrite: (vcpu, port, size, value) => handler.portWrite(vcpu, port, size, value),
      mmioRead: (vcpu, address, size) => {
        this.fire();
        return handler.mmioRead(vcpu, address, size);
      },
      mmioWrite: (vcpu, address, size, value) => handler.mmioWrite(vcpu, address, size, value),
    };
  }

  /**
   * The PIC as the local APIC's ExtINT source, firing due timers before each
   * acknowledge (INTA): an edge that came before the INTA merges with the
   * request being taken, as on hardware, instead of being latched again by
   * the handler's first read and delivered twice.
   */
  beforeAcknowledge(source: ExtIntSource): ExtIntSource {
    return {
      hasInterrupt: () => source.hasInterrupt(),
      acknowledge: () => {
        this.fire();
        return source.acknowledge();
      },
    };
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
