import diagnostics from 'node:diagnostics_channel';
import { GenericError, type SocketError } from './errors.js';
import { describeValue } from './validate.js';

/**
 * The `node:diagnostics_channel` channels `@sock` publishes on, by event. A message is
 * `{ caller, error? }`; nothing is built or published while a channel has no subscriber.
 *
 * - `sock:connect`: a client connected (`caller` is the client).
 * - `sock:accept`: a listener accepted a connection, after its accept steps, before `onConnect`.
 * - `sock:close`: a connection closed.
 * - `sock:error`: an error was routed to a connection (socket faults and `HANDLER_FAILED`), whether
 *   or not the service's `onError` takes it; also connections refused by an accept step (TLS,
 *   PROXY header), with `caller` undefined and `remote` naming the peer.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * diagnostics.subscribe(SOCK_CHANNELS.error, ({ caller, error }) => log(caller?.remoteAddress, error.code));
 * ```
 */
export const SOCK_CHANNELS = Object.freeze({
  connect: 'sock:connect',
  accept: 'sock:accept',
  close: 'sock:close',
  error: 'sock:error',
} as const);

// diagnostics_channel keeps one channel per name for the whole process, so two installed copies of
// @sock/core publish to the same subscribers.
const connectChannel = diagnostics.channel(SOCK_CHANNELS.connect);
const acceptChannel = diagnostics.channel(SOCK_CHANNELS.accept);
const closeChannel = diagnostics.channel(SOCK_CHANNELS.close);
const errorChannel = diagnostics.channel(SOCK_CHANNELS.error);

/**
 * A message on a `sock:*` channel.
 *
 * @example
 * ```ts
 * diagnostics.subscribe('sock:close', (message) => console.log((message as SockMessage).caller?.id));
 * ```
 */
export interface SockMessage {
  /** The connection (a `Caller`, or a `Client`); undefined when it never became one (a refused accept). */
  readonly caller: object | undefined;
  readonly error?: SocketError;
  /** The peer, for a connection that was refused before it became a caller. */
  readonly remote?: string;
}

/** @internal A client connected. */
export function publishConnect(caller: object): void {
  if (connectChannel.hasSubscribers) connectChannel.publish({ caller } satisfies SockMessage);
}

/** @internal A listener accepted a connection. */
export function publishAccept(caller: object): void {
  if (acceptChannel.hasSubscribers) acceptChannel.publish({ caller } satisfies SockMessage);
}

/** @internal A connection closed. */
export function publishClose(caller: object): void {
  if (closeChannel.hasSubscribers) closeChannel.publish({ caller } satisfies SockMessage);
}

/**
 * @internal An error was routed to a connection (or refused one before it became a caller).
 *
 * @example
 * ```ts
 * publishError(caller, new GenericError('IDLE_TIMED_OUT', 'no data from 127.0.0.1:5000 for 30000 ms'));
 * ```
 */
export function publishError(caller: object | undefined, error: SocketError, remote?: string): void {
  if (!errorChannel.hasSubscribers) return;
  errorChannel.publish((remote === undefined ? { caller, error } : { caller, error, remote }) satisfies SockMessage);
}

/**
 * The warning policy of SPEC "Warnings", in one place. An error that no `onError` took:
 * - a failed service resource (`HANDLER_FAILED`) is a bug to fix: one `SocketWarning` per owner
 *   (the owner tracks "once" and asks again only if it has not warned yet);
 * - a socket fault (reset, time-out, refused) is routine for a server: nothing is printed, the
 *   `sock:error` channel has it.
 * Returns true when a warning was emitted.
 *
 * @example
 * ```ts
 * if (!warned) warned = warnUnhandled(error);
 * ```
 */
export function warnUnhandled(error: SocketError, where?: string): boolean {
  if (error.code !== 'HANDLER_FAILED') return false;
  const cause = error.cause instanceof Error ? error.cause.message : error.cause === undefined ? 'no cause' : describeValue(error.cause);
  process.emitWarning(`${where === undefined ? '' : `${where}: `}${error.message}: ${cause}`, { type: 'SocketWarning', code: error.code });
  return true;
}

/**
 * A warning for a fault that has no connection to go to (the listening socket itself failed).
 *
 * @example
 * ```ts
 * warnListener('listener on 127.0.0.1:80', error);
 * ```
 */
export function warnListener(where: string, error: SocketError): void {
  process.emitWarning(`${where}: ${error.message}`, { type: 'SocketWarning', code: error.code });
}

/**
 * The `HANDLER_FAILED` error for a service resource that threw or rejected.
 *
 * @example
 * ```ts
 * handlerFailed('onBytes', 'connection 127.0.0.1:50000', thrown);
 * ```
 */
export function handlerFailed(resource: string, where: string, cause: unknown): GenericError {
  return new GenericError('HANDLER_FAILED', `service resource ${resource} failed on ${where}`, cause);
}
