import { describeValue, invalidArgument, validateKeys, validateObject, validatePositiveInteger, validateTimeout } from '@sock/core/internal';

export const TCP_SHAPING_KEYS: ReadonlySet<string> = new Set(['chunkSize', 'latencyInMillis', 'highWaterMark']);
const UDP_KEYS = new Set(['dropRate', 'duplicateRate', 'reorderRate']);
const LINK_KEYS = new Set(['latencyInMillis', 'dropRate', 'duplicateRate', 'reorderRate']);

/**
 * How TCP bytes travel on a loopback network. Every field is optional in `shape()`.
 *
 * @example
 * ```ts
 * network.shape({ chunkSize: 1 });            // deliver every write one byte at a time
 * network.shape({ latencyInMillis: 20 });     // each write arrives 20 ms later (fake timers drive it)
 * network.shape({ chunkSize: undefined });    // back to whole writes (up to 64 KiB per chunk)
 * ```
 */
export interface TcpShaping {
  /** Split every write into chunks of at most this many bytes. Default: none (chunks of up to 64 KiB). */
  chunkSize?: number | undefined;
  /** Delay of each TCP write, FIN and connect, and of each datagram, on `setTimeout`. Default 0: delivered on the next microtask. */
  latencyInMillis?: number;
  /** Bytes in flight towards a slow reader before `write()` waits for it. Default 64 KiB. */
  highWaterMark?: number;
}

/**
 * UDP faults, each a probability from 0 to 1, drawn from the network's seeded generator.
 *
 * @example
 * ```ts
 * const network = createLoopbackNetwork({ seed: 7, udp: { dropRate: 0.1, duplicateRate: 0.05, reorderRate: 0.2 } });
 * ```
 */
export interface UdpFaults {
  /** Chance that a datagram is lost. */
  dropRate?: number;
  /** Chance that a datagram is delivered twice. */
  duplicateRate?: number;
  /** Chance that a datagram is held back and delivered after the next one. */
  reorderRate?: number;
}

/**
 * A latency drawn per delivery, uniformly from `min` to `max` ms (integers), from the seeded generator.
 *
 * @example
 * ```ts
 * sim.setLink('a', 'b', { latencyInMillis: { min: 1, max: 20 } });
 * ```
 */
export interface LatencyRange {
  readonly min: number;
  readonly max: number;
}

/**
 * What a simulation's `setLink` changes on a link (one direction, or both). Rates apply to UDP only:
 * TCP is reliable, its bytes are never dropped, duplicated or reordered.
 *
 * @example
 * ```ts
 * const link: LinkSettings = { latencyInMillis: { min: 5, max: 50 }, dropRate: 0.01 };
 * ```
 */
export interface LinkSettings extends UdpFaults {
  /** Delay of every delivery on the link: fixed, or drawn per delivery from a range. */
  latencyInMillis?: number | LatencyRange;
}

/**
 * The whole shaping of a link, every field set: what the pipes and the datagram bus read.
 *
 * @example
 * ```ts
 * const shaping: LinkShaping = { ...DEFAULT_SHAPING, chunkSize: 3 };
 * ```
 */
export interface LinkShaping {
  chunkSize: number | undefined;
  latencyInMillis: number | LatencyRange;
  highWaterMark: number;
  dropRate: number;
  duplicateRate: number;
  reorderRate: number;
}

/**
 * The largest chunk delivered when no chunk size is set: what a socket read gives at most.
 *
 * @example
 * ```ts
 * network.shape({ chunkSize: DEFAULT_SEGMENT_BYTES / 2 });
 * ```
 */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024;

/** A link with no shaping and no faults. */
export const DEFAULT_SHAPING: Readonly<LinkShaping> = Object.freeze({
  chunkSize: undefined,
  latencyInMillis: 0,
  highWaterMark: DEFAULT_SEGMENT_BYTES,
  dropRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
});

/**
 * The bytes a simulated TCP connection keeps in flight per direction before `write()` waits.
 *
 * @example
 * ```ts
 * const shaping: LinkShaping = { ...DEFAULT_SHAPING, highWaterMark: SIMULATED_IN_FLIGHT_BYTES };
 * ```
 */
export const SIMULATED_IN_FLIGHT_BYTES = 4 * 1024 * 1024;

function checkRate(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw invalidArgument(`${name} must be a number from 0 to 1, got ${describeValue(value)}`);
  return value;
}

/**
 * Applies TCP shaping to `target`: fields left out keep their value; `chunkSize: undefined` clears
 * it. All or nothing: a bad field throws `INVALID_ARGUMENT` and changes nothing.
 *
 * @example
 * ```ts
 * applyShaping(shaping, { chunkSize: 1 });
 * ```
 */
export function applyShaping(target: LinkShaping, shaping: TcpShaping): void {
  validateObject(shaping, 'shaping');
  const next = { ...target };
  if ('chunkSize' in shaping) next.chunkSize = shaping.chunkSize === undefined ? undefined : validatePositiveInteger(shaping.chunkSize, 'chunkSize');
  if (shaping.latencyInMillis !== undefined) next.latencyInMillis = validateTimeout(shaping.latencyInMillis, 'latencyInMillis');
  if (shaping.highWaterMark !== undefined) next.highWaterMark = validatePositiveInteger(shaping.highWaterMark, 'highWaterMark');
  Object.assign(target, next);
}

/**
 * Applies UDP fault rates to `target`, all or nothing.
 *
 * @example
 * ```ts
 * applyFaults(shaping, { dropRate: 0.5 });
 * ```
 */
export function applyFaults(target: LinkShaping, faults: UdpFaults): void {
  validateKeys(validateObject(faults, 'UDP faults'), UDP_KEYS, 'UDP faults');
  const next = { ...target };
  if (faults.dropRate !== undefined) next.dropRate = checkRate(faults.dropRate, 'dropRate');
  if (faults.duplicateRate !== undefined) next.duplicateRate = checkRate(faults.duplicateRate, 'duplicateRate');
  if (faults.reorderRate !== undefined) next.reorderRate = checkRate(faults.reorderRate, 'reorderRate');
  Object.assign(target, next);
}

function checkLatency(value: unknown): number | LatencyRange {
  if (typeof value === 'number') return validateTimeout(value, 'latencyInMillis');
  const range = validateObject(value, 'latencyInMillis');
  validateKeys(range, RANGE_KEYS, 'latencyInMillis');
  const min = validateTimeout(range.min, 'latencyInMillis.min');
  const max = validateTimeout(range.max, 'latencyInMillis.max');
  if (min > max) throw invalidArgument(`latencyInMillis.min must not exceed latencyInMillis.max, got { min: ${min}, max: ${max} }`);
  return min === max ? min : Object.freeze({ min, max });
}

const RANGE_KEYS = new Set(['min', 'max']);

/**
 * Applies a simulation's link settings to `target`, all or nothing: a negative latency, a range
 * whose `min` exceeds its `max`, a rate outside 0..1 or an unknown field throws `INVALID_ARGUMENT`
 * and changes nothing.
 *
 * @example
 * ```ts
 * applyLinkSettings(link.shaping, { latencyInMillis: { min: 1, max: 10 }, dropRate: 0.1 });
 * ```
 */
export function applyLinkSettings(target: LinkShaping, settings: LinkSettings): void {
  validateKeys(validateObject(settings, 'link settings'), LINK_KEYS, 'link settings');
  const next = { ...target };
  if (settings.latencyInMillis !== undefined) next.latencyInMillis = checkLatency(settings.latencyInMillis);
  const { latencyInMillis: _latency, ...faults } = settings;
  applyFaults(next, faults);
  Object.assign(target, next);
}
