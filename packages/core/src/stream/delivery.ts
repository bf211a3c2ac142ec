import type { Connection } from './connection.js';

/**
 * How data reaches a service — push (`onBytes`), pull (`onReadReady` + `read()`), frames
 * (`onFrame`), or none (the connection's owner reads). Chosen once per listener or client and
 * shared by all its connections: a delivery is a stateless strategy; what it keeps per connection
 * lives in the connection (its read queue, a few marks, one state slot).
 *
 * The rules every delivery shares (ordering, `onConnect` first, `onClose` last, `HANDLER_FAILED`,
 * faults after data) are the connection's, in `Connection#step`; a delivery only decides the data
 * part. Adding a mode is one new file implementing this and one entry in `deliveries.ts`.
 *
 * @example
 * ```ts
 * const delivery: Delivery = pushDelivery;
 * ```
 */
export interface Delivery {
  /** The service resource that receives data, or undefined (the owner reads). */
  readonly resource: 'onBytes' | 'onReadReady' | 'onFrame' | undefined;
  /** Whether `caller.read()` is allowed. */
  readonly readable: boolean;
  /**
   * A chunk arrived. Keep it (in the connection's queue, or the delivery's own state) or hand it over
   * right away. Return true when it was handed over synchronously and nothing else is due.
   */
  data(connection: Connection, chunk: Buffer): boolean;
  /** The peer ended its stream (no more `data`). */
  end(connection: Connection): void;
  /** Run the next data resource if one is due; true when one was called. */
  next(connection: Connection): boolean;
  /** Has the service seen the end of the peer's stream (so this side may end too)? */
  endSeen(connection: Connection): boolean;
  /** Bytes received and not yet handed over or read (for backpressure). */
  buffered(connection: Connection): number;
}

/**
 * One registered delivery: the resource that selects it, and how to make it from the owner's config.
 *
 * @example
 * ```ts
 * const entry: DeliveryEntry = { resource: 'onBytes', make: () => pushDelivery };
 * ```
 */
export interface DeliveryEntry {
  readonly resource: NonNullable<Delivery['resource']>;
  /** The delivery for a service with `resource`; `framing` is the owner's `framing` option, if any. */
  make(framing: unknown): Delivery;
}
