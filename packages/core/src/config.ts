import { invalidArgument } from './errors.js';
import type { FrameCodec } from './framing/codec.js';
import { isFrameCodec } from './framing/is-codec.js';
import type { ProxyProtocolVersion } from './proxy/proxy-parser.js';
import { DEFAULT_PROXY_HEADER_TIMEOUT_IN_MILLIS } from './proxy/proxy-step.js';
import { trustedProxies, type TrustedProxy } from './proxy/trusted-proxies.js';
import { validateService, type Service } from './service.js';
import {
  resolveClientSecureSocket,
  resolveListenerSecureSocket,
  type ClientSecureSocket,
  type ListenerSecureSocket,
  type ResolvedClientSecureSocket,
  type ResolvedListenerSecureSocket,
} from './tls/secure-socket.js';
import {
  describeValue,
  optional,
  validateAddress,
  validateBoolean,
  validateHost,
  validateKeys,
  validateObject,
  validatePort,
  validatePositiveInteger,
  validateTimeout,
} from './validate.js';

/**
 * An IP socket address. `host` is a name or an IP literal; addresses that `@sock` reports are
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
 * Options every TCP connection has, on a client and on each connection a listener accepts.
 *
 * @example
 * ```ts
 * const options: ConnectionConfig = { readTimeoutInMillis: 5000, idleTimeoutInMillis: 60_000 };
 * ```
 */
export interface ConnectionConfig {
  /** Default time-out of every read, reset by each chunk that arrives. 0 waits forever. Default 300000. */
  readTimeoutInMillis?: number;
  /**
   * No byte either way for this long: `IDLE_TIMED_OUT` goes to `onError` (on a client without a
   * service, to its pending read or write), then the connection closes. 0: never. Default 0.
   */
  idleTimeoutInMillis?: number;
  /**
   * A write that cannot be handed to the OS for this long (the peer does not read): `WRITE_TIMED_OUT`,
   * then the connection closes. 0: never. Default 0.
   */
  writeTimeoutInMillis?: number;
  /** Unread input held before the socket stops reading; also the largest `read(n)`. Default 64 MiB. */
  maxBufferedBytes?: number;
  /** Disable Nagle's algorithm. Default true. */
  noDelay?: boolean;
  /** Enable TCP keep-alive probes. Default false. */
  keepAlive?: boolean;
  /** Idle time before the first keep-alive probe, rounded up to whole seconds (Node and Linux take seconds). Default: the OS's. */
  keepAliveInitialDelayInMillis?: number;
  /**
   * Cut the byte stream into frames with this codec (`lines(...)`, `lengthPrefixed(...)`); the
   * service then receives them with `onFrame`. Default: none.
   */
  framing?: FrameCodec;
}

/**
 * Configuration of a TCP client.
 *
 * @example
 * ```ts
 * const config: ClientConfig = { host: 'localhost', port: 61598, readTimeoutInMillis: 5000 };
 * ```
 */
export interface ClientConfig extends ConnectionConfig {
  host: string;
  port: number;
  /** Service driven by this client's connection; the client itself is its `caller`. */
  callbackService?: Service;
  /** Give up connecting after this long (`CONNECT_TIMED_OUT`). 0: the OS's own limit. Default 30000. */
  connectTimeoutInMillis?: number;
  /** Speak TLS (see {@link ClientSecureSocket}). Default: plain TCP. */
  secureSocket?: ClientSecureSocket;
}

/**
 * Configuration of a TCP listener.
 *
 * @example
 * ```ts
 * const config: ListenerConfig = { interface: '127.0.0.1', readTimeoutInMillis: 10_000 };
 * ```
 */
export interface ListenerConfig extends ConnectionConfig {
  /** Address to bind; default: all interfaces (IPv4 and IPv6). */
  interface?: string;
  /** Refuse connections beyond this many open ones, at accept, before any service code runs. Default: no limit. */
  maxConnections?: number;
  /** Length of the kernel's accept queue. Default: Node's (511). */
  backlog?: number;
  /** Speak TLS: `onConnect` runs after the handshake (see {@link ListenerSecureSocket}). Default: plain TCP. */
  secureSocket?: ListenerSecureSocket;
  /**
   * Behind a load balancer: every connection must begin with a PROXY protocol header of this version
   * (`'any'`: v1 or v2), read before the service sees a byte; `caller.remoteAddress` is then the
   * client's, `caller.proxyAddress` the balancer's. A missing, malformed or late header closes the
   * connection (`PROXY_PROTOCOL_INVALID`). Default: off.
   */
  proxyProtocol?: ProxyProtocolVersion;
  /**
   * With `proxyProtocol`: the balancers allowed to send a header — CIDR strings (`'10.0.0.0/8'`),
   * addresses, or objects with `check(address, family)` such as Node's `net.BlockList`. Others are
   * refused before a byte is read. Default: any peer (then make sure only balancers reach the port).
   */
  trustedProxies?: readonly TrustedProxy[];
  /** With `proxyProtocol`: how long a connection may take to send its header. Default 5000. */
  proxyHeaderTimeoutInMillis?: number;
  /**
   * Let several listeners (processes or workers) bind the same port, the kernel spreading connections
   * (`SO_REUSEPORT`). Needs Node 22.12+ (on older runtimes `INVALID_ARGUMENT`). Default false.
   */
  reusePort?: boolean;
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
 * Configuration of a connected UDP client (`udp.connect`): fixed to one peer.
 *
 * @example
 * ```ts
 * const config: UdpConnectConfig = { host: '127.0.0.1', port: 48826, readTimeoutInMillis: 5000 };
 * ```
 */
export interface UdpConnectConfig extends UdpClientConfig {
  /** The peer: a name (looked up once) or an IP literal. */
  host: string;
  /** The peer's port, 1 to 65535. */
  port: number;
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

/**
 * Defaults the SPEC fixes.
 *
 * @example
 * ```ts
 * const client = await Client.connect({ host, port, readTimeoutInMillis: DEFAULT_READ_TIMEOUT_IN_MILLIS / 10 });
 * ```
 */
export const DEFAULT_READ_TIMEOUT_IN_MILLIS = 300_000;
/**
 * How long a client tries to connect by default before `CONNECT_TIMED_OUT`.
 *
 * @example
 * ```ts
 * new Client({ host, port, connectTimeoutInMillis: DEFAULT_CONNECT_TIMEOUT_IN_MILLIS * 2 });
 * ```
 */
export const DEFAULT_CONNECT_TIMEOUT_IN_MILLIS = 30_000;
/**
 * Unread input per connection before the socket stops reading; also the largest `read(n)`.
 *
 * @example
 * ```ts
 * new Listener(0, { maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES / 64 });
 * ```
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/**
 * Datagrams a UDP socket keeps while nobody receives.
 *
 * @example
 * ```ts
 * new UdpClient({ maxQueuedDatagrams: DEFAULT_MAX_QUEUED_DATAGRAMS * 4 });
 * ```
 */
export const DEFAULT_MAX_QUEUED_DATAGRAMS = 1024;

/**
 * A {@link ConnectionConfig} with every default filled in.
 *
 * @example
 * ```ts
 * const config: ResolvedConnectionConfig = resolveClientConfig({ host: 'localhost', port: 6379 });
 * config.noDelay; // true
 * ```
 */
export interface ResolvedConnectionConfig {
  readTimeoutInMillis: number;
  idleTimeoutInMillis: number;
  writeTimeoutInMillis: number;
  maxBufferedBytes: number;
  noDelay: boolean;
  keepAlive: boolean;
  keepAliveInitialDelayInMillis: number;
  framing: FrameCodec | undefined;
}

/**
 * A {@link ClientConfig} with every default filled in.
 *
 * @example
 * ```ts
 * const config: ResolvedClientConfig = resolveClientConfig({ host: 'localhost', port: 6379 });
 * config.connectTimeoutInMillis; // 30_000
 * ```
 */
export interface ResolvedClientConfig extends ResolvedConnectionConfig {
  host: string;
  port: number;
  callbackService: Service | undefined;
  connectTimeoutInMillis: number;
  secureSocket: ResolvedClientSecureSocket | undefined;
}

/**
 * A {@link ListenerConfig} with every default filled in.
 *
 * @example
 * ```ts
 * const config: ResolvedListenerConfig = resolveListenerConfig({ maxConnections: 100 });
 * config.proxyProtocol; // undefined
 * ```
 */
export interface ResolvedListenerConfig extends ResolvedConnectionConfig {
  interface: string | undefined;
  maxConnections: number;
  backlog: number | undefined;
  secureSocket: ResolvedListenerSecureSocket | undefined;
  proxyProtocol: ProxyProtocolVersion | undefined;
  trustedProxies: ((address: string) => boolean) | undefined;
  proxyHeaderTimeoutInMillis: number;
  reusePort: boolean;
}

/**
 * A {@link UdpClientConfig} with every default filled in.
 *
 * @example
 * ```ts
 * const config: ResolvedUdpClientConfig = resolveUdpClientConfig({});
 * config.maxQueuedDatagrams; // DEFAULT_MAX_QUEUED_DATAGRAMS
 * ```
 */
export interface ResolvedUdpClientConfig {
  localAddress: Address | undefined;
  readTimeoutInMillis: number;
  maxQueuedDatagrams: number;
}

/**
 * A {@link UdpConnectConfig} with every default filled in.
 *
 * @example
 * ```ts
 * const config: ResolvedUdpConnectConfig = resolveUdpConnectConfig({ host: '127.0.0.1', port: 53 });
 * config.port; // 53
 * ```
 */
export interface ResolvedUdpConnectConfig extends ResolvedUdpClientConfig {
  host: string;
  port: number;
}

const CONNECTION_KEYS = [
  'readTimeoutInMillis',
  'idleTimeoutInMillis',
  'writeTimeoutInMillis',
  'maxBufferedBytes',
  'noDelay',
  'keepAlive',
  'keepAliveInitialDelayInMillis',
  'framing',
] as const;

/**
 * The option names each config accepts; a transport that adds options of its own (UDP socket
 * options, ...) passes them as `extraKeys` to the resolver.
 *
 * @example
 * ```ts
 * CONFIG_KEYS.udpListener; // ['interface']
 * resolveClientConfig(config, ['lookup']); // a transport's own option, accepted too
 * ```
 */
export const CONFIG_KEYS = Object.freeze({
  client: Object.freeze(['host', 'port', 'callbackService', 'connectTimeoutInMillis', 'secureSocket', ...CONNECTION_KEYS]),
  listener: Object.freeze(['interface', 'maxConnections', 'backlog', 'secureSocket', 'proxyProtocol', 'trustedProxies', 'proxyHeaderTimeoutInMillis', 'reusePort', ...CONNECTION_KEYS]),
  udpClient: Object.freeze(['localAddress', 'readTimeoutInMillis', 'maxQueuedDatagrams']),
  udpConnect: Object.freeze(['host', 'port', 'localAddress', 'readTimeoutInMillis', 'maxQueuedDatagrams']),
  udpListener: Object.freeze(['interface']),
});

// The set of known option names, made once per (base, extra) pair: configs are checked per connect.
const keySets = new WeakMap<readonly string[], WeakMap<readonly string[], ReadonlySet<string>>>();
const NO_EXTRA: readonly string[] = [];

function keys(base: readonly string[], extra: readonly string[]): ReadonlySet<string> {
  let byExtra = keySets.get(base);
  if (byExtra === undefined) keySets.set(base, (byExtra = new WeakMap()));
  let set = byExtra.get(extra);
  if (set === undefined) byExtra.set(extra, (set = new Set([...base, ...extra])));
  return set;
}

function resolveConnection(record: Record<string, unknown>): ResolvedConnectionConfig {
  return {
    readTimeoutInMillis: optional(record, 'readTimeoutInMillis', validateTimeout, DEFAULT_READ_TIMEOUT_IN_MILLIS),
    idleTimeoutInMillis: optional(record, 'idleTimeoutInMillis', validateTimeout, 0),
    writeTimeoutInMillis: optional(record, 'writeTimeoutInMillis', validateTimeout, 0),
    maxBufferedBytes: optional(record, 'maxBufferedBytes', validatePositiveInteger, DEFAULT_MAX_BUFFERED_BYTES),
    noDelay: optional(record, 'noDelay', validateBoolean, true),
    keepAlive: optional(record, 'keepAlive', validateBoolean, false),
    keepAliveInitialDelayInMillis: optional(record, 'keepAliveInitialDelayInMillis', validateTimeout, 0),
    framing: optional<FrameCodec | undefined>(record, 'framing', validateCodec, undefined),
  };
}

function validateProxyVersion(value: unknown, name: string): ProxyProtocolVersion {
  if (value !== 'v1' && value !== 'v2' && value !== 'any') throw invalidArgument(`${name} must be 'v1', 'v2' or 'any', got ${describeValue(value)}`);
  return value;
}

function validateTrusted(value: unknown, name: string): (address: string) => boolean {
  if (!Array.isArray(value)) throw invalidArgument(`${name} must be an array of CIDR strings, addresses or address checkers, got ${describeValue(value)}`);
  return trustedProxies(value as TrustedProxy[]);
}

function validateCodec(value: unknown, name: string): FrameCodec {
  if (!isFrameCodec(value)) throw invalidArgument(`${name} must be a frame codec made by lines() or lengthPrefixed()`);
  return value;
}

/**
 * Checks a {@link ClientConfig} and fills in defaults; throws `INVALID_ARGUMENT` naming the field
 * (also for a field it does not know).
 *
 * @example
 * ```ts
 * const config = resolveClientConfig({ host: 'localhost', port: 61598 });
 * ```
 */
export function resolveClientConfig(value: unknown, extraKeys: readonly string[] = NO_EXTRA): ResolvedClientConfig {
  const record = validateObject(value, 'client config');
  validateKeys(record, keys(CONFIG_KEYS.client, extraKeys), 'client config');
  const service = record.callbackService;
  if (service !== undefined) validateService(service, { framing: record.framing !== undefined, name: 'callbackService' });
  return {
    host: validateHost(record.host, 'host'),
    port: validatePort(record.port, 'port', 1),
    callbackService: service as Service | undefined,
    connectTimeoutInMillis: optional(record, 'connectTimeoutInMillis', validateTimeout, DEFAULT_CONNECT_TIMEOUT_IN_MILLIS),
    secureSocket: optional<ResolvedClientSecureSocket | undefined>(record, 'secureSocket', resolveClientSecureSocket, undefined),
    ...resolveConnection(record),
  };
}

/**
 * Checks a {@link ListenerConfig}, filling in defaults; throws `INVALID_ARGUMENT` naming the field.
 *
 * @example
 * ```ts
 * const config = resolveListenerConfig({ interface: '127.0.0.1' });
 * ```
 */
export function resolveListenerConfig(value: unknown, extraKeys: readonly string[] = NO_EXTRA): ResolvedListenerConfig {
  const record = value === undefined ? {} : validateObject(value, 'listener config');
  validateKeys(record, keys(CONFIG_KEYS.listener, extraKeys), 'listener config');
  const resolved: ResolvedListenerConfig = {
    interface: optional<string | undefined>(record, 'interface', validateHost, undefined),
    maxConnections: optional(record, 'maxConnections', validatePositiveInteger, Number.POSITIVE_INFINITY),
    backlog: optional<number | undefined>(record, 'backlog', validatePositiveInteger, undefined),
    secureSocket: optional<ResolvedListenerSecureSocket | undefined>(record, 'secureSocket', resolveListenerSecureSocket, undefined),
    proxyProtocol: optional<ProxyProtocolVersion | undefined>(record, 'proxyProtocol', validateProxyVersion, undefined),
    trustedProxies: optional<((address: string) => boolean) | undefined>(record, 'trustedProxies', validateTrusted, undefined),
    proxyHeaderTimeoutInMillis: optional(record, 'proxyHeaderTimeoutInMillis', validateTimeout, DEFAULT_PROXY_HEADER_TIMEOUT_IN_MILLIS),
    reusePort: optional(record, 'reusePort', validateBoolean, false),
    ...resolveConnection(record),
  };
  if (resolved.trustedProxies !== undefined && resolved.proxyProtocol === undefined) {
    throw invalidArgument('trustedProxies needs proxyProtocol: it says which peers may send a PROXY protocol header');
  }
  return resolved;
}

/**
 * Checks a {@link UdpClientConfig}, filling in defaults.
 *
 * @example
 * ```ts
 * const config = resolveUdpClientConfig({ localAddress: { host: '127.0.0.1', port: 0 } });
 * ```
 */
export function resolveUdpClientConfig(value: unknown, extraKeys: readonly string[] = NO_EXTRA): ResolvedUdpClientConfig {
  const record = value === undefined ? {} : validateObject(value, 'UDP client config');
  validateKeys(record, keys(CONFIG_KEYS.udpClient, extraKeys), 'UDP client config');
  return resolveUdpClientFields(record);
}

function resolveUdpClientFields(record: Record<string, unknown>): ResolvedUdpClientConfig {
  return {
    localAddress: optional<Address | undefined>(record, 'localAddress', (v, n) => validateAddress(v, n, 0), undefined),
    readTimeoutInMillis: optional(record, 'readTimeoutInMillis', validateTimeout, DEFAULT_READ_TIMEOUT_IN_MILLIS),
    maxQueuedDatagrams: optional(record, 'maxQueuedDatagrams', validatePositiveInteger, DEFAULT_MAX_QUEUED_DATAGRAMS),
  };
}

/**
 * Checks a {@link UdpConnectConfig}, filling in defaults.
 *
 * @example
 * ```ts
 * const config = resolveUdpConnectConfig({ host: '127.0.0.1', port: 48826 });
 * ```
 */
export function resolveUdpConnectConfig(value: unknown, extraKeys: readonly string[] = NO_EXTRA): ResolvedUdpConnectConfig {
  const record = validateObject(value, 'UDP connect config');
  validateKeys(record, keys(CONFIG_KEYS.udpConnect, extraKeys), 'UDP connect config');
  return {
    host: validateHost(record.host, 'host'),
    port: validatePort(record.port, 'port', 1),
    ...resolveUdpClientFields(record),
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
export function resolveUdpListenerConfig(value: unknown, extraKeys: readonly string[] = NO_EXTRA): { interface: string | undefined } {
  const record = value === undefined ? {} : validateObject(value, 'UDP listener config');
  validateKeys(record, keys(CONFIG_KEYS.udpListener, extraKeys), 'UDP listener config');
  return { interface: optional<string | undefined>(record, 'interface', validateHost, undefined) };
}
