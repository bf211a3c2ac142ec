import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import {
  formatEndpoint,
  fromSystemError,
  GenericError,
  handled,
  invalidArgument,
  plainAddress,
  rejected,
  type Address,
  type DatagramHandler,
  type DatagramWire,
  type SocketError,
} from '@sock/core/internal';
import { familyOfBind, literalLookup, lookupFamily, resolveHost, socketHost, type DgramFamily } from './address-family.js';
import { changeMembership } from './membership.js';
import { applySocketOptions, type ResolvedUdpSocketOptions } from './socket-options.js';

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
}

// Codes with which a host without IPv6 refuses a udp6 socket; the dual-stack default then falls
// back to udp4 on 0.0.0.0.
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EADDRNOTAVAIL']);

function ignore(): void {}

/**
 * A `node:dgram` socket as a {@link DatagramWire}. It picks `udp4` or `udp6` from the bind address
 * (or, in connected mode without one, from the peer); with no bind address it opens a dual-stack
 * `udp6` socket on `::`, so one default client talks to `127.0.0.1` and `::1` alike (falling back
 * to `udp4` on `0.0.0.0` where the host has no IPv6). It always listens for `'error'`, maps Node
 * errors naming the endpoint, and reports senders as numeric addresses (`::ffff:` stripped). A send
 * to an IP literal needs no lookup and no extra promise.
 *
 * @example
 * ```ts
 * const client = new UdpClientBase(new DgramWire({ host: '127.0.0.1', port: 0 }), resolveUdpClientConfig({}));
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
  // The last numeric host sent to, and its form for this socket (`::ffff:` on a dual-stack one).
  #lastHost: string | undefined;
  #lastTarget = '';

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

  send(data: Buffer, to: Address): Promise<number> {
    const socket = this.#socket;
    if (socket === undefined || !this.#bound || this.#closing !== undefined) return rejected(this.#closedError());
    const remote = this.#remote;
    if (remote !== undefined) return this.#sendOn(socket, data, undefined, undefined, remote);
    const host = to.host;
    // A responder replies to the same few senders: the last numeric host's socket form is kept.
    if (host === this.#lastHost) return this.#sendOn(socket, data, to.port, this.#lastTarget, to);
    const family = this.#family!;
    const kind = isIP(host);
    if (kind !== 0) {
      // The common case (a reply to a sender, a numeric target): no lookup, no string built, one promise.
      if (kind === 4 ? family === 'udp6' : family === 'udp4') {
        try {
          socketHost(host, family, this.#where(), formatEndpoint(host, to.port));
        } catch (error) {
          return rejected(error);
        }
      }
      const target = kind === 4 && family === 'dual' ? `::ffff:${host}` : host;
      this.#lastHost = host;
      this.#lastTarget = target;
      return this.#sendOn(socket, data, to.port, target, to);
    }
    return handled(this.#sendByName(socket, data, to));
  }

  async #sendByName(socket: Socket, data: Buffer, to: Address): Promise<number> {
    const endpoint = formatEndpoint(to.host, to.port);
    const numeric = await resolveHost(to.host, lookupFamily(this.#family!), endpoint, 'send');
    if (this.#closing !== undefined) throw this.#closedError();
    return this.#sendOn(socket, data, to.port, socketHost(numeric, this.#family!, this.#where(), endpoint), to);
  }

  /**
   * Joins a multicast group (validated by the caller) on one interface or the OS's choice.
   * Throws `INVALID_ARGUMENT` when the kernel refuses the group or interface, `CONNECTION_CLOSED`
   * when the socket is closed.
   */
  addMembership(group: string, multicastInterface?: string): void {
    changeMembership(this.#openSocket(), this.#family, 'add', group, multicastInterface, this.#where());
  }

  /** Leaves a multicast group joined with {@link addMembership}. */
  dropMembership(group: string, multicastInterface?: string): void {
    changeMembership(this.#openSocket(), this.#family, 'drop', group, multicastInterface, this.#where());
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // A bind in progress finishes first (it sees `#closing` and releases what it opened).
      await this.#binding?.catch(ignore);
      const socket = this.#socket;
      if (socket !== undefined) await this.#release(socket);
    })();
    return this.#closing;
  }

  #openSocket(): Socket {
    const socket = this.#socket;
    if (socket === undefined || !this.#bound || this.#closing !== undefined) throw this.#closedError();
    return socket;
  }

  async #bind(): Promise<Address> {
    const { host, port, remote } = this.#options;
    const where = formatEndpoint(host ?? '*', port);
    const bindHost = host === undefined ? undefined : await resolveHost(host, 0, where, 'bind');
    this.#checkOpen();
    let family = familyOfBind(bindHost);
    let peer: Address | undefined;
    if (remote !== undefined) {
      const remoteEndpoint = formatEndpoint(remote.host, remote.port);
      const peerHost = await resolveHost(remote.host, lookupFamily(family), remoteEndpoint, 'connect');
      this.#checkOpen();
      // Without a bind address the peer decides the socket kind.
      if (bindHost === undefined) family = isIP(peerHost) === 4 ? 'udp4' : 'udp6';
      peer = { host: socketHost(peerHost, family, this.#where(), remoteEndpoint), port: remote.port };
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
      applySocketOptions(socket, this.#options.socketOptions, where);
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
    const socket = createSocket({ type: family === 'udp4' ? 'udp4' : 'udp6', lookup: literalLookup });
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

  #sendOn(socket: Socket, data: Buffer, port: number | undefined, host: string | undefined, to: Address): Promise<number> {
    let thrown: unknown;
    const sent = new Promise<number>((resolve, reject) => {
      // dgram calls back asynchronously, so `sent` exists by then: it is marked handled only when it fails.
      const done = (error: Error | null): void => {
        if (error === null) {
          resolve(data.length);
          return;
        }
        sent.catch(ignore);
        reject(fromSystemError(error, 'send', formatEndpoint(to.host, to.port)));
      };
      try {
        if (port === undefined) socket.send(data, done);
        else socket.send(data, port, host, done);
      } catch (error) {
        // Node throws synchronously on a socket it has already closed.
        thrown = error;
      }
    });
    return thrown === undefined ? sent : rejected(fromSystemError(thrown, 'send', formatEndpoint(to.host, to.port)));
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
    return `UDP socket ${local !== undefined ? formatEndpoint(local.host, local.port) : formatEndpoint(this.#options.host ?? '*', this.#options.port)}`;
  }

  #closedError(): SocketError {
    return new GenericError('CONNECTION_CLOSED', `${this.#where()} is closed`);
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
    this.#handler?.error(fromSystemError(error, 'read', remote === undefined ? this.#where() : formatEndpoint(remote.host, remote.port)));
  };

  #onClose(socket: Socket): void {
    socket.off('message', this.#onMessage);
    // 'error' stays handled: a late error from a closed socket must never go unlistened.
    if (socket !== this.#socket || !this.#bound) return;
    this.#handler?.close();
  }
}
