import type { UdpTransport } from '@sock/core';
import { UdpClient } from './client.js';
import { UdpConnectedClient } from './connected-client.js';
import { UdpListener } from './listener.js';

/**
 * The real UDP transport over `node:dgram`. Code that takes a `UdpTransport` runs unchanged on this
 * and on the test kit's loopback network.
 *
 * @example
 * ```ts
 * const client = udp.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
 * const listener = udp.createListener(0, { interface: '127.0.0.1' });
 * const connected = await udp.connect({ host: '127.0.0.1', port: listener.address!.port });
 * ```
 */
export const udp: UdpTransport = Object.freeze<UdpTransport>({
  createUdpClient: (config) => new UdpClient(config),
  createListener: (port, config) => new UdpListener(port, config),
  connect: (config) => UdpConnectedClient.connect(config),
});
