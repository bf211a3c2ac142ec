import { expect } from 'vitest';
import { isSocketError, type SocketErrorCode } from '../../packages/core/src/index.js';

/**
 * What one call at a public entry point did: returned or threw at once, or (for a promise)
 * resolved, rejected, or did neither within the bound.
 *
 * @example
 * ```ts
 * const outcome = await settle(() => client.read(-1));
 * expectRefused(outcome, 'reject');
 * ```
 */
export type Outcome =
  | { kind: 'returned'; value: unknown }
  | { kind: 'threw'; error: unknown }
  | { kind: 'resolved'; value: unknown }
  | { kind: 'rejected'; error: unknown }
  | { kind: 'hung' };

/** How long a call may take before it counts as hung. Bad input must be refused at once. */
const CALL_BOUND_IN_MILLIS = 2000;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Calls `call` and reports its {@link Outcome}, racing a returned promise against `bound`
 * milliseconds so that no call can hang the test.
 *
 * @example
 * ```ts
 * const outcome = await settle(() => new Client(config));
 * ```
 */
export async function settle(call: () => unknown, bound = CALL_BOUND_IN_MILLIS): Promise<Outcome> {
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    return { kind: 'threw', error };
  }
  if (!isThenable(value)) return { kind: 'returned', value };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hung' }), bound);
  });
  const settled = Promise.resolve(value).then(
    (result): Outcome => ({ kind: 'resolved', value: result }),
    (error: unknown): Outcome => ({ kind: 'rejected', error }),
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** One line naming an outcome, for assertion messages. */
function show(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'returned':
    case 'resolved':
      return `${outcome.kind} ${typeof outcome.value === 'object' && outcome.value !== null ? outcome.value.constructor?.name : String(outcome.value)}`;
    case 'threw':
    case 'rejected': {
      const error = outcome.error;
      const what = isSocketError(error) ? `${error.constructor.name} ${error.code}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return `${outcome.kind} ${what}`;
    }
    case 'hung':
      return `did not settle within ${CALL_BOUND_IN_MILLIS} ms`;
  }
}

/**
 * Asserts that a call refused its input the documented way: a `SocketError` with one of `codes`
 * (default `INVALID_ARGUMENT`), thrown at once (`'throw'`: constructors, `attach`) or as a
 * rejection (`'reject'`: everything that returns a promise — a synchronous throw there would
 * escape a caller's `.catch`).
 *
 * @example
 * ```ts
 * expectRefused(await settle(() => client.write(42)), 'reject');
 * ```
 */
export function expectRefused(outcome: Outcome, how: 'throw' | 'reject', codes: readonly SocketErrorCode[] = ['INVALID_ARGUMENT'], input?: unknown): void {
  const context = `${how === 'throw' ? 'expected a throw' : 'expected a rejection'} with ${codes.join(' or ')} for ${describeInput(input)}, but it ${show(outcome)}`;
  expect(outcome.kind, context).toBe(how === 'throw' ? 'threw' : 'rejected');
  const error = (outcome as { error: unknown }).error;
  expect(isSocketError(error) && codes.includes(error.code), context).toBe(true);
}

/**
 * Asserts that a call accepted its input: it returned (`'return'`) or resolved (`'resolve'`), and
 * gives back the value.
 *
 * @example
 * ```ts
 * const written = expectAccepted(await settle(() => client.write('hi')), 'resolve');
 * ```
 */
export function expectAccepted(outcome: Outcome, how: 'return' | 'resolve', input?: unknown): unknown {
  expect(outcome.kind, `expected valid input ${describeInput(input)} to be accepted, but it ${show(outcome)}`).toBe(how === 'return' ? 'returned' : 'resolved');
  return (outcome as { value: unknown }).value;
}

/** A short, safe rendering of a generated input (it may have no prototype, or be a symbol). */
function describeInput(input: unknown): string {
  try {
    if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…(${input.length})` : input);
    if (typeof input === 'symbol' || typeof input === 'bigint' || typeof input === 'function') return `${typeof input} ${String(input).slice(0, 40)}`;
    if (input instanceof Uint8Array) return `${input.constructor.name}(${input.length})`;
    if (typeof input === 'object' && input !== null) {
      const entries = Object.entries(input).map(([key, value]) => `${key}: ${describeInput(value)}`);
      const name = Object.getPrototypeOf(input) === null ? 'null-prototype object' : (input.constructor?.name ?? 'object');
      return `${name} { ${entries.join(', ').slice(0, 300)} }`;
    }
    return String(input);
  } catch {
    return '(an input that cannot be shown)';
  }
}
