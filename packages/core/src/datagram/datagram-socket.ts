import type { Address } from '../config.js';
import { formatEndpoint, GenericError, type SocketError } from '../errors.js';
import { handled, noop } from '../util/promises.js';
import { DEFAULT_MAX_BUFFERED_BYTES } from '../config.js';
import { ReadQueue } from '../stream/read-queue.js';
import type { DatagramWire } from './datagram-wire.js';
import { sendDatagram } from './send.js';

/**
 * What a UDP client socket shares in plain and connected mode: it binds at once (`ready`), queues
 * received datagrams in the shared {@link ReadQueue} in datagram mode (bounded: the oldest are dropped
 * and counted), sends through the one send pipeline, and closes idempotently, after which everything
 * rejects `CONNECTION_CLOSED`.
 *
 * @example
 * ```ts
 * class UdpClientBase extends DatagramSocket { ... }
 * ```
 */
export abstract class DatagramSocket {
  /** Resolves once bound; rejects e.g. `ADDRESS_IN_USE`. */
  readonly ready: Promise<void>;
  protected readonly queue: ReadQueue<Address>;
  readonly #wire: DatagramWire;
  #local: Address | undefined;
  #bound = false;
  #closing: Promise<void> | undefined;
  #error: SocketError | undefined;

  constructor(wire: DatagramWire, config: { readTimeoutInMillis: number; maxQueuedDatagrams: number }) {
    this.#wire = wire;
    this.queue = new ReadQueue<Address>({
      readTimeoutInMillis: config.readTimeoutInMillis,
      maxReadLength: DEFAULT_MAX_BUFFERED_BYTES,
      unit: 'chunk',
      maxChunks: config.maxQueuedDatagrams,
      endpoint: () => this.endpoint(),
    });
    this.ready = wire
      .bind({
        message: (data, from) => this.queue.push(data, from),
        error: (error) => this.fault(error),
        close: () => this.queue.close(this.closedError()),
      })
      .then(
        (address) => {
          this.#local = address;
          this.#bound = true;
        },
        (error: unknown) => {
          this.#error = error as SocketError;
          this.queue.close(error as SocketError);
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
    return this.queue.dropped;
  }

  /** The wire, for subclasses that add transport options (multicast, ...). */
  protected get wire(): DatagramWire {
    return this.#wire;
  }

  /** True once `close()` was called. */
  protected get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** Sends through the shared pipeline, waiting for the bind if it is still under way. */
  protected send(data: unknown, address: unknown, trusted: boolean): Promise<number> {
    if (this.#bound || this.#closing !== undefined) return sendDatagram(this.#wire, data, address, trusted, this.#sendState);
    return handled(this.ready.then(() => sendDatagram(this.#wire, data, address, trusted, this.#sendState)));
  }

  readonly #sendState = { closedError: (): SocketError | undefined => (this.#closing !== undefined ? this.closedError() : undefined) };

  /** A fault the wire reported (ICMP errors, ...). */
  protected fault(error: SocketError): void {
    this.#error ??= error;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.queue.close(this.closedError());
      await this.ready.catch(noop);
      await this.#wire.close();
    })();
    return this.#closing;
  }

  /** `await using socket = ...` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  protected endpoint(): string {
    return this.#local === undefined ? 'an unbound UDP socket' : `UDP socket ${formatEndpoint(this.#local.host, this.#local.port)}`;
  }

  protected closedError(): SocketError {
    return new GenericError('CONNECTION_CLOSED', `${this.endpoint()} is closed`, this.#error);
  }
}
