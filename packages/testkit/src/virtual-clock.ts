import { withGlobal, type Clock } from '@sinonjs/fake-timers';

/**
 * What `Date.now()` says at virtual time 0: 2000-01-01T00:00:00Z, the same for every simulation,
 * so that dates in a trace or a log replay too.
 *
 * @example
 * ```ts
 * await sim.run(async () => new Date().toISOString()); // '2000-01-01T00:00:00.000Z' at sim.now === 0
 * ```
 */
export const VIRTUAL_EPOCH = Date.UTC(2000, 0, 1);

// fake-timers numbers its timers from 1e12 up; Node's own timers convert to much smaller ids.
const FIRST_VIRTUAL_TIMER_ID = 1e12;

type Callback = (...args: unknown[]) => void;

/**
 * A `setImmediate` of the virtual clock: its callback runs at the current virtual time, before the
 * clock moves on, in the order the immediates were made. Shaped like Node's `Immediate`.
 *
 * @example
 * ```ts
 * const immediate = setImmediate(() => {}); // inside sim.run
 * clearImmediate(immediate);
 * ```
 */
export class VirtualImmediate {
  readonly callback: Callback;
  readonly args: unknown[];
  cancelled = false;

  constructor(callback: Callback, args: unknown[]) {
    this.callback = callback;
    this.args = args;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  hasRef(): boolean {
    return true;
  }

  [Symbol.dispose](): void {
    this.cancelled = true;
  }
}

interface Saved {
  setTimeout: typeof globalThis.setTimeout;
  clearTimeout: typeof globalThis.clearTimeout;
  setInterval: typeof globalThis.setInterval;
  clearInterval: typeof globalThis.clearInterval;
  setImmediate: typeof globalThis.setImmediate;
  clearImmediate: typeof globalThis.clearImmediate;
  Date: DateConstructor;
  random: () => number;
  performanceNow: PropertyDescriptor | undefined;
}

/**
 * The virtual clock of a simulation: `@sinonjs/fake-timers` keeps the timers (one clock per
 * simulation, alive between runs, so a later `run` continues where the last one stopped), and a
 * queue of its own keeps the immediates. {@link VirtualClock#enter} puts it in place of the globals
 * and {@link VirtualClock#exit} restores them.
 *
 * Virtual while entered: `setTimeout`, `clearTimeout`, `setInterval`, `clearInterval`,
 * `setImmediate`, `clearImmediate`, `Date`, `performance.now()` (ms since the simulation began), and
 * `Math.random` (the simulation's seeded generator). Real, always: promises, `queueMicrotask` and
 * `process.nextTick` (what the clock waits for to drain), `process.hrtime` (a way to measure real
 * time inside a run), and Node's own timers inside its modules (`node:timers`,
 * `node:timers/promises`, streams). A timer made outside a run is real; one made inside is virtual,
 * and fires only inside a run; clearing either kind works anywhere inside.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock(seededRandom(1));
 * clock.enter();
 * setTimeout(() => console.log(clock.now), 60_000);
 * clock.step(); // logs 60000 at once
 * clock.exit();
 * ```
 */
export class VirtualClock {
  readonly #clock: Clock;
  readonly #random: () => number;
  #immediates: VirtualImmediate[] = [];
  #saved: Saved | undefined;

  constructor(random: () => number) {
    this.#clock = withGlobal(globalThis).createClock(VIRTUAL_EPOCH);
    this.#random = random;
  }

  /** Virtual milliseconds since the simulation began. */
  get now(): number {
    return this.#clock.now - VIRTUAL_EPOCH;
  }

  /** True while the clock stands in for the globals. */
  get entered(): boolean {
    return this.#saved !== undefined;
  }

  /** When the next thing is due (virtual ms): now if an immediate waits, else the next timer; undefined if nothing is. */
  get nextDue(): number | undefined {
    if (this.#immediates.length > 0) return this.now;
    const timer = this.#clock.timerHeap?.peek();
    return timer?.callAt === undefined ? undefined : timer.callAt - VIRTUAL_EPOCH;
  }

  /**
   * Runs the next thing that is due: the oldest immediate, or else the earliest timer (the clock
   * jumps to its time). One callback per step, so that microtasks drain between two of them, as
   * they do between Node's timers. A callback that throws throws here.
   */
  step(): void {
    while (this.#immediates.length > 0) {
      const immediate = this.#immediates.shift()!;
      if (immediate.cancelled) continue;
      immediate.cancelled = true;
      immediate.callback(...immediate.args);
      return;
    }
    this.#clock.next();
  }

  /** Moves the clock forward to `time` (virtual ms) without running anything due after `time`. */
  advanceTo(time: number): void {
    const delta = time - this.now;
    if (delta > 0) this.#clock.tick(delta);
  }

  /** Puts the virtual clock in place of the globals (see the class). */
  enter(): void {
    if (this.#saved !== undefined) return;
    const global = globalThis;
    const saved: Saved = {
      setTimeout: global.setTimeout,
      clearTimeout: global.clearTimeout,
      setInterval: global.setInterval,
      clearInterval: global.clearInterval,
      setImmediate: global.setImmediate,
      clearImmediate: global.clearImmediate,
      Date: global.Date,
      random: Math.random,
      performanceNow: Object.getOwnPropertyDescriptor(performance, 'now'),
    };
    this.#saved = saved;
    const clock = this.#clock;
    const isVirtual = (id: unknown): boolean => id !== undefined && id !== null && Number(id) >= FIRST_VIRTUAL_TIMER_ID;
    global.setTimeout = clock.setTimeout as unknown as typeof globalThis.setTimeout;
    global.setInterval = clock.setInterval as unknown as typeof globalThis.setInterval;
    global.clearTimeout = (id?: unknown) => {
      if (isVirtual(id)) clock.clearTimeout(id as number);
      else saved.clearTimeout(id as Parameters<typeof clearTimeout>[0]);
    };
    global.clearInterval = (id?: unknown) => {
      if (isVirtual(id)) clock.clearInterval(id as number);
      else saved.clearInterval(id as Parameters<typeof clearInterval>[0]);
    };
    global.setImmediate = ((callback: Callback, ...args: unknown[]) => {
      const immediate = new VirtualImmediate(callback, args);
      this.#immediates.push(immediate);
      return immediate;
    }) as unknown as typeof globalThis.setImmediate;
    global.clearImmediate = (immediate?: unknown) => {
      if (immediate instanceof VirtualImmediate) immediate.cancelled = true;
      else saved.clearImmediate(immediate as Parameters<typeof clearImmediate>[0]);
    };
    global.Date = clock.Date;
    Math.random = this.#random;
    Object.defineProperty(performance, 'now', { configurable: true, writable: true, value: () => this.now });
  }

  /** Restores the globals {@link VirtualClock#enter} replaced. */
  exit(): void {
    const saved = this.#saved;
    if (saved === undefined) return;
    this.#saved = undefined;
    const global = globalThis;
    global.setTimeout = saved.setTimeout;
    global.clearTimeout = saved.clearTimeout;
    global.setInterval = saved.setInterval;
    global.clearInterval = saved.clearInterval;
    global.setImmediate = saved.setImmediate;
    global.clearImmediate = saved.clearImmediate;
    global.Date = saved.Date;
    Math.random = saved.random;
    if (saved.performanceNow === undefined) delete (performance as { now?: unknown }).now;
    else Object.defineProperty(performance, 'now', saved.performanceNow);
  }
}
