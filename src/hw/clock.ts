/**
 * The machine's one virtual clock (issue 4): the TSC, PIT, HPET, APIC timer,
 * PM timer and RTC all derive their time from it. It follows host time while
 * the guest runs and stands still while the guest is paused, so a paused
 * guest sees no time pass.
 *
 * Timers never use one host setTimeout each. Devices arm `Timer`s here; the
 * run loop asks `nextDeadline()` (to sleep exactly that long, or forever when
 * nothing is due: an idle guest then costs no host CPU) and calls `runDue()`.
 * A `Timer` is re-armed in place, so a periodic device allocates nothing per
 * period.
 *
 * Times are nanoseconds as plain numbers: exact integers up to 2^53 ns, about
 * 104 days of virtual time.
 */

/** A monotonic host clock in nanoseconds. */
export interface TimeSource {
  now(): number;
}

/**
 * Host time from `process.hrtime.bigint()`, relative to the moment this source
 * was made. Subtracting the origin as a bigint before converting keeps the
 * result an exact integer (hrtime's absolute value may exceed 2^53).
 */
export function hostTimeSource(): TimeSource {
  const origin = process.hrtime.bigint();
  return { now: () => Number(process.hrtime.bigint() - origin) };
}

/** A time source that moves only when told to: deterministic tests. */
export class ManualTimeSource implements TimeSource {
  private current: number;

  constructor(start = 0) {
    checkTime(start, "ManualTimeSource start");
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward by `ns` (a non-negative integer). */
  advance(ns: number): void {
    checkTime(ns, "ManualTimeSource.advance");
    this.current += ns;
  }

  /** Moves time to `ns`, which must not be earlier than now. */
  set(ns: number): void {
    checkTime(ns, "ManualTimeSource.set");
    if (ns < this.current) {
      throw new RangeError(
        `ManualTimeSource.set: ${ns} is before the current time ${this.current}`,
      );
    }
    this.current = ns;
  }
}

function checkTime(ns: number, what: string): void {
  if (!Number.isSafeInteger(ns) || ns < 0) {
    throw new RangeError(`${what}: ${ns} is not a non-negative integer number of nanoseconds`);
  }
}

/** What `new VirtualClock()` takes. */
export interface VirtualClockOptions {
  /** Host time; default `hostTimeSource()`. */
  readonly source?: TimeSource;
  /** Virtual time at creation, in ns; default 0. */
  readonly start?: number;
  /** Start paused (the machine resumes it when the guest starts); default false. */
  readonly paused?: boolean;
}

/**
 * A timer on a virtual clock. Made by `VirtualClock.createTimer`; armed and
 * re-armed in place. Its callback runs from `VirtualClock.runDue()`.
 */
export class Timer {
  /** @internal Position in the clock's heap; -1 when not armed. */
  heapIndex = -1;
  /** @internal Arming order, so timers due at the same time fire in that order. */
  sequence = 0;
  /** @internal The deadline; set only by the clock. */
  due = 0;

  /** Made by `VirtualClock.createTimer`. */
  constructor(
    private readonly clock: VirtualClock,
    readonly callback: () => void,
    readonly name: string,
  ) {}

  /** The virtual time it fires at; meaningful only while armed. */
  get deadline(): number {
    return this.due;
  }

  get armed(): boolean {
    return this.heapIndex >= 0;
  }

  /** (Re-)arms the timer for `deadlineNs` (virtual ns). A deadline in the past fires at the next `runDue()`. */
  arm(deadlineNs: number): void {
    if (!Number.isFinite(deadlineNs)) {
      throw new RangeError(`timer "${this.name}": deadline ${deadlineNs} is not a finite number`);
    }
    this.clock.enqueue(this, deadlineNs);
  }

  /** Disarms the timer; harmless when it is not armed. */
  cancel(): void {
    this.clock.dequeue(this);
  }
}

/** The machine's virtual clock. See the file comment. */
export class VirtualClock {
  private readonly source: TimeSource;
  /** Virtual time at host time `sourceAtBase` (running), or the frozen time (paused). */
  private base: number;
  private sourceAtBase: number;
  private isPaused: boolean;
  /** The last value `now()` returned: time never goes backwards, whatever the source does. */
  private last: number;
  private readonly heap: Timer[] = [];
  private sequence = 0;
  private earliestListener: (() => void) | undefined;

  constructor(options: VirtualClockOptions = {}) {
    this.source = options.source ?? hostTimeSource();
    const start = options.start ?? 0;
    checkTime(start, "VirtualClock start");
    this.base = start;
    this.last = start;
    this.sourceAtBase = this.source.now();
    this.isPaused = options.paused ?? false;
  }

  /** Virtual nanoseconds: monotonic, standing still while paused. */
  now(): number {
    if (this.isPaused) return this.base;
    const value = this.base + (this.source.now() - this.sourceAtBase);
    if (value > this.last) this.last = value;
    return this.last;
  }

  /** A bigint view of `now()`, in the shape the TSC takes as its host clock. */
  asNanosecondClock(): () => bigint {
    return () => BigInt(Math.floor(this.now()));
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Stops virtual time (the guest is paused). Pausing twice is harmless. */
  pause(): void {
    if (this.isPaused) return;
    this.base = this.now();
    this.isPaused = true;
  }

  /** Lets virtual time follow host time again from where it stopped. */
  resume(): void {
    if (!this.isPaused) return;
    this.sourceAtBase = this.source.now();
    this.isPaused = false;
  }

  /**
   * Sets the virtual time (loading a snapshot or an incoming migration).
   * Armed timers keep their absolute deadlines; devices re-arm theirs from
   * their loaded state.
   */
  setTime(ns: number): void {
    checkTime(ns, "VirtualClock.setTime");
    this.base = ns;
    this.last = ns;
    this.sourceAtBase = this.source.now();
  }

  /** A timer calling `callback` when due; it starts disarmed. */
  createTimer(callback: () => void, name = "timer"): Timer {
    return new Timer(this, callback, name);
  }

  /** Creates a timer and arms it for `deadlineNs`. */
  schedule(deadlineNs: number, callback: () => void, name = "timer"): Timer {
    const timer = this.createTimer(callback, name);
    timer.arm(deadlineNs);
    return timer;
  }

  /** Disarms `timer` (same as `timer.cancel()`). */
  cancel(timer: Timer): void {
    timer.cancel();
  }

  /** The earliest armed deadline, or undefined when no timer is armed. */
  nextDeadline(): number | undefined {
    return this.heap.length === 0 ? undefined : this.heap[0].deadline;
  }

  /**
   * Virtual ns until the earliest deadline (0 when already due), or undefined
   * when nothing is armed. While paused nothing becomes due by itself.
   */
  timeUntilNextDeadline(): number | undefined {
    const next = this.nextDeadline();
    return next === undefined ? undefined : Math.max(0, next - this.now());
  }

  /**
   * Calls `listener` whenever arming a timer makes it the earliest: a run
   * loop sleeping until the old earliest deadline must wake up sooner. It is
   * called synchronously from `Timer.arm`, so it must be cheap.
   */
  onEarliestChange(listener: (() => void) | undefined): void {
    this.earliestListener = listener;
  }

  /**
   * Fires every timer due by now, earliest first (equal deadlines in arming
   * order). A callback may re-arm its timer; one that keeps re-arming in the
   * past fires again, up to `limit` firings in all, so a runaway device
   * cannot hang the caller. Returns the number of firings.
   */
  runDue(limit = 10_000): number {
    const now = this.now();
    let fired = 0;
    while (fired < limit && this.heap.length > 0 && this.heap[0].deadline <= now) {
      const timer = this.heap[0];
      this.dequeue(timer);
      fired++;
      timer.callback();
    }
    return fired;
  }

  /** @internal Inserts or repositions `timer` (see Timer.arm). */
  enqueue(timer: Timer, deadlineNs: number): void {
    const previousFirst = this.heap.length > 0 ? this.heap[0].due : undefined;
    timer.due = deadlineNs;
    timer.sequence = this.sequence++;
    if (timer.heapIndex < 0) {
      timer.heapIndex = this.heap.length;
      this.heap.push(timer);
    }
    this.siftUp(timer.heapIndex);
    this.siftDown(timer.heapIndex);
    if (this.heap[0] === timer && (previousFirst === undefined || deadlineNs < previousFirst)) {
      this.earliestListener?.();
    }
  }

  /** @internal Removes `timer` if armed. */
  dequeue(timer: Timer): void {
    const index = timer.heapIndex;
    if (index < 0) return;
    const last = this.heap.pop() as Timer;
    timer.heapIndex = -1;
    if (last === timer) return;
    this.heap[index] = last;
    last.heapIndex = index;
    this.siftUp(index);
    this.siftDown(last.heapIndex);
  }

  private before(a: Timer, b: Timer): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.sequence < b.sequence);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i];
    const b = this.heap[j];
    this.heap[i] = b;
    this.heap[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(this.heap[i], this.heap[parent])) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.before(this.heap[left], this.heap[smallest]))
        smallest = left;
      if (right < this.heap.length && this.before(this.heap[right], this.heap[smallest]))
        smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}

const NS_PER_SECOND = 1_000_000_000;

/**
 * Ticks of a `hz` clock (counted from virtual time 0) elapsed at `ns`:
 * floor(ns * hz / 1e9), computed exactly. The product is split at whole
 * seconds so no intermediate exceeds 2^53 for hz up to about 9 MHz (enough
 * for the PIT's 1.193182 MHz, the RTC's 32.768 kHz and the PM timer's
 * 3.579545 MHz); the quotient of two such exact integers is never close
 * enough to an integer for the division to round across it.
 */
export function ticksAt(ns: number, hz: number): number {
  const seconds = Math.floor(ns / NS_PER_SECOND);
  const rest = ns - seconds * NS_PER_SECOND;
  return seconds * hz + Math.floor((rest * hz) / NS_PER_SECOND);
}

/** The first nanosecond at which `ticksAt(ns, hz) >= tick` (exact; see ticksAt). */
export function timeOfTick(tick: number, hz: number): number {
  const seconds = Math.floor(tick / hz);
  const rest = tick - seconds * hz;
  return seconds * NS_PER_SECOND + Math.ceil((rest * NS_PER_SECOND) / hz);
}
