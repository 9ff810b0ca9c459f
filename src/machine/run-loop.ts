/**
 * The machine's run loop: runs the vCPUs round-robin in this thread, fires
 * due timers between slices, and sleeps while every vCPU is halted with no
 * timer due (a guest idle in HLT uses no host CPU). It yields to the Node
 * event loop between slices so console input, sockets and the monitor are
 * served while the guest runs.
 *
 * Devices ask for the machine to stop (power-off, reset, exit status) with
 * `requestStop`; the loop finishes the current slice and returns the reason.
 */
import type { Vcpu } from "../hv/api.js";
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
  /** Instructions per vCPU slice (soft backend budget). */
  readonly slice?: number;
  /** Called after each round (e.g. to drain notifier callbacks). */
  readonly afterRound?: () => void;
}

const DEFAULT_SLICE = 200_000;
/** Longest sleep while idle: bounds the delay before noticing host-side state changes. */
const MAX_IDLE_MS = 100;

export class RunLoop {
  private stopReason: StopReason | undefined;
  private wakeIdle: (() => void) | undefined;
  private readonly halted: boolean[];
  /** Instructions-equivalent slices run; for statistics. */
  rounds = 0;

  constructor(private readonly options: RunLoopOptions) {
    this.halted = options.vcpus.map(() => false);
    options.clock.onEarliestChange(() => this.wake());
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

  async run(): Promise<StopReason> {
    const { vcpus, clock } = this.options;
    const slice = this.options.slice ?? DEFAULT_SLICE;
    clock.resume();
    try {
      while (this.stopReason === undefined) {
        let anyRan = false;
        for (let i = 0; i < vcpus.length && this.stopReason === undefined; i++) {
          if (this.halted[i]) continue;
          const exit = vcpus[i].run({ budget: slice });
          switch (exit.kind) {
            case "budget":
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
          // Timers are checked after each vCPU so one busy vCPU cannot starve the others' interrupts.
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

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
