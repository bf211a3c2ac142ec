import { hooks, type Connection } from './connection.js';
import type { Delivery } from './delivery.js';

/**
 * Push style, `onBytes(caller, data)`: every chunk in order, as it arrived. When nothing is pending
 * the chunk is handed over synchronously from inside the wire's event, with no promise and no copy;
 * otherwise it waits in the connection's queue and is replayed with its original boundaries.
 * `caller.read()` is refused. The service has seen the end once every chunk was handed over.
 *
 * @example
 * ```ts
 * const echo: Service = { onBytes: (caller, data) => caller.write(data) };   // selects pushDelivery
 * ```
 */
export const pushDelivery: Delivery = Object.freeze<Delivery>({
  resource: 'onBytes',
  readable: false,
  data(connection: Connection, chunk: Buffer): boolean {
    if (hooks.idle(connection)) {
      hooks.deliverNow(connection, 'onBytes', chunk);
      return true;
    }
    hooks.enqueue(connection, chunk);
    return false;
  },
  end(): void {},
  next(connection: Connection): boolean {
    const chunk = hooks.queue(connection)?.shift();
    if (chunk === undefined) return false;
    hooks.invoke(connection, 'onBytes', chunk);
    return true;
  },
  endSeen(connection: Connection): boolean {
    return (hooks.queue(connection)?.length ?? 0) === 0;
  },
  buffered(connection: Connection): number {
    return hooks.queue(connection)?.length ?? 0;
  },
});
