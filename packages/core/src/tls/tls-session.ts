import type { TlsInfo } from '../stream/wire.js';
import type { TlsSocket } from './tls-module.js';

/**
 * What `caller.tls` reports of a TLS socket once its handshake is done.
 *
 * @example
 * ```ts
 * wire.info.tls = tlsInfoOf(socket);
 * ```
 */
export function tlsInfoOf(socket: TlsSocket): TlsInfo {
  const peer = socket.getPeerCertificate();
  const info: { -readonly [K in keyof TlsInfo]: TlsInfo[K] } = {
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.standardName,
    alpnProtocol: socket.alpnProtocol ?? false,
    authorized: socket.authorized,
  };
  if (peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0) info.peerCertificate = peer;
  return Object.freeze(info);
}
