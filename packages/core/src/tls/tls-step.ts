import { GenericError } from '../errors.js';
import type { AcceptStep } from '../stream/accept-step.js';
import type { ResolvedListenerSecureSocket } from './secure-socket.js';
import { handshakeTimedOut } from './tls-errors.js';
import type { TlsModule } from './tls-module.js';
import { ServerTls } from './server-tls.js';

/**
 * The TLS accept step of a listener with `secureSocket`: the server handshake, within
 * `handshakeTimeoutInMillis`, before `onConnect`. A failed or timed-out handshake never reaches the
 * service (`TLS_FAILED` on `sock:error`). The secure context is built here, at construction.
 *
 * @example
 * ```ts
 * const steps = [tlsAcceptStep(tls, resolveListenerSecureSocket({ cert, key }))];
 * ```
 */
export function tlsAcceptStep(tls: TlsModule, secure: ResolvedListenerSecureSocket): AcceptStep {
  const server = ServerTls.for(tls, secure);
  return Object.freeze<AcceptStep>({
    name: 'TLS handshake',
    timeoutInMillis: secure.handshakeTimeoutInMillis,
    timedOut: (peer) => handshakeTimedOut(peer, secure.handshakeTimeoutInMillis),
    async run(wire, { signal }) {
      if (wire.detach === undefined) throw new GenericError('INVALID_ARGUMENT', 'this transport cannot carry TLS');
      return server.accept(wire.detach(), wire.info, signal);
    },
  });
}
