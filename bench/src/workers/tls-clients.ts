/**
 * TLS load generators: the bulk sender, the echo loops and the connect loops of tcp-clients.ts over
 * TLS. The raw side is node:tls (`tls.connect` over its own TCP connection, with one shared secure
 * context); the @sock side is `Client` with one shared `secureSocket`.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { HOST, num, type Fields } from '../protocol.js';
import type { Context } from './context.js';
import { connectLoop, connectSock, echoSock, echoSockPush, runRawEchoClients, sendBulk } from './tcp-clients.js';
import { rawClientSecureContext, SOCK_CLIENT_TLS } from './tls-credentials.js';

/** A raw TLS connection to the bench's TLS servers, resolved once its handshake is done (TCP_NODELAY on). */
function connectRawTls(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: HOST, port, secureContext: rawClientSecureContext() });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** Raw TLS sender: `total` bytes in `chunk`-byte writes with backpressure, then ends (close_notify, FIN). */
export async function tlsBulkSendRaw(context: Context): Promise<Fields> {
  return sendBulk(await connectRawTls(num(context.params, 'port')), context.params);
}

/** @sock TLS Client echo loop (`await write`, `await read(n)`). */
export function tlsEchoSock(context: Context): Promise<Fields> {
  return echoSock(context, SOCK_CLIENT_TLS);
}

/** @sock TLS Client echo loop with a callback service (`onBytes` writes the next request). */
export function tlsEchoSockPush(context: Context): Promise<Fields> {
  return echoSockPush(context, SOCK_CLIENT_TLS);
}

/** Raw node:tls echo loop, callback style; every handshake is done before the window opens. */
export async function tlsEchoRaw(context: Context): Promise<Fields> {
  const { params } = context;
  const port = num(params, 'port');
  const sockets = await Promise.all(Array.from({ length: num(params, 'connections') }, () => connectRawTls(port)));
  return runRawEchoClients(sockets, params);
}

/** @sock: sequential `Client.connect` (TCP + handshake) + `close()`. */
export function tlsConnectSock(context: Context): Promise<Fields> {
  return connectSock(context, SOCK_CLIENT_TLS);
}

/**
 * Raw: sequential `tls.connect` (shared secure context) until the handshake is done, then `end()`
 * (close_notify + FIN) and release once flushed — what @sock's `close()` does.
 */
export function tlsConnectRaw(context: Context): Promise<Fields> {
  const port = num(context.params, 'port');
  return connectLoop(
    context,
    () =>
      new Promise<void>((resolve, reject) => {
        const socket = tlsConnect({ host: HOST, port, secureContext: rawClientSecureContext() });
        socket.once('error', reject);
        socket.once('secureConnect', () => {
          socket.setNoDelay(true);
          socket.end(() => socket.destroy());
        });
        socket.once('close', () => resolve());
      }),
  );
}
