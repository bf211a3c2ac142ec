/**
 * The entry points transports and the listener/client bases use on a {@link Connection}. Symbols,
 * as undici's `DispatcherBase` does it, so that none of them is on the public surface of a `Client`
 * or `Caller`; they are exported only from `@sock/core/internal`.
 */

/**
 * Start dispatching an accepted connection (`onConnect`, then data).
 *
 * @example
 * ```ts
 * connection[kOpen](); // the listener's accept stage is done: onConnect may run
 * ```
 */
export const kOpen = Symbol('@sock/core:open');
/**
 * A client's dial succeeded: take this wire.
 *
 * @example
 * ```ts
 * connection[kAttach](await dialer.dial(target, { signal }));
 * ```
 */
export const kAttach = Symbol('@sock/core:attach');
/**
 * A client's dial failed: reject everything with this error.
 *
 * @example
 * ```ts
 * connection[kAbort](new GenericError('CONNECT_TIMED_OUT', 'connecting to 10.0.0.1:80 took more than 30000 ms'));
 * ```
 */
export const kAbort = Symbol('@sock/core:abort');
/**
 * Close now, discarding unsent bytes.
 *
 * @example
 * ```ts
 * connection[kDestroy](); // immediateStop: every socket, now
 * ```
 */
export const kDestroy = Symbol('@sock/core:destroy');
/**
 * A promise that resolves once the wire has closed (never waits for a service resource).
 *
 * @example
 * ```ts
 * await connection[kClosed]; // the socket is gone, whatever onClose is still doing
 * ```
 */
export const kClosed = Symbol('@sock/core:closed');
/**
 * A promise that resolves once closed and `onClose` has settled.
 *
 * @example
 * ```ts
 * await connection[kDone]; // closed, and onClose has settled
 * ```
 */
export const kDone = Symbol('@sock/core:done');
/**
 * The connection's wire.
 *
 * @example
 * ```ts
 * connection[kWire]?.info.remoteAddress; // '127.0.0.1'
 * ```
 */
export const kWire = Symbol('@sock/core:wire');
/**
 * Write several buffers as one write.
 *
 * @example
 * ```ts
 * await connection[kWritev]([header, payload], header.length + payload.length); // one write on the wire
 * ```
 */
export const kWritev = Symbol('@sock/core:writev');
/**
 * The lifecycle value: `'connecting' | 'open' | 'closing' | 'closed'`.
 *
 * @example
 * ```ts
 * connection[kState]; // 'open'
 * ```
 */
export const kState = Symbol('@sock/core:state');
