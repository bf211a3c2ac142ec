import type { Address, ResolvedUdpConnectConfig } from '../config.js';
import type { SocketError } from '../errors.js';
import type { ReadOptions } from '../service.js';
import type { UdpConnectedClient } from '../transport.js';
import { DatagramSocket } from './datagram-socket.js';
import type { DatagramWire } from './datagram-wire.js';


/**
 * A UDP socket fixed to one peer (connected mode), over a {@link DatagramWire} made for that peer:
 * `write` sends to it, `read` receives from it (datagrams from anyone else are ignored by the wire).
 * Reads follow `receiveFrom`: `read()` is one datagram, `read(n)` exactly n bytes across datagrams,
 * time-outs keep what was gathered. When the peer's port is closed, the refusal that comes back
 * (ICMP port unreachable) rejects the waiting reads — or, if none waits, the next read — with
 * `CONNECTION_REFUSED`; the client stays usable.
 *
 * @example
 * ```ts
 * const client = new UdpConnectedClientBase(new DgramWire({ port: 0, remote }), resolveUdpConnectConfig(config));
 * await client.write('ping');
 * ```
 */
export class UdpConnectedClientBase extends DatagramSocket implements UdpConnectedClient {
  readonly #peer: Address;

  constructor(wire: DatagramWire, config: ResolvedUdpConnectConfig) {
    super(wire, config);
    this.#peer = { host: config.host, port: config.port };
  }

  /**
   * Resolves with `client` once it is bound and connected; if that fails, closes it and rejects:
   * what every transport's `connect(config)` does.
   *
   * @example
   * ```ts
   * connect: (config) => UdpConnectedClientBase.connected(new UdpConnectedClientBase(wire, resolved)),
   * ```
   */
  static async connected<C extends UdpConnectedClientBase>(client: C): Promise<C> {
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
    const remote = this.wire.remoteAddress;
    return remote === undefined ? undefined : { ...remote };
  }

  /**
   * Sends one datagram to the peer and resolves with its size. Over 65507 bytes rejects
   * `DATAGRAM_TOO_LARGE` before sending; after `close()` rejects `CONNECTION_CLOSED`.
   */
  write(data: Uint8Array | string): Promise<number> {
    return this.send(data, this.#peer, true);
  }

  /**
   * No `length`: one datagram from the peer. `length` n: exactly n bytes, gathered across datagrams
   * (the rest of the last one is kept). Rejects `READ_TIMED_OUT` (nothing lost), the signal's reason
   * on abort, `CONNECTION_REFUSED` (see the class), or `CONNECTION_CLOSED`.
   */
  read(length?: number, options?: ReadOptions): Promise<Buffer> {
    if (this.closing) return Promise.reject(this.closedError());
    return this.queue.read(length, options);
  }

  protected override fault(error: SocketError): void {
    super.fault(error);
    if (error.code === 'CONNECTION_REFUSED') this.queue.interrupt(error);
  }
}
