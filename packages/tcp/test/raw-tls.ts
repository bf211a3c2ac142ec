import { createServer as createNetServer, connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions, type TLSSocket, type TlsOptions } from 'node:tls';
import { deferred, track } from './helpers.js';
import { PEER_WAIT_IN_MILLIS } from './peer-process.js';

/**
 * A `node:tls` client to 127.0.0.1:`port`, destroyed after the test: resolves once the handshake is
 * done, rejects with the handshake's error (or after {@link PEER_WAIT_IN_MILLIS}).
 *
 * @example
 * ```ts
 * const socket = await rawTlsConnect({ port, servername: 'localhost', ca: certificates().ca.cert });
 * ```
 */
export function rawTlsConnect(options: ConnectionOptions & { port: number }): Promise<TLSSocket> {
  const socket = tlsConnect({ host: '127.0.0.1', ...options });
  track({ close: async () => void socket.destroy() });
  return handshake(socket, 'secureConnect');
}

/**
 * Waits for `socket`'s handshake (`event`: `'secureConnect'` for a client, `'secure'` for a
 * `TLSSocket` made with `isServer`); rejects with its error, or after {@link PEER_WAIT_IN_MILLIS}.
 *
 * @example
 * ```ts
 * await handshake(new TLSSocket(plain, { isServer: true, secureContext }), 'secure');
 * ```
 */
export function handshake(socket: TLSSocket, event: 'secureConnect' | 'secure'): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no TLS handshake within ${PEER_WAIT_IN_MILLIS} ms`)), PEER_WAIT_IN_MILLIS);
    const onSecure = (): void => done();
    const onError = (error: Error): void => done(error);
    const onClose = (): void => done(new Error('the socket closed before the handshake finished'));
    function done(error?: Error): void {
      clearTimeout(timer);
      socket.off(event, onSecure).off('error', onError).off('close', onClose);
      // Errors after the handshake (a TLS 1.3 alert) belong to whoever reads next; never unlistened.
      socket.on('error', () => undefined);
      if (error === undefined) resolve(socket);
      else reject(error);
    }
    socket.once(event, onSecure).once('error', onError).once('close', onClose);
  });
}

/**
 * Reads from `socket` until the text received (latin1) matches `pattern`; rejects when the stream
 * ends or fails first, or after {@link PEER_WAIT_IN_MILLIS}.
 *
 * @example
 * ```ts
 * socket.write('ping\n');
 * await readUntil(socket, /ping\n/);
 * ```
 */
export function readUntil(socket: Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => done(new Error(`did not read ${pattern} within ${PEER_WAIT_IN_MILLIS} ms; got ${JSON.stringify(text)}`)), PEER_WAIT_IN_MILLIS);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (pattern.test(text)) done();
    };
    const onEnd = (): void => done(new Error(`the stream ended before ${pattern}; got ${JSON.stringify(text)}`));
    const onError = (error: Error): void => done(error);
    function done(error?: Error): void {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      if (error === undefined) resolve(text);
      else reject(error);
    }
    socket.on('data', onData).once('end', onEnd).once('close', onEnd).once('error', onError);
  });
}

/**
 * Everything a raw socket receives until it closes (or {@link PEER_WAIT_IN_MILLIS} passes: then it
 * rejects, so a test that expected a close cannot hang).
 *
 * @example
 * ```ts
 * const bytes = await receiveUntilClosed(plainSocket);
 * expect(bytes.includes('secret')).toBe(false);
 * ```
 */
export function receiveUntilClosed(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`the socket was not closed within ${PEER_WAIT_IN_MILLIS} ms`)), PEER_WAIT_IN_MILLIS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** A plain `node:net` socket to 127.0.0.1:`port`, connected, destroyed after the test. */
export async function rawSocket(port: number): Promise<Socket> {
  const socket = netConnect({ host: '127.0.0.1', port });
  track({ close: async () => void socket.destroy() });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** A `node:tls` server on 127.0.0.1 port 0 and what happened to its connections. */
export interface RawTlsServer {
  readonly port: number;
  /** The first connection whose handshake finished. */
  readonly secured: Promise<TLSSocket>;
  /** The first handshake that failed (`tlsClientError`). */
  readonly failed: Promise<Error>;
}

/**
 * A `node:tls` server on 127.0.0.1 port 0 that echoes every byte, closed after the test. A
 * connection whose handshake fails (or misses `handshakeTimeout`) is destroyed.
 *
 * @example
 * ```ts
 * const server = await rawTlsEchoServer({ cert: certificates().server.cert, key: certificates().server.key });
 * ```
 */
export async function rawTlsEchoServer(options: TlsOptions): Promise<RawTlsServer> {
  const secured = deferred<TLSSocket>();
  const failed = deferred<Error>();
  const server = createTlsServer(options, (socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
    secured.resolve(socket);
  });
  server.on('tlsClientError', (error, socket) => {
    // Node 20 emits ERR_TLS_HANDSHAKE_TIMEOUT here but leaves the socket open: closing it is ours.
    socket.destroy();
    failed.resolve(error);
  });
  return { port: await listenOnLoopback(server), secured: secured.promise, failed: failed.promise };
}

/**
 * A plain `node:net` server on 127.0.0.1 port 0 that hands each socket to `onSocket`; it and its
 * sockets are closed after the test.
 *
 * @example
 * ```ts
 * const port = await rawNetServer((socket) => socket.pipe(socket));
 * ```
 */
export async function rawNetServer(onSocket: (socket: Socket) => void): Promise<number> {
  return listenOnLoopback(
    createNetServer((socket) => {
      socket.on('error', () => undefined);
      onSocket(socket);
    }),
  );
}

async function listenOnLoopback(server: NetServer): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  track({
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}
