import { describeValue, invalidArgument, validateKeys, validateObject, type Caller, type TcpTransport, type UdpTransport } from '@sock/core/internal';
import { Network, type LoopbackConnection } from './network.js';
import { seededRandom } from './random.js';
import { applyFaults, applyShaping, DEFAULT_SHAPING, TCP_SHAPING_KEYS, type LinkShaping, type TcpShaping, type UdpFaults } from './shaping.js';

export type { TcpShaping, UdpFaults } from './shaping.js';

const NETWORK_KEYS = new Set(['seed', 'udp', 'chunkSize', 'latencyInMillis', 'highWaterMark']);

/**
 * Options of {@link createLoopbackNetwork}.
 *
 * @example
 * ```ts
 * const network = createLoopbackNetwork({ seed: 42, chunkSize: 7, latencyInMillis: 0 });
 * ```
 */
export interface LoopbackOptions extends TcpShaping {
  /** Seed of every random fault decision (UDP drop, duplicate, reorder). Default 1. */
  seed?: number;
  /** UDP faults. Default: none. */
  udp?: UdpFaults;
}

/**
 * An in-memory network with TCP and UDP transports that behave like the real ones (the conformance
 * suites prove it) and controls to shape traffic and inject faults. Hosts: `localhost`,
 * `127.0.0.1`, `::1`; others are `HOST_NOT_FOUND`. Nothing is shared between two networks.
 *
 * @example
 * ```ts
 * const network = createLoopbackNetwork({ chunkSize: 1 });
 * const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
 * listener.attach(echoService());
 * await listener.start();
 * const client = await network.tcp.connect({ host: 'localhost', port: listener.address!.port });
 * network.reset(client); // both ends: CONNECTION_RESET
 * await network.close();
 * ```
 */
export interface LoopbackNetwork {
  /** Opens loopback TCP connections and listeners; a drop-in for `@sock/tcp`'s `tcp`. */
  readonly tcp: TcpTransport;
  /** Opens loopback UDP sockets; a drop-in for `@sock/udp`'s `udp`. */
  readonly udp: UdpTransport;
  /** The current TCP shaping (a copy). */
  readonly shaping: Readonly<Required<Pick<TcpShaping, 'latencyInMillis' | 'highWaterMark'>>> & { readonly chunkSize: number | undefined };
  /** Changes TCP shaping for every write made from now on; fields left out keep their value. Throws `INVALID_ARGUMENT`. */
  shape(shaping: TcpShaping): void;
  /** Changes the UDP fault rates from now on; fields left out keep their value. Throws `INVALID_ARGUMENT`. */
  shapeUdp(faults: UdpFaults): void;
  /** Open TCP connections, oldest first. */
  connections(): LoopbackConnection[];
  /**
   * Resets (TCP RST) the connection of `target` (either end's `Caller`, e.g. a client), or every
   * connection one of whose ends uses port `target`. Both ends report `CONNECTION_RESET` and close.
   * Returns how many connections were reset.
   */
  reset(target: Caller | number): number;
  /** Closes every socket and listener this network made; later connects are refused. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Makes a fresh, isolated in-memory network. Options set the initial shaping and faults (see
 * {@link LoopbackOptions}); `shape()`/`shapeUdp()` change them later. Bad options throw
 * `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * import { createLoopbackNetwork, echoService } from '@sock/testkit';
 *
 * const network = createLoopbackNetwork({ seed: 1 });
 * const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
 * listener.attach(echoService());
 * await listener.start();
 * const client = await network.tcp.connect({ host: '127.0.0.1', port: listener.address!.port });
 * await client.write('hi');
 * await client.read(2); // <Buffer 68 69>
 * await network.close();
 * ```
 */
export function createLoopbackNetwork(options: LoopbackOptions = {}): LoopbackNetwork {
  validateObject(options, 'loopback network options');
  validateKeys(options as Record<string, unknown>, NETWORK_KEYS, 'loopback network options');
  const seed = options.seed === undefined ? 1 : options.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw invalidArgument(`seed must be an integer, got ${describeValue(seed)}`);
  const initial: LinkShaping = { ...DEFAULT_SHAPING };
  applyShaping(initial, options);
  if (options.udp !== undefined) applyFaults(initial, options.udp);
  // A simulation topology of one host, without a virtual clock or a trace: every delivery of this
  // network goes through the host's one link to itself.
  const topology = new Network({ label: 'loopback network', random: seededRandom(seed), shaping: initial, replies: false });
  const host = topology.addHost('localhost', false);
  const shaping = topology.link(host, host).shaping;

  const network: LoopbackNetwork = {
    tcp: host.tcpTransport,
    udp: host.udpTransport,
    get shaping() {
      return { chunkSize: shaping.chunkSize, latencyInMillis: shaping.latencyInMillis as number, highWaterMark: shaping.highWaterMark };
    },
    shape: (next) => {
      validateKeys(validateObject(next, 'shaping'), TCP_SHAPING_KEYS, 'shaping');
      applyShaping(shaping, next);
    },
    shapeUdp: (next) => applyFaults(shaping, next),
    connections: (): LoopbackConnection[] => topology.connections(),
    reset: (target) => topology.reset(target),
    close: () => topology.close(),
    [Symbol.asyncDispose]: () => network.close(),
  };
  return Object.freeze(network);
}
