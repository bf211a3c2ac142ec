import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  formatEndpoint,
  fromSystemError,
  GenericError,
  invalidArgument,
  type Address,
  type DatagramHandler,
  type DatagramWire,
  type Operation,
  type SocketError,
} from '@sock/core';
import type { ResolvedUdpSocketOptions } from './socket-options.js';

/**
 * The kind of socket a {@link DgramWire} opened: `udp4`; `udp6` bound to one IPv6 address; or
 * `dual`, a `udp6` socket bound to `::` that also reaches IPv4 peers as IPv4-mapped addresses.
 *
 * @example
 * ```ts
 * if (wire.family === 'udp4') console.log('IPv4 only');
 * ```
 */
export type DgramFamily = 'udp4' | 'udp6' | 'dual';

/**
 * Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`; users expect `a.b.c.d`.
 *
 * @example
 * ```ts
 * plainAddress('::ffff:127.0.0.1'); // '127.0.0.1'
 * ```
 */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * Options of a {@link DgramWire}.
 *
 * @example
 * ```ts
 * const options: DgramWireOptions = { host: '127.0.0.1', port: 0 };
 * ```
 */
export interface DgramWireOptions {
  /** Address to bind (a name is looked up once); undefined: all interfaces. */
  host?: string | undefined;
  /** Port to bind; 0: ephemeral. */
  port: number;
  /** Connected mode: the socket is connected to this peer and every other sender is ignored. */
  remote?: Address | undefined;
  /** Applied right after binding. */
  socketOptions?: ResolvedUdpSocketOptions | undefined;
  /** Observes each fault the bound socket reports (also given to the handler's `error`). */
  onFault?: ((error: SocketError) => void) | undefined;
}

// Codes with which a host without IPv6 refuses a udp6 socket; the dual-stack default then falls
// back to udp4 on 0.0.0.0.
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EADDRNOTAVAIL']);
// Codes with which the kernel refuses a multicast membership request that is the caller's fault.
const BAD_MEMBERSHIP = new Set(['EINVAL', 'EADDRNOTAVAIL', 'ENODEV', 'EADDRINUSE', 'ENOPROTOOPT']);

const noop = (): void => {};

async function resolveHost(host: string, family: 0 | 4 | 6, endpoint: string, operation: Operation): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host, { family })).address;
  } catch (error) {
    throw fromSystemError(error, operation, endpoint);
  }
}

/**
 * A `node:dgram` socket as a {@link DatagramWire}. It picks `udp4` or `udp6` from the bind address
 * (or, in connected mode without one, from the peer); with no bind address it opens a dual-stack
 * `udp6` socket on `::`, so one default client talks to `127.0.0.1` and `::1` alike (it falls back
 * to `udp4` on `0.0.0.0` where the host has no IPv6). It always listens for `'error'`, maps Node
 * errors with `fromSystemError` naming the endpoint, and reports senders as numeric addresses
 * (`::ffff:`-prefix stripped).
 *
 * @example
 * ```ts
 * const config = resolveUdpClientConfig({ localAddress: { host: '127.0.0.1', port: 0 } });
 * const client = new UdpClientBase(new DgramWire({ host: '127.0.0.1', port: 0 }), config);
 * ```
 */
export class DgramWire implements DatagramWire {
  readonly #options: DgramWireOptions;
  #socket: Socket | undefined;
  #family: DgramFamily | undefined;
  #local: Address | undefined;
  #remote: Address | undefined;
  #handler: DatagramHandler | undefined;
  #waiter: ((error: Error) => void) | undefined;
  #binding: Promise<Address> | undefined;
  #closing: Promise<void> | undefined;
  #socketClosed: Promise<void> | undefined;
  #bound = false;

  constructor(options: DgramWireOptions) {
    this.#options = options;
  }

  /** The kind of socket opened, once bound. */
  get family(): DgramFamily | undefined {
    return this.#family;
  }

  /** The bound address (numeric), once bound. */
  get localAddress(): Address | undefined {
    return this.#local === undefined ? undefined : { ...this.#local };
  }

  /** Connected mode: the peer's numeric address, once connected. */
  get remoteAddress(): Address | undefined {
    return this.#remote === undefined ? undefined : { ...this.#remote };
  }

  bind(handler: DatagramHandler): Promise<Address> {
    if (this.#binding !== undefined) return Promise.reject(invalidArgument('this datagram wire is already bound'));
    this.#handler = handler;
    this.#binding = this.#bind();
    return this.#binding;
  }

  async send(data: Buffer, to: Address): Promise<void> {
    const socket = this.#socket;
    const endpoint = formatEndpoint(to.host, to.port);
    if (socket === undefined || !this.#bound || this.#closing !== undefined) throw this.#closedError();
    const remote = this.#remote;
    if (remote !== undefined) {
      // Connected: the kernel knows the peer; `to` only names it in messages.
      await this.#sendOn(socket, data, undefined, undefined, formatEndpoint(remote.host, remote.port));
      return;
    }
    const host = await this.#target(to.host, endpoint);
    if (this.#closing !== undefined) throw this.#closedError();
    await this.#sendOn(socket, data, to.port, host, endpoint);
  }

  /**
   * Joins a multicast group (validated by the caller) on one interface or the OS's choice.
   * Throws `INVALID_ARGUMENT` when the kernel refuses the group or interface, `CONNECTION_CLOSED`
   * when the socket is closed.
   */
  addMembership(group: string, multicastInterface?: string): void {
    this.#membership('add', group, multicastInterface);
  }

  /** Leaves a multicast group joined with {@link addMembership}. */
  dropMembership(group: string, multicastInterface?: string): void {
    this.#membership('drop', group, multicastInterface);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // A bind in progress finishes first (it sees `#closing` and releases what it opened).
      await this.#binding?.catch(noop);
      const socket = this.#socket;
      if (socket !== undefined) await this.#release(socket);
    })();
    return this.#closing;
  }

  async #bind(): Promise<Address> {
    const { host, port, remote } = this.#options;
    const where = formatEndpoint(host ?? '*', port);
    const bindHost = host === undefined ? undefined : await resolveHost(host, 0, where, 'bind');
    this.#checkOpen();
    let family: DgramFamily;
    if (bindHost !== undefined) family = isIP(bindHost) === 4 ? 'udp4' : bindHost === '::' ? 'dual' : 'udp6';
    else family = 'dual';
    let peer: Address | undefined;
    if (remote !== undefined) {
      const remoteEndpoint = formatEndpoint(remote.host, remote.port);
      const peerHost = await resolveHost(remote.host, family === 'udp4' ? 4 : family === 'udp6' ? 6 : 0, remoteEndpoint, 'connect');
      this.#checkOpen();
      // Without a bind address the peer decides the socket kind.
      if (bindHost === undefined) family = isIP(peerHost) === 4 ? 'udp4' : 'udp6';
      peer = { host: this.#socketHost(peerHost, family, remoteEndpoint), port: remote.port };
    }

    let socket: Socket;
    try {
      socket = await this.#open(family, bindHost, port, where);
    } catch (error) {
      const code = (error as { detail?: { cause?: { code?: unknown } } }).detail?.cause?.code;
      if (family !== 'dual' || typeof code !== 'string' || !NO_IPV6.has(code)) throw error;
      family = 'udp4';
      socket = await this.#open(family, '0.0.0.0', port, where);
    }
    this.#family = family;
    try {
      this.#checkOpen();
      this.#apply(socket, where);
      if (peer !== undefined) {
        await this.#connect(socket, peer);
        this.#remote = { host: plainAddress(peer.host), port: peer.port };
      }
      this.#checkOpen();
    } catch (error) {
      await this.#release(socket);
      throw error;
    }
    const bound = socket.address();
    this.#local = { host: plainAddress(bound.address), port: bound.port };
    this.#bound = true;
    return { ...this.#local };
  }

  // Creates and binds a socket. From here on its 'error' is always listened for.
  #open(family: DgramFamily, address: string | undefined, port: number, where: string): Promise<Socket> {
    const socket = createSocket({ type: family === 'udp4' ? 'udp4' : 'udp6' });
    this.#socket = socket;
    this.#socketClosed = undefined;
    socket.on('error', this.#onError);
    socket.on('message', this.#onMessage);
    socket.once('close', () => this.#onClose(socket));
    return this.#wait<Socket>(socket, 'listening', () => socket.bind({ port, address: address ?? (family === 'udp4' ? '0.0.0.0' : '::') }))
      .then(() => socket)
      .catch(async (error: unknown) => {
        await this.#release(socket);
        throw fromSystemError(error, 'bind', where);
      });
  }

  #connect(socket: Socket, peer: Address): Promise<void> {
    const endpoint = formatEndpoint(plainAddress(peer.host), peer.port);
    return this.#wait<void>(socket, 'connect', () => socket.connect(peer.port, peer.host)).catch((error: unknown) => {
      throw fromSystemError(error, 'connect', endpoint);
    });
  }

  // Runs `start` and settles on the socket's next `event` or 'error'.
  #wait<T>(socket: Socket, event: 'listening' | 'connect', start: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        this.#waiter = undefined;
        resolve(undefined as T);
      };
      this.#waiter = (error) => {
        this.#waiter = undefined;
        socket.off(event, done);
        reject(error);
      };
      socket.once(event, done);
      try {
        start();
      } catch (error) {
        this.#waiter?.(error as Error);
      }
    });
  }

  #apply(socket: Socket, where: string): void {
    const options = this.#options.socketOptions;
    if (options === undefined) return;
    try {
      if (options.broadcast !== undefined) socket.setBroadcast(options.broadcast);
      if (options.ttl !== undefined) socket.setTTL(options.ttl);
      if (options.multicastTtl !== undefined) socket.setMulticastTTL(options.multicastTtl);
      if (options.multicastLoopback !== undefined) socket.setMulticastLoopback(options.multicastLoopback);
      if (options.multicastInterface !== undefined) socket.setMulticastInterface(options.multicastInterface);
    } catch (error) {
      throw fromSystemError(error, 'bind', where);
    }
  }

  #membership(kind: 'add' | 'drop', group: string, multicastInterface: string | undefined): void {
    const socket = this.#socket;
    if (socket === undefined || !this.#bound || this.#closing !== undefined) throw this.#closedError();
    const family = this.#family;
    if (family === 'udp4' && isIP(group) === 6) {
      throw invalidArgument(`UDP socket ${this.#where()} is IPv4 and cannot join IPv6 group ${group}`);
    }
    try {
      if (kind === 'add') socket.addMembership(group, multicastInterface);
      else socket.dropMembership(group, multicastInterface);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const what = `${kind === 'add' ? 'join' : 'leave'} multicast group ${group}${multicastInterface === undefined ? '' : ` on interface ${multicastInterface}`}`;
      if (typeof code === 'string' && BAD_MEMBERSHIP.has(code)) {
        throw invalidArgument(`UDP socket ${this.#where()} cannot ${what} (${code})`, error);
      }
      throw new GenericError('GENERIC', `UDP socket ${this.#where()} failed to ${what}`, error);
    }
  }

  // The numeric host to hand to `socket.send` for a target, per the socket's kind.
  async #target(host: string, endpoint: string): Promise<string> {
    const family = this.#family;
    const numeric = await resolveHost(host, family === 'udp4' ? 4 : family === 'udp6' ? 6 : 0, endpoint, 'send');
    return this.#socketHost(numeric, family ?? 'dual', endpoint);
  }

  #socketHost(numeric: string, family: DgramFamily, endpoint: string): string {
    const kind = isIP(numeric);
    if (kind === 4) {
      if (family === 'udp6') {
        throw invalidArgument(`UDP socket ${this.#where()} is bound to an IPv6 address and cannot reach IPv4 address ${endpoint}`);
      }
      return family === 'dual' ? `::ffff:${numeric}` : numeric;
    }
    if (family === 'udp4') {
      throw invalidArgument(`UDP socket ${this.#where()} is bound to an IPv4 address and cannot reach IPv6 address ${endpoint}`);
    }
    return numeric;
  }

  #sendOn(socket: Socket, data: Buffer, port: number | undefined, host: string | undefined, endpoint: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error: Error | null): void => {
        if (error === null) resolve();
        else reject(fromSystemError(error, 'send', endpoint));
      };
      try {
        if (port === undefined) socket.send(data, done);
        else socket.send(data, port, host, done);
      } catch (error) {
        // Node throws synchronously on a socket it has already closed.
        reject(fromSystemError(error, 'send', endpoint));
      }
    });
  }

  // Closes `socket` (once) and resolves when it is closed.
  #release(socket: Socket): Promise<void> {
    if (socket !== this.#socket) return Promise.resolve();
    this.#socketClosed ??= new Promise<void>((resolve) => {
      socket.once('close', resolve);
      try {
        socket.close();
      } catch {
        // ERR_SOCKET_DGRAM_NOT_RUNNING: it is closed already, and 'close' was emitted.
        resolve();
      }
    });
    return this.#socketClosed;
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) throw this.#closedError();
  }

  #where(): string {
    const local = this.#local;
    if (local !== undefined) return formatEndpoint(local.host, local.port);
    return formatEndpoint(this.#options.host ?? '*', this.#options.port);
  }

  #closedError(): SocketError {
    return new GenericError('CONNECTION_CLOSED', `UDP socket ${this.#where()} is closed`);
  }

  readonly #onMessage = (data: Buffer, info: { address: string; port: number }): void => {
    const remote = this.#remote;
    const host = plainAddress(info.address);
    // Connected mode: the kernel filters too, but not datagrams queued before connect().
    if (remote !== undefined ? host !== remote.host || info.port !== remote.port : this.#options.remote !== undefined) return;
    this.#handler?.message(data, { host, port: info.port });
  };

  readonly #onError = (error: Error): void => {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      waiter(error);
      return;
    }
    if (!this.#bound) return;
    const remote = this.#remote;
    const endpoint = remote === undefined ? `UDP socket ${this.#where()}` : formatEndpoint(remote.host, remote.port);
    const mapped = fromSystemError(error, 'read', endpoint);
    this.#handler?.error(mapped);
    this.#options.onFault?.(mapped);
  };

  #onClose(socket: Socket): void {
    socket.off('message', this.#onMessage);
    // 'error' stays handled: a late error from a closed socket must never go unlistened.
    if (socket !== this.#socket || !this.#bound) return;
    this.#handler?.close();
  }
}
