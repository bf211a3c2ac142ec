import { RESOLVED } from '@sock/core/internal';
import type { Host } from './host.js';
import type { Network } from './network.js';
import type { LinkShaping } from './shaping.js';

/**
 * What happens to one datagram on a link, decided with the seeded generator.
 *
 * @example
 * ```ts
 * const fate = link.datagramFate();
 * if (!fate.dropped) for (let i = 0; i < fate.copies; i++) link.schedule(deliver);
 * ```
 */
export interface DatagramFate {
  readonly dropped: boolean;
  /** 1, or 2 when duplicated. */
  readonly copies: number;
  /** Held back and delivered after the next datagram on the same socket. */
  readonly reordered: boolean;
}

const DROPPED: DatagramFate = Object.freeze({ dropped: true, copies: 0, reordered: false });
const ONCE: DatagramFate = Object.freeze({ dropped: false, copies: 1, reordered: false });

// Why a link delivers nothing now; a set of bits, read through the getters below.
const PARTITIONED = 1;
const HELD = 2;

/**
 * One direction between two hosts (`from` → `to`; a host's own loopback traffic is the link from it
 * to itself), and the one scheduler of everything that travels on it: TCP segments, FINs, connects
 * and resets (the pipes and the dialer) and datagrams (the bus).
 *
 * - **Latency**: fixed, or drawn per delivery from a range with the network's one seeded generator.
 *   A delivery waits on `setTimeout` (the fake clock's inside a simulation's `run`), or a microtask
 *   when the latency is 0.
 * - **Partition and hold** catch what is already in flight: a delivery checks the link when it is
 *   due. A blocked TCP delivery is parked and runs, in the order it was parked, once the link opens
 *   again (repair, release, restart of the host); nothing is lost. UDP over a partition is dropped;
 *   held datagrams are parked the same way.
 * - **UDP faults** (drop, duplicate, reorder) are decided when a datagram is sent, in a fixed order
 *   of draws.
 *
 * @example
 * ```ts
 * const link = network.link(a, b);
 * link.send(() => accept(syn)); // after the link's latency, or once it is repaired
 * ```
 */
export class Link {
  readonly from: Host;
  readonly to: Host;
  /** Live: `shape()` / `setLink()` change it for what is sent from then on. */
  readonly shaping: LinkShaping;
  /** Whether events on this link are recorded in the trace (a simulation's links are). */
  readonly tracing: boolean;
  /** True while nothing may cross: partitioned, held, or either host is down. Read per delivery. */
  blocked = false;
  readonly #network: Network;
  #faults = 0;
  #parked: Array<() => void> = [];
  #unparking = false;

  constructor(network: Network, from: Host, to: Host, shaping: LinkShaping) {
    this.#network = network;
    this.from = from;
    this.to = to;
    this.shaping = shaping;
    this.tracing = network.tracing;
  }

  /** Partitioned (by `partition`, until `repair`): TCP stalls, UDP is dropped. */
  get partitioned(): boolean {
    return (this.#faults & PARTITIONED) !== 0;
  }

  /** Held (by `hold`, until `release`): everything due waits, in order. */
  get held(): boolean {
    return (this.#faults & HELD) !== 0;
  }

  /** The delay of one delivery, in ms: the fixed latency, or a draw from its range. */
  delay(): number {
    const latency = this.shaping.latencyInMillis;
    if (typeof latency === 'number') return latency;
    return latency.min + Math.floor(this.#network.random() * (latency.max - latency.min + 1));
  }

  /** Runs `task` after `delay` ms (a microtask when 0), whatever the link's state then. */
  schedule(task: () => void, delay = this.delay()): void {
    if (delay > 0) setTimeout(task, delay);
    else void RESOLVED.then(task);
  }

  /**
   * Sends a one-off TCP packet (connect, its answer, a reset): `arrive` runs after the link's
   * latency — or, if the link is blocked then, once it opens again.
   */
  send(arrive: () => void): void {
    this.schedule(() => {
      if (this.blocked) this.park(arrive);
      else arrive();
    });
  }

  /** Keeps `task` until the link opens again; parked tasks run in the order they were parked. */
  park(task: () => void): void {
    this.#parked.push(task);
  }

  /** Records one event of this link in the trace (when the network keeps one). */
  record(kind: string, bytes = 0): void {
    this.#network.record(kind, this.from, this.to, bytes);
  }

  /** Partitions or repairs this direction. */
  setPartitioned(value: boolean): void {
    this.#set(PARTITIONED, value);
  }

  /** Holds or releases this direction. */
  setHeld(value: boolean): void {
    this.#set(HELD, value);
  }

  /** Re-reads the state of both hosts (one crashed or restarted); opens or blocks the link. */
  update(): void {
    const blocked = this.#faults !== 0 || this.from.down || this.to.down;
    if (blocked === this.blocked) return;
    this.blocked = blocked;
    if (!blocked) this.#unpark();
  }

  /** Decides one datagram's fate: dropped, then duplicated, then reordered, in this order of draws. */
  datagramFate(): DatagramFate {
    const { dropRate, duplicateRate, reorderRate } = this.shaping;
    if (dropRate === 0 && duplicateRate === 0 && reorderRate === 0) return ONCE;
    const random = this.#network.random;
    if (random() < dropRate) return DROPPED;
    const copies = random() < duplicateRate ? 2 : 1;
    const reordered = random() < reorderRate;
    return copies === 1 && !reordered ? ONCE : { dropped: false, copies, reordered };
  }

  /** Forgets what is parked (the network is closing). */
  clear(): void {
    this.#parked = [];
  }

  #set(bit: number, value: boolean): void {
    this.#faults = value ? this.#faults | bit : this.#faults & ~bit;
    this.update();
  }

  // What was parked goes out now, in order — on a microtask, never inside the control call that
  // opened the link (user code must not run from inside `release()`).
  #unpark(): void {
    if (this.#unparking || this.#parked.length === 0) return;
    this.#unparking = true;
    queueMicrotask(() => {
      this.#unparking = false;
      const parked = this.#parked;
      this.#parked = [];
      for (let i = 0; i < parked.length; i++) {
        if (this.blocked) {
          // Blocked again by one of these deliveries: the rest wait, still in order.
          this.#parked = parked.slice(i).concat(this.#parked);
          return;
        }
        parked[i]!();
      }
    });
  }
}
