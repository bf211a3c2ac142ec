// What every fault test checks besides its own assertions: it ends in bounded time, nothing leaks
// (sockets, unhandled rejections), and the listener still serves a fresh client.
import { expect } from 'vitest';
import { Client, isSocketError, type SocketError } from '../src/index.js';

/**
 * How long a fault test waits for any one thing before it fails instead of hanging.
 *
 * @example
 * ```ts
 * await within(closed, BOUND_IN_MILLIS, 'the close');
 * ```
 */
export const BOUND_IN_MILLIS = 5_000;

/**
 * `promise`, or a rejection naming `what` once `timeoutInMillis` passed: a hang becomes a failure
 * that says what did not happen.
 *
 * @example
 * ```ts
 * await within(listener.immediateStop(), 2_000, 'immediateStop()');
 * ```
 */
export async function within<T>(promise: Promise<T>, timeoutInMillis: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutInMillis} ms`)), timeoutInMillis);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The SocketError `promise` rejects with, within the bound; fails the test if it resolves instead
 * or rejects with anything else. Attaches its handler at once, so an early rejection is handled.
 *
 * @example
 * ```ts
 * expect((await rejection(client.read(), 'the pending read')).code).toBe('CONNECTION_RESET');
 * ```
 */
export async function rejection(promise: Promise<unknown>, what: string, timeoutInMillis = BOUND_IN_MILLIS): Promise<SocketError> {
  const outcome = await within(
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    timeoutInMillis,
    what,
  );
  if (!('error' in outcome)) throw new Error(`${what} resolved (${String(outcome.value)}) instead of failing`);
  expect(isSocketError(outcome.error), `${what} rejected with a SocketError, got ${String(outcome.error)}`).toBe(true);
  return outcome.error as SocketError;
}

/**
 * Waits until `condition()` holds, checking every 10 ms, for state that has no event of its own
 * (a count of open handles, `listener.connections`); fails naming `what` after `timeoutInMillis`.
 *
 * @example
 * ```ts
 * await eventually(() => listener.connections === 0, 'the listener has no connection left');
 * ```
 */
export async function eventually(condition: () => boolean, what: string, timeoutInMillis = BOUND_IN_MILLIS): Promise<void> {
  const deadline = Date.now() + timeoutInMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${timeoutInMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * TCP sockets (connected, connecting or listening) this process holds now, as Node counts its handles.
 *
 * @example
 * ```ts
 * const before = openTcpHandles();
 * await client.close();
 * await eventually(() => openTcpHandles() <= before, 'the socket is released');
 * ```
 */
export function openTcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap').length;
}

/**
 * Collects unhandled rejections from now until `stop()`, which fails the test if there were any
 * (after letting pending rejections surface: Node reports them after the microtask queue drains).
 *
 * @example
 * ```ts
 * const unhandled = watchUnhandledRejections();
 * // ... the test ...
 * await unhandled.stop();
 * ```
 */
export function watchUnhandledRejections(): { stop(): Promise<void> } {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  return {
    async stop() {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 0));
      process.off('unhandledRejection', listener);
      expect(seen, 'unhandled rejections').toEqual([]);
    },
  };
}

/**
 * Proves a listener still serves: a fresh client gets its bytes echoed (the service must echo) and
 * leaves cleanly.
 *
 * @example
 * ```ts
 * await expectStillServes(listener.port);
 * ```
 */
export async function expectStillServes(port: number, host = '127.0.0.1'): Promise<void> {
  const client = await within(Client.connect({ host, port, readTimeoutInMillis: BOUND_IN_MILLIS }), BOUND_IN_MILLIS, 'a fresh connect');
  try {
    await client.write('fresh');
    expect((await client.read(5)).toString()).toBe('fresh');
  } finally {
    await client.close();
  }
}
