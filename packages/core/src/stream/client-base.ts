import type { ResolvedClientConfig } from '../config.js';
import { ClientTls } from '../tls/client-tls.js';
import type { TransportFeatures } from '../tls/tls-module.js';
import { tlsDialer } from '../tls/tls-dialer.js';
import { formatEndpoint, fromSystemError, GenericError, invalidArgument, isSocketError, type SocketError } from '../errors.js';
import type { Client } from '../transport.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { chooseDelivery } from './deliveries.js';
import { kAbort, kAttach } from './symbols.js';
import { CancelSource } from './cancel-signal.js';
import type { Dialer } from './wire.js';
import { actionTimer } from '../util/spare-timer.js';
import { validateObject } from '../validate.js';

// The connect time-out timer clients lend one after another (see SpareTimer): a process that
// connects one client at a time makes no timer per connect.
const connectTimer = actionTimer();

/**
 * Options of one connect.
 *
 * @example
 * ```ts
 * const client = await Client.connect(config, { signal: AbortSignal.timeout(2000) });
 * ```
 */
export interface ConnectOptions {
  /** Aborting gives up connecting: `ready` rejects with the signal's reason; no socket stays open. */
  signal?: AbortSignal;
}

/**
 * `host:port` of where a client connects, as messages name it before the socket knows its peer.
 *
 * @example
 * ```ts
 * clientTarget({ host: '::1', port: 80 }); // '[::1]:80'
 * ```
 */
export function clientTarget(config: { host: string; port: number }): string {
  return formatEndpoint(config.host, config.port);
}

/**
 * Checks the options of one connect.
 *
 * @example
 * ```ts
 * const signal = connectSignal({ signal: controller.signal });
 * ```
 */
export function connectSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  validateObject(options, 'connect options');
  const signal = (options as ConnectOptions).signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('signal must be an AbortSignal');
  return signal;
}

/**
 * What every TCP client shares, whatever its transport: it is a {@link Connection} that starts out
 * connecting and owns the dial — `ready`, the connect time-out (`CONNECT_TIMED_OUT`), abort by
 * signal or by `close()`, and the operations made meanwhile (they wait, or reject with the connect
 * error). A transport supplies only a {@link Dialer}.
 *
 * @example
 * ```ts
 * class MyClient extends ClientBase {
 *   constructor(config: ClientConfig) {
 *     super(resolveClientConfig(config), myDialer);
 *   }
 * }
 * ```
 */
export class ClientBase<C extends ResolvedClientConfig = ResolvedClientConfig> extends Connection implements Client {
  /** Resolves once connected; rejects e.g. `CONNECTION_REFUSED`, `HOST_NOT_FOUND`, `CONNECT_TIMED_OUT`. */
  readonly ready: Promise<void>;
  #dial: CancelSource | undefined;

  /**
   * `features` is what the transport brings (`node:tls`: then `secureSocket` and `startTls` work).
   * Throws `INVALID_ARGUMENT` for a `secureSocket` whose certificate, key or CA TLS cannot use.
   */
  constructor(config: C, dialer: Dialer<C>, signal?: AbortSignal, features: TransportFeatures = {}) {
    const target = clientTarget(config);
    const secure = config.secureSocket;
    let dial = dialer;
    if (secure !== undefined) {
      if (features.tls === undefined) throw invalidArgument('this transport has no TLS: secureSocket is not available');
      dial = tlsDialer(dialer, ClientTls.for(features.tls, secure));
    }
    super(clientOptions(config, target, features));
    this.ready = this.opened;
    if (signal?.aborted === true) {
      this[kAbort](signal.reason as SocketError);
      return;
    }
    const controller = new CancelSource();
    this.#dial = controller;
    const limit = config.connectTimeoutInMillis;
    const timedOut =
      limit > 0 ? (): void => controller.abort(new GenericError('CONNECT_TIMED_OUT', `connecting to ${target} timed out after ${limit} ms`)) : undefined;
    const timer = timedOut === undefined ? undefined : (connectTimer.take(timedOut, limit) ?? setTimeout(timedOut, limit));
    const onAbort = signal === undefined ? undefined : (): void => controller.abort(signal.reason);
    if (onAbort !== undefined) signal!.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => {
      this.#dial = undefined;
      if (timedOut !== undefined) connectTimer.finish(timedOut, timer);
      if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
    };
    dial.dial(config, { signal: controller }).then(
      (wire) => {
        settle();
        this[kAttach](wire);
      },
      (error: unknown) => {
        settle();
        // Given up by the caller's signal: reject with its reason as it is, as Node's own APIs do.
        const byCaller = signal?.aborted === true && error === signal.reason;
        this[kAbort](byCaller ? (error as SocketError) : toSocketError(error, target));
      },
    );
  }

  override close(): Promise<void> {
    // Closing while connecting gives the dial up too: no socket stays open behind the client.
    this.#dial?.abort(new GenericError('CONNECTION_CLOSED', 'the client was closed while connecting'));
    return super.close();
  }

  /** `await using client = await Client.connect(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function clientOptions(config: ResolvedClientConfig, target: string, features: TransportFeatures): ConnectionOptions {
  return {
    role: 'client',
    host: config.host,
    features,
    service: config.callbackService,
    delivery: chooseDelivery(config.callbackService, config.framing),
    readTimeoutInMillis: config.readTimeoutInMillis,
    maxBufferedBytes: config.maxBufferedBytes,
    idleTimeoutInMillis: config.idleTimeoutInMillis,
    writeTimeoutInMillis: config.writeTimeoutInMillis,
    target,
  };
}

// What a dialer rejects with that is not a SocketError yet is mapped, naming the target.
function toSocketError(error: unknown, target: string): SocketError {
  if (isSocketError(error)) return error;
  return fromSystemError(error, 'connect', target);
}

