import { GenericError, isSocketError, type SocketError } from '../errors.js';

// Node's and OpenSSL's error codes, by what a person needs to hear.
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNEXPECTED_MESSAGE',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
]);
const VERSION = new Set([
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_VERSION_TOO_HIGH',
]);
const NO_CLIENT_CERT = new Set(['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED']);
const CERT_REFUSED = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_SOCKET_CLOSED']);

function reasonOf(error: unknown): string {
  const { code, message, reason } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; reason?: unknown };
  const text = typeof message === 'string' ? message.split('\n')[0]!.trim() : String(error);
  if (typeof code !== 'string') return text;
  if (UNTRUSTED.has(code)) return `the peer's certificate is not signed by a trusted CA (${code})`;
  if (code === 'CERT_HAS_EXPIRED') return `the peer's certificate has expired (${code})`;
  if (code === 'CERT_NOT_YET_VALID') return `the peer's certificate is not valid yet (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the peer's certificate is for another host: ${typeof reason === 'string' ? reason : text} (${code})`;
  if (NOT_TLS.has(code)) return `the peer does not speak TLS (${code})`;
  if (VERSION.has(code)) return `no TLS version both sides accept (${code})`;
  if (NO_CLIENT_CERT.has(code)) return `a client certificate is required and none was given (${code})`;
  if (CERT_REFUSED.has(code)) return `the peer refused this side's certificate (${code})`;
  if (CLOSED.has(code)) return `the peer closed the connection during the handshake (${code})`;
  return `${text} (${code})`;
}

/**
 * A TLS handshake failure as `TLS_FAILED`, naming the peer and the reason in words (unknown CA,
 * expired, wrong host name, protocol version, a plain peer, a missing client certificate), with the
 * Node error as `cause`. A SocketError (a time-out, a closed listener) passes through.
 *
 * @example
 * ```ts
 * socket.once('error', (error) => reject(tlsFailed(error, '127.0.0.1:443')));
 * ```
 */
export function tlsFailed(error: unknown, peer: string): SocketError {
  if (isSocketError(error)) return error;
  return new GenericError('TLS_FAILED', `TLS handshake with ${peer} failed: ${reasonOf(error)}`, error);
}

/**
 * The error of a handshake that did not finish in time.
 *
 * @example
 * ```ts
 * handshakeTimedOut('127.0.0.1:443', 10_000);
 * ```
 */
export function handshakeTimedOut(peer: string, timeoutInMillis: number): SocketError {
  return new GenericError('TLS_FAILED', `TLS handshake with ${peer} did not finish within ${timeoutInMillis} ms`);
}

/**
 * A certificate, key or CA that `node:tls` refused when building a context: `INVALID_ARGUMENT`,
 * before any connection.
 *
 * @example
 * ```ts
 * try { tls.createSecureContext(options) } catch (error) { throw badCredentials(error, 'secureSocket') }
 * ```
 */
export function badCredentials(error: unknown, name: string): SocketError {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new GenericError('INVALID_ARGUMENT', `${name} has a certificate, key or CA that TLS cannot use: ${message}`, error);
}

/**
 * True for errors that come from TLS itself (an alert after the handshake, a certificate check),
 * which a wire reports as `TLS_FAILED` rather than as a plain socket fault.
 *
 * @example
 * ```ts
 * const mapped = isTlsError(error) ? tlsFailed(error, peer) : fromSystemError(error, 'read', peer);
 * ```
 */
export function isTlsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || UNTRUSTED.has(code) || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID';
}
