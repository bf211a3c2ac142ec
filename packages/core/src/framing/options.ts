import { invalidArgument } from '../errors.js';

/**
 * Largest `maxFrameBytes` any codec accepts: 2 GiB - 1. A frame is held in one Buffer, a 4-byte
 * prefix must be able to state it, its varint fits in 5 bytes, and lengths stay small integers.
 *
 * @example
 * ```ts
 * lengthPrefixed({ maxFrameBytes: MAX_FRAME_BYTES_LIMIT }); // the largest frames any codec allows
 * ```
 */
export const MAX_FRAME_BYTES_LIMIT = 2 ** 31 - 1;

/** Shows a bad option value in a message without dumping it whole. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof Uint8Array) return `a ${value.constructor.name} of ${value.length} bytes`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * Checks that `value` is a plain options object whose keys are all in `known`, so that a misspelt
 * option (`maxFrameByte`) is an error instead of a silently ignored setting.
 */
export function checkOptions(value: unknown, codec: string, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw invalidArgument(`${codec}() takes an options object with maxFrameBytes, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw invalidArgument(`${codec}() has no option ${JSON.stringify(key)}; its options are ${known.join(', ')}`);
    }
  }
  return value as Record<string, unknown>;
}

/** Checks the mandatory `maxFrameBytes`: an integer from 1 to {@link MAX_FRAME_BYTES_LIMIT}. */
export function checkMaxFrameBytes(value: unknown, codec: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_FRAME_BYTES_LIMIT) {
    throw invalidArgument(`${codec}() needs maxFrameBytes: an integer from 1 to ${MAX_FRAME_BYTES_LIMIT}, got ${describe(value)}`);
  }
  return value;
}
