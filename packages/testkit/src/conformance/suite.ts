import { afterEach, beforeEach } from 'vitest';

/**
 * What every conformance suite shares: a fresh transport before each test, and everything the test
 * opened closed after it (newest first, errors ignored), then the suite's own teardown.
 *
 * @example
 * ```ts
 * const scope = suiteScope(makeTransport, options.teardown);
 * it('...', async () => {
 *   const listener = scope.transport.createListener(0);
 *   scope.cleanup(() => listener.immediateStop());
 * });
 * ```
 */
export interface SuiteScope<T> {
  /** The transport of the running test. */
  readonly transport: T;
  /** Registers something to close after the test (newest first; its errors are ignored). */
  cleanup(close: () => Promise<unknown>): void;
}

/**
 * Registers the `beforeEach`/`afterEach` pair of a conformance suite (call it inside its `describe`).
 *
 * @example
 * ```ts
 * describe('my suite', () => { const scope = suiteScope(() => tcp); });
 * ```
 */
export function suiteScope<T>(make: () => T | Promise<T>, teardown?: (transport: T) => void | Promise<void>): SuiteScope<T> {
  let transport: T | undefined;
  let cleanups: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    transport = await make();
    cleanups = [];
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    if (transport !== undefined) await teardown?.(transport);
  });
  return {
    get transport(): T {
      if (transport === undefined) throw new Error('the transport exists only inside a test');
      return transport;
    },
    cleanup(close: () => Promise<unknown>): void {
      cleanups.push(close);
    },
  };
}
