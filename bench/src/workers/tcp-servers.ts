/**
 * TCP receivers and echo servers, @sock and raw node:net, each in its own child process.
 * Protocol: sends `ready {port}`; answers `measure` (memory after GC + open connections); a counting
 * server sends `done {bytes, ms}` once `total` bytes arrived (ms from first to last byte); `stop`
 * ends it with its counters as the result.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Listener, type Caller, type ListenerConfig, type Service } from '@sock/tcp';
import { HOST, type Fields } from '../protocol.js';
import { measureMemory, readyUntilStop, type Context } from './context.js';

/** Counts bytes; reports once when `total` is reached. */
export class ByteCounter {
  bytes = 0;
  #first = 0;
  #reported = false;
  readonly #total: number;
  readonly #context: Context;

  constructor(context: Context) {
    this.#context = context;
    this.#total = typeof context.params.total === 'number' ? context.params.total : Number.POSITIVE_INFINITY;
  }

  add(length: number): void {
    if (this.bytes === 0) this.#first = performance.now();
    this.bytes += length;
    if (!this.#reported && this.bytes >= this.#total) {
      this.#reported = true;
      this.#context.send('done', { bytes: this.bytes, ms: performance.now() - this.#first });
    }
  }
}

// Every bench server's accept queue (see serveSock).
const SERVER_BACKLOG = 4096;

/**
 * Runs an @sock Listener with `service` until `stop`; the result is what `result` returns then.
 * `config` adds to the loopback interface (TLS: `secureSocket`). The accept queue is as long as the
 * raw servers' (`backlog: 4096`): with Node's default of 511, a client that connects faster than a
 * briefly descheduled server accepts overflows it, and the lost SYN costs a 1 s retransmission.
 */
export async function serveSock(context: Context, service: Service, result: () => Fields = () => ({}), config: ListenerConfig = {}): Promise<Fields> {
  const listener = new Listener(0, { backlog: SERVER_BACKLOG, ...config, interface: HOST });
  listener.attach(service);
  await listener.start();
  context.handle('measure', async () => ({ ...(await measureMemory()), connections: listener.connections }));
  const cpuMicros = await readyUntilStop(context, listener.address!.port);
  await listener.immediateStop();
  return { ...result(), cpuMicros };
}

/** Makes the raw server: a plain net.Server by default; a tls.Server (whose listener gets the TLS sockets) for TLS. */
export type RawServerFactory = (onSocket: (socket: Socket) => void) => Server;

const plainServer: RawServerFactory = (onSocket) => createServer({ noDelay: true }, onSocket);

/**
 * Runs a raw server (`make`: net.Server by default) handing each socket to `onSocket` until `stop`;
 * the result is what `result` returns then.
 */
export async function serveRaw(context: Context, onSocket: (socket: Socket) => void, result: () => Fields = () => ({}), make: RawServerFactory = plainServer): Promise<Fields> {
  const sockets = new Set<Socket>();
  const server = make((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: HOST, backlog: SERVER_BACKLOG }, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('raw server has no port');
  context.handle('measure', async () => ({ ...(await measureMemory()), connections: sockets.size }));
  const cpuMicros = await readyUntilStop(context, address.port);
  server.close();
  for (const socket of sockets) socket.destroy();
  return { ...result(), cpuMicros };
}

/** @sock Listener, push path: `onBytes` counts every chunk. `config`: see serveSock (TLS). */
export function tcpSockPushCount(context: Context, config: ListenerConfig = {}): Promise<Fields> {
  const counter = new ByteCounter(context);
  return serveSock(context, { onBytes: (_caller, data) => counter.add(data.length) }, () => ({ bytes: counter.bytes }), config);
}

/** @sock Listener, pull path: `onConnect` loops `await caller.read()` until the empty Buffer of end of stream. */
export function tcpSockPullCount(context: Context, config: ListenerConfig = {}): Promise<Fields> {
  const counter = new ByteCounter(context);
  const service: Service = {
    async onConnect(caller: Caller) {
      for (;;) {
        const data = await caller.read();
        if (data.length === 0) return;
        counter.add(data.length);
      }
    },
  };
  return serveSock(context, service, () => ({ bytes: counter.bytes }), config);
}

/** @sock Listener, pull path with `onReadReady` (each run reads what is queued). */
export function tcpSockReadyCount(context: Context): Promise<Fields> {
  const counter = new ByteCounter(context);
  const service: Service = {
    async onReadReady(caller: Caller) {
      const data = await caller.read();
      counter.add(data.length);
    },
  };
  return serveSock(context, service, () => ({ bytes: counter.bytes }));
}

/** Raw net.Server (or what `make` makes: TLS) counting 'data' bytes. */
export function tcpRawCount(context: Context, make?: RawServerFactory): Promise<Fields> {
  const counter = new ByteCounter(context);
  return serveRaw(context, (socket) => socket.on('data', (data: Buffer) => counter.add(data.length)), () => ({ bytes: counter.bytes }), make);
}

/** @sock Listener echo: `onBytes` writes the chunk back (without awaiting the write). */
export function tcpSockEcho(context: Context, config: ListenerConfig = {}): Promise<Fields> {
  return serveSock(
    context,
    {
      onBytes(caller, data) {
        void caller.write(data);
      },
    },
    undefined,
    config,
  );
}

/** Raw net.Server (or what `make` makes: TLS) echo. */
export function tcpRawEcho(context: Context, make?: RawServerFactory): Promise<Fields> {
  return serveRaw(context, (socket) => socket.on('data', (data: Buffer) => socket.write(data)), undefined, make);
}

