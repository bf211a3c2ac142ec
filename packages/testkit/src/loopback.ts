import { invalidArgument, validatePositiveInteger, validateTimeout, type Caller, type TcpTransport, type UdpTransport } from '@sock/core';
import { DEFAULT_SEGMENT_BYTES, type PipeShaping } from './pipe.js';
import { seededRandom } from './random.js';
import { TcpFabric, type LoopbackConnection } from './tcp.js';
import { DatagramBus } from './datagram-bus.js';

/**
 * How TCP bytes travel on a loopback network. Every field is optional in `shape()`.
 *
 * @example
 * ```ts
 * network.shape({ chunkSize: 1 });            // deliver every write one byte at a time
 * network.shape({ latencyInMillis: 20 });     // each write arrives 20 ms later (fake timers drive it)
 * network.shape({ chunkSize: undefined });    // back to whole writes (up to 64 KiB per chunk)
 * ```
 */
export interface TcpShaping {
  /** Split every write into chunks of at most this many bytes. Default: none (chunks of up to 64 KiB). */
  chunkSize?: number | undefined;
  /** Delay of each TCP write, FIN and connect, and of each datagram, on `setTimeout`. Default 0: delivered on the next microtask. */
  latencyInMillis?: number;
  /** Bytes in flight towards a slow reader before `write()` waits for it. Default 64 KiB. */
  highWaterMark?: number;
}

/**
 * UDP faults, each a probability from 0 to 1, drawn from the network's seeded generator.
 *
 * @example
 * ```ts
 * const network = createLoopbackNetwork({ seed: 7, udp: { dropRate: 0.1, duplicateRate: 0.05, reorderRate: 0.2 } });
 * ```
 */
export interface UdpFaults {
  /** Chance that a datagram is lost. */
  dropRate?: number;
  /** Chance that a datagram is delivered twice. */
  duplicateRate?: number;
  /** Chance that a datagram is held back and delivered after the next one. */
  reorderRate?: number;
}

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

function checkRate(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw invalidArgument(`${name} must be a number from 0 to 1, got ${String(value)}`);
  return value;
}

function applyShaping(target: PipeShaping, shaping: TcpShaping): void {
  if (typeof shaping !== 'object' || shaping === null) throw invalidArgument('shaping must be an object');
  const next = { ...target };
  if ('chunkSize' in shaping) next.chunkSize = shaping.chunkSize === undefined ? undefined : validatePositiveInteger(shaping.chunkSize, 'chunkSize');
  if (shaping.latencyInMillis !== undefined) next.latencyInMillis = validateTimeout(shaping.latencyInMillis, 'latencyInMillis');
  if (shaping.highWaterMark !== undefined) next.highWaterMark = validatePositiveInteger(shaping.highWaterMark, 'highWaterMark');
  Object.assign(target, next);
}

function applyFaults(target: Required<UdpFaults>, faults: UdpFaults): void {
  if (typeof faults !== 'object' || faults === null) throw invalidArgument('UDP faults must be an object');
  const next = { ...target };
  if (faults.dropRate !== undefined) next.dropRate = checkRate(faults.dropRate, 'dropRate');
  if (faults.duplicateRate !== undefined) next.duplicateRate = checkRate(faults.duplicateRate, 'duplicateRate');
  if (faults.reorderRate !== undefined) next.reorderRate = checkRate(faults.reorderRate, 'reorderRate');
  Object.assign(target, next);
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
  if (typeof options !== 'object' || options === null) throw invalidArgument('loopback network options must be an object');
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw invalidArgument(`seed must be an integer, got ${String(seed)}`);
  const shaping: PipeShaping = { chunkSize: undefined, latencyInMillis: 0, highWaterMark: DEFAULT_SEGMENT_BYTES };
  applyShaping(shaping, options);
  const faults: Required<UdpFaults> = { dropRate: 0, duplicateRate: 0, reorderRate: 0 };
  applyFaults(faults, options.udp ?? {});
  const random = seededRandom(seed);
  const fabric = new TcpFabric(() => shaping);
  const udp = new DatagramBus(() => faults, () => shaping.latencyInMillis, random);

  const network: LoopbackNetwork = {
    tcp: fabric.transport,
    udp: udp.transport,
    get shaping() {
      return { ...shaping };
    },
    shape: (next) => applyShaping(shaping, next),
    shapeUdp: (next) => applyFaults(faults, next),
    connections: () => fabric.connections(),
    reset: (target) => fabric.reset(target),
    close: async () => {
      await Promise.all([fabric.close(), udp.close()]);
    },
    [Symbol.asyncDispose]: () => network.close(),
  };
  return Object.freeze(network);
}
