/**
 * Reason of a {@link ReadTimedOutError}.
 *
 * @example
 * ```ts
 * if (error.reason === READ_TIMED_OUT) retry();
 * ```
 */
export const READ_TIMED_OUT = 'ReadTimedOut' as const;
/**
 * Reason of a {@link GenericError}.
 *
 * @example
 * ```ts
 * if (error.reason === GENERIC_ERROR) console.log(error.code);
 * ```
 */
export const GENERIC_ERROR = 'GenericError' as const;

/**
 * The two reasons of the seed module: a read timed out, or anything else.
 *
 * @example
 * ```ts
 * const reason: SocketErrorReason = error.reason;
 * ```
 */
export type SocketErrorReason = typeof READ_TIMED_OUT | typeof GENERIC_ERROR;

/**
 * Fine-grained, stable error codes. Each one is documented in the README's error table.
 *
 * @example
 * ```ts
 * if (isSocketError(err, 'CONNECTION_REFUSED')) retryLater();
 * ```
 */
export type SocketErrorCode =
  | 'READ_TIMED_OUT'
  | 'CONNECT_TIMED_OUT'
  | 'WRITE_TIMED_OUT'
  | 'IDLE_TIMED_OUT'
  | 'CONNECTION_REFUSED'
  | 'CONNECTION_RESET'
  | 'CONNECTION_CLOSED'
  | 'ADDRESS_IN_USE'
  | 'HOST_NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'DATAGRAM_TOO_LARGE'
  | 'FRAME_TOO_LARGE'
  | 'TLS_FAILED'
  | 'PROXY_PROTOCOL_INVALID'
  | 'HANDLER_FAILED'
  | 'GENERIC';

/**
 * Every code, in the order of the README table.
 *
 * @example
 * ```ts
 * for (const code of SOCKET_ERROR_CODES) metrics.counter(`sock_errors_${code}`);
 * ```
 */
export const SOCKET_ERROR_CODES: readonly SocketErrorCode[] = [
  'READ_TIMED_OUT',
  'CONNECT_TIMED_OUT',
  'WRITE_TIMED_OUT',
  'IDLE_TIMED_OUT',
  'CONNECTION_REFUSED',
  'CONNECTION_RESET',
  'CONNECTION_CLOSED',
  'ADDRESS_IN_USE',
  'HOST_NOT_FOUND',
  'INVALID_ARGUMENT',
  'DATAGRAM_TOO_LARGE',
  'FRAME_TOO_LARGE',
  'TLS_FAILED',
  'PROXY_PROTOCOL_INVALID',
  'HANDLER_FAILED',
  'GENERIC',
];

/**
 * The seed's error detail record: `detail.message === error.message`, `detail.cause === error.cause`.
 *
 * @example
 * ```ts
 * const { message, cause } = error.detail;
 * ```
 */
export interface Detail {
  message: string;
  cause?: unknown;
}

// A registry-wide symbol, so that errors made by one installed copy of @sock/core are recognised by
// `instanceof` in another copy (two versions in one node_modules tree are common in monorepos).
const BRAND = Symbol.for('@sock/core:SocketError');
// Marks the three classes of this module whose `instanceof` is decided by the brand.
const KIND = Symbol('@sock/core:kind');

type Kind = 'any' | SocketErrorReason;

// The brand sits on the prototype: making an error costs no extra property.
function brand(target: { prototype: object }, reason: SocketErrorReason): void {
  Object.defineProperty(target.prototype, BRAND, { value: reason, enumerable: false });
}

/**
 * Base class of every error `@sock` makes. Never thrown bare: it is a {@link GenericError} or a
 * {@link ReadTimedOutError}.
 *
 * @example
 * ```ts
 * try { await client.read(4); } catch (err) {
 *   if (err instanceof SocketError) console.log(err.code, err.detail.message);
 * }
 * ```
 */
export abstract class SocketError extends Error {
  static readonly [KIND]: string = 'any';

  readonly reason: SocketErrorReason;
  readonly code: SocketErrorCode;
  readonly detail: Detail;

  protected constructor(reason: SocketErrorReason, code: SocketErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.code = code;
    this.detail = cause === undefined ? { message } : { message, cause };
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses that users derive keep ordinary prototype semantics.
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!Object.hasOwn(this, KIND) || typeof value !== 'object' || value === null) return false;
    const brand = (value as { [BRAND]?: unknown })[BRAND];
    if (brand !== READ_TIMED_OUT && brand !== GENERIC_ERROR) return false;
    const kind = (this as unknown as { [KIND]: Kind })[KIND];
    return kind === 'any' || kind === brand;
  }
}

/**
 * Every socket error except a read time-out. Its `code` tells what happened.
 *
 * @example
 * ```ts
 * throw new GenericError('INVALID_ARGUMENT', 'port must be an integer from 1 to 65535, got -1');
 * ```
 */
export class GenericError extends SocketError {
  static override readonly [KIND]: string = GENERIC_ERROR;
  static {
    brand(this, GENERIC_ERROR);
  }

  constructor(code: Exclude<SocketErrorCode, 'READ_TIMED_OUT'>, message: string, cause?: unknown) {
    super(GENERIC_ERROR, code, message, cause);
    this.name = 'GenericError';
  }
}

/**
 * A read got no new byte within its time-out. The bytes gathered so far stay queued for the next
 * read: a time-out never loses data.
 *
 * @example
 * ```ts
 * try { await caller.read(18, { timeoutInMillis: 1000 }); }
 * catch (err) { if (err instanceof ReadTimedOutError) await caller.read(); }
 * ```
 */
export class ReadTimedOutError extends SocketError {
  static override readonly [KIND]: string = READ_TIMED_OUT;
  static {
    brand(this, READ_TIMED_OUT);
  }

  constructor(message: string, cause?: unknown) {
    super(READ_TIMED_OUT, 'READ_TIMED_OUT', message, cause);
    this.name = 'ReadTimedOutError';
  }
}

/**
 * True when `value` is a {@link SocketError} (from any installed copy of @sock/core), and, when
 * `code` is given, has that code.
 *
 * @example
 * ```ts
 * client.write(data).catch((err) => { if (isSocketError(err, 'CONNECTION_CLOSED')) reconnect(); });
 * ```
 */
export function isSocketError(value: unknown, code?: SocketErrorCode): value is SocketError {
  if (!(value instanceof SocketError)) return false;
  return code === undefined || value.code === code;
}

/**
 * `host:port`, with IPv6 literals in brackets, as every message names an endpoint.
 *
 * @example
 * ```ts
 * formatEndpoint('::1', 80); // '[::1]:80'
 * ```
 */
export function formatEndpoint(host: string | undefined, port: number | undefined): string {
  const h = host ?? 'unknown';
  const shown = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  return port === undefined ? shown : `${shown}:${port}`;
}

/**
 * Shorthand for the most common error: bad input at a public boundary.
 *
 * @example
 * ```ts
 * throw invalidArgument(`port must be an integer from 0 to 65535, got ${describeValue(port)}`);
 * ```
 */
export function invalidArgument(message: string, cause?: unknown): GenericError {
  return new GenericError('INVALID_ARGUMENT', message, cause);
}

/**
 * Shorthand for an operation on a socket that is closed.
 *
 * @example
 * ```ts
 * throw connectionClosed('127.0.0.1:6379'); // CONNECTION_CLOSED: connection to 127.0.0.1:6379 is closed
 * ```
 */
export function connectionClosed(endpoint: string, cause?: unknown): GenericError {
  return new GenericError('CONNECTION_CLOSED', `connection to ${endpoint} is closed`, cause);
}

/**
 * What an operation was doing when the OS failed it; chooses the words and some codes.
 *
 * @example
 * ```ts
 * const operation: Operation = 'connect';
 * fromSystemError(error, operation, '127.0.0.1:6379'); // ECONNREFUSED → CONNECTION_REFUSED
 * ```
 */
export type Operation = 'connect' | 'listen' | 'bind' | 'read' | 'write' | 'send' | 'close' | 'lookup';

/**
 * Maps an error from the OS or Node (`err.code` such as `ECONNREFUSED`) to a {@link SocketError}
 * that names the endpoint, with the original as `cause`. SocketErrors pass through unchanged.
 *
 * @example
 * ```ts
 * socket.on('error', (err) => fail(fromSystemError(err, 'connect', '127.0.0.1:9')));
 * ```
 */
export function fromSystemError(error: unknown, operation: Operation, endpoint: string): SocketError {
  if (error instanceof SocketError) return error;
  const sys = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  const sysCode = typeof sys.code === 'string' ? sys.code : undefined;
  const text = typeof sys.message === 'string' ? sys.message : String(error);
  switch (sysCode) {
    case 'ECONNREFUSED':
      return new GenericError('CONNECTION_REFUSED', `connection refused by ${endpoint}`, error);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return new GenericError('CONNECTION_RESET', `connection to ${endpoint} was reset by the peer`, error);
    case 'EADDRINUSE':
      return new GenericError('ADDRESS_IN_USE', `address ${endpoint} is already in use`, error);
    case 'EADDRNOTAVAIL':
      return new GenericError('INVALID_ARGUMENT', `address ${endpoint} is not available on this host`, error);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return new GenericError('HOST_NOT_FOUND', `host of ${endpoint} was not found`, error);
    case 'ETIMEDOUT':
      return operation === 'connect'
        ? new GenericError('CONNECT_TIMED_OUT', `connecting to ${endpoint} timed out`, error)
        : new GenericError('CONNECTION_RESET', `connection to ${endpoint} timed out in the kernel`, error);
    case 'EMSGSIZE':
      return new GenericError('DATAGRAM_TOO_LARGE', `datagram to ${endpoint} is too large to send`, error);
    case 'ERR_SOCKET_CLOSED':
    case 'ERR_STREAM_DESTROYED':
    case 'ERR_STREAM_WRITE_AFTER_END':
    case 'ERR_SOCKET_DGRAM_NOT_RUNNING':
      return new GenericError('CONNECTION_CLOSED', `connection to ${endpoint} is closed`, error);
    case 'EACCES':
    case 'EPERM':
      return new GenericError('GENERIC', `permission denied to ${operation} ${endpoint}`, error);
    default:
      if (sysCode?.startsWith('ERR_INVALID_ARG') || sysCode === 'ERR_SOCKET_BAD_PORT' || sysCode === 'EINVAL') {
        return new GenericError('INVALID_ARGUMENT', `invalid argument to ${operation} ${endpoint}: ${text}`, error);
      }
      return new GenericError('GENERIC', `${operation} ${endpoint} failed: ${text}`, error);
  }
}
