import { isIPv4, Socket } from 'node:net';
import { keepAliveDelay } from './keep-alive.js';
import { formatEndpoint, fromSystemError, SocketWire, type ClientTls, type DialOptions, type ResolvedClientConfig, type TlsDialer, type TlsSocket, type Wire } from '@sock/core/internal';

function ignore(): void {}

/**
 * Opens a `node:net` connection for a client: resolves with a {@link SocketWire} once connected
 * (socket options applied), rejects with the connect error naming the target, and on abort destroys
 * the socket at once and rejects with the signal's reason. Sockets are half-open capable, so that
 * ending our side is the Connection's decision, not Node's.
 *
 * @example
 * ```ts
 * const wire = await netDialer.dial(resolveClientConfig({ host: 'localhost', port: 80 }), {});
 * ```
 */
export const netDialer: TlsDialer<ResolvedClientConfig> = Object.freeze({
  dial(target: ResolvedClientConfig, { signal }: DialOptions): Promise<Wire> {
    return new Promise<Wire>((resolve, reject) => {
      // A socket made without an options object, its options set on it before it connects (Node
      // applies Nagle and keep-alive to the handle as it connects). On Node 20, a socket made from
      // an options object costs about 20 µs more CPU: Node copies the options and adds its
      // defaults to the copy, and V8 11 then gives every copy a hidden class of its own, so each
      // stream constructor reading them misses its caches (a raw client: 63–70 vs 89–92 µs per
      // connect + close). Node 22 and 24 do not show it.
      const socket = new Socket();
      socket.allowHalfOpen = true;
      if (target.noDelay) socket.setNoDelay(true);
      if (target.keepAlive) socket.setKeepAlive(true, keepAliveDelay(target.keepAliveInitialDelayInMillis));
      const done = (): void => {
        socket.off('connect', connected);
        socket.off('error', failed);
        signal?.removeEventListener('abort', aborted);
      };
      const connected = (): void => {
        done();
        // An IPv4 literal is the peer's address as the OS would report it: no getpeername.
        resolve(new SocketWire(socket, undefined, isIPv4(target.host) ? target : undefined));
      };
      const failed = (error: Error): void => {
        done();
        socket.on('error', ignore);
        socket.destroy();
        reject(fromSystemError(error, 'connect', formatEndpoint(target.host, target.port)));
      };
      const aborted = (): void => {
        done();
        socket.on('error', ignore);
        socket.destroy();
        reject(signal!.reason);
      };
      // Plain listeners (no once() wrappers): `done` removes both.
      socket.on('connect', connected);
      socket.on('error', failed);
      signal?.addEventListener('abort', aborted, { once: true });
      socket.connect({ host: target.host, port: target.port });
    });
  },
  // TLS in one step: node:tls opens the TCP connection itself, and the socket options are applied
  // once it is up (tls.connect takes no noDelay/keepAlive).
  dialTls(target: ResolvedClientConfig, client: ClientTls, { signal }: DialOptions): Promise<Wire> {
    return client.connect(target, signal, (socket: TlsSocket) => {
      socket.setNoDelay(target.noDelay);
      if (target.keepAlive) socket.setKeepAlive(true, keepAliveDelay(target.keepAliveInitialDelayInMillis));
    });
  },
});
