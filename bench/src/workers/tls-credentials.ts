/**
 * The TLS set-up every TLS scenario uses on both sides: the test kit's throwaway certificates (a
 * test CA and a server certificate for 127.0.0.1 that it signed), so nothing is generated at run
 * time. @sock and raw node:tls get the same certificate, key and CA; clients connect to the IP
 * literal (no name lookup, no SNI) and verify the server against the CA.
 */
import { createSecureContext, createServer, type SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import type { ClientSecureSocket, ListenerConfig } from '@sock/tcp';
import { testCertificates } from '@sock/testkit';
import type { RawServerFactory } from './tcp-servers.js';

/**
 * The @sock listener's TLS config. One object for the process: @sock builds its TLS state once per
 * `secureSocket` object, as an application that keeps its config does.
 *
 * @example
 * ```ts
 * tcpSockEcho(context, SOCK_LISTENER_TLS);
 * ```
 */
export const SOCK_LISTENER_TLS: ListenerConfig = Object.freeze({ secureSocket: Object.freeze({ cert: testCertificates.server.cert, key: testCertificates.server.key }) });

/**
 * The @sock client's `secureSocket`, one object for the process (see SOCK_LISTENER_TLS): every
 * `Client.connect` with it shares one secure context.
 *
 * @example
 * ```ts
 * await Client.connect({ host: HOST, port, secureSocket: SOCK_CLIENT_TLS });
 * ```
 */
export const SOCK_CLIENT_TLS: ClientSecureSocket = Object.freeze({ ca: testCertificates.ca });

let rawClientContext: SecureContext | undefined;

/**
 * The raw clients' secure context (trusting the test CA), made once and passed to every
 * `tls.connect` as `secureContext`: `tls.connect({ ca })` would parse the CA and build a context on
 * every call, a cost @sock does not pay, which would flatter @sock in per-connection figures.
 *
 * @example
 * ```ts
 * tls.connect({ host: HOST, port, secureContext: rawClientSecureContext() });
 * ```
 */
export function rawClientSecureContext(): SecureContext {
  rawClientContext ??= createSecureContext({ ca: testCertificates.ca });
  return rawClientContext;
}

/**
 * Makes a raw `tls.Server` (the same certificate and key, TCP_NODELAY) whose `onSocket` gets each
 * connection once its handshake is done.
 *
 * @example
 * ```ts
 * tcpRawEcho(context, rawTlsServer);
 * ```
 */
export const rawTlsServer: RawServerFactory = (onSocket: (socket: Socket) => void) =>
  createServer({ cert: testCertificates.server.cert, key: testCertificates.server.key, noDelay: true }, onSocket);
