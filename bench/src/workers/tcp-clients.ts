/**
 * TCP load generators, each in its own child process: the bulk sender, the echo round-trip loops
 * (@sock Client with promises or with a callback service, raw node:net, promise-socket), the
 * connect/close loop and the idle-connection holder.
 */
import { connect as netConnect, Socket } from 'node:net';
import { PromiseSocket } from 'promise-socket';
import { Client, type Caller, type ClientSecureSocket, type Service } from '@sock/tcp';
import { HOST, num, perOperation, type Fields } from '../protocol.js';
import { CpuMeter, nowMicros, type Context } from './context.js';
import { EchoWindow, MAX_ITERATIONS, request, runSockEchoClients } from './echo-window.js';

function connectRaw(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: HOST, port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** Raw net client: writes `total` bytes in `chunk`-byte writes (honouring backpressure), then ends. */
export async function bulkSendRaw(context: Context): Promise<Fields> {
  return sendBulk(await connectRaw(num(context.params, 'port')), context.params);
}

/**
 * Writes `params.total` bytes in `params.chunk`-byte writes on a connected socket (plain or TLS),
 * honouring backpressure, then ends it and waits for it to close.
 */
export async function sendBulk(socket: Socket, params: Fields): Promise<Fields> {
  const total = num(params, 'total');
  const chunkSize = num(params, 'chunk');
  const chunk = Buffer.alloc(chunkSize, 0x61);
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => (sent >= total ? resolve() : reject(new Error(`closed after ${sent} bytes`))));
    const pump = (): void => {
      while (sent < total) {
        const size = Math.min(chunkSize, total - sent);
        sent += size;
        if (!socket.write(size === chunkSize ? chunk : chunk.subarray(0, size))) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    // The receiver never writes: once our FIN is out and theirs is in, the socket closes.
    socket.resume();
    pump();
  });
  return { bytes: sent, ms: performance.now() - started };
}

/** @sock Client loop: `write(request)` then `read(size)`. `secureSocket`: TLS (one object for every client). */
export async function echoSock(context: Context, secureSocket?: ClientSecureSocket): Promise<Fields> {
  const { params } = context;
  const port = num(params, 'port');
  const config = secureSocket === undefined ? { host: HOST, port } : { host: HOST, port, secureSocket };
  const clients = await Promise.all(Array.from({ length: num(params, 'connections') }, () => Client.connect(config)));
  // The window opens once every client is connected (and, over TLS, has finished its handshake).
  const window = new EchoWindow(params);
  await runSockEchoClients(clients, params, window);
  return window.result(params);
}

/**
 * @sock Client with a callback service, push style — the loop the raw client runs, on @sock:
 * `onBytes` counts the echoed bytes and, once a whole reply is in, writes the next request
 * (`void caller.write`). The window opens once every client is connected.
 */
export async function echoSockPush(context: Context, secureSocket?: ClientSecureSocket): Promise<Fields> {
  const { params } = context;
  const port = num(params, 'port');
  const size = num(params, 'size');
  const req = request(params);
  // The window opens once every client is connected; no byte comes back before it does.
  const opened: { window?: EchoWindow } = {};
  const loops = Array.from({ length: num(params, 'connections') }, () => {
    let received = 0;
    let t0 = 0;
    let iterations = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    const next = (caller: Caller): void => {
      t0 = nowMicros();
      if (!opened.window!.running(t0) || ++iterations > MAX_ITERATIONS) {
        void caller.close();
        return;
      }
      void caller.write(req);
    };
    const service: Service = {
      onBytes(caller, data) {
        received += data.length;
        if (received < size) return;
        received -= size;
        opened.window!.complete(t0, nowMicros());
        next(caller);
      },
      onError() {
        if (opened.window !== undefined) opened.window.errors++;
      },
      onClose() {
        finish();
      },
    };
    return { service, next, done };
  });
  const clients = await Promise.all(
    loops.map(({ service }) => Client.connect(secureSocket === undefined ? { host: HOST, port, callbackService: service } : { host: HOST, port, secureSocket, callbackService: service })),
  );
  const window = (opened.window = new EchoWindow(params));
  loops.forEach(({ next }, i) => next(clients[i]!));
  await Promise.all(loops.map(({ done }) => done));
  return window.result(params);
}

/** promise-socket loop: `write(request)` then `read(size)` on a PromiseSocket over net.Socket. */
export async function echoPromiseSocket(context: Context): Promise<Fields> {
  const { params } = context;
  const port = num(params, 'port');
  const size = num(params, 'size');
  const sockets = await Promise.all(
    Array.from({ length: num(params, 'connections') }, async () => {
      const socket = new PromiseSocket(new Socket());
      await socket.connect(port, HOST);
      socket.socket.setNoDelay(true);
      return socket;
    }),
  );
  const req = request(params);
  const window = new EchoWindow(params);
  await Promise.all(
    sockets.map(async (socket) => {
      for (let i = 0; i < MAX_ITERATIONS; i++) {
        const t0 = nowMicros();
        if (!window.running(t0)) break;
        await socket.write(req);
        const reply = await socket.read(size);
        if (reply === undefined || reply.length !== size) {
          window.errors++;
          break;
        }
        window.complete(t0, nowMicros());
      }
      socket.destroy();
    }),
  );
  return window.result(params);
}

/** Raw node:net loop, callback style (no promises): write, count echoed bytes, write again. */
export async function echoRaw(context: Context): Promise<Fields> {
  const { params } = context;
  const port = num(params, 'port');
  const sockets = await Promise.all(Array.from({ length: num(params, 'connections') }, () => connectRaw(port)));
  return runRawEchoClients(sockets, params);
}

/**
 * The raw client side of an echo run over connected sockets (plain or TLS): the window opens only
 * now, so connecting (and TLS handshakes) stays out of it.
 */
export async function runRawEchoClients(sockets: readonly Socket[], params: Fields): Promise<Fields> {
  const size = num(params, 'size');
  const req = request(params);
  const window = new EchoWindow(params);
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let received = 0;
          let t0 = 0;
          let iterations = 0;
          const next = (): void => {
            t0 = nowMicros();
            if (!window.running(t0) || ++iterations > MAX_ITERATIONS) {
              socket.destroy();
              return;
            }
            socket.write(req);
          };
          socket.on('data', (data: Buffer) => {
            received += data.length;
            if (received < size) return;
            received -= size;
            window.complete(t0, nowMicros());
            next();
          });
          socket.once('close', () => resolve());
          next();
        }),
    ),
  );
  return window.result(params);
}

/** @sock: `count` sequential `Client.connect` + `close()`. `secureSocket`: TLS (the same object every time). */
export function connectSock(context: Context, secureSocket?: ClientSecureSocket): Promise<Fields> {
  const port = num(context.params, 'port');
  return connectLoop(context, async () => {
    const client = await Client.connect(secureSocket === undefined ? { host: HOST, port } : { host: HOST, port, secureSocket });
    await client.close();
  });
}

/** Raw: `count` sequential connects; each ends gracefully (FIN) and is released once flushed, as @sock's close() does. */
export function connectRawLoop(context: Context): Promise<Fields> {
  const port = num(context.params, 'port');
  return connectLoop(
    context,
    () =>
      new Promise<void>((resolve, reject) => {
        const socket = netConnect({ host: HOST, port });
        socket.once('error', reject);
        socket.once('connect', () => {
          socket.setNoDelay(true);
          socket.end(() => socket.destroy());
        });
        socket.once('close', () => resolve());
      }),
  );
}

/**
 * Runs `once` (one connect + close) `params.warmup` times unmeasured (the JIT warms up, as in every
 * other scenario), reports `warm` and waits for `go` (the parent resets the server's CPU count
 * meanwhile), then `params.count` times in sequence, or until `params.maxSeconds`; the rate.
 */
export async function connectLoop(context: Context, once: () => Promise<void>): Promise<Fields> {
  const { params } = context;
  const warmup = num(params, 'warmup');
  for (let i = 0; i < warmup; i++) await once();
  context.send('warm');
  await context.next('go');
  const count = num(params, 'count');
  const deadline = performance.now() + num(params, 'maxSeconds') * 1000;
  const started = performance.now();
  const cpu = new CpuMeter();
  let done = 0;
  while (done < count && performance.now() < deadline) {
    await once();
    done++;
  }
  const ms = performance.now() - started;
  return { connections: done, ms, perSec: (done / ms) * 1000, cpuPerConn: perOperation(cpu.micros, done) };
}

/** Opens `count` idle raw connections (`concurrency` at a time), reports `ready`, holds them until `stop`. */
export async function holdRaw(context: Context): Promise<Fields> {
  const { params } = context;
  const port = num(params, 'port');
  const count = num(params, 'count');
  const concurrency = num(params, 'concurrency');
  const sockets: Socket[] = [];
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        try {
          sockets.push(await connectRaw(port));
        } catch {
          failed++;
        }
      }
    }),
  );
  context.send('ready', { opened: sockets.length, failed });
  await context.next('stop');
  for (const socket of sockets) socket.destroy();
  return { opened: sockets.length, failed };
}
