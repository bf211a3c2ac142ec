import { Socket } from 'node:net';
import { ClientBase, clientTarget, resolveClientConfig, type ClientConfig } from '@sock/core';
import { NetWire } from './net-wire.js';

/**
 * A TCP client: the seed's `socket:Client`. It starts connecting as soon as it is made; every
 * operation made before the connection is up waits for it (and rejects with the connect error if
 * it fails). With a `callbackService`, the client is the `caller` handed to the service.
 *
 * @example
 * ```ts
 * const client = await Client.connect({ host: 'localhost', port: 61598 });
 * await client.write('Hello Ballerina\n');
 * const reply = await client.read();
 * await client.close();
 * ```
 */
export class Client extends ClientBase {
  /** Throws `INVALID_ARGUMENT` at once for a bad config; connection errors reject `ready`. */
  constructor(config: ClientConfig) {
    const resolved = resolveClientConfig(config);
    const socket = new Socket({ allowHalfOpen: true });
    const wire = new NetWire(socket, clientTarget(resolved));
    super(resolved, wire);
    socket.once('connect', () => {
      socket.setNoDelay(resolved.noDelay);
      if (resolved.keepAlive) socket.setKeepAlive(true, resolved.keepAliveInitialDelayInMillis);
      wire.connected();
      this.open();
    });
    socket.connect({ host: resolved.host, port: resolved.port });
  }

  /**
   * Connects and resolves with the client once connected. A bad config rejects `INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * const client = await Client.connect({ host: '::1', port, readTimeoutInMillis: 5000 });
   * ```
   */
  static async connect(config: ClientConfig): Promise<Client> {
    const client = new Client(config);
    await client.ready;
    return client;
  }
}
