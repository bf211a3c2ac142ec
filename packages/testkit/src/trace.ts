/**
 * One thing that happened on a simulated network: a delivery, a drop, or a fault, at virtual time
 * `at` (ms since the simulation began), from host `from` to host `to` (host names; a fault of one
 * host names it twice), carrying `bytes` bytes (0 for what carries none).
 *
 * Kinds: deliveries `tcp:connect` (a connect reached the listener's host), `tcp:accept` and
 * `tcp:refused` (its answer reached the client), `tcp:data`, `tcp:fin`, `tcp:reset`, `udp`; drops
 * `udp:drop` (the link's `dropRate`), `udp:partitioned`, `udp:unreachable` (host down, no such
 * address — then `to` is the address — or nobody bound the port), `udp:lost` (its sender crashed
 * while it was in flight); faults `partition`, `repair`, `hold`, `release`, `link` (one event per
 * direction changed), `crash`, `restart`.
 *
 * @example
 * ```ts
 * const sent = sim.trace.filter((event) => event.kind === 'tcp:data' && event.from === 'client');
 * ```
 */
export interface SimEvent {
  readonly at: number;
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
}

/**
 * Where a simulation keeps its trace: columns of numbers (times, sizes, and indexes of the kind and
 * host names) in typed arrays that grow by doubling, so recording an event allocates nothing and
 * gives the garbage collector nothing to trace — a simulation records every delivery. `events`
 * turns the columns into {@link SimEvent} objects on demand, appending to one array as it grows.
 *
 * @example
 * ```ts
 * const log = new TraceLog();
 * log.push(0, 'tcp:data', 'a', 'b', 5);
 * log.events; // [{ at: 0, kind: 'tcp:data', from: 'a', to: 'b', bytes: 5 }]
 * ```
 */
export class TraceLog {
  #length = 0;
  #at = new Float64Array(1024);
  #bytes = new Float64Array(1024);
  #kind = new Uint32Array(1024);
  #from = new Uint32Array(1024);
  #to = new Uint32Array(1024);
  readonly #names: string[] = [];
  readonly #indexes = new Map<string, number>();
  readonly #events: SimEvent[] = [];

  /** Events recorded so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends one event. */
  push(at: number, kind: string, from: string, to: string, bytes: number): void {
    const i = this.#length;
    if (i === this.#at.length) this.#grow();
    this.#at[i] = at;
    this.#bytes[i] = bytes;
    this.#kind[i] = this.#index(kind);
    this.#from[i] = this.#index(from);
    this.#to[i] = this.#index(to);
    this.#length = i + 1;
  }

  /** Every event, in order, as frozen objects (one array, extended with what was recorded since the last call). */
  get events(): readonly SimEvent[] {
    const events = this.#events;
    const names = this.#names;
    for (let i = events.length; i < this.#length; i++) {
      events.push(Object.freeze({ at: this.#at[i]!, kind: names[this.#kind[i]!]!, from: names[this.#from[i]!]!, to: names[this.#to[i]!]!, bytes: this.#bytes[i]! }));
    }
    return events;
  }

  #index(name: string): number {
    let index = this.#indexes.get(name);
    if (index === undefined) {
      index = this.#names.length;
      this.#names.push(name);
      this.#indexes.set(name, index);
    }
    return index;
  }

  #grow(): void {
    const size = this.#at.length * 2;
    const grow = <T extends Float64Array | Uint32Array>(column: T, make: (size: number) => T): T => {
      const next = make(size);
      next.set(column);
      return next;
    };
    this.#at = grow(this.#at, (n) => new Float64Array(n));
    this.#bytes = grow(this.#bytes, (n) => new Float64Array(n));
    this.#kind = grow(this.#kind, (n) => new Uint32Array(n));
    this.#from = grow(this.#from, (n) => new Uint32Array(n));
    this.#to = grow(this.#to, (n) => new Uint32Array(n));
  }
}
