import type { Address } from '../config.js';
import { formatEndpoint, GenericError, type SocketError } from '../errors.js';
import { rejected } from '../util/promises.js';
import { toBuffer, validateAddress } from '../validate.js';
import type { DatagramWire } from './datagram-wire.js';

/**
 * The largest UDP payload over IPv4 (65535 − 8 byte UDP header − 20 byte IP header); `@sock` applies it to IPv6 too.
 *
 * @example
 * ```ts
 * if (payload.length > MAX_DATAGRAM_BYTES) splitIntoTwo(payload);
 * ```
 */
export const MAX_DATAGRAM_BYTES = 65_507;

/**
 * Checks a payload: bytes (or a UTF-8 string) of at most {@link MAX_DATAGRAM_BYTES}; `DATAGRAM_TOO_LARGE`
 * naming `to` otherwise.
 *
 * @example
 * ```ts
 * const payload = checkPayload('hi', '127.0.0.1:48826');
 * ```
 */
export function checkPayload(data: unknown, to: string | Address): Buffer {
  const payload = toBuffer(data);
  if (payload.length > MAX_DATAGRAM_BYTES) {
    // The endpoint's name is made only for the error: a send builds no string.
    const where = typeof to === 'string' ? to : formatEndpoint(to.host, to.port);
    throw new GenericError('DATAGRAM_TOO_LARGE', `a datagram to ${where} may carry at most ${MAX_DATAGRAM_BYTES} bytes, got ${payload.length}`);
  }
  return payload;
}

/**
 * Checks a datagram before anything is sent: a payload of at most {@link MAX_DATAGRAM_BYTES} to an
 * address with a port from 1 to 65535.
 *
 * @example
 * ```ts
 * const [payload, to] = checkDatagram('hi', { host: 'localhost', port: 48826 });
 * ```
 */
export function checkDatagram(data: unknown, address: unknown): [Buffer, Address] {
  const to = validateAddress(address, 'address', 1);
  return [checkPayload(data, to), to];
}

/**
 * Who a send asks whether the socket is still open: the error to reject with once it is not.
 *
 * @example
 * ```ts
 * const socket: SendState = { closedError: () => (closed ? new GenericError('CONNECTION_CLOSED', 'closed') : undefined) };
 * ```
 */
export interface SendState {
  closedError(): SocketError | undefined;
}

/**
 * The one send pipeline of every UDP socket (a client's `sendTo`, a connected client's `write`, a
 * listener's `reply`/`sendTo`): check the payload (and the address, unless it is one `@sock` handed
 * out itself, such as a sender's), refuse on a closed socket, hand it to the wire. Nothing is
 * allocated beyond the wire's own promise.
 *
 * @example
 * ```ts
 * return sendDatagram(wire, data, address, false, () => closedError);
 * ```
 */
export function sendDatagram(wire: DatagramWire | undefined, data: unknown, address: unknown, trusted: boolean, state: SendState): Promise<number> {
  let payload: Buffer;
  let to: Address;
  try {
    to = trusted ? (address as Address) : validateAddress(address, 'address', 1);
    payload = checkPayload(data, to);
  } catch (error) {
    return rejected(error);
  }
  const error = state.closedError();
  if (error !== undefined || wire === undefined) return rejected(error ?? new GenericError('CONNECTION_CLOSED', 'the UDP socket is closed'));
  // Wires mark a failed send's promise handled themselves (only when it fails): a send nobody
  // awaits never becomes an unhandled rejection, and a successful one costs a single promise.
  return wire.send(payload, to);
}
