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

// Node's limit: a delay outside 1..TIMEOUT_MAX becomes 1 ms.
const TIMEOUT_MAX = 2 ** 31 - 1;
// Virtual timers convert to numbers from here up; Node's own timers convert to much smaller ones.
const FIRST_TIMER_ID = 1e12;

type Callback = (...args: unknown[]) => void;

// fake-timers' factory, made once, when the kit loads (outside any run, so it takes the real
// `Date`): it inspects the globals, which costs as much as a small simulation. Clocks made from it
// share nothing.
const fakeTimers = withGlobal(globalThis);

function delayOf(value: unknown): number {
  const delay = Number(value);
  return delay >= 1 && delay <= TIMEOUT_MAX ? Math.ceil(delay) : 1;
}

/**
 * A virtual `Timeout`, shaped like Node's (`ref`, `unref`, `hasRef`, `refresh`, `close`, a number
 * when converted): it lives in its clock's heap, ordered by due time, then by when it was
 * (re)scheduled, so timers due at the same virtual time fire in a fixed order.
 *
 * @example
 * ```ts
 * const timer = setTimeout(onIdle, 30_000); // inside sim.run
 * timer.refresh();
 * ```
 */
export class VirtualTimeout {
  readonly #clock: VirtualClock;
  readonly callback: Callback;
  readonly args: unknown[];
  readonly delay: number;
  readonly repeat: boolean;
  due = 0;
  seq = 0;
  /** Position in the heap, or -1 when not scheduled. */
  index = -1;
  /** Its number, once someone converted it (0 before). */
  id = 0;
  #refed = true;

  constructor(clock: VirtualClock, callback: Callback, args: unknown[], delay: number, repeat: boolean) {
    this.#clock = clock;
    this.callback = callback;
    this.args = args;
    this.delay = delay;
    this.repeat = repeat;
  }

  ref(): this {
    if (!this.#refed && this.index !== -1) this.#clock.refChanged(1);
    this.#refed = true;
    return this;
  }

  unref(): this {
    if (this.#refed && this.index !== -1) this.#clock.refChanged(-1);
    this.#refed = false;
    return this;
  }

  hasRef(): boolean {
    return this.#refed;
  }

  /** Starts the delay over from now (and schedules the timer again if it already fired), as Node's does. */
  refresh(): this {
    this.#clock.schedule(this);
    return this;
  }

  close(): this {
    this.#clock.cancel(this);
    return this;
  }

  [Symbol.toPrimitive](): number {
    if (this.id === 0) this.#clock.register(this);
    return this.id;
  }

  [Symbol.dispose](): void {
    this.#clock.cancel(this);
  }
}

/**
 * A virtual `Immediate`: its callback runs at the current virtual time, before the clock moves on,
 * in the order the immediates were made. Shaped like Node's.
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
 * The virtual clock of a simulation: a heap of its own timers (one clock per simulation, alive
 * between runs, so a later `run` continues where the last one stopped), a queue of immediates, and
 * `@sinonjs/fake-timers`' `Date`, kept at the virtual time. {@link VirtualClock#enter} puts it in
 * place of the globals and {@link VirtualClock#exit} restores them.
 *
 * Virtual while entered: `setTimeout`, `clearTimeout`, `setInterval`, `clearInterval`,
 * `setImmediate`, `clearImmediate`, `Date`, `performance.now()` (ms since the simulation began), and
 * `Math.random` (the simulation's seeded generator). Real, always: promises, `queueMicrotask` and
 * `process.nextTick` (what the clock waits for to drain), `process.hrtime` (a way to measure real
 * time inside a run), and Node's own timers inside its modules (`node:timers`,
 * `node:timers/promises`, `AbortSignal.timeout()`, streams). A timer made outside a run is real;
 * one made inside is virtual, and fires only inside a run; clearing either kind works anywhere
 * inside. Delays follow Node's rules: below 1 ms (or not a number, or over 2^31 - 1) they are
 * 1 ms; fractions round up.
 *
 * Why timers of its own rather than fake-timers' (whose `Date` it uses): core arms a timer for
 * every read, so a simulation makes one per message; these cost one small object (no closures) and
 * a heap step, several times less than fake-timers' and with less garbage.
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
  readonly #dates: Clock;
  readonly #random: () => number;
  readonly #heap: VirtualTimeout[] = [];
  // Timers in the heap that are not unref'd (see `alive`).
  #refedTimers = 0;
  readonly #ids = new Map<number, VirtualTimeout>();
  #now = 0;
  #seq = 0;
  #nextId = FIRST_TIMER_ID;
  #immediates: VirtualImmediate[] = [];
  #immediateHead = 0;
  #saved: Saved | undefined;

  constructor(random: () => number) {
    this.#dates = fakeTimers.createClock(VIRTUAL_EPOCH);
    this.#random = random;
  }

  /** Virtual milliseconds since the simulation began. */
  get now(): number {
    return this.#now;
  }

  /** True while the clock stands in for the globals. */
  get entered(): boolean {
    return this.#saved !== undefined;
  }

  /**
   * Whether anything holds the run open, as Node's event loop would be held: an immediate, or a
   * timer that is not unref'd. Unref'd timers still fire when the clock passes them.
   */
  get alive(): boolean {
    return this.#immediateHead < this.#immediates.length || this.#refedTimers > 0;
  }

  /** When the next thing is due (virtual ms): now if an immediate waits, else the next timer; undefined if nothing is. */
  get nextDue(): number | undefined {
    if (this.#immediateHead < this.#immediates.length) return this.#now;
    return this.#heap[0]?.due;
  }

  /**
   * Runs the next thing that is due: the oldest immediate, or else the earliest timer (the clock
   * jumps to its time). One callback per step, so that microtasks drain between two of them, as
   * they do between Node's timers. A callback that throws throws here.
   */
  step(): void {
    const immediates = this.#immediates;
    while (this.#immediateHead < immediates.length) {
      const immediate = immediates[this.#immediateHead++]!;
      if (this.#immediateHead === immediates.length) {
        this.#immediates = [];
        this.#immediateHead = 0;
      }
      if (immediate.cancelled) continue;
      immediate.cancelled = true;
      immediate.callback(...immediate.args);
      return;
    }
    const timer = this.#heap[0];
    if (timer === undefined) return;
    this.#remove(timer);
    this.#set(timer.due);
    if (timer.repeat) this.#insert(timer, timer.due + timer.delay);
    else if (timer.id !== 0) this.#ids.delete(timer.id);
    timer.callback(...timer.args);
  }

  /** Moves the clock forward to `time` (virtual ms); nothing due before it may be pending. */
  advanceTo(time: number): void {
    const next = this.#heap[0]?.due;
    if (time > this.#now && (next === undefined || next >= time)) this.#set(time);
  }

  /** @internal (Re)schedules `timer` its delay from now. */
  schedule(timer: VirtualTimeout): void {
    if (timer.index !== -1) this.#remove(timer);
    else if (timer.id !== 0) this.#ids.set(timer.id, timer);
    this.#insert(timer, this.#now + timer.delay);
  }

  /** @internal Takes `timer` off the heap. */
  cancel(timer: VirtualTimeout): void {
    if (timer.index !== -1) this.#remove(timer);
    if (timer.id !== 0) this.#ids.delete(timer.id);
  }

  /** @internal A scheduled timer was ref'd (+1) or unref'd (-1). */
  refChanged(delta: 1 | -1): void {
    this.#refedTimers += delta;
  }

  /** @internal Gives `timer` a number (when someone converts it), so that clearing by number works. */
  register(timer: VirtualTimeout): void {
    timer.id = this.#nextId++;
    if (timer.index !== -1) this.#ids.set(timer.id, timer);
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
    const timer = (callback: unknown, delay: unknown, args: unknown[], repeat: boolean): VirtualTimeout => {
      if (typeof callback !== 'function') throw new TypeError(`the callback of a timer must be a function, got ${typeof callback}`);
      const made = new VirtualTimeout(this, callback as Callback, args, delayOf(delay), repeat);
      this.schedule(made);
      return made;
    };
    const clear = (id: unknown, real: (id: never) => void): void => {
      if (id instanceof VirtualTimeout) this.cancel(id);
      else if (typeof id === 'number' && id >= FIRST_TIMER_ID) {
        const found = this.#ids.get(id);
        if (found !== undefined) this.cancel(found);
      } else real(id as never);
    };
    global.setTimeout = ((callback: unknown, delay?: unknown, ...args: unknown[]) => timer(callback, delay, args, false)) as unknown as typeof globalThis.setTimeout;
    global.setInterval = ((callback: unknown, delay?: unknown, ...args: unknown[]) => timer(callback, delay, args, true)) as unknown as typeof globalThis.setInterval;
    global.clearTimeout = (id?: unknown) => clear(id, saved.clearTimeout);
    global.clearInterval = (id?: unknown) => clear(id, saved.clearInterval);
    global.setImmediate = ((callback: Callback, ...args: unknown[]) => {
      if (typeof callback !== 'function') throw new TypeError(`the callback of an immediate must be a function, got ${typeof callback}`);
      const immediate = new VirtualImmediate(callback, args);
      this.#immediates.push(immediate);
      return immediate;
    }) as unknown as typeof globalThis.setImmediate;
    global.clearImmediate = (immediate?: unknown) => {
      if (immediate instanceof VirtualImmediate) immediate.cancelled = true;
      else saved.clearImmediate(immediate as Parameters<typeof clearImmediate>[0]);
    };
    global.Date = this.#dates.Date;
    Math.random = this.#random;
    Object.defineProperty(performance, 'now', { configurable: true, writable: true, value: () => this.#now });
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

  #set(time: number): void {
    this.#now = time;
    this.#dates.now = VIRTUAL_EPOCH + time;
  }

  // A binary heap ordered by (due, seq): the earliest first; equal times in scheduling order.
  #insert(timer: VirtualTimeout, due: number): void {
    timer.due = due;
    timer.seq = this.#seq++;
    const heap = this.#heap;
    timer.index = heap.length;
    heap.push(timer);
    if (timer.hasRef()) this.#refedTimers++;
    this.#up(timer.index);
  }

  #remove(timer: VirtualTimeout): void {
    const heap = this.#heap;
    const index = timer.index;
    const last = heap.pop()!;
    timer.index = -1;
    if (timer.hasRef()) this.#refedTimers--;
    if (last === timer) return;
    heap[index] = last;
    last.index = index;
    this.#up(index);
    this.#down(last.index);
  }

  #before(a: VirtualTimeout, b: VirtualTimeout): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #up(index: number): void {
    const heap = this.#heap;
    const timer = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!this.#before(timer, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = timer;
    timer.index = index;
  }

  #down(index: number): void {
    const heap = this.#heap;
    const timer = heap[index]!;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.#before(heap[right]!, heap[left]!) ? right : left;
      const smaller = heap[child]!;
      if (!this.#before(smaller, timer)) break;
      heap[index] = smaller;
      smaller.index = index;
      index = child;
    }
    heap[index] = timer;
    timer.index = index;
  }
}
