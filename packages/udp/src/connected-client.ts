import { resolveUdpConnectConfig, UdpConnectedClientBase, type UdpConnectConfig as CoreUdpConnectConfig } from '@sock/core/internal';
import { DgramWire } from './dgram-wire.js';
import { resolveUdpSocketOptions, UDP_SOCKET_OPTION_KEYS, type UdpSocketOptions } from './socket-options.js';

/**
 * Configuration of a {@link UdpConnectedClient}: core's `UdpConnectConfig` (`host`, `port`,
 * `localAddress`, `readTimeoutInMillis`, `maxQueuedDatagrams`) plus the {@link UdpSocketOptions}.
 *
 * @example
 * ```ts
 * const config: UdpConnectConfig = { host: '127.0.0.1', port: 48826, readTimeoutInMillis: 5000 };
 * ```
 */
export interface UdpConnectConfig extends CoreUdpConnectConfig, UdpSocketOptions {}

/**
 * A UDP socket fixed to one peer (connected mode) over `node:dgram`: `write` sends to the peer,
 * `read` receives from it, and datagrams from any other sender are ignored (the kernel filters them
 * after `connect()`, and the wire filters what arrived before). When the peer's port is closed, the
 * ICMP "port unreachable" that comes back rejects the waiting reads (or, if none waits, the next
 * read) with `CONNECTION_REFUSED`; the client stays usable. Without `localAddress` the socket's
 * family follows the peer's address.
 *
 * @example
 * ```ts
 * const client = await UdpConnectedClient.connect({ host: '127.0.0.1', port: 48826 });
 * await client.write('ping');
 * const reply = await client.read(undefined, { timeoutInMillis: 2000 });
 * await client.close();
 * ```
 */
export class UdpConnectedClient extends UdpConnectedClientBase {
  /** Starts binding and connecting at once. Throws `INVALID_ARGUMENT` for a bad config. */
  constructor(config: UdpConnectConfig) {
    const resolved = resolveUdpConnectConfig(config, UDP_SOCKET_OPTION_KEYS);
    const wire = new DgramWire({
      host: resolved.localAddress?.host,
      port: resolved.localAddress?.port ?? 0,
      remote: { host: resolved.host, port: resolved.port },
      socketOptions: resolveUdpSocketOptions(config),
    });
    super(wire, resolved);
  }

  /**
   * Binds, connects and resolves with the client. A bad config rejects `INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * const client = await UdpConnectedClient.connect({ host: '::1', port, localAddress: { host: '::1', port: 0 } });
   * ```
   */
  static connect(config: UdpConnectConfig): Promise<UdpConnectedClient> {
    let client: UdpConnectedClient;
    try {
      client = new UdpConnectedClient(config);
    } catch (error) {
      return Promise.reject(error);
    }
    return UdpConnectedClientBase.connected(client);
  }
}
