/**
 * The entry points transports and the listener/client bases use on a {@link Connection}. Symbols,
 * as undici's `DispatcherBase` does it, so that none of them is on the public surface of a `Client`
 * or `Caller`; they are exported only from `@sock/core/internal`.
 */

/** Start dispatching an accepted connection (`onConnect`, then data). */
export const kOpen = Symbol('@sock/core:open');
/** A client's dial succeeded: take this wire. */
export const kAttach = Symbol('@sock/core:attach');
/** A client's dial failed: reject everything with this error. */
export const kAbort = Symbol('@sock/core:abort');
/** Close now, discarding unsent bytes. */
export const kDestroy = Symbol('@sock/core:destroy');
/** A promise that resolves once the wire has closed (never waits for a service resource). */
export const kClosed = Symbol('@sock/core:closed');
/** A promise that resolves once closed and `onClose` has settled. */
export const kDone = Symbol('@sock/core:done');
/** The connection's wire. */
export const kWire = Symbol('@sock/core:wire');
/** Write several buffers as one write. */
export const kWritev = Symbol('@sock/core:writev');
/** The lifecycle value: `'connecting' | 'open' | 'closing' | 'closed'`. */
export const kState = Symbol('@sock/core:state');
