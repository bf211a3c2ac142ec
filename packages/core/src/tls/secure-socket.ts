import { Buffer } from 'node:buffer';
import { invalidArgument } from '../errors.js';
import { describeValue, optional, validateBoolean, validateKeys, validateObject, validateTimeout } from '../validate.js';

/**
 * PEM text or bytes: one certificate, key or CA, or several.
 *
 * @example
 * ```ts
 * const ca: Pem = [fs.readFileSync('root.pem'), fs.readFileSync('intermediate.pem')];
 * ```
 */
export type Pem = string | Buffer | ReadonlyArray<string | Buffer>;

/**
 * TLS versions a side accepts at least.
 *
 * @example
 * ```ts
 * const secureSocket: ClientSecureSocket = { minVersion: 'TLSv1.3' satisfies TlsVersion };
 * ```
 */
export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/**
 * TLS for a client (`ClientConfig.secureSocket`).
 *
 * @example
 * ```ts
 * const client = await Client.connect({ host: 'db.example', port: 5433, secureSocket: { ca: fs.readFileSync('ca.pem') } });
 * ```
 */
export interface ClientSecureSocket {
  /** Trusted CAs; default: Node's bundled root CAs. */
  ca?: Pem;
  /** The client's certificate (mutual TLS), with `key`. */
  cert?: Pem;
  key?: Pem;
  /** SNI and the name the server's certificate must carry; default: `host` when it is a name. */
  servername?: string;
  /** Refuse a server whose certificate does not verify. Default true. */
  rejectUnauthorized?: boolean;
  /** Oldest TLS version accepted. Default: Node's (TLSv1.2). */
  minVersion?: TlsVersion;
  /** ALPN protocols offered, in order of preference (`['h2', 'http/1.1']`). */
  alpnProtocols?: readonly string[];
  /** Give up a handshake that takes longer (`TLS_FAILED`). Default 10000. */
  handshakeTimeoutInMillis?: number;
}

/**
 * TLS for a listener (`ListenerConfig.secureSocket`), or for `caller.startTls(...)` on a listener's connection.
 *
 * @example
 * ```ts
 * const listener = new Listener(443, { secureSocket: { cert: fs.readFileSync('server.pem'), key: fs.readFileSync('server.key') } });
 * ```
 */
export interface ListenerSecureSocket {
  cert: Pem;
  key: Pem;
  /** CAs that client certificates must chain to (mutual TLS). */
  ca?: Pem;
  /** Ask clients for a certificate and refuse those without a valid one. Default false. */
  requestCert?: boolean;
  /** Oldest TLS version accepted. Default: Node's (TLSv1.2). */
  minVersion?: TlsVersion;
  /** ALPN protocols the listener speaks, in order of preference. */
  alpnProtocols?: readonly string[];
  /** Close a connection whose handshake takes longer, before any service code runs. Default 10000. */
  handshakeTimeoutInMillis?: number;
}

/**
 * How long a TLS handshake may take by default, on listeners and clients.
 *
 * @example
 * ```ts
 * new Listener(443, { secureSocket: { cert, key, handshakeTimeoutInMillis: DEFAULT_HANDSHAKE_TIMEOUT_IN_MILLIS / 2 } });
 * ```
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_IN_MILLIS = 10_000;

const CLIENT_KEYS = new Set(['ca', 'cert', 'key', 'servername', 'rejectUnauthorized', 'minVersion', 'alpnProtocols', 'handshakeTimeoutInMillis']);
const LISTENER_KEYS = new Set(['cert', 'key', 'ca', 'requestCert', 'minVersion', 'alpnProtocols', 'handshakeTimeoutInMillis']);

function validatePem(value: unknown, name: string): Pem {
  const parts = Array.isArray(value) ? (value as unknown[]) : [value];
  if (parts.length === 0) throw invalidArgument(`${name} must not be empty`);
  for (const part of parts) {
    if (typeof part === 'string' ? part.trim().length === 0 : !Buffer.isBuffer(part) || part.length === 0) {
      throw invalidArgument(`${name} must be PEM text or bytes (or an array of them), not empty, got ${describeValue(part)}`);
    }
  }
  return value as Pem;
}

function validateVersion(value: unknown, name: string): TlsVersion {
  if (value !== 'TLSv1.2' && value !== 'TLSv1.3') throw invalidArgument(`${name} must be 'TLSv1.2' or 'TLSv1.3', got ${describeValue(value)}`);
  return value;
}

function validateAlpn(value: unknown, name: string): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((p) => typeof p !== 'string' || p.length === 0 || p.length > 255)) {
    throw invalidArgument(`${name} must be a non-empty array of protocol names, got ${describeValue(value)}`);
  }
  return Object.freeze([...(value as string[])]);
}

function validateName(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || /[\s\0]/.test(value)) {
    throw invalidArgument(`${name} must be a host name, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * A {@link ClientSecureSocket} checked, defaults filled in.
 *
 * @example
 * ```ts
 * const secure: ResolvedClientSecureSocket = resolveClientSecureSocket({ ca });
 * secure.rejectUnauthorized; // true
 * ```
 */
export interface ResolvedClientSecureSocket extends ClientSecureSocket {
  readonly rejectUnauthorized: boolean;
  readonly handshakeTimeoutInMillis: number;
}

/**
 * A {@link ListenerSecureSocket} checked, defaults filled in.
 *
 * @example
 * ```ts
 * const secure: ResolvedListenerSecureSocket = resolveListenerSecureSocket({ cert, key });
 * secure.handshakeTimeoutInMillis; // 10_000
 * ```
 */
export interface ResolvedListenerSecureSocket extends ListenerSecureSocket {
  readonly requestCert: boolean;
  readonly handshakeTimeoutInMillis: number;
}

/**
 * Checks a client's `secureSocket` (shape and types; the PEM contents are checked when the
 * transport builds its TLS context, before any connection). Throws `INVALID_ARGUMENT` naming the field.
 *
 * @example
 * ```ts
 * resolveClientSecureSocket({ ca: pem, alpnProtocols: ['h2'] }, 'secureSocket');
 * ```
 */
export function resolveClientSecureSocket(value: unknown, name = 'secureSocket'): ResolvedClientSecureSocket {
  // Read once per object: clients made from the same config share one checked copy (and one TLS context).
  const cached = resolvedClients.get(value as object);
  if (cached !== undefined) return cached;
  const record = validateObject(value, name);
  validateKeys(record, CLIENT_KEYS, name);
  if ((record.cert === undefined) !== (record.key === undefined)) throw invalidArgument(`${name}.cert and ${name}.key go together`);
  const resolved: ResolvedClientSecureSocket = {
    ca: optional<Pem | undefined>(record, 'ca', (v) => validatePem(v, `${name}.ca`), undefined),
    cert: optional<Pem | undefined>(record, 'cert', (v) => validatePem(v, `${name}.cert`), undefined),
    key: optional<Pem | undefined>(record, 'key', (v) => validatePem(v, `${name}.key`), undefined),
    servername: optional<string | undefined>(record, 'servername', (v) => validateName(v, `${name}.servername`), undefined),
    rejectUnauthorized: optional(record, 'rejectUnauthorized', (v) => validateBoolean(v, `${name}.rejectUnauthorized`), true),
    minVersion: optional<TlsVersion | undefined>(record, 'minVersion', (v) => validateVersion(v, `${name}.minVersion`), undefined),
    alpnProtocols: optional<readonly string[] | undefined>(record, 'alpnProtocols', (v) => validateAlpn(v, `${name}.alpnProtocols`), undefined),
    handshakeTimeoutInMillis: optional(record, 'handshakeTimeoutInMillis', (v) => validateTimeout(v, `${name}.handshakeTimeoutInMillis`), DEFAULT_HANDSHAKE_TIMEOUT_IN_MILLIS),
  };
  Object.freeze(resolved);
  resolvedClients.set(record, resolved);
  return resolved;
}

const resolvedClients = new WeakMap<object, ResolvedClientSecureSocket>();
const resolvedListeners = new WeakMap<object, ResolvedListenerSecureSocket>();

/**
 * Checks a listener's `secureSocket` (shape and types). Throws `INVALID_ARGUMENT` naming the field.
 *
 * @example
 * ```ts
 * resolveListenerSecureSocket({ cert, key }, 'secureSocket');
 * ```
 */
export function resolveListenerSecureSocket(value: unknown, name = 'secureSocket'): ResolvedListenerSecureSocket {
  const cached = resolvedListeners.get(value as object);
  if (cached !== undefined) return cached;
  const record = validateObject(value, name);
  validateKeys(record, LISTENER_KEYS, name);
  const resolved: ResolvedListenerSecureSocket = {
    cert: validatePem(record.cert, `${name}.cert`),
    key: validatePem(record.key, `${name}.key`),
    ca: optional<Pem | undefined>(record, 'ca', (v) => validatePem(v, `${name}.ca`), undefined),
    requestCert: optional(record, 'requestCert', (v) => validateBoolean(v, `${name}.requestCert`), false),
    minVersion: optional<TlsVersion | undefined>(record, 'minVersion', (v) => validateVersion(v, `${name}.minVersion`), undefined),
    alpnProtocols: optional<readonly string[] | undefined>(record, 'alpnProtocols', (v) => validateAlpn(v, `${name}.alpnProtocols`), undefined),
    handshakeTimeoutInMillis: optional(record, 'handshakeTimeoutInMillis', (v) => validateTimeout(v, `${name}.handshakeTimeoutInMillis`), DEFAULT_HANDSHAKE_TIMEOUT_IN_MILLIS),
  };
  if (resolved.requestCert && resolved.ca === undefined) throw invalidArgument(`${name}.requestCert needs ${name}.ca: the CAs client certificates must chain to`);
  Object.freeze(resolved);
  resolvedListeners.set(record, resolved);
  return resolved;
}
