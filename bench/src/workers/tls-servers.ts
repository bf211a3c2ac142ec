/**
 * TLS receivers and echo servers: the TCP ones (tcp-servers.ts) with TLS on, @sock
 * (`secureSocket`) and raw node:tls (`tls.createServer`), the same code otherwise.
 */
import type { Fields } from '../protocol.js';
import type { Context } from './context.js';
import { tcpRawCount, tcpRawEcho, tcpSockEcho, tcpSockPullCount, tcpSockPushCount } from './tcp-servers.js';
import { rawTlsServer, SOCK_LISTENER_TLS } from './tls-credentials.js';

/** @sock TLS Listener, `onBytes` counting. */
export function tlsSockPushCount(context: Context): Promise<Fields> {
  return tcpSockPushCount(context, SOCK_LISTENER_TLS);
}

/** @sock TLS Listener, `onConnect` looping `await caller.read()`. */
export function tlsSockPullCount(context: Context): Promise<Fields> {
  return tcpSockPullCount(context, SOCK_LISTENER_TLS);
}

/** Raw tls.Server counting 'data' bytes. */
export function tlsRawCount(context: Context): Promise<Fields> {
  return tcpRawCount(context, rawTlsServer);
}

/** @sock TLS Listener echo (`onBytes` → `void caller.write(data)`). */
export function tlsSockEcho(context: Context): Promise<Fields> {
  return tcpSockEcho(context, SOCK_LISTENER_TLS);
}

/** Raw tls.Server echo. */
export function tlsRawEcho(context: Context): Promise<Fields> {
  return tcpRawEcho(context, rawTlsServer);
}
