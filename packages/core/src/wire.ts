import type { Address } from './config.js';
import type { SocketError } from './errors.js';

/**
 * What a {@link Wire} reports. A wire calls `error` at most once, and `close` exactly once, last.
 *
 * @example
 * ```ts
 * wire.start({ data: (c) => queue.push(c), end() {}, error() {}, close() {}, drain() {} });
 * ```
 */
export interface WireHandler {
  /** A chunk from the peer. The wire gives up ownership of the Buffer. */
  data(chunk: Buffer): void;
  /** The peer sent FIN: no more data will come. */
  end(): void;
  /** A fault (reset, ...), already mapped to a SocketError naming the endpoint. `close` follows. */
  error(error: SocketError): void;
  /** Fully closed, whatever the cause. The last call. */
  close(): void;
  /** The write buffer drained below its high-water mark. */
  drain(): void;
}

/**
 * The small byte-stream interface each transport adapts (node:net, the test kit's pipes). All the
 * behaviour users rely on lives in the `Connection` above it.
 *
 * @example
 * ```ts
 * class MyWire implements Wire { ... }
 * const caller = new Connection(new MyWire(socket), options);
 * ```
 */
export interface Wire {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Begin delivering events to `handler`. Called once. */
  start(handler: WireHandler): void;
  /** Queue bytes; false when the buffer is over its high-water mark (wait for `drain`). */
  write(chunk: Buffer): boolean;
  /** Send FIN once queued bytes are flushed; `done`, if given, runs then (or with the error that prevented it). */
  shutdownWrite(done?: (error?: SocketError) => void): void;
  /** Stop delivering `data` (the kernel buffer then fills and TCP holds back the peer). */
  pause(): void;
  resume(): void;
  /** Flush what is queued, then close. */
  close(): void;
  /** Close now, discarding queued bytes. */
  destroy(): void;
}

/**
 * What a transport's listener provides to the shared listener base: it binds, and hands over a
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
