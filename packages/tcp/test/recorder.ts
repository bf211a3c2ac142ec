// A service wrapper that records what each connection saw, so fault tests can check the service
// contract's bookkeeping: onConnect once, the errors onError got, onClose exactly once.
import { expect } from 'vitest';
import type { Caller, Service, SocketError } from '../src/index.js';
import { BOUND_IN_MILLIS, within } from './fault-checks.js';

/**
 * What a recorded service saw, per connection, in order: `connect`, `error:CODE`, `close`.
 *
 * @example
 * ```ts
 * expect(recording.eventsOf(recording.callers[0]!)).toEqual(['connect', 'error:CONNECTION_RESET', 'close']);
 * ```
 */
export interface Recording {
  /** The service to attach: `behaviour`'s resources, recorded. */
  readonly service: Service;
  /** Callers in the order onConnect saw them. */
  readonly callers: readonly Caller[];
  /** Events of one connection. */
  eventsOf(caller: Caller): readonly string[];
  /** The codes onError got for one connection. */
  errorsOf(caller: Caller): readonly string[];
  /** The errors onError got, in order, over all connections. */
  readonly errors: ReadonlyArray<{ caller: Caller; error: SocketError }>;
  /** Resolves with the n-th caller (1-based) once onConnect saw it; bounded. */
  connected(n: number): Promise<Caller>;
  /** Resolves once onError saw `count` errors in all; bounded. */
  errored(count: number): Promise<void>;
  /** Resolves once onClose ran for `count` connections; bounded. */
  closed(count: number): Promise<void>;
  /** Fails unless every connection that onConnect saw had onClose exactly once, as its last event. */
  expectEachClosedOnce(): void;
}

interface Waiter {
  count: number;
  of: () => number;
  resolve: () => void;
}

/**
 * Wraps `behaviour` (any subset of resources) so every connection's events are recorded. The
 * wrapper always has onConnect, onError and onClose; it has onBytes or onReadReady only if
 * `behaviour` has.
 *
 * @example
 * ```ts
 * const recording = record({ onBytes: (caller, data) => caller.write(data).then(() => undefined) });
 * const listener = await listen(recording.service);
 * await recording.closed(1);
 * recording.expectEachClosedOnce();
 * ```
 */
export function record(behaviour: Service = {}): Recording {
  const callers: Caller[] = [];
  const events = new Map<Caller, string[]>();
  const errors: Array<{ caller: Caller; error: SocketError }> = [];
  let closes = 0;
  const waiters: Waiter[] = [];
  const log = (caller: Caller, event: string): void => {
    let list = events.get(caller);
    if (list === undefined) events.set(caller, (list = []));
    list.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.of() >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const until = (count: number, of: () => number, what: string): Promise<void> => {
    if (of() >= count) return Promise.resolve();
    return within(new Promise<void>((resolve) => waiters.push({ count, of, resolve })), BOUND_IN_MILLIS, what);
  };

  const service: Service = {
    onConnect(caller) {
      callers.push(caller);
      log(caller, 'connect');
      return behaviour.onConnect?.(caller);
    },
    onError(caller, error) {
      errors.push({ caller, error });
      log(caller, `error:${error.code}`);
      return behaviour.onError?.(caller, error);
    },
    onClose(caller) {
      closes++;
      log(caller, 'close');
      return behaviour.onClose?.(caller);
    },
  };
  const { onBytes, onReadReady } = behaviour;
  if (onBytes !== undefined) service.onBytes = (caller, data) => onBytes.call(behaviour, caller, data);
  if (onReadReady !== undefined) service.onReadReady = (caller) => onReadReady.call(behaviour, caller);

  return {
    service,
    callers,
    errors,
    eventsOf: (caller) => events.get(caller) ?? [],
    errorsOf: (caller) => (events.get(caller) ?? []).filter((event) => event.startsWith('error:')).map((event) => event.slice(6)),
    connected: async (n) => {
      await until(n, () => callers.length, `onConnect for connection ${n}`);
      return callers[n - 1]!;
    },
    errored: (count) => until(count, () => errors.length, `${count} onError calls`),
    closed: (count) => until(count, () => closes, `onClose for ${count} connections`),
    expectEachClosedOnce() {
      for (const caller of callers) {
        const seen = events.get(caller) ?? [];
        expect(seen.filter((event) => event === 'close'), `onClose of ${caller.id}: ${seen.join(', ')}`).toHaveLength(1);
        expect(seen.at(-1), `last event of ${caller.id}`).toBe('close');
      }
    },
  };
}

/**
 * Push-style echo, the behaviour tests use to prove a listener still serves.
 *
 * @example
 * ```ts
 * const recording = record(echoBytes);
 * ```
 */
export const echoBytes: Service = {
  async onBytes(caller, data) {
    await caller.write(data);
  },
};
