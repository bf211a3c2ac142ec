// SPEC names (/work/shared/SPEC.md, "Timeouts, limits, stops") that core does not declare yet, so
// that tests written against them type-check today. Delete each once core declares it.
import type { ClientConfig, Listener, ListenerConfig } from '../src/index.js';

/**
 * A {@link ClientConfig} with the SPEC's time-outs that core has not declared yet.
 *
 * @example
 * ```ts
 * const config: PendingClientConfig = { host: '127.0.0.1', port, writeTimeoutInMillis: 200 };
 * ```
 */
export type PendingClientConfig = ClientConfig & { writeTimeoutInMillis?: number; idleTimeoutInMillis?: number };

/**
 * A {@link ListenerConfig} with the SPEC's time-outs that core has not declared yet.
 *
 * @example
 * ```ts
 * const config: PendingListenerConfig = { idleTimeoutInMillis: 500 };
 * ```
 */
export type PendingListenerConfig = ListenerConfig & { writeTimeoutInMillis?: number; idleTimeoutInMillis?: number };

/**
 * `listener.refusedConnections`, which core has not declared yet (undefined until it does).
 *
 * @example
 * ```ts
 * expect(refusedConnections(listener)).toBe(1);
 * ```
 */
export function refusedConnections(listener: Listener): unknown {
  return (listener as Listener & { readonly refusedConnections?: number }).refusedConnections;
}
