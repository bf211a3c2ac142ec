/**
 * One thing that happened on a simulated network: a delivery, a drop, or a fault, at virtual time
 * `at` (ms since the simulation began), from host `from` to host `to` (host names; a fault of one
 * host names it twice), carrying `bytes` bytes (0 for what carries none).
 *
 * Kinds: deliveries `tcp:connect` (a connect reached the listener's host), `tcp:accept` and
 * `tcp:refused` (its answer reached the client), `tcp:data`, `tcp:fin`, `tcp:reset`, `udp`; drops
 * `udp:drop` (the link's `dropRate`), `udp:partitioned`, `udp:unreachable` (host down, no such
 * address — then `to` is the address — or nobody bound the port), `udp:lost` (its sender crashed
 * while it was in flight); faults `partition`, `repair`, `hold`, `release`, `link` (one event per
 * direction changed), `crash`, `restart`.
 *
 * @example
 * ```ts
 * const sent = sim.trace.filter((event) => event.kind === 'tcp:data' && event.from === 'client');
 * ```
 */
export interface SimEvent {
  readonly at: number;
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
}
