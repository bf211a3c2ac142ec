/**
 * Does nothing; the handler that marks a promise as handled.
 *
 * @example
 * ```ts
 * promise.catch(noop); // nobody awaits it; it must not be an unhandled rejection
 * ```
 */
export const noop = (): void => {};

/**
 * One settled promise shared by every operation that has nothing to wait for.
 *
 * @example
 * ```ts
 * void RESOLVED.then(task); // run task on the microtask queue
 * ```
 */
export const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Marks a promise as handled, so that one nobody awaits never becomes an unhandled rejection.
 * Whoever awaits it still sees the rejection.
 *
 * @example
 * ```ts
 * return handled(new Promise((resolve, reject) => waiters.push({ resolve, reject })));
 * ```
 */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(noop);
  return promise;
}

/**
 * A rejected promise that never counts as unhandled.
 *
 * @example
 * ```ts
 * if (closed) return rejected(connectionClosed(endpoint));
 * ```
 */
export function rejected<T>(error: unknown): Promise<T> {
  return handled(Promise.reject<T>(error));
}

/**
 * True for promises and other thenables (what a service resource may return).
 *
 * @example
 * ```ts
 * if (isThenable(result)) result.then(settle, fail);
 * ```
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
