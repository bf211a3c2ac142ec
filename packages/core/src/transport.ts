import type { Address, ClientConfig, ListenerConfig, UdpClientConfig, UdpConnectConfig, UdpListenerConfig } from './config.js';
import type { SocketError } from './errors.js';
import type { GracefulStopOptions } from './listener-lifecycle.js';
import type { Caller, ReadOptions, Service } from './service.js';
import type { ConnectOptions } from './stream/client-base.js';

/**
 * A connecting or connected TCP client. It is the `caller` of its own callback service.
 *
 * @example
 * ```ts
 * const client: Client = await tcp.connect({ host: 'localhost', port });
 * await client.write('hello');
 * ```
 */
export interface Client extends Caller, AsyncIterable<Buffer> {
  /** Resolves once connected; rejects with the connect error (e.g. `CONNECTION_REFUSED`). */
  readonly ready: Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A TCP listener: one service, called per accepted connection with its {@link Caller}.
 *
 * @example
 * ```ts
 * const listener = tcp.createListener(0, { interface: '127.0.0.1' });
 * listener.attach(echoService);
 * await listener.start();
 * ```
 */
export interface Listener {
  attach(service: Service): void;
  detach(service: Service): void;
  /** Binds and starts accepting; rejects `ADDRESS_IN_USE`, ... */
  start(): Promise<void>;
  /** The bound address after `start` (with the real port when 0 was asked for). */
  readonly address: Address | undefined;
  /** Open connections now. */
  readonly connections: number;
  /** Connections refused at accept because of `maxConnections`. */
  readonly refusedConnections: number;
  /** Stops accepting, lets open connections finish, closes the rest at the time-out; resolves once every socket is closed. */
  gracefulStop(options?: GracefulStopOptions): Promise<void>;
  /** Closes everything now; resolves once every socket is closed. */
  immediateStop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Opens connections and listeners. Code written against it runs unchanged on `tcp` (real sockets)
 * and on the test kit's loopback network.
 *
 * @example
 * ```ts
 * async function greet(transport: TcpTransport, port: number) {
 *   const client = await transport.connect({ host: 'localhost', port });
 *   await client.write('hi');
 *   return client.read(2);
 * }
 * ```
 */
export interface TcpTransport {
  connect(config: ClientConfig, options?: ConnectOptions): Promise<Client>;
  createListener(port: number, config?: ListenerConfig): Listener;
}

/**
 * One datagram and its sender (numeric IP).
 *
 * @example
 * ```ts
 * const { data, address } = await client.receiveFrom();
 * ```
 */
export interface Datagram {
  data: Buffer;
  address: Address;
}

/**
 * A UDP socket: the seed's `socket:UdpClient`.
 *
 * @example
 * ```ts
 * const client = udp.createUdpClient();
 * await client.sendTo('Hello from UDP client', { host: 'localhost', port: 48826 });
 * ```
 */
export interface UdpClient extends AsyncIterable<Datagram> {
  /** Resolves once bound. */
  readonly ready: Promise<void>;
  readonly localAddress: Address | undefined;
  /** Datagrams dropped because the receive queue was full. */
  readonly droppedDatagrams: number;
  sendTo(data: Uint8Array | string, address: Address): Promise<number>;
  /** One datagram; with `length` n, datagrams gathered until exactly n bytes. */
  receiveFrom(length?: number, options?: ReadOptions): Promise<Datagram>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A UDP socket fixed to one peer (connected mode): datagrams from anyone else are ignored.
 *
 * @example
 * ```ts
 * const client = await udp.connect({ host: '127.0.0.1', port: 48826 });
 * await client.write('ping');
 * const reply = await client.read(undefined, { timeoutInMillis: 2000 });
 * ```
 */
export interface UdpConnectedClient {
  /** Resolves once bound and connected. */
  readonly ready: Promise<void>;
  readonly localAddress: Address | undefined;
  readonly remoteAddress: Address | undefined;
  /** Datagrams dropped because the receive queue was full. */
  readonly droppedDatagrams: number;
  write(data: Uint8Array | string): Promise<number>;
  read(length?: number, options?: ReadOptions): Promise<Buffer>;
  /** A closed peer port rejects waiting reads `CONNECTION_REFUSED`. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The sender of one datagram, as a {@link UdpService} sees it.
 *
 * @example
 * ```ts
 * const bot: UdpService = { onDatagram: (d, caller) => void caller.reply('hi there!') };
 * ```
 */
export interface UdpCaller {
  readonly address: Address;
  reply(data: Uint8Array | string): Promise<number>;
  sendTo(data: Uint8Array | string, address: Address): Promise<number>;
}

/**
 * The resources of a UDP listener's service.
 *
 * @example
 * ```ts
 * const service: UdpService = {
 *   async onDatagram(datagram, caller) { await caller.reply(datagram.data); },
 * };
 * ```
 */
export interface UdpService {
  onDatagram(datagram: Datagram, caller: UdpCaller): void | Promise<void>;
  onError?(caller: UdpCaller | undefined, error: SocketError): void | Promise<void>;
}

/**
 * A UDP listener answering datagrams with a {@link UdpService}.
 *
 * @example
 * ```ts
 * const listener = udp.createListener(0, { interface: '127.0.0.1' });
 * listener.attach(service);
 * await listener.start();
 * ```
 */
export interface UdpListener {
  attach(service: UdpService): void;
  detach(service: UdpService): void;
  start(): Promise<void>;
  readonly address: Address | undefined;
  /** Stops receiving; waits for running `onDatagram` calls up to the time-out. */
  gracefulStop(options?: GracefulStopOptions): Promise<void>;
  immediateStop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Opens UDP clients and listeners, on `udp` (real sockets) or the test kit's loopback network.
 *
 * @example
 * ```ts
 * const client = transport.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
 * ```
 */
export interface UdpTransport {
  createUdpClient(config?: UdpClientConfig): UdpClient;
  createListener(port: number, config?: UdpListenerConfig): UdpListener;
  /** Connected mode: a socket fixed to one peer; resolves once bound and connected. */
  connect(config: UdpConnectConfig): Promise<UdpConnectedClient>;
}
