/**
 * The messages the bench's processes exchange over the fork IPC channel. Every payload is a flat
 * record of numbers, strings and booleans, so it survives JSON serialisation unchanged.
 */
export type Value = number | string | boolean;
export type Fields = { [key: string]: Value };

export interface Message {
  type: string;
  data: Fields;
}

export function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as { type?: unknown; data?: unknown };
  return typeof record.type === 'string' && typeof record.data === 'object' && record.data !== null;
}

/** A number field, or an error naming what is missing. */
export function num(fields: Fields, key: string): number {
  const value = fields[key];
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`expected a number in field "${key}", got ${String(value)}`);
  return value;
}

/** `total` per operation (CPU µs per request, per connection), or NaN without a total or operations. */
export function perOperation(total: unknown, count: number): number {
  return count > 0 && typeof total === 'number' ? total / count : Number.NaN;
}

export function str(fields: Fields, key: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw new Error(`expected a string in field "${key}", got ${String(value)}`);
  return value;
}

export function bool(fields: Fields, key: string): boolean {
  return fields[key] === true;
}

/** Every process of the bench talks over loopback IPv4 only. */
export const HOST = '127.0.0.1';
