import type { Duplex } from 'node:stream';
import type { Address } from '../config.js';
import type { ProxyHeader } from '../proxy/proxy-header.js';
import type { CancelSignal } from './cancel-signal.js';
import { formatEndpoint, type SocketError } from '../errors.js';

/**
 * What a TLS stage learned about a connection: `caller.tls`.
 *
 * @example
 * ```ts
 * if (caller.tls?.authorized) console.log(caller.tls.protocol, caller.tls.alpnProtocol);
 * ```
 */
export interface TlsInfo {
  /** `'TLSv1.3'`, `'TLSv1.2'`, ... */
  readonly protocol: string | undefined;
  /** The negotiated cipher's standard name. */
  readonly cipher: string | undefined;
  /** The ALPN protocol both sides agreed on, or `false` when none was negotiated. */
  readonly alpnProtocol: string | false;
  /** True when the peer's certificate was verified against the trusted CAs. */
  readonly authorized: boolean;
  /** Node's `getPeerCertificate()` object, when the peer sent one. */
  readonly peerCertificate?: object;
}

/**
 * What is known about one connection's endpoints. A wire fills in the addresses once (they stay
 * readable after the socket is gone, for messages); later stages add what they learn: a TLS
 * handshake sets `tls`, a PROXY protocol header replaces the remote address with the client's and
 * keeps the balancer's in `proxyAddress`.
 *
 * @example
 * ```ts
 * const info: WireInfo = { remoteAddress: '127.0.0.1', remotePort: 50000, localAddress: '127.0.0.1', localPort: 7 };
 * ```
 */
export interface WireInfo {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  tls?: TlsInfo | undefined;
  proxyAddress?: Address | undefined;
  /** The PROXY protocol header the connection began with (its TLVs: ALPN, authority, TLS). */
  proxyHeader?: ProxyHeader | undefined;
}

/**
 * A copy of a wire's endpoints as a plain object, with what a stage adds (a TLS session): for the
 * wire that replaces it. Reads each field, so lazily read addresses are read now.
 *
 * @example
 * ```ts
 * new SocketWire(tlsSocket, infoWith(wire.info, { tls: tlsInfoOf(tlsSocket) }));
 * ```
 */
export function infoWith(info: WireInfo, extra: Partial<WireInfo>): WireInfo {
  return {
    remoteAddress: info.remoteAddress,
    remotePort: info.remotePort,
    localAddress: info.localAddress,
    localPort: info.localPort,
    tls: info.tls,
    proxyAddress: info.proxyAddress,
    proxyHeader: info.proxyHeader,
    ...extra,
  };
}

/**
 * `host:port` of the peer, as every message names it; `fallback` (the dialled target) while the
 * peer's address is not known yet. The one place the endpoint wording is made.
 *
 * @example
 * ```ts
 * peerName(wire.info, '[::1]:80'); // '127.0.0.1:50000' once connected
 * ```
 */
export function peerName(info: WireInfo | undefined, fallback = 'an unconnected peer'): string {
  return info !== undefined && info.remotePort > 0 ? formatEndpoint(info.remoteAddress, info.remotePort) : fallback;
}

/**
 * {@link WireHandler}: a chunk from the peer. The wire gives up ownership of the Buffer.
 *
 * @example
 * ```ts
 * handler[kWireData](Buffer.from('PING\r\n'));
 * ```
 */
export const kWireData = Symbol('@sock/core:wire data');
/**
 * {@link WireHandler}: the peer sent FIN; no more data will come.
 *
 * @example
 * ```ts
 * handler[kWireEnd](); // the peer will send nothing more; we may still write
 * ```
 */
export const kWireEnd = Symbol('@sock/core:wire end');
/**
 * {@link WireHandler}: a fault (reset, ...), already mapped to a SocketError naming the endpoint.
 *
 * @example
 * ```ts
 * handler[kWireError](fromSystemError(error, 'read', peerName(wire.info)));
 * ```
 */
export const kWireError = Symbol('@sock/core:wire error');
/**
 * {@link WireHandler}: fully closed, whatever the cause. The last call.
 *
 * @example
 * ```ts
 * socket.once('close', () => handler[kWireClose]());
 * ```
 */
export const kWireClose = Symbol('@sock/core:wire close');
/**
 * {@link WireHandler}: the write buffer drained below its high-water mark.
 *
 * @example
 * ```ts
 * socket.on('drain', () => handler[kWireDrain]());
 * ```
 */
export const kWireDrain = Symbol('@sock/core:wire drain');

/**
 * What a {@link Wire} reports. A wire calls `kWireError` at most once, and `kWireClose` exactly
 * once, last. The entry points are symbols so that a `Connection` is its own handler (one object
 * less per connection) without them on the public surface of a `Caller`.
 *
 * @example
 * ```ts
 * wire.start({
 *   [kWireData]: (chunk) => queue.push(chunk),
 *   [kWireEnd]() {},
 *   [kWireError]() {},
 *   [kWireClose]() {},
 *   [kWireDrain]() {},
 * });
 * ```
 */
export interface WireHandler {
  /** A chunk from the peer. The wire gives up ownership of the Buffer. */
  [kWireData](chunk: Buffer): void;
  /** The peer sent FIN: no more data will come. */
  [kWireEnd](): void;
  /** A fault (reset, ...), already mapped to a SocketError naming the endpoint. `kWireClose` follows. */
  [kWireError](error: SocketError): void;
  /** Fully closed, whatever the cause. The last call. */
  [kWireClose](): void;
  /** The write buffer drained below its high-water mark. */
  [kWireDrain](): void;
}

/**
 * The small byte-stream interface each transport adapts (a `node:net` socket, a TLS socket, the
 * test kit's pipes). All the behaviour users rely on lives in the `Connection` above it.
 *
 * @example
 * ```ts
 * const wire: Wire = new SocketWire(socket);
 * wire.start(handler);
 * wire.write(Buffer.from('hello'));
 * ```
 */
export interface Wire {
  /** The endpoints, filled in once connected; stages may add to it. */
  readonly info: WireInfo;
  /**
   * Begin delivering events to `handler`. Called again, it hands the wire to a new owner (an accept
   * step gives it on to the connection) and resumes delivery.
   */
  start(handler: WireHandler): void;
  /** Queue bytes; false when the buffer is over its high-water mark (wait for `drain`). */
  write(chunk: Buffer): boolean;
  /** Queue several buffers as one write (a frame's prefix and payload). */
  writev(chunks: readonly Buffer[]): boolean;
  /** Send FIN once queued bytes are flushed; `done`, if given, runs then (or with the error that prevented it). */
  shutdownWrite(done?: (error?: SocketError) => void): void;
  /** Stop delivering `data` (the kernel buffer then fills and TCP holds back the peer). */
  pause(): void;
  resume(): void;
  /** Put bytes back in front of what the wire delivers next (what an accept step read too far). */
  unshift(chunk: Buffer): void;
  /** Flush what is queued, then close. True while queued bytes still wait for the peer (the close may linger). */
  close(): boolean;
  /** Close now, discarding queued bytes. */
  destroy(): void;
  /**
   * Abort now with a reset (TCP RST): what is queued is dropped and the peer hears of it at once,
   * even one that does not read. For a write that cannot be delivered.
   */
  reset(): void;
  /**
   * Hands the byte stream under this wire to a new owner (a TLS handshake: a listener's TLS step, a
   * TLS client, STARTTLS): the wire stops delivering and must not be used again. Optional: a
   * transport without it has no TLS.
   */
  detach?(): Duplex;
}

/**
 * Where a client connects and how: the resolved client config, which a dialer reads what it needs
 * from (host, port, socket options, TLS).
 *
 * @example
 * ```ts
 * const target: DialTarget = { host: 'localhost', port: 61598 };
 * ```
 */
export interface DialTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * Options of one dial.
 *
 * @example
 * ```ts
 * await dialer.dial(target, { signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface DialOptions {
  /** Aborting gives up: the dial rejects with the signal's reason and leaves no socket open. */
  readonly signal?: CancelSignal | undefined;
}

/**
 * How a transport opens connections: `dial` resolves with a connected {@link Wire}, or rejects with
 * a SocketError naming the target (`CONNECTION_REFUSED`, `HOST_NOT_FOUND`, ...). The client base
 * owns everything around it: the connect time-out, abort, and the operations that wait meanwhile.
 *
 * @example
 * ```ts
 * const dialer: Dialer = { dial: (target, { signal }) => openMyWire(target.host, target.port, signal) };
 * ```
 */
export interface Dialer<T extends DialTarget = DialTarget> {
  dial(target: T, options: DialOptions): Promise<Wire>;
}

/**
 * What a transport's listener provides to the listener base: it binds, and hands over a
 * {@link Wire} per accepted connection.
 *
 * @example
 * ```ts
 * const acceptor: Acceptor = new NetAcceptor(port, config);
 * ```
 */
export interface Acceptor {
  /** Bind and start accepting; resolves with the bound address; rejects `ADDRESS_IN_USE`, ... */
  listen(handler: AcceptorHandler): Promise<Address>;
  /** Stop accepting new connections; resolves once the listening socket is closed. */
  stop(): Promise<void>;
}

/**
 * What an {@link Acceptor} reports.
 *
 * @example
 * ```ts
 * acceptor.listen({ connection: (wire) => track(wire), error: (e) => log(e) });
 * ```
 */
export interface AcceptorHandler {
  connection(wire: Wire): void;
  /** A fault of the listening socket after it was bound. */
  error(error: SocketError): void;
}
