import type { Address, ResolvedListenerConfig } from '../config.js';
import { publishError } from '../diagnostics.js';
import { GenericError, isSocketError, type SocketError } from '../errors.js';
import { ListenerLifecycle } from '../listener-lifecycle.js';
import { validateService, type Service } from '../service.js';
import type { Listener } from '../transport.js';
import type { TransportFeatures } from '../tls/tls-module.js';
import { runAcceptSteps, type AcceptStep } from './accept-step.js';
import { CancelSource } from './cancel-signal.js';
import { acceptStepsFor, type AcceptStepOptions } from './accept-steps.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { chooseDelivery } from './deliveries.js';
import { kDestroy, kOpen } from './symbols.js';
import { kWireClose, kWireData, kWireDrain, kWireEnd, kWireError, peerName, type Acceptor, type Wire, type WireHandler } from './wire.js';

/**
 * What the listener base reads of a resolved listener config (a transport's config may have more).
 *
 * @example
 * ```ts
 * const options: ListenerBaseConfig = resolveListenerConfig({ maxConnections: 100 });
 * ```
 */
export type ListenerBaseConfig = Pick<
  ResolvedListenerConfig,
  'readTimeoutInMillis' | 'maxBufferedBytes' | 'idleTimeoutInMillis' | 'writeTimeoutInMillis' | 'maxConnections' | 'framing'
> &
  AcceptStepOptions;

// A refused wire's events go nowhere.
const IGNORE: WireHandler = { [kWireData]() {}, [kWireEnd]() {}, [kWireError]() {}, [kWireClose]() {}, [kWireDrain]() {} };

/**
 * The TCP listener every transport shares, over an {@link Acceptor} that the transport provides:
 * each accepted wire passes the accept steps (TLS handshake, PROXY header — each with a deadline
 * and the listener's shutdown signal), then becomes a {@link Connection} driven by the attached
 * service. `maxConnections` refuses at accept, before any service code runs. Stops wait for sockets,
 * never for a service resource.
 *
 * @example
 * ```ts
 * class MyListener extends ListenerBase {
 *   constructor(port: number, config?: ListenerConfig) {
 *     const resolved = resolveListenerConfig(config);
 *     super(new MyAcceptor(port, resolved), resolved);
 *   }
 * }
 * ```
 */
export class ListenerBase extends ListenerLifecycle<Service> implements Listener {
  readonly #acceptor: Acceptor;
  readonly #config: ListenerBaseConfig;
  readonly #steps: readonly AcceptStep[];
  readonly #features: TransportFeatures;
  // Connections whose socket is open: the count is the set's size, O(1).
  readonly #connections = new Set<Connection>();
  // Wires still in the accept steps.
  readonly #accepting = new Set<Wire>();
  #refused = 0;
  // One options object shared by every connection of the current service.
  #connectionOptions: ConnectionOptions | undefined;
  #shutdown: CancelSource | undefined;
  // Set by an immediate stop (or a graceful one at its deadline): connections still in their accept
  // steps are given up. A graceful stop lets them finish and serves them.
  #forced = false;
  // Resolves a stop that waits for every socket to close.
  #drained: (() => void) | undefined;

  /**
   * `features` is what the transport brings (`node:tls`: then `secureSocket` and `startTls` work).
   * The accept steps the config asks for are built here: a bad `secureSocket` throws `INVALID_ARGUMENT`.
   */
  constructor(acceptor: Acceptor, config: ListenerBaseConfig, features: TransportFeatures = {}) {
    super();
    this.#acceptor = acceptor;
    this.#config = config;
    this.#features = features;
    this.#steps = acceptStepsFor(config, features);
  }

  /** Open connections now (not counting those still in an accept step). */
  get connections(): number {
    return this.#connections.size;
  }

  /** Connections refused at accept because of `maxConnections` (or because no service was attached). */
  get refusedConnections(): number {
    return this.#refused;
  }

  protected validate(service: unknown): Service {
    return validateService(service, { framing: this.#config.framing !== undefined });
  }

  protected override serviceChanged(): void {
    this.#connectionOptions = undefined;
  }

  protected listen(): Promise<Address> {
    return this.#acceptor.listen({
      connection: (wire) => this.#accept(wire),
      error: (error) => this.warn(error),
    });
  }

  protected stopAccepting(): Promise<void> {
    return this.#acceptor.stop();
  }

  protected async settle(timeoutInMillis: number): Promise<void> {
    if (this.#open === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutInMillis);
    });
    const outcome = await Promise.race([this.#allClosed(), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') await this.destroyAll();
  }

  protected async destroyAll(): Promise<void> {
    this.#forced = true;
    this.#shutdown?.abort(new GenericError('CONNECTION_CLOSED', 'the listener stopped'));
    for (const wire of this.#accepting) wire.destroy();
    for (const connection of this.#connections) void connection[kDestroy]();
    await this.#allClosed();
  }

  get #open(): number {
    return this.#connections.size + this.#accepting.size;
  }

  #allClosed(): Promise<'closed'> {
    if (this.#open === 0) return Promise.resolve('closed');
    return new Promise((resolve) => {
      const previous = this.#drained;
      this.#drained = () => {
        previous?.();
        resolve('closed');
      };
    });
  }

  #checkDrained(): void {
    if (this.#open !== 0 || this.#drained === undefined) return;
    const drained = this.#drained;
    this.#drained = undefined;
    drained();
  }

  #accept(wire: Wire): void {
    const service = this.service;
    if (this.stopping || service === undefined || this.#open >= this.#config.maxConnections) {
      this.#refused++;
      wire.start(IGNORE);
      wire.destroy();
      return;
    }
    if (this.#steps.length === 0) {
      this.#admit(wire, service);
      return;
    }
    this.#accepting.add(wire);
    const shutdown = (this.#shutdown ??= new CancelSource());
    runAcceptSteps(wire, this.#steps, shutdown).then(
      (ready) => {
        this.#accepting.delete(wire);
        const current = this.service;
        // Accepted before the stop: a graceful stop serves it; only a forced one gives it up.
        if (this.#forced || current === undefined) {
          ready.start(IGNORE);
          ready.destroy();
          this.#checkDrained();
          return;
        }
        this.#admit(ready, current);
      },
      (error: unknown) => {
        this.#accepting.delete(wire);
        const failure: SocketError = isSocketError(error)
          ? error
          : new GenericError('GENERIC', `accepting a connection from ${peerName(wire.info)} failed`, error);
        publishError(undefined, failure, peerName(wire.info));
        wire.start(IGNORE);
        wire.destroy();
        this.#checkDrained();
      },
    );
  }

  #admit(wire: Wire, service: Service): void {
    const config = this.#config;
    this.#connectionOptions ??= {
      role: 'server',
      features: this.#features,
      service,
      delivery: chooseDelivery(service, config.framing),
      readTimeoutInMillis: config.readTimeoutInMillis,
      maxBufferedBytes: config.maxBufferedBytes,
      idleTimeoutInMillis: config.idleTimeoutInMillis,
      writeTimeoutInMillis: config.writeTimeoutInMillis,
      onClosed: this.#forget,
    };
    const connection = new Connection(this.#connectionOptions, wire);
    this.#connections.add(connection);
    connection[kOpen]();
  }

  readonly #forget = (connection: Connection): void => {
    this.#connections.delete(connection);
    this.#checkDrained();
  };
}
