import type { Duplex } from 'node:stream';
import type { CancelSignal } from '../stream/cancel-signal.js';
import { SocketWire } from '../stream/socket-wire.js';
import { infoWith, peerName, type Wire, type WireInfo } from '../stream/wire.js';
import { checkCredentials } from './credentials.js';
import type { ResolvedClientSecureSocket } from './secure-socket.js';
import { badCredentials, handshakeTimedOut, tlsFailed } from './tls-errors.js';
import type { SecureContext, TlsModule } from './tls-module.js';
import { tlsInfoOf } from './tls-session.js';

const contexts = new WeakMap<ResolvedClientSecureSocket, ClientTls>();

/**
 * The client side of TLS for one `secureSocket`: its secure context is built once (so a bad
 * certificate, key or CA is `INVALID_ARGUMENT` before any connection, and each connection skips
 * parsing them again), and `upgrade` runs a handshake over any duplex — a TCP socket right after
 * connect, or a plain connection at STARTTLS.
 *
 * @example
 * ```ts
 * const wire = await ClientTls.for(tls, secureSocket).upgrade(socket, info, 'db.example', signal);
 * ```
 */
export class ClientTls {
  readonly #tls: TlsModule;
  readonly #secure: ResolvedClientSecureSocket;
  readonly #context: SecureContext;

  /** One per resolved `secureSocket` (clients made from the same config share it). */
  static for(tls: TlsModule, secure: ResolvedClientSecureSocket): ClientTls {
    let client = contexts.get(secure);
    if (client === undefined) {
      client = new ClientTls(tls, secure);
      contexts.set(secure, client);
    }
    return client;
  }

  constructor(tls: TlsModule, secure: ResolvedClientSecureSocket) {
    this.#tls = tls;
    this.#secure = secure;
    checkCredentials(secure, 'secureSocket');
    try {
      this.#context = tls.createSecureContext({
        ca: secure.ca as string | Buffer | Array<string | Buffer> | undefined,
        cert: secure.cert as string | Buffer | Array<string | Buffer> | undefined,
        key: secure.key as string | Buffer | Array<string | Buffer> | undefined,
        minVersion: secure.minVersion,
      });
    } catch (error) {
      throw badCredentials(error, 'secureSocket');
    }
  }

  /**
   * Runs the client handshake over `stream` (the peer is `host`, which the server's certificate must
   * name unless `rejectUnauthorized` is false), within the handshake time-out and `signal`.
   * Resolves with a wire over the TLS socket (the same endpoints, plus `tls`); rejects `TLS_FAILED`.
   */
  upgrade(stream: Duplex, info: WireInfo, host: string, signal?: CancelSignal): Promise<Wire> {
    const secure = this.#secure;
    const peer = peerName(info, host);
    return new Promise<Wire>((resolve, reject) => {
      // See ServerTls: a peer that ends its side during the handshake must fail it, not half-close it.
      stream.allowHalfOpen = false;
      const socket = this.#tls.connect({
        socket: stream,
        host,
        servername: secure.servername,
        secureContext: this.#context,
        rejectUnauthorized: secure.rejectUnauthorized,
        ALPNProtocols: secure.alpnProtocols,
      });
      const limit = secure.handshakeTimeoutInMillis;
      const timer = limit > 0 ? setTimeout(() => fail(handshakeTimedOut(peer, limit)), limit) : undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        socket.off('secureConnect', secured);
        socket.off('error', failed);
        signal?.removeEventListener('abort', aborted);
      };
      const fail = (error: unknown): void => {
        done();
        socket.on('error', () => {}); // whatever it still reports goes nowhere
        socket.destroy();
        reject(error);
      };
      const failed = (error: Error): void => fail(tlsFailed(error, peer));
      const aborted = (): void => fail(signal!.reason);
      const secured = (): void => {
        done();
        socket.allowHalfOpen = true; // from here on, ending this side is the connection's decision
        resolve(new SocketWire(socket, infoWith(info, { tls: tlsInfoOf(socket) })));
      };
      socket.once('secureConnect', secured);
      socket.once('error', failed);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }
}
