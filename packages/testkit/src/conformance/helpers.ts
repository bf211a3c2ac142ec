import type { Address } from '@sock/core';

/**
 * A promise with its resolve and reject at hand.
 *
 * @example
 * ```ts
 * const gate = deferred<void>();
 * setTimeout(gate.resolve, 10);
 * await gate.promise;
 * ```
 */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Makes a {@link Deferred}.
 *
 * @example
 * ```ts
 * const release = deferred<void>();
 * ```
 */
export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * The reason `promise` rejected with; throws if it resolved.
 *
 * @example
 * ```ts
 * expect((await rejectionOf(client.read(0))).code).toBe('INVALID_ARGUMENT');
 * ```
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code?: unknown; reason?: unknown; cause?: unknown } & Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Lets `count` event-loop turns pass (not a sleep: to show that something did NOT happen meanwhile).
 *
 * @example
 * ```ts
 * await turns(5);
 * ```
 */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await turn();
}

/**
 * Waits, one event-loop turn at a time, until `condition()` holds; fails after `maxTurns` turns.
 * Only for states no event announces (a listener's connection count, a stalled writer).
 *
 * @example
 * ```ts
 * await until(() => listener.connections === 0);
 * ```
 */
export async function until(condition: () => boolean, maxTurns = 20_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await turn();
  }
  throw new Error(`condition still false after ${maxTurns} event-loop turns`);
}

/**
 * Waits until `value()` has not changed for `turns` event-loop turns and `minMillis` ms, and returns it
 * (how a test sees that a writer is held back: no event says "nothing happens").
 *
 * @example
 * ```ts
 * const written = await settled(() => bytesWritten);
 * ```
 */
export async function settled(value: () => number, turns = 50, minMillis = 100, maxTurns = 1_000_000): Promise<number> {
  let last = value();
  let same = 0;
  let since = Date.now();
  for (let i = 0; i < maxTurns; i++) {
    await turn();
    const now = value();
    if (now === last) {
      same += 1;
      // Both many turns and some wall time: a delivery on a timer (latency) must get its chance.
      if (same >= turns && Date.now() - since >= minMillis) return now;
    } else {
      last = now;
      same = 0;
      since = Date.now();
    }
  }
  throw new Error(`value kept changing for ${maxTurns} event-loop turns`);
}

/**
 * A peer outside the transport under test, for the tests that need a TCP reset (which no
 * transport API can cause on its own connections).
 *
 * @example
 * ```ts
 * const peer = await rawPeers.connect(listener.address!);
 * await peer.write('abc');
 * peer.reset();
 * ```
 */
export interface RawPeer {
  write(data: Uint8Array | string): Promise<void>;
  /** Abort the connection with RST: the other end must see `CONNECTION_RESET`. */
  reset(): void;
}

/**
 * A listener outside the transport under test that hands over each connection as a {@link RawPeer}.
 *
 * @example
 * ```ts
 * const server = await rawPeers.listen();
 * const client = await transport.connect({ host: '127.0.0.1', port: server.address.port });
 * const peer = await server.accepted();
 * ```
 */
export interface RawServer {
  /** Bound on 127.0.0.1. */
  readonly address: Address;
  /** The next connection (in order). */
  accepted(): Promise<RawPeer>;
  close(): Promise<void>;
}

/**
 * How the suite reaches the transport's network from outside it.
 *
 * @example
 * ```ts
 * const rawPeers: RawPeers = { connect: (address) => ..., listen: () => ... };
 * ```
 */
export interface RawPeers {
  connect(address: Address): Promise<RawPeer>;
  listen(): Promise<RawServer>;
}
