import { invalidArgument, RESOLVED, type Address, type Caller } from '@sock/core/internal';
import { Host } from './host.js';
import { Link } from './link.js';
import type { PipeEnd } from './pipe.js';
import type { LinkShaping } from './shaping.js';
import type { TraceLog } from './trace.js';

/**
 * One TCP connection on a loopback network, as `network.connections()` lists it: pick one and
 * `reset()` it, or look at how many bytes are held back in flight.
 *
 * @example
 * ```ts
 * const [first] = network.connections();
 * first?.reset(); // both ends see CONNECTION_RESET
 * ```
 */
export interface LoopbackConnection {
  /** `tcp-1`, `tcp-2`, ... in the order the connections were made on this network. */
  readonly id: string;
  /** The client's end (its local address). */
  readonly client: Address;
  /** The listener's end (the address the client connected to). */
  readonly server: Address;
  /** False once both ends have closed. */
  readonly open: boolean;
  /** Bytes written but not yet taken by the other end, each way (grows when a reader is slow). */
  readonly bufferedBytes: { readonly toServer: number; readonly toClient: number };
  /** Aborts the connection like a TCP RST: both ends report `CONNECTION_RESET`, then close. */
  reset(): void;
}

interface ConnectionRecord {
  readonly info: LoopbackConnection;
  readonly clientEnd: PipeEnd;
  readonly serverEnd: PipeEnd;
}

/**
 * How a {@link Network} behaves: what the loopback network and a simulation set differently.
 *
 * @example
 * ```ts
 * const network = new Network({ label: 'loopback network', random: seededRandom(1), shaping, replies: false });
 * ```
 */
export interface NetworkOptions {
  /** Names the network in messages ("the loopback network is closed"). */
  readonly label: string;
  /** The one seeded generator: latencies, UDP faults, and (in a simulation) `Math.random`. */
  readonly random: () => number;
  /** The shaping every new link starts from (a copy). */
  readonly shaping: LinkShaping;
  /**
   * True: a connect's answer (accept or refusal) and a reset travel back over the reverse link, a
   * round trip. False (the loopback network): they take effect where the connect or the bytes arrive.
   */
  readonly replies: boolean;
  /** Where deliveries, drops and faults are recorded, with the clock that stamps them. */
  readonly trace?: { readonly log: TraceLog; now(): number };
}

// Addresses of simulated hosts: the documentation ranges (RFC 5737), never routed anywhere; these
// exist only in memory.
const HOST_RANGES = ['192.0.2.', '198.51.100.', '203.0.113.'];
const HOSTS_PER_RANGE = 254;

/**
 * The topology every in-memory transport runs on: named hosts (each with its own port tables and
 * transports), one {@link Link} per ordered pair of hosts made on first use, the one seeded
 * generator, the trace, and the registry of TCP connections. The loopback network is a network with
 * one host and no virtual clock; a simulation is many hosts. Internal.
 *
 * @example
 * ```ts
 * const network = new Network({ label: 'simulation', random: seededRandom(7), shaping, replies: true });
 * const a = network.addHost('a', true);
 * const b = network.addHost('b', true);
 * network.link(a, b).setPartitioned(true);
 * ```
 */
export class Network {
  readonly label: string;
  readonly random: () => number;
  readonly replies: boolean;
  readonly tracing: boolean;
  /** Set once `close()` began: connects are refused, binds fail. */
  closed = false;
  readonly #shaping: LinkShaping;
  readonly #trace: NetworkOptions['trace'];
  readonly #hosts = new Map<string, Host>();
  readonly #byAddress = new Map<string, Host>();
  // Links by source host, then by destination host: one object per ordered pair.
  readonly #links = new Map<Host, Map<Host, Link>>();
  readonly #connections = new Set<ConnectionRecord>();
  #count = 0;
  #batch: Array<() => void> = [];
  #spare: Array<() => void> = [];
  #batchScheduled = false;

  constructor(options: NetworkOptions) {
    this.label = options.label;
    this.random = options.random;
    this.replies = options.replies;
    this.#shaping = { ...options.shaping };
    this.#trace = options.trace;
    this.tracing = options.trace !== undefined;
  }

  /**
   * Runs `task` on a microtask, together with every task deferred before it runs: one microtask per
   * batch instead of one per delivery (a settled promise's `then`, cheaper than Node's
   * `queueMicrotask`, which makes an async resource per call). Tasks deferred while a batch runs go
   * to the next batch, so promise jobs still get their turn between two batches.
   */
  defer(task: () => void): void {
    this.#batch.push(task);
    if (this.#batchScheduled) return;
    this.#batchScheduled = true;
    void RESOLVED.then(this.#drain);
  }

  readonly #drain = (): void => {
    const batch = this.#batch;
    this.#batch = this.#spare;
    this.#batchScheduled = false;
    for (let i = 0; i < batch.length; i++) {
      try {
        batch[i]!();
      } catch (error) {
        // Surfaces as queueMicrotask would make it, without losing the rest of the batch.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    batch.length = 0;
    this.#spare = batch;
  };

  /** Every host, in the order they were made. */
  get hosts(): readonly Host[] {
    return [...this.#hosts.values()];
  }

  /**
   * Makes a host. With `addressed`, it gets the next address of the documentation ranges, by which
   * (and by its name) the other hosts reach it; without, it has only its loopback addresses.
   */
  addHost(name: string, addressed: boolean): Host {
    const key = name.toLowerCase();
    if (this.#hosts.has(key)) throw invalidArgument(`host ${JSON.stringify(name)} already exists`);
    let address: string | undefined;
    if (addressed) {
      const index = this.#byAddress.size;
      const range = HOST_RANGES[Math.floor(index / HOSTS_PER_RANGE)];
      if (range === undefined) throw invalidArgument(`a network has room for ${HOST_RANGES.length * HOSTS_PER_RANGE} hosts`);
      address = `${range}${(index % HOSTS_PER_RANGE) + 1}`;
    }
    const host = new Host(this, name, address);
    this.#hosts.set(key, host);
    if (address !== undefined) this.#byAddress.set(address, host);
    return host;
  }

  /** The host with this name (any case) or address, if any. */
  lookup(nameOrAddress: string): Host | undefined {
    return this.#hosts.get(nameOrAddress.toLowerCase()) ?? this.#byAddress.get(nameOrAddress);
  }

  /** The link `from` → `to`, made on first use with the network's default shaping. */
  link(from: Host, to: Host): Link {
    let outgoing = this.#links.get(from);
    if (outgoing === undefined) {
      outgoing = new Map();
      this.#links.set(from, outgoing);
    }
    let link = outgoing.get(to);
    if (link === undefined) {
      link = new Link(this, from, to, { ...this.#shaping });
      link.update();
      outgoing.set(to, link);
    }
    return link;
  }

  /** Every link made so far that starts or ends at `host`. */
  linksOf(host: Host): Link[] {
    const found: Link[] = [];
    for (const [from, outgoing] of this.#links) {
      for (const [to, link] of outgoing) if (from === host || to === host) found.push(link);
    }
    return found;
  }

  /** Appends one event to the trace, stamped with the clock's time. */
  record(kind: string, from: Host, to: Host | string, bytes = 0): void {
    const trace = this.#trace;
    if (trace === undefined) return;
    trace.log.push(trace.now(), kind, from.name, typeof to === 'string' ? to : to.name, bytes);
  }

  /** Registers a connection just made between `clientEnd` and `serverEnd`. */
  addConnection(clientEnd: PipeEnd, serverEnd: PipeEnd, release: () => void): void {
    this.#count += 1;
    const record: ConnectionRecord = {
      clientEnd,
      serverEnd,
      info: Object.freeze({
        id: `tcp-${this.#count}`,
        client: Object.freeze({ host: clientEnd.info.localAddress, port: clientEnd.info.localPort }),
        server: Object.freeze({ host: serverEnd.info.localAddress, port: serverEnd.info.localPort }),
        get open() {
          return !(clientEnd.closed && serverEnd.closed);
        },
        get bufferedBytes() {
          return { toServer: clientEnd.bufferedBytes, toClient: serverEnd.bufferedBytes };
        },
        reset: () => clientEnd.reset(),
      }),
    };
    this.#connections.add(record);
    const forget = (): void => {
      if (!clientEnd.closed || !serverEnd.closed) return;
      this.#connections.delete(record);
      release();
    };
    clientEnd.onClosed = forget;
    serverEnd.onClosed = forget;
  }

  /** Open TCP connections, oldest first. */
  connections(): LoopbackConnection[] {
    return [...this.#connections].map((record) => record.info);
  }

  /** Every connection end that lives on `host` (to crash them). */
  endsOn(host: Host): PipeEnd[] {
    const ends: PipeEnd[] = [];
    for (const { clientEnd, serverEnd } of this.#connections) {
      if (clientEnd.host === host) ends.push(clientEnd);
      if (serverEnd.host === host) ends.push(serverEnd);
    }
    return ends;
  }

  /** Resets the connections that `target` (a caller, or a port used by either end) belongs to. */
  reset(target: Caller | number): number {
    const matches = [...this.#connections].filter(({ clientEnd, serverEnd }) => {
      if (typeof target === 'number') return clientEnd.info.localPort === target || serverEnd.info.localPort === target;
      return [clientEnd, serverEnd].some(
        ({ info }) =>
          info.localPort === target.localPort &&
          info.remotePort === target.remotePort &&
          info.localAddress === target.localAddress &&
          info.remoteAddress === target.remoteAddress,
      );
    });
    for (const record of matches) record.info.reset();
    return matches.length;
  }

  /** Closes every socket and listener of every host; later connects are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.hosts.map((host) => host.close()));
    for (const outgoing of this.#links.values()) for (const link of outgoing.values()) link.clear();
  }
}
