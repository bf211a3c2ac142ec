import { GenericError } from '../errors.js';
import type { Dialer, DialOptions, DialTarget, Wire } from '../stream/wire.js';
import { ClientTls } from './client-tls.js';

/**
 * A dialer that speaks TLS: the transport's own dialer connects, then the client handshake runs over
 * the connected stream. The client base does not know the difference.
 *
 * @example
 * ```ts
 * const dialer = config.secureSocket === undefined ? netDialer : tlsDialer(netDialer, ClientTls.for(tls, config.secureSocket));
 * ```
 */
export function tlsDialer<T extends DialTarget>(inner: Dialer<T>, client: ClientTls): Dialer<T> {
  return {
    async dial(target: T, options: DialOptions): Promise<Wire> {
      const wire = await inner.dial(target, options);
      if (wire.detach === undefined) {
        wire.destroy();
        throw new GenericError('INVALID_ARGUMENT', 'this transport cannot carry TLS');
      }
      return client.upgrade(wire.detach(), wire.info, target.host, options.signal);
    },
  };
}
