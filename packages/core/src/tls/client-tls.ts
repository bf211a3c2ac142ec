import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { plainAddress } from '../address.js';
import { formatEndpoint, fromSystemError } from '../errors.js';
import type { CancelSignal } from '../stream/cancel-signal.js';
import { SocketWire } from '../stream/socket-wire.js';
import { infoWith, peerName, type DialTarget, type Wire, type WireInfo } from '../stream/wire.js';
import { checkCredentials } from './credentials.js';
import type { ResolvedClientSecureSocket } from './secure-socket.js';
import { badCredentials, handshakeTimedOut, tlsFailed } from './tls-errors.js';
import type { SecureContext, TlsModule, TlsSocket } from './tls-module.js';
import { tlsInfoOf } from './tls-session.js';
import { actionTimer } from '../util/spare-timer.js';

// The handshake time-out timer client handshakes lend one after another (see SpareTimer).
const handshakeTimer = actionTimer();

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
    // See ServerTls: a peer that ends its side during the handshake must fail it, not half-close it.
    stream.allowHalfOpen = false;
    const socket = this.#tls.connect({ socket: stream, ...this.#options(host) });
    return this.#handshake(socket, peerName(info, host), signal, (secured) => new SocketWire(secured, infoWith(info, { tls: tlsInfoOf(secured) })));
  }

  /**
   * Opens the TCP connection and runs the client handshake on the one socket `node:tls` makes (a
   * transport whose TLS module can connect by itself: no plain socket is made first and wrapped).
   * Until the TCP connection is up, errors are connect errors naming `target` (`CONNECTION_REFUSED`,
   * `HOST_NOT_FOUND`); `connected` then applies the transport's socket options, and the handshake
   * and its time-out start, as for {@link ClientTls.upgrade}.
   */
  connect(target: DialTarget, signal: CancelSignal | undefined, connected: (socket: TlsSocket) => void): Promise<Wire> {
    // Not half-open capable (tls.connect's default) until the handshake is done, as in upgrade().
    const socket = this.#tls.connect({ port: target.port, ...this.#options(target.host) });
    return this.#handshake(socket, undefined, signal, (secured) => {
      const wire = new SocketWire(secured);
      wire.tls = tlsInfoOf(secured);
      return wire;
    }, { endpoint: formatEndpoint(target.host, target.port), connected });
  }

  #options(host: string): ConnectionOptions {
    const secure = this.#secure;
    return {
      host,
      servername: secure.servername,
      secureContext: this.#context,
      rejectUnauthorized: secure.rejectUnauthorized,
      ALPNProtocols: secure.alpnProtocols,
    };
  }

  // Settles on the socket's 'secureConnect' (resolving with `makeWire(socket)`), its 'error', the
  // handshake time-out or `signal`. `dialling`: the socket is still connecting; until its 'connect'
  // its errors are connect errors naming `dialling.endpoint`, and the peer is named and the
  // time-out started only then.
  #handshake(
    socket: TlsSocket,
    knownPeer: string | undefined,
    signal: CancelSignal | undefined,
    makeWire: (socket: TlsSocket) => Wire,
    dialling?: { endpoint: string; connected: (socket: TlsSocket) => void },
  ): Promise<Wire> {
    const limit = this.#secure.handshakeTimeoutInMillis;
    return new Promise<Wire>((resolve, reject) => {
      let peer = knownPeer;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let timedOut: (() => void) | undefined;
      const startTimer = (): void => {
        if (limit <= 0) return;
        timedOut = () => fail(handshakeTimedOut(peer!, limit));
        timer = handshakeTimer.take(timedOut, limit) ?? setTimeout(timedOut, limit);
      };
      const done = (): void => {
        if (timedOut !== undefined) handshakeTimer.finish(timedOut, timer);
        socket.off('connect', tcpConnected);
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
      const failed = (error: Error): void => {
        if (peer === undefined) fail(fromSystemError(error, 'connect', dialling!.endpoint));
        else fail(tlsFailed(error, peer));
      };
      const aborted = (): void => fail(signal!.reason);
      const tcpConnected = (): void => {
        peer = formatEndpoint(plainAddress(socket.remoteAddress), socket.remotePort ?? 0);
        dialling!.connected(socket);
        startTimer();
      };
      const secured = (): void => {
        done();
        socket.allowHalfOpen = true; // from here on, ending this side is the connection's decision
        resolve(makeWire(socket));
      };
      if (dialling === undefined) startTimer();
      else socket.on('connect', tcpConnected);
      socket.on('secureConnect', secured);
      socket.on('error', failed);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }
}
