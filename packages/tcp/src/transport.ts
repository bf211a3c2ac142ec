import type { TcpTransport } from '@sock/core';
import { Client } from './client.js';
import { Listener } from './listener.js';

/**
 * The real TCP transport over `node:net`. Code that takes a `TcpTransport` runs unchanged on this
 * and on the test kit's loopback network.
 *
 * @example
 * ```ts
 * const client = await tcp.connect({ host: 'localhost', port });
 * const listener = tcp.createListener(0, { interface: '127.0.0.1' });
 * ```
 */
export const tcp: TcpTransport = Object.freeze<TcpTransport>({
  connect: (config, options) => Client.connect(config, options),
  createListener: (port, config) => new Listener(port, config),
});
