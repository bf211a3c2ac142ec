import * as tls from 'node:tls';
import { ClientBase, connectSignal, resolveClientConfig, type ClientConfig, type ConnectOptions, type ResolvedClientConfig } from '@sock/core/internal';
import { netDialer } from './net-dialer.js';

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
export class Client extends ClientBase<ResolvedClientConfig> {
  /**
   * Throws `INVALID_ARGUMENT` at once for a bad config; connection errors reject `ready`. Aborting
   * `options.signal` gives up connecting (`ready` rejects with its reason; no socket stays open).
   */
  constructor(config: ClientConfig, options?: ConnectOptions) {
    super(resolveClientConfig(config), netDialer, connectSignal(options), { tls });
  }

  /**
   * Connects and resolves with the client once connected. A bad config rejects `INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * const client = await Client.connect({ host: '::1', port, readTimeoutInMillis: 5000 }, { signal: AbortSignal.timeout(2000) });
   * ```
   */
  static async connect(config: ClientConfig, options?: ConnectOptions): Promise<Client> {
    const client = new Client(config, options);
    await client.ready;
    return client;
  }
}
