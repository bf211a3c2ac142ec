import type { SocketError } from './errors.js';
import { invalidArgument } from './errors.js';
import { DELIVERIES } from './stream/deliveries.js';
import type { ProxyHeader } from './proxy/proxy-header.js';
import type { TlsInfo } from './stream/wire.js';
import type { ClientSecureSocket, ListenerSecureSocket } from './tls/secure-socket.js';
import { describeValue, validateObject } from './validate.js';

/**
 * Options of one read.
 *
 * @example
 * ```ts
 * await caller.read(4, { timeoutInMillis: 1000, signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface ReadOptions {
  /** Overrides the connection's `readTimeoutInMillis` for this read; 0 waits forever. */
  timeoutInMillis?: number;
  /** Aborting rejects the read with the signal's reason; the bytes stay queued. */
  signal?: AbortSignal;
}

/**
 * Options of one write.
 *
 * @example
 * ```ts
 * await client.write(bigBuffer, { signal: AbortSignal.timeout(1000) });
 * ```
 */
export interface WriteOptions {
  /**
   * Aborting stops waiting for the socket to drain: the write rejects with the signal's reason. The
   * bytes were handed to the socket already and still go out, in order; the connection stays usable.
   */
  signal?: AbortSignal;
}

/**
 * One TCP connection as a service sees it: the seed's `socket:Caller`.
 *
 * @example
 * ```ts
 * const echo: Service = {
 *   async onReadReady(caller) {
 *     const data = await caller.read();
 *     if (data.length > 0) await caller.write(data);
 *   },
 * };
 * ```
 */
export interface Caller extends AsyncIterable<Buffer> {
  /** Unique within the process. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The TLS session, or `undefined` on a plain connection. */
  readonly tls?: TlsInfo | undefined;
  /** Behind a PROXY-protocol balancer: the balancer's address (`remoteAddress` is then the client's). */
  readonly proxyAddress?: { host: string; port: number } | undefined;
  /** The PROXY protocol header the connection began with (its TLVs: ALPN, authority, TLS). */
  readonly proxyHeader?: ProxyHeader | undefined;
  /**
   * No `length`: the bytes available now (at least one), waiting if there are none. `length` n:
   * exactly n bytes, or fewer if the stream ends first. At end of stream: an empty Buffer.
   */
  read(length?: number, options?: ReadOptions): Promise<Buffer>;
  /** Resolves with the number of bytes written; waits for the socket to drain when it is full. */
  write(data: Uint8Array | string, options?: WriteOptions): Promise<number>;
  /** Half-close: send FIN, keep reading. */
  shutdownWrite(): Promise<void>;
  /** Idempotent; resolves when the socket is closed. */
  close(): Promise<void>;
  /**
   * STARTTLS: upgrades this plain connection to TLS in place — the client handshake on a `Client`
   * (`ClientSecureSocket`), the server handshake on a listener's caller (`ListenerSecureSocket`).
   */
  startTls(secureSocket: ClientSecureSocket | ListenerSecureSocket): Promise<void>;
}

/**
 * The resources a listener (per accepted connection) or a client's callback service may define.
 * Calls for one connection never overlap.
 *
 * @example
 * ```ts
 * const service: Service = {
 *   onConnect(caller) { console.log('connect:', caller.remotePort); },
 *   async onBytes(caller, data) { await caller.write(data); },
 *   onClose(caller) { console.log('closed', caller.id); },
 * };
 * ```
 */
export interface Service {
  /** Once per connection, before any data resource. */
  onConnect?(caller: Caller): void | Promise<void>;
  /** Pull style: unread data is waiting (or the stream ended); call `caller.read()`. */
  onReadReady?(caller: Caller): void | Promise<void>;
  /** Push style: every chunk in order. Not together with `onReadReady`. */
  onBytes?(caller: Caller, data: Buffer): void | Promise<void>;
  /** Framed: every frame in order, with the listener's or client's `framing` codec. */
  onFrame?(caller: Caller, frame: Buffer): void | Promise<void>;
  /** Exactly once, after the connection is closed by either side or by a fault. */
  onClose?(caller: Caller): void | Promise<void>;
  /** Socket faults and `HANDLER_FAILED` (a resource threw). */
  onError?(caller: Caller, error: SocketError): void | Promise<void>;
}

const LIFECYCLE_RESOURCES = ['onConnect', 'onClose', 'onError'] as const;

// Every member of a service object, own or inherited (up to, not including, Object.prototype), that
// looks like a resource: `onSomething`, or a resource's name in other letter case (`onbytes`).
// Plain words such as `once` are not resources.
function resourceLikeMembers(service: object, known: ReadonlySet<string>): Set<string> {
  const lower = new Set([...known].map((name) => name.toLowerCase()));
  const names = new Set<string>();
  for (let proto: object | null = service; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (/^on[A-Z]/.test(name) || lower.has(name.toLowerCase())) names.add(name);
    }
  }
  return names;
}

function memberValue(service: object, name: string): unknown {
  return (service as Record<string, unknown>)[name];
}

/**
 * Checks a {@link Service} before it is attached (SPEC "Attaching a service"): an object whose
 * resources are functions, with at most one data resource (`onBytes`, `onReadReady`, or `onFrame`
 * — the last only with a `framing` codec, and a codec only with it), with at least one resource
 * the listener knows, and with no other `on…` member, own or inherited: a misspelled handler
 * (`onReadready`) or a foreign one (`onDatagram`) must never leave connections open and unread.
 * Throws `INVALID_ARGUMENT` naming the member.
 *
 * @example
 * ```ts
 * validateService({ onBytes: (caller, data) => void caller.write(data) });
 * ```
 */
export function validateService(value: unknown, options: { framing?: boolean; name?: string } = {}): Service {
  const what = options.name ?? 'service';
  const record = validateObject(value, what);
  const data = DELIVERIES.map((entry) => entry.resource);
  const known = new Set<string>([...LIFECYCLE_RESOURCES, ...data]);
  let resources = 0;
  for (const name of resourceLikeMembers(record, known)) {
    const member = memberValue(record, name);
    if (member === undefined) continue;
    if (!known.has(name)) {
      throw invalidArgument(`${what} member ${name} is not a resource of a TCP service (resources: ${[...known].join(', ')})`);
    }
    if (typeof member !== 'function') throw invalidArgument(`${what}.${name} must be a function, got ${describeValue(member)}`);
    resources++;
  }
  if (resources === 0) throw invalidArgument(`${what} has no resource: define at least one of ${[...known].join(', ')}`);
  const defined = data.filter((name) => typeof memberValue(record, name) === 'function');
  if (defined.length > 1) throw invalidArgument(`a ${what} may define one of ${data.join(', ')}, not ${defined.join(' and ')}`);
  const framed = defined[0] === 'onFrame';
  if (framed && options.framing !== true) throw invalidArgument(`${what}.onFrame needs a framing codec: set the framing option`);
  if (!framed && options.framing === true) throw invalidArgument(`a framing codec is set: the ${what} receives frames with onFrame`);
  return value as Service;
}
