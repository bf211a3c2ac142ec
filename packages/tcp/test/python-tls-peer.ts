import { fileURLToPath } from 'node:url';
import type { KeyPair } from './certificates.js';
import { startPeer, type PeerProcess } from './peer-process.js';

const script = fileURLToPath(new URL('./tls_peer.py', import.meta.url));

/** What a Python `ssl` peer should insist on. */
export interface PythonTlsOptions {
  /** `ssl.SSLContext.maximum_version = TLSVersion.TLSv1_2`. */
  maxVersion?: 'TLSv1_2';
  /** ALPN protocols to offer (client) or accept (server). */
  alpn?: readonly string[];
  /** Start plain: `STARTTLS\r\n` → `220 ready\r\n` → TLS handshake on the same socket. */
  starttls?: boolean;
}

/** Options of {@link pythonTlsServer}. */
export interface PythonTlsServerOptions extends PythonTlsOptions {
  identity: KeyPair;
  /** Require a client certificate issued by this CA. */
  clientCa?: KeyPair;
}

/** A running Python TLS echo server and its port. */
export interface PythonTlsServer extends PeerProcess {
  readonly port: number;
}

/**
 * What a Python peer printed after its handshake: `TLS <version> <cipher> <alpn|-> <peer CN|->`
 * (spaces in the CN are printed as `_`).
 */
export const PYTHON_TLS_LINE = /^TLS (\S+) (\S+) (\S+) (\S+)$/m;
/** What a Python peer printed when the handshake (or the first read after it) failed. */
export const PYTHON_FAILED_LINE = /^FAILED (.*)$/m;

/**
 * Starts `tls_peer.py server` (a Python `ssl` echo server for one connection on 127.0.0.1) and
 * resolves with its port once it listens. Its stdout then says `TLS ...` after the handshake,
 * `FAILED <reason>` if the handshake failed, and `CLOSED` when the client ended.
 *
 * @example
 * ```ts
 * const server = await pythonTlsServer({ identity: certificates().server, starttls: true });
 * ```
 */
export async function pythonTlsServer(options: PythonTlsServerOptions): Promise<PythonTlsServer> {
  const args = ['server', '--cert', options.identity.certFile, '--key', options.identity.keyFile];
  if (options.clientCa !== undefined) args.push('--client-ca', options.clientCa.certFile);
  const peer = startPeer('python3', [script, ...args, ...common(options)]);
  const port = await peer.waitFor(/^PORT (\d+)$/m);
  return Object.assign(peer, { port: Number(port[1]) });
}

/** Options of {@link pythonTlsClient}. */
export interface PythonTlsClientOptions extends PythonTlsOptions {
  port: number;
  /** Verify the server by this CA (and the name `servername`); without it nothing is checked. */
  ca?: KeyPair;
  /** Present this client certificate. */
  identity?: KeyPair;
  /** SNI and the name checked. Default `localhost`. */
  servername?: string;
  /** The line it sends right after the handshake and expects back. Default `hello over tls`. */
  payload?: string;
}

/**
 * Starts `tls_peer.py client`: it connects to 127.0.0.1:`port`, prints `TLS ...` after the
 * handshake, sends its payload line at once, and prints `GOT <line>` with the line it got back
 * (or `FAILED <reason>`).
 *
 * @example
 * ```ts
 * const client = pythonTlsClient({ port, ca: certificates().ca, payload: 'ping' });
 * expect((await client.waitFor(/^GOT (.*)$/m))[1]).toBe('ping');
 * ```
 */
export function pythonTlsClient(options: PythonTlsClientOptions): PeerProcess {
  const args = ['client', '--port', String(options.port), '--servername', options.servername ?? 'localhost'];
  if (options.ca !== undefined) args.push('--ca', options.ca.certFile);
  if (options.identity !== undefined) args.push('--cert', options.identity.certFile, '--key', options.identity.keyFile);
  if (options.payload !== undefined) args.push('--payload', options.payload);
  return startPeer('python3', [script, ...args, ...common(options)]);
}

function common(options: PythonTlsOptions): string[] {
  const args: string[] = [];
  if (options.maxVersion !== undefined) args.push('--max-version', options.maxVersion);
  if (options.alpn !== undefined) args.push('--alpn', options.alpn.join(','));
  if (options.starttls === true) args.push('--starttls');
  return args;
}
