import { DEFAULT_MAX_BUFFERED_BYTES, type Address, type ResolvedUdpClientConfig, toBuffer, validateAddress } from './config.js';
import type { DatagramWire } from './datagram-wire.js';
import { formatEndpoint, GenericError, type SocketError } from './errors.js';
import { handled, noop, rejected } from './promises.js';
import { ReadQueue } from './read-queue.js';
import type { ReadOptions } from './service.js';
import type { Datagram, UdpClient } from './transport.js';

// The Datagram straight from the queue (no second promise to reshape it). The address is copied:
// the tail of a datagram kept for the next read shares its tag.
function toDatagram(data: Buffer, from: Address): Datagram {
  return { data, address: { ...from } };
}

/** The largest UDP payload over IPv4 (65535 − 8 byte UDP header − 20 byte IP header). */
export const MAX_DATAGRAM_BYTES = 65_507;

/**
 * Checks a datagram before anything is sent: bytes (or a UTF-8 string) of at most
 * {@link MAX_DATAGRAM_BYTES}, to an address with a port from 1 to 65535.
 *
 * @example
 * ```ts
 * const [payload, to] = checkDatagram('hi', { host: 'localhost', port: 48826 });
 * ```
 */
export function checkDatagram(data: unknown, address: unknown): [Buffer, Address] {
  const payload = toBuffer(data);
  const to = validateAddress(address, 'address', 1);
  if (payload.length > MAX_DATAGRAM_BYTES) {
    throw new GenericError(
      'DATAGRAM_TOO_LARGE',
      `a datagram to ${formatEndpoint(to.host, to.port)} may carry at most ${MAX_DATAGRAM_BYTES} bytes, got ${payload.length}`,
    );
  }
  return [payload, to];
}

/**
 * The one UDP client behaviour, over a {@link DatagramWire}: bind at once, `sendTo` with checks
 * before any send, `receiveFrom` served by the shared {@link ReadQueue} in datagram mode (one
 * datagram, or exactly n bytes gathered across datagrams with the tail kept), a bounded receive
 * queue that drops the oldest and counts them, read time-outs that lose nothing, and an idempotent
 * `close()` after which everything rejects `CONNECTION_CLOSED`.
 *
 * @example
 * ```ts
 * class UdpClient extends UdpClientBase {
 *   constructor(config?: UdpClientConfig) { const c = resolveUdpClientConfig(config); super(new DgramWire(c), c); }
 * }
 * ```
 */
export class UdpClientBase implements UdpClient {
  readonly ready: Promise<void>;
  readonly #wire: DatagramWire;
  readonly #queue: ReadQueue<Address>;
  #local: Address | undefined;
  #bound = false;
  #closing: Promise<void> | undefined;
  #error: SocketError | undefined;

  constructor(wire: DatagramWire, config: ResolvedUdpClientConfig) {
    this.#wire = wire;
    this.#queue = new ReadQueue<Address>({
      readTimeoutInMillis: config.readTimeoutInMillis,
      maxReadLength: DEFAULT_MAX_BUFFERED_BYTES,
      unit: 'chunk',
      maxChunks: config.maxQueuedDatagrams,
      endpoint: () => this.#endpoint(),
    });
    this.ready = wire
      .bind({
        message: (data, from) => this.#queue.push(data, from),
        error: (error) => {
          this.#error ??= error;
        },
        close: () => this.#queue.close(this.#closedError()),
      })
      .then(
        (address) => {
          this.#local = address;
          this.#bound = true;
        },
        (error: unknown) => {
          this.#error = error as SocketError;
          this.#queue.close(error as SocketError);
          throw error;
        },
      );
    this.ready.catch(noop);
  }

  /** The bound address (numeric), once `ready`. */
  get localAddress(): Address | undefined {
    return this.#local === undefined ? undefined : { ...this.#local };
  }

  /** Datagrams dropped because the receive queue was full (the oldest go first). */
  get droppedDatagrams(): number {
    return this.#queue.dropped;
  }

  sendTo(data: Uint8Array | string, address: Address): Promise<number> {
    let payload: Buffer;
    let to: Address;
    try {
      [payload, to] = checkDatagram(data, address);
    } catch (error) {
      return rejected(error);
    }
    if (this.#closing !== undefined) return rejected(this.#closedError());
    const length = payload.length;
    const sent = this.#bound ? this.#wire.send(payload, to) : this.ready.then(() => this.#wire.send(payload, to));
    return handled(sent.then(() => length));
  }

  receiveFrom(length?: number, options?: ReadOptions): Promise<Datagram> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    return this.#queue.readAs(toDatagram, length, options);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#queue.close(this.#closedError());
      await this.ready.catch(noop);
      await this.#wire.close();
    })();
    return this.#closing;
  }

  #endpoint(): string {
    return this.#local === undefined ? 'an unbound UDP socket' : `UDP socket ${formatEndpoint(this.#local.host, this.#local.port)}`;
  }

  #closedError(): SocketError {
    return new GenericError('CONNECTION_CLOSED', `${this.#endpoint()} is closed`, this.#error);
  }
}
