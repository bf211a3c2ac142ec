import { Buffer } from 'node:buffer';
import type { Address } from './config.js';
import { invalidArgument } from './errors.js';

/** Largest timer Node accepts; longer time-outs would fire at once. */
export const MAX_TIMER_MILLIS = 2_147_483_647;

/**
 * A short, safe description of a bad value for an error message.
 *
 * @example
 * ```ts
 * describeValue('a'.repeat(100)); // '"aaaa…"'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * Checks a port: an integer from `min` (0 for a local port, 1 for a remote one) to 65535.
 *
 * @example
 * ```ts
 * validatePort(61598, 'port', 1);
 * ```
 */
export function validatePort(value: unknown, name: string, min: 0 | 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 65535) {
    throw invalidArgument(`${name} must be an integer from ${min} to 65535, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Checks a host: a non-empty string of at most 253 characters without spaces or NUL bytes.
 *
 * @example
 * ```ts
 * validateHost('localhost', 'host');
 * ```
 */
export function validateHost(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || /[\s\0]/.test(value) || value.length > 253) {
    throw invalidArgument(`${name} must be a host name or IP address, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Checks a time-out in milliseconds: a non-negative integer a timer can hold. 0 means "no time-out".
 *
 * @example
 * ```ts
 * validateTimeout(5000, 'readTimeoutInMillis');
 * ```
 */
export function validateTimeout(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMER_MILLIS) {
    throw invalidArgument(`${name} must be an integer number of milliseconds from 0 to ${MAX_TIMER_MILLIS}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Checks a positive integer count or size.
 *
 * @example
 * ```ts
 * validatePositiveInteger(1024, 'maxQueuedDatagrams');
 * ```
 */
export function validatePositiveInteger(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalidArgument(`${name} must be an integer from 1 to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Checks a boolean option.
 *
 * @example
 * ```ts
 * validateBoolean(true, 'noDelay');
 * ```
 */
export function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(`${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/**
 * Checks that a value is a plain options object (not null, not an array).
 *
 * @example
 * ```ts
 * const record = validateObject(config, 'client config');
 * ```
 */
export function validateObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(`${name} must be an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Refuses a field the options object does not know: a misspelled option (`readTimeoutInMilis`) must
 * never be silently ignored.
 *
 * @example
 * ```ts
 * validateKeys(record, CLIENT_KEYS, 'client config');
 * ```
 */
export function validateKeys(record: Record<string, unknown>, known: ReadonlySet<string>, name: string): void {
  for (const key of Object.keys(record)) {
    if (!known.has(key)) {
      throw invalidArgument(`${name} has no option "${key}"; known options: ${[...known].join(', ')}`);
    }
  }
}

/**
 * Reads an optional field: `fallback` when undefined, else `check(value, key)`.
 *
 * @example
 * ```ts
 * const timeout = optional(record, 'readTimeoutInMillis', validateTimeout, 300_000);
 * ```
 */
export function optional<T>(record: Record<string, unknown>, key: string, check: (value: unknown, name: string) => T, fallback: T): T {
  const value = record[key];
  return value === undefined ? fallback : check(value, key);
}

/**
 * Checks an {@link Address}.
 *
 * @example
 * ```ts
 * validateAddress({ host: 'localhost', port: 48826 }, 'address', 1);
 * ```
 */
export function validateAddress(value: unknown, name: string, minPort: 0 | 1): Address {
  const record = validateObject(value, name);
  return {
    host: validateHost(record.host, `${name}.host`),
    port: validatePort(record.port, `${name}.port`, minPort),
  };
}

/**
 * Turns write input into bytes: a `Buffer` as it is, any other `Uint8Array` as a view without
 * copying, a string as UTF-8. Anything else is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * toBuffer('Hello Ballerina\n');
 * ```
 */
export function toBuffer(data: unknown, name = 'data'): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw invalidArgument(`${name} must be a Uint8Array, Buffer or string, got ${describeValue(data)}`);
}
