import { DELIVERY_MARK_A, DELIVERY_MARK_B, DELIVERY_MARK_C, hooks, type Connection } from './connection.js';
import type { Delivery } from './delivery.js';

// The last onReadReady read nothing while nothing new arrived: wait for new data instead of spinning.
const STALLED = DELIVERY_MARK_A;
// Data arrived while onReadReady ran (so a run that read nothing still made progress possible).
const ARRIVED = DELIVERY_MARK_B;
// The run at end of stream (where read() resolves empty) has happened.
const END_DISPATCHED = DELIVERY_MARK_C;

// After a run: one that read nothing (`before`: the queue's progress counter when it started) while
// nothing new arrived waits for new data.
function stallIfIdle(connection: Connection, before: number): void {
  if (hooks.queue(connection)!.consumed === before && !hooks.has(connection, ARRIVED)) hooks.mark(connection, STALLED);
}

/**
 * Pull style, `onReadReady(caller)` + `caller.read()`: runs while unread data is waiting and the
 * last run made progress (a run that read nothing waits for new data — no spinning), and once
 * more when the peer's stream ended cleanly, where `read()` resolves with an empty Buffer. After a
 * fault the service hears of it through `onError` instead of that last run.
 *
 * @example
 * ```ts
 * const echo: Service = {
 *   async onReadReady(caller) {
 *     const data = await caller.read();
 *     if (data.length > 0) await caller.write(data);
 *   },
 * };   // selects pullDelivery
 * ```
 */
export const pullDelivery: Delivery = Object.freeze<Delivery>({
  resource: 'onReadReady',
  readable: true,
  data(connection: Connection, chunk: Buffer): boolean {
    hooks.enqueue(connection, chunk);
    hooks.mark(connection, ARRIVED);
    hooks.unmark(connection, STALLED);
    return false;
  },
  end(): void {},
  next(connection: Connection): boolean {
    const queue = hooks.queue(connection);
    if (queue !== undefined && queue.length > 0 && !hooks.has(connection, STALLED)) {
      hooks.unmark(connection, ARRIVED);
      hooks.invoke(connection, 'onReadReady', undefined, stallIfIdle, queue.consumed);
      return true;
    }
    if (hooks.streamOver(connection) && !hooks.has(connection, END_DISPATCHED) && !hooks.faulted(connection)) {
      hooks.mark(connection, END_DISPATCHED);
      hooks.invoke(connection, 'onReadReady');
      return true;
    }
    return false;
  },
  endSeen(connection: Connection): boolean {
    return hooks.has(connection, END_DISPATCHED);
  },
  buffered(connection: Connection): number {
    return hooks.queue(connection)?.length ?? 0;
  },
});
