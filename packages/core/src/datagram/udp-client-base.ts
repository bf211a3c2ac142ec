import type { Address, ResolvedUdpClientConfig } from '../config.js';
import type { ReadOptions } from '../service.js';
import type { Datagram, UdpClient } from '../transport.js';
import { DatagramSocket } from './datagram-socket.js';
import type { DatagramWire } from './datagram-wire.js';

// The Datagram straight from the queue (no second promise to reshape it). The address is copied:
// the tail of a datagram kept for the next read shares its tag.
function toDatagram(data: Buffer, from: Address): Datagram {
  return { data, address: { ...from } };
}

/**
 * The one UDP client behaviour, over a {@link DatagramWire}: bind at once, `sendTo` with checks
 * before any send, `receiveFrom` served by the shared read queue in datagram mode (one datagram, or
 * exactly n bytes gathered across datagrams with the tail kept), a bounded receive queue that drops
 * the oldest and counts them, read time-outs that lose nothing, and an idempotent `close()`.
 *
 * @example
 * ```ts
 * class UdpClient extends UdpClientBase {
 *   constructor(config?: UdpClientConfig) { const c = resolveUdpClientConfig(config); super(new DgramWire(c), c); }
 * }
 * ```
 */
export class UdpClientBase extends DatagramSocket implements UdpClient {
  constructor(wire: DatagramWire, config: ResolvedUdpClientConfig) {
    super(wire, config);
  }

  sendTo(data: Uint8Array | string, address: Address): Promise<number> {
    return this.send(data, address, false);
  }

  receiveFrom(length?: number, options?: ReadOptions): Promise<Datagram> {
    if (this.closing) return Promise.reject(this.closedError());
    return this.queue.readAs(toDatagram, length, options);
  }

  /**
   * `for await (const datagram of client)`: every datagram as it arrives, without a read time-out,
   * until the client is closed (then the loop ends). Leaving the loop early does not close it.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Datagram> {
    for (;;) {
      let datagram: Datagram;
      try {
        datagram = await this.receiveFrom(undefined, { timeoutInMillis: 0 });
      } catch (error) {
        if (this.closing) return;
        throw error;
      }
      yield datagram;
    }
  }
}
