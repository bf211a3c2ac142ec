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

/**
 * The one scheduler of every delivery on the test kit's networks — TCP segments, FINs and connects
 * (pipes and the dialer), and datagrams (the bus): the link's latency (a microtask when there is
 * none, else `setTimeout`, which fake timers drive), its TCP shaping, and its UDP faults, every
 * random decision drawn from the network's one seeded generator in a fixed order.
 *
 * @example
 * ```ts
 * const link = new Link(shaping, seededRandom(1));
 * link.schedule(() => peer.deliver(chunk));
 * ```
 */
export class Link {
  readonly #shaping: LinkShaping;
  readonly #random: () => number;

  /** `shaping` is the network's live object: changes apply to what is sent from then on. */
  constructor(shaping: LinkShaping, random: () => number) {
    this.#shaping = shaping;
    this.#random = random;
  }

  /** The link's shaping now (live: read it per write). */
  get shaping(): Readonly<LinkShaping> {
    return this.#shaping;
  }

  /** Delay of each delivery, in ms; 0: the next microtask. */
  get latency(): number {
    return this.#shaping.latencyInMillis;
  }

  /** Runs `task` after the link's latency. */
  schedule(task: () => void): void {
    const latency = this.#shaping.latencyInMillis;
    if (latency > 0) setTimeout(task, latency);
    else queueMicrotask(task);
  }

  /** Decides one datagram's fate: dropped, then duplicated, then reordered, in this order of draws. */
  datagramFate(): DatagramFate {
    const { dropRate, duplicateRate, reorderRate } = this.#shaping;
    if (dropRate === 0 && duplicateRate === 0 && reorderRate === 0) return ONCE;
    if (this.#random() < dropRate) return DROPPED;
    const copies = this.#random() < duplicateRate ? 2 : 1;
    const reordered = this.#random() < reorderRate;
    return copies === 1 && !reordered ? ONCE : { dropped: false, copies, reordered };
  }
}
