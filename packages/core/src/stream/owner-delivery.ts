import { hooks, type Connection } from './connection.js';
import type { Delivery } from './delivery.js';

/**
 * No data resource: the bytes wait (bounded, with backpressure) for the connection's owner to
 * `read()` them — a client without a callback service, or a service that reads inside `onConnect`.
 * A service without a data resource has seen the end once its resources are idle, even with bytes
 * it never read: a peer that sent data and left must not hold the socket half-open.
 *
 * @example
 * ```ts
 * const greeter: Service = { async onConnect(caller) { const name = await caller.read(); } };   // selects ownerDelivery
 * ```
 */
export const ownerDelivery: Delivery = Object.freeze<Delivery>({
  resource: undefined,
  readable: true,
  data(connection: Connection, chunk: Buffer): boolean {
    hooks.enqueue(connection, chunk);
    return false;
  },
  end(): void {},
  next(): boolean {
    return false;
  },
  endSeen(): boolean {
    return true;
  },
  buffered(connection: Connection): number {
    return hooks.queue(connection)?.length ?? 0;
  },
});
