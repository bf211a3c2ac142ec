import { describeValue, invalidArgument, validateKeys, validateObject, validatePositiveInteger, validateTimeout } from '@sock/core/internal';

export const TCP_SHAPING_KEYS: ReadonlySet<string> = new Set(['chunkSize', 'latencyInMillis', 'highWaterMark']);
const UDP_KEYS = new Set(['dropRate', 'duplicateRate', 'reorderRate']);

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
 * The whole shaping of a link, every field set: what the pipes and the datagram bus read.
 *
 * @example
 * ```ts
 * const shaping: LinkShaping = { ...DEFAULT_SHAPING, chunkSize: 3 };
 * ```
 */
export interface LinkShaping {
  chunkSize: number | undefined;
  latencyInMillis: number;
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
