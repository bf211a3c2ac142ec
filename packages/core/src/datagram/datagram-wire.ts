import type { Address } from '../config.js';
import type { SocketError } from '../errors.js';

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
  /**
   * A fault of the socket, mapped to a SocketError. In connected mode, `CONNECTION_REFUSED` means
   * the peer's port refused a datagram (ICMP port unreachable); the socket stays usable.
   */
  error(error: SocketError): void;
  close(): void;
}

/**
 * The small datagram interface each transport adapts (`node:dgram`, the test kit's bus). The
 * behaviour users rely on lives in the UDP bases of `@sock/core`. A wire made for connected mode
 * (with a peer) sends only to that peer and delivers only its datagrams.
 *
 * @example
 * ```ts
 * const client = new UdpClientBase(new DgramWire({ port: 0 }), resolveUdpClientConfig({}));
 * ```
 */
export interface DatagramWire {
  /** Bind (where the transport was told to; connected mode: and connect) and start delivering; resolves with the bound address. */
  bind(handler: DatagramHandler): Promise<Address>;
  /**
   * Send one datagram (already checked: at most 65507 bytes, `to` a valid address whose host may be a
   * name); resolves with its size once handed to the OS. Rejects with a SocketError naming `to`.
   * In connected mode `to` is the peer. A rejected promise must already be marked handled (a send
   * nobody awaits must never be an unhandled rejection): `handled(...)` it only on failure.
   */
  send(data: Buffer, to: Address): Promise<number>;
  /** Release the socket; resolves once closed. Idempotent. */
  close(): Promise<void>;
  /** Connected mode: the peer's numeric address, once bound. */
  readonly remoteAddress?: Address | undefined;
}
