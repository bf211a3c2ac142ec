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
  type Caller,
  type ClientConfig,
  type ConnectOptions,
  type Dialer,
  type DialOptions,
  type Listener,
  type ListenerConfig,
  type ResolvedClientConfig,
  type ResolvedListenerConfig,
  type TcpTransport,
  type Wire,
} from '@sock/core/internal';
import { AddressTable, resolveBindHost, resolveHost } from './address-table.js';
import type { Link } from './link.js';
import { PipeEnd } from './pipe.js';

/**
 * One TCP connection on a loopback network, as `network.connections()` lists it: pick one and
 * `reset()` it, or look at how many bytes are held back in flight.
 *
 * @example
 * ```ts
 * const [first] = network.connections();
 * first?.reset(); // both ends see CONNECTION_RESET
 * ```
 */
export interface LoopbackConnection {
  /** `tcp-1`, `tcp-2`, ... in the order the connections were made on this network. */
  readonly id: string;
  /** The client's end (its local address). */
  readonly client: Address;
  /** The listener's end (the address the client connected to). */
  readonly server: Address;
  /** False once both ends have closed. */
  readonly open: boolean;
  /** Bytes written but not yet taken by the other end, each way (grows when a reader is slow). */
  readonly bufferedBytes: { readonly toServer: number; readonly toClient: number };
  /** Aborts the connection like a TCP RST: both ends report `CONNECTION_RESET`, then close. */
  reset(): void;
}

interface ConnectionRecord {
  readonly info: LoopbackConnection;
  readonly clientEnd: PipeEnd;
  readonly serverEnd: PipeEnd;
}

/**
 * The TCP half of a loopback network: its port table, its connections, and every client and
 * listener it made (so that `network.close()` can close them). It is a {@link Dialer} for its
 * clients; each listener binds a {@link LoopbackAcceptor}. Internal; reach it through
 * `createLoopbackNetwork()`.
 *
 * @example
 * ```ts
 * const fabric = new TcpFabric(link);
 * const transport = fabric.transport;
 * ```
 */
export class TcpFabric implements Dialer<ResolvedClientConfig> {
  readonly table = new AddressTable<LoopbackAcceptor>('tcp');
  readonly link: Link;
  readonly transport: TcpTransport;
  readonly #connections = new Set<ConnectionRecord>();
  readonly #clients = new Set<LoopbackClient>();
  readonly #listeners = new Set<LoopbackListener>();
  #count = 0;
  #closed = false;

  constructor(link: Link) {
    this.link = link;
    this.transport = Object.freeze<TcpTransport>({
      connect: (config, options) => LoopbackClient.connect(this, config, options),
      createListener: (port, config) => new LoopbackListener(this, port, config),
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  connections(): LoopbackConnection[] {
    return [...this.#connections].map((record) => record.info);
  }

  /** Resets the connections that `target` (a caller, or a port used by either end) belongs to. */
  reset(target: Caller | number): number {
    const matches = [...this.#connections].filter(({ clientEnd, serverEnd }) => {
      if (typeof target === 'number') return clientEnd.info.localPort === target || serverEnd.info.localPort === target;
      return [clientEnd, serverEnd].some(
        ({ info }) =>
          info.localPort === target.localPort &&
          info.remotePort === target.remotePort &&
          info.localAddress === target.localAddress &&
          info.remoteAddress === target.remoteAddress,
      );
    });
    for (const record of matches) record.info.reset();
    return matches.length;
  }

  track(client: LoopbackClient): void {
    this.#clients.add(client);
    void client[kClosed].then(() => this.#clients.delete(client));
  }

  trackListener(listener: LoopbackListener): void {
    this.#listeners.add(listener);
  }

  /**
   * Connects to whoever listens at `host:port`, after the link's latency: resolves with the
   * client's end once the listener's end is accepted; rejects `CONNECTION_REFUSED`,
   * `HOST_NOT_FOUND`, or the signal's reason.
   */
  dial(target: ResolvedClientConfig, { signal }: DialOptions): Promise<Wire> {
    const { host, port } = target;
    const where = formatEndpoint(host, port);
    return new Promise<Wire>((resolve, reject) => {
      const aborted = (): void => reject(signal!.reason);
      signal?.addEventListener('abort', aborted, { once: true });
      this.link.schedule(() => {
        signal?.removeEventListener('abort', aborted);
        if (signal?.aborted === true) return; // given up meanwhile: it never reaches the listener
        if (this.#closed) return reject(new GenericError('CONNECTION_REFUSED', `connection refused by ${where}: the loopback network is closed`));
        const addresses = resolveHost(host);
        if (addresses === undefined) return reject(new GenericError('HOST_NOT_FOUND', `host of ${where} was not found`));
        for (const ip of addresses) {
          const acceptor = this.table.find(ip, port);
          if (acceptor === undefined) continue;
          return resolve(this.#join(ip, port, acceptor, where));
        }
        return reject(new GenericError('CONNECTION_REFUSED', `connection refused by ${where}`));
      });
    });
  }

  #join(ip: string, port: number, acceptor: LoopbackAcceptor, where: string): PipeEnd {
    const localPort = this.table.reserve(ip);
    const clientEnd = new PipeEnd(this.link, where);
    const serverEnd = new PipeEnd(this.link);
    PipeEnd.connect(clientEnd, { host: ip, port: localPort }, serverEnd, { host: ip, port });
    this.#count += 1;
    const record: ConnectionRecord = {
      clientEnd,
      serverEnd,
      info: Object.freeze({
        id: `tcp-${this.#count}`,
        client: Object.freeze({ host: ip, port: localPort }),
        server: Object.freeze({ host: ip, port }),
        get open() {
          return !(clientEnd.closed && serverEnd.closed);
        },
        get bufferedBytes() {
          return { toServer: clientEnd.bufferedBytes, toClient: serverEnd.bufferedBytes };
        },
        reset: () => clientEnd.reset(),
      }),
    };
    this.#connections.add(record);
    const forget = (): void => {
      if (!clientEnd.closed || !serverEnd.closed) return;
      this.#connections.delete(record);
      this.table.release(localPort);
    };
    clientEnd.onClosed = forget;
    serverEnd.onClosed = forget;
    acceptor.accept(serverEnd);
    return clientEnd;
  }

  /** Closes every client and stops every listener this network made. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([
      ...[...this.#listeners].map((listener) => listener.immediateStop()),
      ...[...this.#clients].map((client) => client[kDestroy]()),
    ]);
  }
}

/**
 * A client on a loopback network: `@sock/core`'s `ClientBase`, as `@sock/tcp`'s `Client` is, with
 * the network as its dialer. Made by `network.tcp.connect()`.
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
 * Binds a port on a loopback network and hands each connection's server end to the listener base.
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

  async listen(handler: AcceptorHandler): Promise<Address> {
    if (this.#fabric.closed) {
      throw new GenericError('CONNECTION_CLOSED', `cannot listen on ${formatEndpoint(this.#config.interface ?? '::', this.#port)}: the loopback network is closed`);
    }
    const host = resolveBindHost(this.#config.interface, this.#port);
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
 * A listener on a loopback network: `@sock/core`'s `ListenerBase`, as `@sock/tcp`'s `Listener` is.
 * Made by `network.tcp.createListener()`.
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
