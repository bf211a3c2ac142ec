import { resolveUdpClientConfig, UdpClientBase, type UdpClientConfig } from '@sock/core/internal';
import { DgramWire } from './dgram-wire.js';
import {
  resolveUdpSocketOptions,
  UDP_SOCKET_OPTION_KEYS,
  validateInterfaceAddress,
  validateMulticastGroup,
  type UdpSocketOptions,
} from './socket-options.js';

/**
 * Configuration of a {@link UdpClient}: the core `UdpClientConfig` (`localAddress`,
 * `readTimeoutInMillis`, `maxQueuedDatagrams`) plus the {@link UdpSocketOptions}.
 *
 * @example
 * ```ts
 * const config: UdpClientOptions = { localAddress: { host: '0.0.0.0', port: 0 }, broadcast: true };
 * ```
 */
export interface UdpClientOptions extends UdpClientConfig, UdpSocketOptions {}

/**
 * A UDP socket over `node:dgram`: the seed's `socket:UdpClient`. It binds at once (`ready`) to
 * `localAddress`, or to an ephemeral port on all interfaces with a dual-stack socket that reaches
 * IPv4 and IPv6 peers alike. `sendTo` resolves with the bytes sent; `receiveFrom()` resolves with
 * one datagram and its sender, `receiveFrom(n)` with exactly n bytes gathered across datagrams.
 *
 * @example
 * ```ts
 * const client = new UdpClient();
 * const sent = await client.sendTo('Hello from UDP client', { host: 'localhost', port: 48826 });
 * const { data, address } = await client.receiveFrom(undefined, { timeoutInMillis: 5000 });
 * await client.close();
 * ```
 */
export class UdpClient extends UdpClientBase {
  readonly #wire: DgramWire;

  /** Throws `INVALID_ARGUMENT` at once for a bad config; bind errors (e.g. `ADDRESS_IN_USE`) reject `ready`. */
  constructor(config?: UdpClientOptions) {
    const resolved = resolveUdpClientConfig(config, UDP_SOCKET_OPTION_KEYS);
    const socketOptions = resolveUdpSocketOptions(config);
    const wire = new DgramWire({ host: resolved.localAddress?.host, port: resolved.localAddress?.port ?? 0, socketOptions });
    super(wire, resolved);
    this.#wire = wire;
  }

  /**
   * Joins a multicast group, on the interface with the given numeric address or the OS's choice.
   * To receive the group's datagrams the client must be bound to the wildcard address (`0.0.0.0`
   * or `::`, e.g. the default) on the port they are sent to. Rejects `INVALID_ARGUMENT` for a
   * group that is not a multicast address or one the kernel refuses, `CONNECTION_CLOSED` after
   * `close()`.
   *
   * @example
   * ```ts
   * const client = new UdpClient({ localAddress: { host: '0.0.0.0', port: 5353 } });
   * await client.addMembership('224.0.0.251', '192.168.1.10');
   * ```
   */
  async addMembership(group: string, multicastInterface?: string): Promise<void> {
    validateMulticastGroup(group);
    if (multicastInterface !== undefined) validateInterfaceAddress(multicastInterface, 'multicastInterface');
    await this.ready;
    this.#wire.addMembership(group, multicastInterface);
  }

  /**
   * Leaves a multicast group joined with {@link addMembership} (same group and interface).
   * Rejects `INVALID_ARGUMENT` when the socket is not a member.
   *
   * @example
   * ```ts
   * await client.dropMembership('224.0.0.251', '192.168.1.10');
   * ```
   */
  async dropMembership(group: string, multicastInterface?: string): Promise<void> {
    validateMulticastGroup(group);
    if (multicastInterface !== undefined) validateInterfaceAddress(multicastInterface, 'multicastInterface');
    await this.ready;
    this.#wire.dropMembership(group, multicastInterface);
  }
}
