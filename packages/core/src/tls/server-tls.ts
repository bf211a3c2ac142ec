import type { Duplex } from 'node:stream';
import type { CancelSignal } from '../stream/cancel-signal.js';
import { SocketWire } from '../stream/socket-wire.js';
import { infoWith, peerName, type Wire, type WireInfo } from '../stream/wire.js';
import { checkCredentials } from './credentials.js';
import type { ResolvedListenerSecureSocket } from './secure-socket.js';
import { badCredentials, tlsFailed } from './tls-errors.js';
import type { TlsModule, TlsServer, TlsSocket } from './tls-module.js';
import { tlsInfoOf } from './tls-session.js';

const servers = new WeakMap<ResolvedListenerSecureSocket, ServerTls>();

// Idle servers kept for reuse; more are made under a burst of handshakes and dropped after it.
const MAX_IDLE_SERVERS = 16;

/**
 * The server side of TLS for one `secureSocket`. Each accepted stream is handed to a `node:tls`
 * Server that never listens (`server.emit('connection', stream)`, as Node documents), so that client
 * certificates are verified exactly as Node's own TLS servers verify them. A server carries one
 * handshake at a time — its `secureConnection` / `tlsClientError` event is that connection's, with
 * no internals needed to tell connections apart — and servers are pooled, since making one costs
 * about a millisecond. A bad certificate, key or CA is `INVALID_ARGUMENT` at construction, before
 * any connection. Used by a TLS listener's accept step and by `caller.startTls(...)`.
 *
 * @example
 * ```ts
 * const server = ServerTls.for(tls, secureSocket);
 * const wire = await server.accept(socket, info, signal);
 * ```
 */
export class ServerTls {
  readonly #tls: TlsModule;
  readonly #secure: ResolvedListenerSecureSocket;
  readonly #idle: TlsServer[] = [];

  /** One per resolved `secureSocket` (a listener and the startTls calls made with the same one share it). */
  static for(tls: TlsModule, secure: ResolvedListenerSecureSocket): ServerTls {
    let server = servers.get(secure);
    if (server === undefined) {
      server = new ServerTls(tls, secure);
      servers.set(secure, server);
    }
    return server;
  }

  constructor(tls: TlsModule, secure: ResolvedListenerSecureSocket) {
    this.#tls = tls;
    this.#secure = secure;
    checkCredentials(secure, 'secureSocket');
    this.#idle.push(this.#make());
  }

  /**
   * Runs the server handshake over `stream`; resolves with a wire over the TLS socket (the same
   * endpoints, plus `tls`), rejects `TLS_FAILED` — or `signal`'s reason, destroying the stream.
   */
  accept(stream: Duplex, info: WireInfo, signal?: CancelSignal): Promise<Wire> {
    const server = this.#idle.pop() ?? this.#make();
    const peer = peerName(info);
    return new Promise<Wire>((resolve, reject) => {
      const done = (reuse: boolean): void => {
        server.off('secureConnection', secured);
        server.off('tlsClientError', failed);
        signal?.removeEventListener('abort', aborted);
        if (reuse && this.#idle.length < MAX_IDLE_SERVERS) this.#idle.push(server);
      };
      const secured = (socket: TlsSocket): void => {
        done(true);
        socket.allowHalfOpen = true; // from here on, ending this side is the connection's decision
        resolve(new SocketWire(socket, infoWith(info, { tls: tlsInfoOf(socket) })));
      };
      const failed = (error: Error): void => {
        done(true);
        reject(tlsFailed(error, peer));
      };
      const aborted = (): void => {
        // Its late tlsClientError must not be taken for another connection's: this server is not reused.
        done(false);
        stream.destroy();
        reject(signal!.reason);
      };
      server.on('secureConnection', secured);
      server.on('tlsClientError', failed);
      signal?.addEventListener('abort', aborted, { once: true });
      // The TLS socket inherits the stream's half-open setting: during the handshake a peer that ends
      // its side (a client refusing our certificate) must close it, so that the failure is reported.
      stream.allowHalfOpen = false;
      server.emit('connection', stream);
    });
  }

  #make(): TlsServer {
    const secure = this.#secure;
    try {
      return this.#tls.createServer({
        cert: secure.cert as string | Buffer | Array<string | Buffer>,
        key: secure.key as string | Buffer | Array<string | Buffer>,
        ca: secure.ca as string | Buffer | Array<string | Buffer> | undefined,
        minVersion: secure.minVersion,
        requestCert: secure.requestCert,
        rejectUnauthorized: secure.requestCert,
        ALPNProtocols: secure.alpnProtocols,
        // The accept step owns the deadline; Node's own is a backstop.
        handshakeTimeout: secure.handshakeTimeoutInMillis > 0 ? secure.handshakeTimeoutInMillis + 1000 : 0,
      });
    } catch (error) {
      throw badCredentials(error, 'secureSocket');
    }
  }
}
