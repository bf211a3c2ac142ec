import type { Address, ClientConfig, ListenerConfig, UdpClientConfig, UdpListenerConfig } from './config.js';
import type { SocketError } from './errors.js';
import type { Caller, ReadOptions, Service } from './service.js';

/**
 * A connecting or connected TCP client. It is the `caller` of its own callback service.
 *
 * @example
 * ```ts
 * const client: Client = await tcp.connect({ host: 'localhost', port });
 * await client.write('hello');
 * ```
 */
export interface Client extends Caller {
  /** Resolves once connected; rejects with the connect error (e.g. `CONNECTION_REFUSED`). */
  readonly ready: Promise<void>;
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
  /** Stops accepting, lets open connections finish, closes the rest at the time-out. */
  gracefulStop(options?: { timeoutInMillis?: number }): Promise<void>;
  /** Closes everything now. */
  immediateStop(): Promise<void>;
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
  connect(config: ClientConfig): Promise<Client>;
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
export interface UdpClient {
  /** Resolves once bound. */
  readonly ready: Promise<void>;
  readonly localAddress: Address | undefined;
  /** Datagrams dropped because the receive queue was full. */
  readonly droppedDatagrams: number;
  sendTo(data: Uint8Array | string, address: Address): Promise<number>;
  /** One datagram; with `length` n, datagrams gathered until exactly n bytes. */
  receiveFrom(length?: number, options?: ReadOptions): Promise<Datagram>;
  close(): Promise<void>;
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
  gracefulStop(): Promise<void>;
  immediateStop(): Promise<void>;
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
}
