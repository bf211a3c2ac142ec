import type { Address } from './config.js';
import { validateService, validateTimeout } from './config.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { formatEndpoint, GenericError, invalidArgument, type SocketError } from './errors.js';
import type { Service } from './service.js';
import type { Listener } from './transport.js';
import type { Acceptor, Wire } from './wire.js';

/**
 * What the listener base needs of a resolved listener config.
 *
 * @example
 * ```ts
 * const options: ListenerBaseOptions = { readTimeoutInMillis: 300_000, maxBufferedBytes: 64 << 20, maxConnections: Infinity };
 * ```
 */
export interface ListenerBaseOptions {
  readTimeoutInMillis: number;
  maxBufferedBytes: number;
  maxConnections: number;
}

/** How long `gracefulStop()` lets open connections finish when no time-out is given. */
export const DEFAULT_GRACEFUL_STOP_TIMEOUT_IN_MILLIS = 30_000;

type State = 'idle' | 'starting' | 'listening' | 'stopped';

/**
 * The lifecycle every listener shares (attach/detach, start, graceful and immediate stop, the
 * connection count) over an {@link Acceptor} that a transport provides. Each accepted wire becomes
 * a {@link Connection} driven by the attached service.
 *
 * @example
 * ```ts
 * class MyListener extends ListenerBase {
 *   constructor(port: number) { super(new MyAcceptor(port), { readTimeoutInMillis: 300_000, maxBufferedBytes: 64 << 20, maxConnections: Infinity }); }
 * }
 * ```
 */
export class ListenerBase implements Listener {
  readonly #acceptor: Acceptor;
  readonly #options: ListenerBaseOptions;
  readonly #connections = new Set<Connection>();
  #service: Service | undefined;
  // One options object shared by every connection of the current service.
  #connectionOptions: ConnectionOptions | undefined;
  #state: State = 'idle';
  #address: Address | undefined;
  #started: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;
  #warned = false;

  constructor(acceptor: Acceptor, options: ListenerBaseOptions) {
    this.#acceptor = acceptor;
    this.#options = options;
  }

  get address(): Address | undefined {
    return this.#address === undefined ? undefined : { ...this.#address };
  }

  get connections(): number {
    // Connections stay tracked until their onClose settles (gracefulStop waits for that), but one
    // whose socket has closed is no longer open.
    let open = 0;
    for (const connection of this.#connections) if (!connection.closed) open++;
    return open;
  }

  attach(service: Service): void {
    validateService(service);
    if (this.#service !== undefined && this.#service !== service) {
      throw invalidArgument('this listener already has a service attached; detach it first');
    }
    if (this.#service !== service) this.#connectionOptions = undefined;
    this.#service = service;
  }

  detach(service: Service): void {
    if (this.#service !== service) throw invalidArgument('that service is not attached to this listener');
    // Open connections keep their service; new ones are refused until another is attached.
    this.#service = undefined;
    this.#connectionOptions = undefined;
  }

  start(): Promise<void> {
    if (this.#state === 'stopped') return Promise.reject(new GenericError('CONNECTION_CLOSED', 'this listener was stopped; create a new one'));
    if (this.#started !== undefined) return this.#started;
    if (this.#service === undefined) return Promise.reject(invalidArgument('attach a service before starting the listener'));
    this.#state = 'starting';
    this.#started = this.#acceptor
      .listen({
        connection: (wire) => this.#accept(wire),
        error: (error) => this.#warn(error),
      })
      .then(
        (address) => {
          this.#address = address;
          if (this.#state === 'starting') this.#state = 'listening';
        },
        (error: unknown) => {
          this.#state = 'idle';
          this.#started = undefined;
          throw error;
        },
      );
    return this.#started;
  }

  gracefulStop(options?: { timeoutInMillis?: number }): Promise<void> {
    let timeout = DEFAULT_GRACEFUL_STOP_TIMEOUT_IN_MILLIS;
    try {
      if (options !== undefined) {
        if (typeof options !== 'object' || options === null) throw invalidArgument('gracefulStop options must be an object');
        if (options.timeoutInMillis !== undefined) timeout = validateTimeout(options.timeoutInMillis, 'timeoutInMillis');
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#stop(async () => {
      const open = [...this.#connections];
      if (open.length === 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finished = Promise.all(open.map((connection) => connection.done));
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), timeout);
      });
      const outcome = await Promise.race([finished, expired]);
      clearTimeout(timer);
      if (outcome === 'expired') await this.#destroyAll();
    });
  }

  immediateStop(): Promise<void> {
    return this.#stop(() => this.#destroyAll());
  }

  #stop(drain: () => Promise<void>): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    const wasListening = this.#started;
    this.#state = 'stopped';
    this.#stopped = (async () => {
      // A start still under way must finish binding before the socket can be closed.
      if (wasListening !== undefined) await wasListening.catch(() => undefined);
      await this.#acceptor.stop();
      await drain();
    })();
    return this.#stopped;
  }

  async #destroyAll(): Promise<void> {
    await Promise.all([...this.#connections].map(async (connection) => {
      await connection.destroy();
      await connection.done;
    }));
  }

  #accept(wire: Wire): void {
    const service = this.#service;
    if (this.#state === 'stopped' || service === undefined || (this.#options.maxConnections !== Number.POSITIVE_INFINITY && this.connections >= this.#options.maxConnections)) {
      wire.start({ data() {}, end() {}, error() {}, close() {}, drain() {} });
      wire.destroy();
      return;
    }
    this.#connectionOptions ??= {
      service,
      readTimeoutInMillis: this.#options.readTimeoutInMillis,
      maxBufferedBytes: this.#options.maxBufferedBytes,
      onDone: this.#forget,
    };
    const connection = new Connection(wire, this.#connectionOptions);
    this.#connections.add(connection);
    connection.open();
  }

  readonly #forget = (connection: Connection): void => {
    this.#connections.delete(connection);
  };

  // Faults of the listening socket itself have no caller to go to.
  #warn(error: SocketError): void {
    if (this.#warned) return;
    this.#warned = true;
    const where = this.#address === undefined ? 'listener' : `listener on ${formatEndpoint(this.#address.host, this.#address.port)}`;
    process.emitWarning(`${where}: ${error.message}`, { type: 'SocketWarning', code: error.code });
  }
}
