import { createServer, type Server } from 'node:net';
import { keepAliveDelay } from './keep-alive.js';
import {
  formatEndpoint,
  fromSystemError,
  plainAddress,
  SocketWire,
  type Acceptor,
  type AcceptorHandler,
  type Address,
  type ResolvedListenerConfig,
} from '@sock/core/internal';

function ignore(): void {}

// The unspecified addresses: a socket bound to one accepts on any local address.
function isAnyAddress(address: string): boolean {
  return address === '::' || address === '0.0.0.0' || address === '::ffff:0.0.0.0';
}

/**
 * A `node:net` Server as an {@link Acceptor}: binds, and hands each accepted socket over as a
 * {@link SocketWire}. Sockets are half-open capable so that `shutdownWrite` and end-of-stream
 * dispatch are the Connection's decision, not Node's.
 *
 * @example
 * ```ts
 * const acceptor = new NetAcceptor(0, resolveListenerConfig({ interface: '127.0.0.1' }));
 * ```
 */
export class NetAcceptor implements Acceptor {
  readonly #port: number;
  readonly #config: ResolvedListenerConfig;
  #server: Server | undefined;

  constructor(port: number, config: ResolvedListenerConfig) {
    this.#port = port;
    this.#config = config;
  }

  listen(handler: AcceptorHandler): Promise<Address> {
    const config = this.#config;
    const endpoint = formatEndpoint(config.interface ?? '*', this.#port);
    const server = createServer({
      allowHalfOpen: true,
      noDelay: config.noDelay,
      keepAlive: config.keepAlive,
      keepAliveInitialDelay: keepAliveDelay(config.keepAliveInitialDelayInMillis),
    });
    this.#server = server;
    // Bound to one address (not a wildcard), every accepted socket's local endpoint is the bound
    // one: it is not asked for per connection. Known once listening.
    let local: Address | undefined;
    server.on('connection', (socket) => {
      // Reset before Node took it (a balancer's health check: connect, header, RST; a port scan):
      // no peer to name and nothing to serve, so it never becomes a connection.
      if (socket.remoteAddress === undefined) {
        socket.on('error', ignore);
        socket.destroy();
        return;
      }
      handler.connection(new SocketWire(socket, undefined, undefined, local));
    });
    return new Promise<Address>((resolve, reject) => {
      const failed = (error: Error): void => {
        this.#server = undefined;
        reject(fromSystemError(error, 'listen', endpoint));
      };
      server.once('error', failed);
      // `reusePort` is known to Node 22.12+ only (checked at construction); older types lack it.
      const options = { port: this.#port, host: config.interface, backlog: config.backlog, ...(config.reusePort ? { reusePort: true } : {}) };
      server.listen(options, () => {
        server.off('error', failed);
        server.on('error', (error) => handler.error(fromSystemError(error, 'listen', endpoint)));
        const bound = server.address();
        if (bound === null || typeof bound === 'string') {
          resolve({ host: config.interface ?? '::', port: this.#port });
        } else {
          const address = { host: plainAddress(bound.address), port: bound.port };
          if (!isAnyAddress(bound.address)) local = Object.freeze({ ...address });
          resolve(address);
        }
      });
    });
  }

  stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined || !server.listening) return Promise.resolve();
    // server.close()'s callback waits for every connection; the listening socket itself is
    // released at once, which is all that stopping to accept means.
    server.close();
    return new Promise((resolve) => setImmediate(resolve));
  }
}
