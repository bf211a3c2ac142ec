import type { TlsInfo } from '../stream/wire.js';
import type { TlsSocket } from './tls-module.js';

// `getPeerCertificate()` costs about half a millisecond per handshake: it is read only when asked for.
class SessionInfo implements TlsInfo {
  readonly protocol: string | undefined;
  readonly cipher: string | undefined;
  readonly alpnProtocol: string | false;
  readonly authorized: boolean;
  readonly #socket: TlsSocket;
  #peer: object | null | undefined;

  constructor(socket: TlsSocket) {
    this.#socket = socket;
    this.protocol = socket.getProtocol() ?? undefined;
    this.cipher = socket.getCipher()?.standardName;
    this.alpnProtocol = socket.alpnProtocol ?? false;
    this.authorized = socket.authorized;
  }

  /** Node's `getPeerCertificate()` object, or undefined when the peer sent no certificate. */
  get peerCertificate(): object | undefined {
    if (this.#peer === undefined) {
      const peer = this.#socket.getPeerCertificate();
      // Node gives `{}` for no certificate (and nothing once the socket is gone).
      this.#peer = peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0 ? peer : null;
    }
    return this.#peer ?? undefined;
  }

  toJSON(): TlsInfo {
    const { protocol, cipher, alpnProtocol, authorized, peerCertificate } = this;
    return peerCertificate === undefined ? { protocol, cipher, alpnProtocol, authorized } : { protocol, cipher, alpnProtocol, authorized, peerCertificate };
  }
}

/**
 * What `caller.tls` reports of a TLS socket once its handshake is done. `peerCertificate` is read
 * from the socket on first access (it costs about half a millisecond), while the socket is open.
 *
 * @example
 * ```ts
 * wire.info.tls = tlsInfoOf(socket);
 * ```
 */
export function tlsInfoOf(socket: TlsSocket): TlsInfo {
  return new SessionInfo(socket);
}
