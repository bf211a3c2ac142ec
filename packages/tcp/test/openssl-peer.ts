import type { KeyPair } from './certificates.js';
import { startPeer, type PeerProcess } from './peer-process.js';

/** What an `openssl s_server` or `s_client` should insist on. */
export interface OpensslOptions {
  /** Speak TLS 1.2 only (`-tls1_2`). */
  tls12Only?: boolean;
  /** ALPN protocols to offer (client) or accept (server), in preference order. */
  alpn?: readonly string[];
}

/** Options of {@link opensslServer}. */
export interface OpensslServerOptions extends OpensslOptions {
  /** The server's certificate and key. */
  identity: KeyPair;
  /** Require a client certificate issued by this CA (`-Verify 1 -verify_return_error`). */
  clientCa?: KeyPair;
}

/** A running `openssl s_server` and the port it listens on. */
export interface OpensslServer extends PeerProcess {
  readonly port: number;
}

/**
 * Starts `openssl s_server` on 127.0.0.1, serving one connection (`-naccept 1`), and resolves once
 * it listens. What the client sends shows up on its stdout (among the server's own chatter: the
 * session, shared ciphers, `CIPHER is ...`, `ALPN protocols selected: ...`); what is written to its
 * stdin goes to the client, a line at a time.
 *
 * Quirks: it takes port 0 and reports the real one on stdout as `ACCEPT 127.0.0.1:<port>`, but only
 * without `-quiet`/`-brief`, which silence that line too; it shuts the connection down when its
 * stdin ends, and a stdin line starting with `Q`, `q`, `r`, `R`, ... is a command, not data.
 *
 * @example
 * ```ts
 * const server = await opensslServer({ identity: certificates().server, alpn: ['http/1.1'] });
 * const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: certificates().ca.cert });
 * ```
 */
export async function opensslServer(options: OpensslServerOptions): Promise<OpensslServer> {
  const args = ['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', '-cert', options.identity.certFile, '-key', options.identity.keyFile];
  if (options.clientCa !== undefined) args.push('-Verify', '1', '-verify_return_error', '-CAfile', options.clientCa.certFile);
  args.push(...common(options));
  const peer = startPeer('openssl', args);
  const accept = await peer.waitFor(/^ACCEPT 127\.0\.0\.1:(\d+)$/m);
  return Object.assign(peer, { port: Number(accept[1]) });
}

/** Options of {@link opensslClient}. */
export interface OpensslClientOptions extends OpensslOptions {
  port: number;
  /** Trust this CA and verify the server by it, aborting on any error; without it nothing is checked. */
  ca?: KeyPair;
  /** Present this client certificate. */
  identity?: KeyPair;
  /** SNI and the name the certificate must carry. Default `localhost`. */
  servername?: string;
}

/**
 * Starts `openssl s_client -brief` to 127.0.0.1:`port`. Its stdout carries only what the server
 * sends; the handshake summary (`CONNECTION ESTABLISHED`, `Protocol version: TLSv1.3`,
 * `Verification: OK`) and any failure (`verify error:num=10:certificate has expired`) go to stderr.
 * Lines written to its stdin go to the server once the handshake is done (`-brief` implies
 * `-quiet`, so no stdin line is taken as a command, and the end of stdin does not close).
 *
 * @example
 * ```ts
 * const client = opensslClient({ port, ca: certificates().ca });
 * client.send('hello\n');
 * await client.waitFor(/^hello$/m);
 * ```
 */
export function opensslClient(options: OpensslClientOptions): PeerProcess {
  const servername = options.servername ?? 'localhost';
  const args = ['s_client', '-connect', `127.0.0.1:${options.port}`, '-servername', servername, '-brief'];
  if (options.ca !== undefined) args.push('-CAfile', options.ca.certFile, '-verify_return_error', '-verify_hostname', servername);
  if (options.identity !== undefined) args.push('-cert', options.identity.certFile, '-key', options.identity.keyFile);
  args.push(...common(options));
  return startPeer('openssl', args);
}

function common(options: OpensslOptions): string[] {
  const args: string[] = [];
  if (options.tls12Only === true) args.push('-tls1_2');
  if (options.alpn !== undefined) args.push('-alpn', options.alpn.join(','));
  return args;
}
