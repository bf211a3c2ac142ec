import type * as tls from 'node:tls';

/**
 * What `@sock`'s TLS code needs of `node:tls`. Core never loads `node:tls` itself: each transport (the
 * tcp package, the test kit) passes the module in, so the TLS behaviour is written once for real
 * sockets and in-memory pipes alike.
 *
 * @example
 * ```ts
 * import * as tls from 'node:tls';
 * const features: TransportFeatures = { tls };
 * ```
 */
export type TlsModule = Pick<typeof tls, 'connect' | 'createServer' | 'createSecureContext'>;

/**
 * A TLS socket, as `node:tls` makes it.
 *
 * @example
 * ```ts
 * const socket: TlsSocket = tls.connect({ host: 'localhost', port: 443 });
 * ```
 */
export type TlsSocket = tls.TLSSocket;

/** A TLS server context (`tls.SecureContext`). */
export type SecureContext = tls.SecureContext;

/** A never-listening `tls.Server` that accepted streams are handed to. */
export type TlsServer = tls.Server;

/**
 * What a transport brings besides its dialer and acceptor: optional features core implements once.
 *
 * @example
 * ```ts
 * super(acceptor, resolved, { tls });
 * ```
 */
export interface TransportFeatures {
  /** `node:tls`: enables `secureSocket` and `startTls`. */
  readonly tls?: TlsModule;
}
