import { formatEndpoint, GenericError, type SocketError } from './errors.js';
import type { ResolvedClientConfig } from './config.js';
import { Connection } from './connection.js';
import type { Client } from './transport.js';
import type { Wire } from './wire.js';

/**
 * `host:port` of where a client connects, as messages name it before the socket knows its peer.
 *
 * @example
 * ```ts
 * clientTarget(resolveClientConfig({ host: '::1', port: 80 })); // '[::1]:80'
 * ```
 */
export function clientTarget(config: ResolvedClientConfig): string {
  return formatEndpoint(config.host, config.port);
}

/**
 * What every TCP client shares, whatever its wire: it is a {@link Connection} that starts out
 * connecting, exposes `ready`, and gives up with `CONNECT_TIMED_OUT` after
 * `connectTimeoutInMillis`. A transport makes the wire, starts connecting it, and calls `open()`
 * once connected or `abort(error)` if that failed.
 *
 * @example
 * ```ts
 * class MyClient extends ClientBase {
 *   constructor(config: ClientConfig) {
 *     const resolved = resolveClientConfig(config);
 *     super(resolved, new MyWire(clientTarget(resolved)));
 *   }
 * }
 * ```
 */
export class ClientBase extends Connection implements Client {
  /** Resolves once connected; rejects e.g. `CONNECTION_REFUSED`, `HOST_NOT_FOUND`, `CONNECT_TIMED_OUT`. */
  readonly ready: Promise<void>;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(config: ResolvedClientConfig, wire: Wire) {
    const target = clientTarget(config);
    super(wire, {
      service: config.callbackService,
      readTimeoutInMillis: config.readTimeoutInMillis,
      maxBufferedBytes: config.maxBufferedBytes,
      connecting: true,
      target,
    });
    this.ready = this.opened;
    const limit = config.connectTimeoutInMillis;
    if (limit > 0) {
      this.#timer = setTimeout(() => {
        this.abort(new GenericError('CONNECT_TIMED_OUT', `connecting to ${target} timed out after ${limit} ms`));
      }, limit);
    }
  }

  override open(): void {
    this.#stopTimer();
    super.open();
  }

  override abort(error: SocketError): void {
    this.#stopTimer();
    super.abort(error);
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
