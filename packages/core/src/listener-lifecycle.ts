import type { Address } from './config.js';
import { warnListener } from './diagnostics.js';
import { formatEndpoint, GenericError, invalidArgument, type SocketError } from './errors.js';
import { validateObject, validateTimeout } from './validate.js';

/**
 * How long `gracefulStop()` lets open connections (or running handlers) finish when no time-out is given.
 *
 * @example
 * ```ts
 * await listener.gracefulStop({ timeoutInMillis: DEFAULT_GRACEFUL_STOP_TIMEOUT_IN_MILLIS / 6 });
 * ```
 */
export const DEFAULT_GRACEFUL_STOP_TIMEOUT_IN_MILLIS = 30_000;

/**
 * Options of `gracefulStop`.
 *
 * @example
 * ```ts
 * await listener.gracefulStop({ timeoutInMillis: 5000 });
 * ```
 */
export interface GracefulStopOptions {
  /** How long connections may take to finish; then the rest are closed. 0: close them now. Default 30000. */
  timeoutInMillis?: number;
}

type State = 'idle' | 'starting' | 'listening' | 'stopped';

/**
 * The lifecycle every listener shares, TCP and UDP alike: one service attached at a time
 * (validated on attach), `start()` once (concurrent calls share it; a failed start can be retried),
 * and stops in stages — `gracefulStop` stops accepting, lets the work in progress finish up to a
 * deadline, then forces the rest; `immediateStop` forces everything now. Both are idempotent, safe
 * mid-traffic, and never wait for a service resource that does not settle (subclasses wait for
 * sockets, never for `onClose`). A transport-specific subclass fills in the hooks.
 *
 * @example
 * ```ts
 * class MyListener extends ListenerLifecycle<UdpService> {
 *   protected validate(service: unknown) { return validateUdpService(service); }
 *   protected listen() { return wire.bind(handler); }
 *   protected stopAccepting() { return wire.close(); }
 *   protected settle(deadline: number) { return waitForHandlers(deadline); }
 *   protected destroyAll() { return Promise.resolve(); }
 * }
 * ```
 */
export abstract class ListenerLifecycle<S extends object> {
  #service: S | undefined;
  #state: State = 'idle';
  #address: Address | undefined;
  #started: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;
  #warned = false;

  /** The bound address after `start` (with the real port when 0 was asked for). */
  get address(): Address | undefined {
    return this.#address === undefined ? undefined : { ...this.#address };
  }

  /** The attached service (new connections or datagrams go to it). */
  protected get service(): S | undefined {
    return this.#service;
  }

  /** True once a stop began: new work is refused. */
  protected get stopping(): boolean {
    return this.#state === 'stopped';
  }

  /** Checks a service before it is attached; throws `INVALID_ARGUMENT` naming what is wrong. */
  protected abstract validate(service: unknown): S;
  /** Binds and starts accepting (or receiving); resolves with the bound address. */
  protected abstract listen(): Promise<Address>;
  /** Stops accepting (closes the listening socket). */
  protected abstract stopAccepting(): Promise<void>;
  /** Waits for the work in progress to finish for up to `timeoutInMillis`, then forces the rest; resolves once every socket is closed. */
  protected abstract settle(timeoutInMillis: number): Promise<void>;
  /** Forces everything now; resolves once every socket is closed. */
  protected abstract destroyAll(): Promise<void>;
  /** A service was attached or detached (the subclass may drop what it derived from the old one). */
  protected serviceChanged(): void {}

  attach(service: S): void {
    this.validate(service);
    if (this.#service !== undefined && this.#service !== service) {
      throw invalidArgument('this listener already has a service attached; detach it first');
    }
    if (this.#service !== service) {
      this.#service = service;
      this.serviceChanged();
    }
  }

  detach(service: S): void {
    if (this.#service !== service) throw invalidArgument('that service is not attached to this listener');
    // Open connections keep their service; new ones are refused until another is attached.
    this.#service = undefined;
    this.serviceChanged();
  }

  start(): Promise<void> {
    if (this.#state === 'stopped') return Promise.reject(new GenericError('CONNECTION_CLOSED', 'this listener was stopped; create a new one'));
    if (this.#started !== undefined) return this.#started;
    if (this.#service === undefined) return Promise.reject(invalidArgument('attach a service before starting the listener'));
    this.#state = 'starting';
    this.#started = this.listen().then(
      (address) => {
        this.#address = address;
        if (this.#state === 'starting') this.#state = 'listening';
      },
      (error: unknown) => {
        if (this.#state === 'starting') this.#state = 'idle';
        this.#started = undefined;
        throw error;
      },
    );
    return this.#started;
  }

  gracefulStop(options?: GracefulStopOptions): Promise<void> {
    let timeout = DEFAULT_GRACEFUL_STOP_TIMEOUT_IN_MILLIS;
    try {
      if (options !== undefined) {
        const record = validateObject(options, 'gracefulStop options');
        if (record.timeoutInMillis !== undefined) timeout = validateTimeout(record.timeoutInMillis, 'timeoutInMillis');
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#stop(timeout);
  }

  immediateStop(): Promise<void> {
    return this.#stop(undefined);
  }

  /** `await using listener = ...` stops it at the end of the block (immediately). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.immediateStop();
  }

  // The first stop decides how the work in progress ends (a deadline, or `undefined`: now); a later
  // stop returns the same promise — except that an immediate stop also forces a graceful one that is
  // still waiting.
  #stop(timeoutInMillis: number | undefined): Promise<void> {
    if (this.#stopped !== undefined) {
      if (timeoutInMillis !== undefined) return this.#stopped;
      return Promise.all([this.#stopped, this.destroyAll()]).then(() => undefined);
    }
    const starting = this.#started;
    this.#state = 'stopped';
    this.#stopped = (async () => {
      // A start still under way must finish binding before the socket can be closed.
      if (starting !== undefined) await starting.catch(() => undefined);
      await this.stopAccepting();
      await (timeoutInMillis === undefined ? this.destroyAll() : this.settle(timeoutInMillis));
    })();
    return this.#stopped;
  }

  /** A fault of the listening socket itself has no connection to go to: one warning per listener. */
  protected warn(error: SocketError): void {
    if (this.#warned) return;
    this.#warned = true;
    const where = this.#address === undefined ? 'listener' : `listener on ${formatEndpoint(this.#address.host, this.#address.port)}`;
    warnListener(where, error);
  }
}
