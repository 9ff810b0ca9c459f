/**
 * The machine's run loop: runs the vCPUs round-robin in this thread, fires
 * due timers between slices, and sleeps while every vCPU is halted with no
 * timer due (a guest idle in HLT uses no host CPU). It yields to the Node
 * event loop between slices so console input, sockets and the monitor are
 * served while the guest runs.
 *
 * Timers can only fire between slices, so a slice must end by the next
 * timer deadline: otherwise a 2 ms periodic interrupt would come once per
 * slice (about 10 ms of a 200 000-instruction slice). The soft vCPU counts
 * instructions, not time, so each vCPU keeps an estimate of its instructions
 * per virtual nanosecond, learnt from slices that used their whole budget,
 * and a slice's budget is the time to the next deadline times that rate
 * (never less than MIN_SLICE, so a run of near deadlines cannot make the
 * loop spin on tiny slices, and never more than `slice`). A timer the guest
 * arms during a slice (an I/O write) that is due before the slice would end
 * kicks the vCPU, so the next slice is bounded by it.
 *
 * Devices ask for the machine to stop (power-off, reset, exit status) with
 * `requestStop`; the loop finishes the current slice and returns the reason.
 */
import type { Vcpu } from "../hv/api.js";
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
  /** Most instructions per vCPU slice (soft backend budget); a timer deadline cuts it shorter. */
  readonly slice?: number;
  /** Called after each round (e.g. to drain notifier callbacks). */
  readonly afterRound?: () => void;
}

const DEFAULT_SLICE = 200_000;
/** Fewest instructions a slice bounded by a timer deadline runs (about 50 us on the soft CPU). */
export const MIN_SLICE = 1000;
/** Longest sleep while idle: bounds the delay before noticing host-side state changes. */
const MAX_IDLE_MS = 100;

export class RunLoop {
  private stopReason: StopReason | undefined;
  private wakeIdle: (() => void) | undefined;
  private readonly halted: boolean[];
  private readonly rates: InstructionRate[];
  /** The vCPU inside run(), if any, and the virtual time its slice is expected to end. */
  private running: Vcpu | undefined;
  private runningUntil = Infinity;
  /** Instructions-equivalent slices run; for statistics. */
  rounds = 0;

  constructor(private readonly options: RunLoopOptions) {
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
   * A timer became the earliest. Armed by the running vCPU's I/O and due
   * before its slice would end: end the slice (the next one is bounded by
   * it). Armed while idle: stop sleeping, the sleep was too long.
   */
  private earliestDeadlineChanged(): void {
    const next = this.options.clock.nextDeadline();
    if (this.running !== undefined && next !== undefined && next < this.runningUntil) {
      this.running.kick();
    }
    this.wake();
  }

  async run(): Promise<StopReason> {
    const { vcpus, clock } = this.options;
    const slice = this.options.slice ?? DEFAULT_SLICE;
    clock.resume();
    try {
      while (this.stopReason === undefined) {
        let anyRan = false;
        for (let i = 0; i < vcpus.length && this.stopReason === undefined; i++) {
          if (this.halted[i]) continue;
          const rate = this.rates[i];
          const budget = rate.budget(clock.timeUntilNextDeadline(), slice);
          const started = clock.now();
          this.running = vcpus[i];
          this.runningUntil = started + rate.nanosecondsFor(budget);
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
          if (clock.runDue() > 0) this.halted.fill(false);
        }
        this.options.afterRound?.();
        this.rounds++;
        if (this.stopReason !== undefined) break;
        if (anyRan) {
          await yieldToEventLoop();
        } else {
          await this.idle();
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
    if (clock.runDue() > 0) {
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
    if (clock.runDue() > 0) this.halted.fill(false);
    // A halted vCPU may have been woken by an interrupt from a timer or from host input;
    // running it again is cheap (it returns `hlt` at once if it is still halted).
    this.halted.fill(false);
  }
}

/**
 * A vCPU's speed in instructions per virtual nanosecond, from slices that
 * ran their whole budget (only those say how many instructions ran). It
 * follows a slower sample faster than a quicker one: overestimating the rate
 * makes a timer late, underestimating it only costs a few more slices.
 */
export class InstructionRate {
  /** Instructions per virtual ns; undefined until the first sample. */
  private perNs: number | undefined;

  /** Weight of a sample slower than the estimate. */
  static readonly FALL = 0.5;
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

  /** Virtual ns `instructions` are expected to take (Infinity before any sample). */
  nanosecondsFor(instructions: number): number {
    return this.perNs === undefined ? Infinity : instructions / this.perNs;
  }

  /**
   * The budget for a slice that should end after `untilDeadline` virtual ns
   * (undefined: no timer armed), at most `max` instructions. Before the
   * first sample the rate is unknown and a short slice measures it.
   */
  budget(untilDeadline: number | undefined, max: number): number {
    if (untilDeadline === undefined) return max;
    const floor = Math.min(MIN_SLICE, max);
    if (this.perNs === undefined) return floor;
    const wanted = Math.floor(untilDeadline * this.perNs);
    return Math.max(floor, Math.min(max, wanted));
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
