import {
  invalidArgument,
  resolveUdpClientConfig,
  UdpClientBase,
  validateHost,
  validatePort,
  type Address,
  type ReadOptions,
  type SocketError,
} from '@sock/core';
import { DgramWire } from './dgram-wire.js';
import { resolveUdpSocketOptions, type UdpSocketOptions } from './socket-options.js';

/**
 * Configuration of a {@link UdpConnectedClient}.
 *
 * @example
 * ```ts
 * const config: UdpConnectConfig = { host: '127.0.0.1', port: 48826, readTimeoutInMillis: 5000 };
 * ```
 */
export interface UdpConnectConfig extends UdpSocketOptions {
  /** The peer: a name (looked up once) or an IP literal. */
  host: string;
  /** The peer's port, 1 to 65535. */
  port: number;
  /** Bind here; default: an ephemeral port on the peer's address family. */
  localAddress?: Address;
  /** Default time-out of every `read`. 0 waits forever. Default 300000. */
  readTimeoutInMillis?: number;
  /** Datagrams kept while nobody reads; the oldest are dropped beyond it. Default 1024. */
  maxQueuedDatagrams?: number;
}

/**
 * A UDP socket fixed to one peer (connected mode, the seed family's later "ConnectClient"):
 * `write` sends to the peer, `read` receives from it, and datagrams from any other sender are
 * ignored (the kernel filters them after `connect()`, and the client filters what arrived before).
 * Reads follow `receiveFrom`: `read()` is one datagram, `read(n)` exactly n bytes across datagrams,
 * time-outs keep what was gathered. When the peer's port is closed, the ICMP "port unreachable"
 * that comes back rejects the waiting reads (or, if none waits, the next read) with
 * `CONNECTION_REFUSED`; the client stays usable.
 *
 * @example
 * ```ts
 * const client = await UdpConnectedClient.connect({ host: '127.0.0.1', port: 48826 });
 * await client.write('ping');
 * const reply = await client.read(undefined, { timeoutInMillis: 2000 });
 * await client.close();
 * ```
 */
export class UdpConnectedClient {
  /** Resolves once bound and connected; rejects e.g. `HOST_NOT_FOUND`, `ADDRESS_IN_USE`. */
  readonly ready: Promise<void>;
  readonly #client: UdpClientBase;
  readonly #wire: DgramWire;
  readonly #peer: Address;
  readonly #reads = new Set<AbortController>();
  #refused: SocketError | undefined;

  /** Starts binding and connecting at once. Throws `INVALID_ARGUMENT` for a bad config. */
  constructor(config: UdpConnectConfig) {
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw invalidArgument(`UDP connect config must be an object, got ${config === null ? 'null' : typeof config}`);
    }
    this.#peer = { host: validateHost(config.host, 'host'), port: validatePort(config.port, 'port', 1) };
    const resolved = resolveUdpClientConfig({
      localAddress: config.localAddress,
      readTimeoutInMillis: config.readTimeoutInMillis,
      maxQueuedDatagrams: config.maxQueuedDatagrams,
    });
    const socketOptions = resolveUdpSocketOptions(config);
    this.#wire = new DgramWire({
      host: resolved.localAddress?.host,
      port: resolved.localAddress?.port ?? 0,
      remote: this.#peer,
      socketOptions,
      onFault: (error) => this.#fault(error),
    });
    this.#client = new UdpClientBase(this.#wire, resolved);
    this.ready = this.#client.ready;
  }

  /**
   * Binds, connects and resolves with the client. A bad config rejects `INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * const client = await UdpConnectedClient.connect({ host: '::1', port, localAddress: { host: '::1', port: 0 } });
   * ```
   */
  static async connect(config: UdpConnectConfig): Promise<UdpConnectedClient> {
    const client = new UdpConnectedClient(config);
    try {
      await client.ready;
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** The peer's numeric address, once `ready`. */
  get remoteAddress(): Address | undefined {
    return this.#wire.remoteAddress;
  }

  /** The bound address (numeric), once `ready`. */
  get localAddress(): Address | undefined {
    return this.#client.localAddress;
  }

  /** Datagrams dropped because the receive queue was full. */
  get droppedDatagrams(): number {
    return this.#client.droppedDatagrams;
  }

  /**
   * Sends one datagram to the peer and resolves with its size. Over 65507 bytes rejects
   * `DATAGRAM_TOO_LARGE` before sending; after `close()` rejects `CONNECTION_CLOSED`.
   */
  write(data: Uint8Array | string): Promise<number> {
    return this.#client.sendTo(data, this.#peer);
  }

  /**
   * No `length`: one datagram from the peer. `length` n: exactly n bytes, gathered across
   * datagrams (the rest of the last one is kept for the next read). Rejects `READ_TIMED_OUT`
   * (nothing lost), the signal's reason on abort, `CONNECTION_REFUSED` (see the class), or
   * `CONNECTION_CLOSED`.
   */
  read(length?: number, options?: ReadOptions): Promise<Buffer> {
    const signal: unknown = typeof options === 'object' && options !== null ? options.signal : undefined;
    if ((options !== undefined && (typeof options !== 'object' || options === null)) || (signal !== undefined && !(signal instanceof AbortSignal))) {
      // Bad options: the shared queue refuses them with INVALID_ARGUMENT.
      return this.#client.receiveFrom(length, options).then((datagram) => datagram.data);
    }
    const refused = this.#refused;
    if (refused !== undefined) {
      this.#refused = undefined;
      return Promise.reject(refused);
    }
    // The read's own signal: the user's abort is forwarded to it, and so is a refusal (#fault).
    const user = signal as AbortSignal | undefined;
    if (user?.aborted === true) return Promise.reject(user.reason);
    const controller = new AbortController();
    const forward = (): void => controller.abort(user?.reason);
    user?.addEventListener('abort', forward, { once: true });
    this.#reads.add(controller);
    const done = (): void => {
      this.#reads.delete(controller);
      user?.removeEventListener('abort', forward);
    };
    return this.#client.receiveFrom(length, { ...options, signal: controller.signal }).then(
      (datagram) => {
        done();
        return datagram.data;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
  }

  /** Idempotent; resolves once the socket is closed. Later calls reject `CONNECTION_CLOSED`. */
  close(): Promise<void> {
    this.#refused = undefined;
    return this.#client.close();
  }

  #fault(error: SocketError): void {
    if (error.code !== 'CONNECTION_REFUSED') return;
    if (this.#reads.size === 0) {
      this.#refused = error;
      return;
    }
    for (const controller of this.#reads) controller.abort(error);
  }
}
