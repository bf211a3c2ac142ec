import type { Address } from './config.js';
import type { SocketError } from './errors.js';

/**
 * What a {@link DatagramWire} reports. `close` is the last call.
 *
 * @example
 * ```ts
 * wire.bind({ message: (data, from) => queue.push(data, from), error() {}, close() {} });
 * ```
 */
export interface DatagramHandler {
  /** One datagram and its sender (numeric IP). The wire gives up ownership of the Buffer. */
  message(data: Buffer, from: Address): void;
  /** A fault of the socket, mapped to a SocketError. */
  error(error: SocketError): void;
  close(): void;
}

/**
 * The small datagram interface each transport adapts (node:dgram, the test kit's bus). The
 * behaviour users rely on lives in {@link UdpClientBase} and {@link UdpListenerBase}.
 *
 * @example
 * ```ts
 * const client = new UdpClientBase(new DgramWire(config), config);
 * ```
 */
export interface DatagramWire {
  /** Bind (where the transport was told to) and start delivering; resolves with the bound address. */
  bind(handler: DatagramHandler): Promise<Address>;
  /** Send one datagram; resolves once handed to the OS. Rejects with a SocketError naming `to`. */
  send(data: Buffer, to: Address): Promise<void>;
  /** Release the socket; resolves once closed. Idempotent. */
  close(): Promise<void>;
}
