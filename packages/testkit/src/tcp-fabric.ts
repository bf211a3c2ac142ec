import * as tls from 'node:tls';
import {
  ClientBase,
  connectSignal,
  formatEndpoint,
  GenericError,
  kClosed,
  kDestroy,
  ListenerBase,
  resolveClientConfig,
  resolveListenerConfig,
  validatePort,
  type Acceptor,
  type AcceptorHandler,
  type Address,
  type ClientConfig,
  type ConnectOptions,
  type Dialer,
  type DialOptions,
  type Listener,
  type ListenerConfig,
  type ResolvedClientConfig,
  type ResolvedListenerConfig,
  type SocketError,
  type TcpTransport,
  type Wire,
} from '@sock/core/internal';
import { AddressTable } from './address-table.js';
import type { Host, Route } from './host.js';
import { PipeEnd } from './pipe.js';

export type { LoopbackConnection } from './network.js';

// A connect under way: its client gives up (signal) or its host crashes (fail).
interface PendingDial {
  readonly fail: (error: SocketError) => void;
}

/**
 * The TCP side of one host: its port table, and every client and listener made on it (so that
 * closing the network, or crashing the host, can end them). It is the {@link Dialer} of its
 * clients; each listener binds a {@link LoopbackAcceptor}. Internal; reach it through a host's
 * `tcp` transport.
 *
 * A connect is a packet on the link to the listener's host: it finds a listener there (or not)
 * when it arrives. On a simulation the answer travels back over the reverse link too (accept or
 * refusal); on the loopback network the connect completes where it arrives. Either way a connect
 * that was given up before it arrived never reaches the listener.
 *
 * @example
 * ```ts
 * const fabric = new TcpFabric(host);
 * const transport = fabric.transport;
 * ```
 */
export class TcpFabric implements Dialer<ResolvedClientConfig> {
  table = new AddressTable<LoopbackAcceptor>('tcp');
  readonly host: Host;
  readonly transport: TcpTransport;
  readonly #clients = new Set<LoopbackClient>();
  readonly #listeners = new Set<LoopbackListener>();
  readonly #dials = new Set<PendingDial>();

  constructor(host: Host) {
    this.host = host;
    this.transport = Object.freeze<TcpTransport>({
      connect: (config, options) => LoopbackClient.connect(this, config, options),
      createListener: (port, config) => new LoopbackListener(this, port, config),
    });
  }

  track(client: LoopbackClient): void {
    this.#clients.add(client);
    void client[kClosed].then(() => this.#clients.delete(client));
  }

  trackListener(listener: LoopbackListener): void {
    this.#listeners.add(listener);
  }

  /**
   * Connects to whoever listens at `host:port`, over the link to that host: resolves with the
   * client's end once connected; rejects `CONNECTION_REFUSED`, `HOST_NOT_FOUND`, the signal's
   * reason, or `CONNECTION_CLOSED` when this host crashes meanwhile.
   */
  dial(target: ResolvedClientConfig, { signal }: DialOptions): Promise<Wire> {
    const { host: name, port } = target;
    const where = formatEndpoint(name, port);
    return new Promise<Wire>((resolve, reject) => {
      const unavailable = this.host.unavailable(`cannot connect to ${where}`);
      if (unavailable !== undefined) {
        // The closed loopback network refuses, as it always did; a crashed host runs nothing.
        const error = this.host.network.closed ? new GenericError('CONNECTION_REFUSED', `connection refused by ${where}: the ${this.host.network.label} is closed`) : unavailable;
        queueMicrotask(() => reject(error));
        return;
      }
      const routes = this.host.resolve(name);
      if (routes === undefined) return queueMicrotask(() => reject(new GenericError('HOST_NOT_FOUND', `host of ${where} was not found`)));
      const first = routes[0];
      if (first === undefined) return queueMicrotask(() => reject(new GenericError('CONNECTION_REFUSED', `connection refused by ${where}: no host has that address`)));
      const generation = this.host.generation;
      let done = false;
      const pending: PendingDial = { fail: (error) => finish(() => reject(error)) };
      const aborted = (): void => finish(() => reject(signal!.reason));
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        this.#dials.delete(pending);
        signal?.removeEventListener('abort', aborted);
        settle();
      };
      this.#dials.add(pending);
      signal?.addEventListener('abort', aborted, { once: true });
      // Given up (signal, close, or this host crashed): the connect goes no further.
      const live = (): boolean => !done && this.host.generation === generation && signal?.aborted !== true;
      const refuse = (detail = ''): void => finish(() => reject(new GenericError('CONNECTION_REFUSED', `connection refused by ${where}${detail}`)));
      const network = this.host.network;
      const link = network.link(this.host, first.host);
      link.send(() => {
        if (!live()) return;
        if (network.closed) return refuse(`: the ${network.label} is closed`);
        link.record('tcp:connect');
        // `localhost` tries its addresses in order, as Node's happy-eyeballs connect does.
        let found: { route: Route; acceptor: LoopbackAcceptor } | undefined;
        for (const route of routes) {
          const acceptor = route.host.tcp.table.find(route.ip, port);
          if (acceptor === undefined) continue;
          found = { route, acceptor };
          break;
        }
        if (!network.replies) {
          if (found === undefined) return refuse();
          const { route, acceptor } = found;
          return finish(() => resolve(this.#join(route, port, acceptor, where)));
        }
        const back = network.link(first.host, this.host);
        const serverGeneration = first.host.generation;
        back.send(() => {
          if (!live()) return; // the server never accepts a connect its client gave up
          // Refused, or the listener stopped (or its host crashed) while the answer travelled.
          if (found === undefined || first.host.generation !== serverGeneration || found.acceptor.port === undefined) {
            back.record('tcp:refused');
            return refuse();
          }
          back.record('tcp:accept');
          const { route, acceptor } = found;
          finish(() => resolve(this.#join(route, port, acceptor, where)));
        });
      });
    });
  }

  #join(route: Route, port: number, acceptor: LoopbackAcceptor, where: string): PipeEnd {
    const network = this.host.network;
    const server = route.host;
    const localPort = this.table.reserve(route.source);
    const clientEnd = new PipeEnd(network.link(this.host, server), this.host, where);
    const serverEnd = new PipeEnd(network.link(server, this.host), server);
    PipeEnd.connect(clientEnd, { host: route.source, port: localPort }, serverEnd, { host: route.ip, port });
    const table = this.table;
    network.addConnection(clientEnd, serverEnd, () => table.release(localPort));
    acceptor.accept(serverEnd);
    return clientEnd;
  }

  /** The host crashed: connects under way fail, listeners stop, clients are gone, ports are free. */
  crash(error: SocketError): void {
    for (const dial of [...this.#dials]) dial.fail(error);
    for (const listener of this.#listeners) void listener.immediateStop();
    this.#listeners.clear();
    this.#clients.clear();
    this.table = new AddressTable<LoopbackAcceptor>('tcp');
  }

  /** Closes every client and stops every listener this host made. */
  async close(): Promise<void> {
    for (const dial of [...this.#dials]) dial.fail(new GenericError('CONNECTION_CLOSED', `the ${this.host.network.label} was closed while connecting`));
    await Promise.all([
      ...[...this.#listeners].map((listener) => listener.immediateStop()),
      ...[...this.#clients].map((client) => client[kDestroy]()),
    ]);
  }
}

/**
 * A client on a loopback network or a simulated host: `@sock/core`'s `ClientBase`, as `@sock/tcp`'s
 * `Client` is, with the host as its dialer. Made by `transport.connect()`.
 *
 * @example
 * ```ts
 * const client = await network.tcp.connect({ host: 'localhost', port });
 * await client.write('ping');
 * ```
 */
export class LoopbackClient extends ClientBase<ResolvedClientConfig> {
  /** Throws `INVALID_ARGUMENT` at once for a bad config; connection errors reject `ready`. */
  constructor(fabric: TcpFabric, config: ClientConfig, options?: ConnectOptions) {
    super(resolveClientConfig(config), fabric, connectSignal(options), { tls });
    fabric.track(this);
  }

  /**
   * Connects and resolves once connected.
   *
   * @example
   * ```ts
   * const client = await LoopbackClient.connect(fabric, { host: '127.0.0.1', port });
   * ```
   */
  static async connect(fabric: TcpFabric, config: ClientConfig, options?: ConnectOptions): Promise<LoopbackClient> {
    const client = new LoopbackClient(fabric, config, options);
    await client.ready;
    return client;
  }
}

/**
 * Binds a port on a host and hands each connection's server end to the listener base.
 *
 * @example
 * ```ts
 * const acceptor = new LoopbackAcceptor(fabric, 0, resolveListenerConfig({ interface: '127.0.0.1' }));
 * ```
 */
export class LoopbackAcceptor implements Acceptor {
  readonly #fabric: TcpFabric;
  readonly #port: number;
  readonly #config: ResolvedListenerConfig;
  #handler: AcceptorHandler | undefined;
  #bound: number | undefined;

  constructor(fabric: TcpFabric, port: number, config: ResolvedListenerConfig) {
    this.#fabric = fabric;
    this.#port = port;
    this.#config = config;
  }

  /** The bound port, while listening. */
  get port(): number | undefined {
    return this.#bound;
  }

  async listen(handler: AcceptorHandler): Promise<Address> {
    const unavailable = this.#fabric.host.unavailable(`cannot listen on ${formatEndpoint(this.#config.interface ?? '::', this.#port)}`);
    if (unavailable !== undefined) throw unavailable;
    const host = this.#fabric.host.bindAddress(this.#config.interface, this.#port);
    const port = this.#fabric.table.bind(host, this.#port, this, this.#config.reusePort);
    this.#bound = port;
    this.#handler = handler;
    return { host, port };
  }

  async stop(): Promise<void> {
    if (this.#bound !== undefined) this.#fabric.table.unbind(this.#bound, this);
    this.#bound = undefined;
    this.#handler = undefined;
  }

  /** A client connected: hand its server end to the listener. */
  accept(end: PipeEnd): void {
    if (this.#handler === undefined) end.destroy();
    else this.#handler.connection(end);
  }
}

/**
 * A listener on a loopback network or a simulated host: `@sock/core`'s `ListenerBase`, as
 * `@sock/tcp`'s `Listener` is. Made by `transport.createListener()`.
 *
 * @example
 * ```ts
 * const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
 * listener.attach(echoService());
 * await listener.start();
 * ```
 */
export class LoopbackListener extends ListenerBase implements Listener {
  /** `port` 0 binds an ephemeral port. Bad input throws `INVALID_ARGUMENT`. */
  constructor(fabric: TcpFabric, port: number, config?: ListenerConfig) {
    const resolved = resolveListenerConfig(config);
    super(new LoopbackAcceptor(fabric, validatePort(port, 'port', 0), resolved), resolved, { tls });
    fabric.trackListener(this);
  }
}
