import * as tls from 'node:tls';
import { ListenerBase, resolveListenerConfig, validatePort, type ListenerConfig } from '@sock/core/internal';
import { NetAcceptor } from './net-acceptor.js';
import { checkReusePort } from './reuse-port.js';

/**
 * A TCP listener: the seed's `socket:Listener`. Attach one service; each accepted connection is
 * handed to it as a `Caller`.
 *
 * @example
 * ```ts
 * const server = new Listener(61598, { interface: '127.0.0.1' });
 * server.attach({
 *   onConnect: (caller) => console.log('connect:', caller.remotePort),
 *   async onReadReady(caller) {
 *     const data = await caller.read();
 *     if (data.length > 0) await caller.write(data);
 *   },
 * });
 * await server.start();
 * ```
 */
export class Listener extends ListenerBase {
  /** `port` 0 binds an ephemeral port (read it back from `address`). Bad input throws `INVALID_ARGUMENT`. */
  constructor(port: number, config?: ListenerConfig) {
    const resolved = resolveListenerConfig(config);
    checkReusePort(resolved.reusePort);
    super(new NetAcceptor(validatePort(port, 'port', 0), resolved), resolved, { tls });
  }
}
