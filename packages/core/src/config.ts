import { invalidArgument } from './errors.js';
import type { Service } from './service.js';

/**
 * An IP socket address. `host` is a name or an IP literal; addresses that @sock reports are
 * always numeric.
 *
 * @example
 * ```ts
 * const address: Address = { host: '127.0.0.1', port: 61598 };
 * ```
 */
export interface Address {
  host: string;
  port: number;
}

/**
 * Configuration of a TCP client.
 *
 * @example
 * ```ts
 * const config: ClientConfig = { host: 'localhost', port: 61598, readTimeoutInMillis: 5000 };
 * ```
 */
export interface ClientConfig {
  host: string;
  port: number;
  /** Service driven by this client's connection; the client itself is its `caller`. */
  callbackService?: Service;
  /** Default time-out of every read, reset by each chunk that arrives. 0 waits forever. Default 300000. */
  readTimeoutInMillis?: number;
  /** Give up connecting after this long (`CONNECT_TIMED_OUT`). Default: the OS's own limit. */
  connectTimeoutInMillis?: number;
  /** Unread input held before the socket stops reading; also the largest `read(n)`. Default 64 MiB. */
  maxBufferedBytes?: number;
  /** Disable Nagle's algorithm. Default true. */
  noDelay?: boolean;
  /** Enable TCP keep-alive probes. Default false. */
  keepAlive?: boolean;
  /** Idle time before the first keep-alive probe. Default: the OS's. */
  keepAliveInitialDelayInMillis?: number;
}

/**
 * Configuration of a TCP listener.
 *
 * @example
 * ```ts
 * const config: ListenerConfig = { interface: '127.0.0.1', readTimeoutInMillis: 10_000 };
 * ```
 */
export interface ListenerConfig {
  /** Address to bind; default: all interfaces. */
  interface?: string;
  /** Default time-out of every read on every Caller. 0 waits forever. Default 300000. */
  readTimeoutInMillis?: number;
  /** Unread input per connection before the socket stops reading; also the largest `read(n)`. Default 64 MiB. */
  maxBufferedBytes?: number;
  /** Disable Nagle's algorithm on accepted sockets. Default true. */
  noDelay?: boolean;
  /** Enable TCP keep-alive on accepted sockets. Default false. */
  keepAlive?: boolean;
  /** Refuse connections beyond this many open ones. Default: no limit. */
  maxConnections?: number;
  /** Length of the kernel's accept queue. Default: Node's (511). */
  backlog?: number;
}

/**
 * Configuration of a UDP client.
 *
 * @example
 * ```ts
 * const config: UdpClientConfig = { localAddress: { host: '127.0.0.1', port: 0 } };
 * ```
 */
export interface UdpClientConfig {
  /** Bind here; default: an ephemeral port on all interfaces. */
  localAddress?: Address;
  /** Default time-out of every `receiveFrom`. 0 waits forever. Default 300000. */
  readTimeoutInMillis?: number;
  /** Datagrams kept while nobody receives; the oldest are dropped beyond it. Default 1024. */
  maxQueuedDatagrams?: number;
}

/**
 * Configuration of a UDP listener.
 *
 * @example
 * ```ts
 * const config: UdpListenerConfig = { interface: '::1' };
 * ```
 */
export interface UdpListenerConfig {
  /** Address to bind; default: all interfaces. */
  interface?: string;
}

/** Defaults the SPEC fixes. */
export const DEFAULT_READ_TIMEOUT_IN_MILLIS = 300_000;
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_QUEUED_DATAGRAMS = 1024;
/** Largest timer Node accepts; longer time-outs would fire at once. */
const MAX_TIMER = 2_147_483_647;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
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
    throw invalidArgument(`${name} must be an integer from ${min} to 65535, got ${describe(value)}`);
  }
  return value;
}

/**
 * Checks a host: a non-empty string without spaces or NUL bytes.
 *
 * @example
 * ```ts
 * validateHost('localhost', 'host');
 * ```
 */
export function validateHost(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || /[\s\0]/.test(value) || value.length > 253) {
    throw invalidArgument(`${name} must be a host name or IP address, got ${describe(value)}`);
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
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMER) {
    throw invalidArgument(`${name} must be an integer number of milliseconds from 0 to ${MAX_TIMER}, got ${describe(value)}`);
  }
  return value;
}

/** Checks a positive integer count or size. */
export function validatePositiveInteger(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalidArgument(`${name} must be an integer from 1 to ${max}, got ${describe(value)}`);
  }
  return value;
}

function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(`${name} must be a boolean, got ${describe(value)}`);
  return value;
}

function validateObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(`${name} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function optional<T>(
  record: Record<string, unknown>,
  key: string,
  check: (value: unknown, name: string) => T,
  fallback: T,
): T {
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

/** A {@link ClientConfig} with every default filled in. */
export interface ResolvedClientConfig {
  host: string;
  port: number;
  callbackService: Service | undefined;
  readTimeoutInMillis: number;
  connectTimeoutInMillis: number;
  maxBufferedBytes: number;
  noDelay: boolean;
  keepAlive: boolean;
  keepAliveInitialDelayInMillis: number;
}

/**
 * Checks a {@link ClientConfig} and fills in defaults; throws `INVALID_ARGUMENT` naming the field.
 *
 * @example
 * ```ts
 * const config = resolveClientConfig({ host: 'localhost', port: 61598 });
 * ```
 */
export function resolveClientConfig(value: unknown): ResolvedClientConfig {
  const record = validateObject(value, 'client config');
  const service = record.callbackService;
  if (service !== undefined) validateService(service);
  return {
    host: validateHost(record.host, 'host'),
    port: validatePort(record.port, 'port', 1),
    callbackService: service as Service | undefined,
    readTimeoutInMillis: optional(record, 'readTimeoutInMillis', validateTimeout, DEFAULT_READ_TIMEOUT_IN_MILLIS),
    connectTimeoutInMillis: optional(record, 'connectTimeoutInMillis', validateTimeout, 0),
    maxBufferedBytes: optional(record, 'maxBufferedBytes', validatePositiveInteger, DEFAULT_MAX_BUFFERED_BYTES),
    noDelay: optional(record, 'noDelay', validateBoolean, true),
    keepAlive: optional(record, 'keepAlive', validateBoolean, false),
    keepAliveInitialDelayInMillis: optional(record, 'keepAliveInitialDelayInMillis', validateTimeout, 0),
  };
}

/** A {@link ListenerConfig} with every default filled in. */
export interface ResolvedListenerConfig {
  interface: string | undefined;
  readTimeoutInMillis: number;
  maxBufferedBytes: number;
  noDelay: boolean;
  keepAlive: boolean;
  maxConnections: number;
  backlog: number | undefined;
}

/**
 * Checks a listener's port and {@link ListenerConfig}, filling in defaults.
 *
 * @example
 * ```ts
 * const config = resolveListenerConfig({ interface: '127.0.0.1' });
 * ```
 */
export function resolveListenerConfig(value: unknown): ResolvedListenerConfig {
  const record = value === undefined ? {} : validateObject(value, 'listener config');
  return {
    interface: optional<string | undefined>(record, 'interface', validateHost, undefined),
    readTimeoutInMillis: optional(record, 'readTimeoutInMillis', validateTimeout, DEFAULT_READ_TIMEOUT_IN_MILLIS),
    maxBufferedBytes: optional(record, 'maxBufferedBytes', validatePositiveInteger, DEFAULT_MAX_BUFFERED_BYTES),
    noDelay: optional(record, 'noDelay', validateBoolean, true),
    keepAlive: optional(record, 'keepAlive', validateBoolean, false),
    maxConnections: optional(record, 'maxConnections', validatePositiveInteger, Number.POSITIVE_INFINITY),
    backlog: optional<number | undefined>(record, 'backlog', validatePositiveInteger, undefined),
  };
}

/** A {@link UdpClientConfig} with every default filled in. */
export interface ResolvedUdpClientConfig {
  localAddress: Address | undefined;
  readTimeoutInMillis: number;
  maxQueuedDatagrams: number;
}

/**
 * Checks a {@link UdpClientConfig}, filling in defaults.
 *
 * @example
 * ```ts
 * const config = resolveUdpClientConfig({ localAddress: { host: '127.0.0.1', port: 0 } });
 * ```
 */
export function resolveUdpClientConfig(value: unknown): ResolvedUdpClientConfig {
  const record = value === undefined ? {} : validateObject(value, 'UDP client config');
  return {
    localAddress: optional<Address | undefined>(record, 'localAddress', (v, n) => validateAddress(v, n, 0), undefined),
    readTimeoutInMillis: optional(record, 'readTimeoutInMillis', validateTimeout, DEFAULT_READ_TIMEOUT_IN_MILLIS),
    maxQueuedDatagrams: optional(record, 'maxQueuedDatagrams', validatePositiveInteger, DEFAULT_MAX_QUEUED_DATAGRAMS),
  };
}

/**
 * Checks a {@link UdpListenerConfig}.
 *
 * @example
 * ```ts
 * const config = resolveUdpListenerConfig({ interface: '127.0.0.1' });
 * ```
 */
export function resolveUdpListenerConfig(value: unknown): { interface: string | undefined } {
  const record = value === undefined ? {} : validateObject(value, 'UDP listener config');
  return { interface: optional<string | undefined>(record, 'interface', validateHost, undefined) };
}

const RESOURCES = ['onConnect', 'onReadReady', 'onBytes', 'onClose', 'onError'] as const;

/**
 * Checks a {@link Service}: an object whose resources are functions, not both `onReadReady` and
 * `onBytes`.
 *
 * @example
 * ```ts
 * validateService({ onBytes: (caller, data) => void caller.write(data) });
 * ```
 */
export function validateService(value: unknown): Service {
  const record = validateObject(value, 'service');
  for (const name of RESOURCES) {
    const resource = record[name];
    if (resource !== undefined && typeof resource !== 'function') {
      throw invalidArgument(`service.${name} must be a function, got ${describe(resource)}`);
    }
  }
  if (record.onReadReady !== undefined && record.onBytes !== undefined) {
    throw invalidArgument('a service may define onReadReady (pull) or onBytes (push), not both');
  }
  return value as Service;
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
  throw invalidArgument(`${name} must be a Uint8Array, Buffer or string, got ${describe(data)}`);
}
