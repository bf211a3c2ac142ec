// Faults over real loopback TCP: resets, connects that go nowhere, closes at awkward moments,
// services that fail or hang, peers that never read, too many connections, slowloris. Each test
// is bounded in time and checks that nothing is lost or leaked: onClose exactly once per
// connection, `connections` back to 0, no unhandled rejection, the listener still serving.
// Peers that must misbehave in ways @sock never would are raw node:net sockets or the scripted
// Python peer.
import { execFileSync } from 'node:child_process';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, isSocketError, type Caller, type ClientConfig, type ListenerConfig, type Service, type SocketError } from '../src/index.js';
import { BOUND_IN_MILLIS, eventually, expectStillServes, openTcpHandles, rejection, watchUnhandledRejections, within } from './fault-checks.js';
import { deferred, listen, track } from './helpers.js';
import { spawnScriptedPeer } from './line-process.js';
import { echoBytes, record } from './recorder.js';

let unhandled: { stop(): Promise<void> };
beforeEach(() => {
  unhandled = watchUnhandledRejections();
});
afterEach(async () => {
  await unhandled.stop();
});

/** A raw node:net socket to a port, destroyed after the test; its own errors are not under test. */
async function rawConnect(port: number): Promise<Socket> {
  const socket = netConnect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  track({ close: async () => void socket.destroy() });
  await within(new Promise((resolve) => socket.once('connect', resolve)), BOUND_IN_MILLIS, 'a raw connect');
  return socket;
}

/** A raw node:net server on 127.0.0.1 that hands each socket to `onSocket`; closed after the test. */
async function rawServer(onSocket: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track({
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  });
  return (server.address() as { port: number }).port;
}

function written(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}

const PENDING = Symbol('pending');
/** True when `promise` has not settled yet (decided within the current microtask turn, no timer). */
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  try {
    return (await Promise.race([promise, Promise.resolve(PENDING)])) === PENDING;
  } catch {
    return false;
  }
}

/** Echo, except for connections that open with one of `special`'s keys: those get its behaviour. */
function echoExcept(special: Record<string, (caller: Caller) => Promise<void>>): Service {
  return {
    async onReadReady(caller) {
      const data = await caller.read();
      if (data.length === 0) return;
      const scenario = special[data.toString()];
      if (scenario !== undefined) await scenario(caller);
      else await caller.write(data);
    },
  };
}

describe('a peer that resets', () => {
  it('mid-read: the pending read and onError get CONNECTION_RESET, onClose runs once, the listener serves on', async () => {
    const readStarted = deferred();
    const readFailed = deferred<Promise<SocketError>>();
    const recording = record(
      echoExcept({
        async 'wait-for-100'(caller) {
          const read = caller.read(100);
          readStarted.resolve();
          readFailed.resolve(rejection(read, 'read(100)'));
          await read.catch(() => undefined);
        },
      }),
    );
    const listener = await listen(recording.service);
    const peer = await rawConnect(listener.port);
    await written(peer, 'wait-for-100');
    // Reset only once the service consumed every byte sent: bytes still in flight when a socket is
    // reset can turn the RST into a plain end of stream.
    await within(readStarted.promise, BOUND_IN_MILLIS, 'the service waiting in read(100)');
    peer.resetAndDestroy();

    expect((await readFailed.promise).code).toBe('CONNECTION_RESET');
    await recording.closed(1);
    const [caller] = recording.callers;
    expect(recording.errorsOf(caller!)).toEqual(['CONNECTION_RESET']);
    recording.expectEachClosedOnce();
    await eventually(() => listener.connections === 0, 'the listener has no connection left');
    await expectStillServes(listener.port);
  });

  it('mid-write: a service write waiting for the peer to read gets CONNECTION_RESET, so does onError; onClose once', async () => {
    const writePending = deferred();
    const writeFailed = deferred<SocketError | string>();
    const recording = record(
      echoExcept({
        async flood(caller) {
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          for (let i = 0; i < 4096; i++) {
            const write = caller.write(chunk);
            if (await isPending(write)) writePending.resolve();
            try {
              await write;
            } catch (error) {
              writeFailed.resolve(error as SocketError);
              return;
            }
          }
          writeFailed.resolve('the peer took 256 MiB without reading');
        },
      }),
    );
    const listener = await listen(recording.service);
    const peer = await rawConnect(listener.port);
    const arrived = deferred();
    peer.once('data', () => {
      peer.pause(); // never read again: the buffers fill and the service's writes wait
      arrived.resolve();
    });
    await written(peer, 'flood');
    await within(arrived.promise, BOUND_IN_MILLIS, 'the first flooded bytes');
    await within(writePending.promise, BOUND_IN_MILLIS, 'a write waiting for the peer');
    peer.resetAndDestroy();

    const failure = await within(writeFailed.promise, BOUND_IN_MILLIS, 'the pending write failing');
    expect(typeof failure === 'string' ? failure : failure.code).toBe('CONNECTION_RESET');
    await recording.closed(1);
    expect(recording.errorsOf(recording.callers[0]!)).toEqual(['CONNECTION_RESET']);
    recording.expectEachClosedOnce();
    await eventually(() => listener.connections === 0, 'the listener has no connection left');
    await expectStillServes(listener.port);
  });

  it('a Client without a service: its pending read and a later write get CONNECTION_RESET, naming the peer; no socket is left', async () => {
    const port = await rawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const before = openTcpHandles();
    const client = track(await Client.connect({ host: '127.0.0.1', port }));
    const read = client.read(10);
    await client.write('trigger');
    const error = await rejection(read, 'the pending read');
    expect(error.code).toBe('CONNECTION_RESET');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect((await rejection(client.write('later'), 'the later write')).code).toBe('CONNECTION_RESET');
    await within(client.close(), BOUND_IN_MILLIS, 'close()');
    await eventually(() => openTcpHandles() <= before, 'the client socket is released');
  });

  it('a Client with a service: onError gets CONNECTION_RESET once and onClose runs once', async () => {
    const port = await rawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const recording = record(echoBytes);
    track(await Client.connect({ host: '127.0.0.1', port, callbackService: recording.service }));
    const caller = await recording.connected(1);
    await caller.write('trigger');
    await recording.closed(1);
    expect(recording.errorsOf(caller)).toEqual(['CONNECTION_RESET']);
    recording.expectEachClosedOnce();
  });
});

describe('connects that go nowhere', () => {
  /** A loopback port whose accept queue is full, so the kernel drops further SYNs silently. */
  async function blackholePort(): Promise<number> {
    const peer = track(spawnScriptedPeer());
    const [, port] = (await peer.request('listen 127.0.0.1 0 0')).split(' ');
    await rawConnect(Number(port)); // fills the queue: the peer never accepts
    return Number(port);
  }

  it('connectTimeoutInMillis rejects CONNECT_TIMED_OUT naming the endpoint, and leaves no socket', async () => {
    const port = await blackholePort();
    const before = openTcpHandles();
    const client = new Client({ host: '127.0.0.1', port, connectTimeoutInMillis: 300 });
    const pendingWrite = client.write('never sent');
    const error = await rejection(client.ready, 'ready');
    expect(error.code).toBe('CONNECT_TIMED_OUT');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect((await rejection(pendingWrite, 'a write made while connecting')).code).toBe('CONNECT_TIMED_OUT');
    await eventually(() => openTcpHandles() <= before, 'the connecting socket is released');
  });

  it('close() while connecting settles ready with CONNECTION_CLOSED and leaves no socket', async () => {
    const port = await blackholePort();
    const before = openTcpHandles();
    const client = new Client({ host: '127.0.0.1', port });
    const pendingRead = rejection(client.read(), 'a read made while connecting');
    await new Promise((resolve) => setImmediate(resolve)); // the SYN is out: the socket is connecting
    await within(client.close(), BOUND_IN_MILLIS, 'close() while connecting');
    expect((await rejection(client.ready, 'ready')).code).toBe('CONNECTION_CLOSED');
    expect((await pendingRead).code).toBe('CONNECTION_CLOSED');
    await eventually(() => openTcpHandles() <= before, 'the connecting socket is released');
  });

  it('close() right after the constructor, before the connect is even issued, is just as clean', async () => {
    const listener = await listen(echoBytes);
    const before = openTcpHandles();
    const client = new Client({ host: '127.0.0.1', port: listener.port });
    const closed = client.close();
    expect((await rejection(client.ready, 'ready')).code).toBe('CONNECTION_CLOSED');
    await within(closed, BOUND_IN_MILLIS, 'close()');
    await eventually(() => openTcpHandles() <= before && listener.connections === 0, 'no socket is left on either side');
  });
});

describe('writes after close', () => {
  it('reject CONNECTION_CLOSED on a Client and on a listener Caller; unawaited ones reject nothing unhandled', async () => {
    const recording = record(echoBytes);
    const listener = await listen(recording.service);
    const client = track(await Client.connect({ host: '127.0.0.1', port: listener.port }));
    const caller = await recording.connected(1);
    await client.close();
    await recording.closed(1);
    void client.write('nobody awaits this');
    void caller.write('nor this');
    expect((await rejection(client.write('x'), 'client write after close')).code).toBe('CONNECTION_CLOSED');
    expect((await rejection(caller.write('x'), 'caller write after close')).code).toBe('CONNECTION_CLOSED');
    recording.expectEachClosedOnce();
    expect(listener.connections).toBe(0);
  });
});

describe('a service that fails', () => {
  it('onConnect throws: onError gets HANDLER_FAILED with the thrown error as cause, once; the connection and listener go on', async () => {
    const thrown = new Error('onConnect broke');
    let first = true;
    const recording = record({
      ...echoBytes,
      onConnect() {
        if (!first) return;
        first = false;
        throw thrown;
      },
    });
    const listener = await listen(recording.service);
    const client = track(await Client.connect({ host: '127.0.0.1', port: listener.port, readTimeoutInMillis: BOUND_IN_MILLIS }));
    await recording.errored(1);
    expect(recording.errors[0]!.error.code).toBe('HANDLER_FAILED');
    expect(recording.errors[0]!.error.cause).toBe(thrown);
    await client.write('still');
    expect((await client.read(5)).toString()).toBe('still');
    await client.close();
    await recording.closed(1);
    expect(recording.errorsOf(recording.callers[0]!)).toEqual(['HANDLER_FAILED']);
    recording.expectEachClosedOnce();
    await expectStillServes(listener.port);
  });

  it('onBytes rejects: onError gets HANDLER_FAILED once, onClose once when the peer leaves, the listener serves on', async () => {
    const rejected = new Error('onBytes broke');
    const recording = record({
      async onBytes(caller, data) {
        if (data.toString() === 'boom') throw rejected;
        await caller.write(data);
      },
    });
    const listener = await listen(recording.service);
    const client = track(await Client.connect({ host: '127.0.0.1', port: listener.port }));
    await client.write('boom');
    await recording.errored(1);
    expect(recording.errors[0]!.error).toMatchObject({ code: 'HANDLER_FAILED', cause: rejected });
    await client.close();
    await recording.closed(1);
    recording.expectEachClosedOnce();
    await eventually(() => listener.connections === 0, 'the listener has no connection left');
    await expectStillServes(listener.port);
  });

  it('onBytes does not settle: a peer reset still closes the connection, other clients are served, onClose waits for it', async () => {
    const stuck = deferred();
    const release = deferred();
    const recording = record({
      onBytes(caller, data) {
        if (data.toString() !== 'hang') return caller.write(data).then(() => undefined);
        stuck.resolve();
        return release.promise;
      },
    });
    const listener = await listen(recording.service);
    const peer = await rawConnect(listener.port);
    await written(peer, 'hang');
    await within(stuck.promise, BOUND_IN_MILLIS, 'onBytes hanging');
    await expectStillServes(listener.port);
    peer.resetAndDestroy();
    await eventually(() => listener.connections === 0, 'the hung connection is closed');
    // Calls for one connection never overlap, so onClose (and onError) wait for the hung resource.
    expect(recording.eventsOf(recording.callers[0]!)).toEqual(['connect']);
    release.resolve();
    await recording.closed(2);
    expect(recording.eventsOf(recording.callers[0]!)).toEqual(['connect', 'error:CONNECTION_RESET', 'close']);
    recording.expectEachClosedOnce();
  });
});

describe('a service that never settles does not hold up a stop', () => {
  // "Never" for as long as the stop is measured; released afterwards so that teardown works today too.
  it('immediateStop() resolves though onBytes never settles', async () => {
    const stuck = deferred();
    const release = deferred();
    const recording = record({
      onBytes() {
        stuck.resolve();
        return release.promise;
      },
    });
    const listener = await listen(recording.service);
    const peer = await rawConnect(listener.port);
    const peerClosed = new Promise((resolve) => peer.once('close', resolve));
    await written(peer, 'hang');
    await within(stuck.promise, BOUND_IN_MILLIS, 'onBytes hanging');
    try {
      await within(listener.immediateStop(), 2_000, 'immediateStop()');
      expect(listener.connections).toBe(0);
      await within(peerClosed, BOUND_IN_MILLIS, 'the peer seeing the close');
    } finally {
      release.resolve();
    }
    await recording.closed(1); // onClose runs once the resource settles
    recording.expectEachClosedOnce();
  });

  it('gracefulStop({ timeoutInMillis: 100 }) resolves though onConnect never settles', async () => {
    const release = deferred();
    const recording = record({ onConnect: () => release.promise });
    const listener = await listen(recording.service);
    const peer = await rawConnect(listener.port);
    const peerClosed = new Promise((resolve) => peer.once('close', resolve));
    await recording.connected(1);
    try {
      await within(listener.gracefulStop({ timeoutInMillis: 100 }), 2_000, 'gracefulStop({ timeoutInMillis: 100 })');
      expect(listener.connections).toBe(0);
      await within(peerClosed, BOUND_IN_MILLIS, 'the peer seeing the close');
    } finally {
      release.resolve();
    }
    await recording.closed(1);
    recording.expectEachClosedOnce();
  });
});

describe('maxConnections', () => {
  it('maxConnections: 2 refuses the third at accept without running service code; the open ones are unaffected', async () => {
    const recording = record(echoBytes);
    const listener = await listen(recording.service, { maxConnections: 2 });
    const first = track(await Client.connect({ host: '127.0.0.1', port: listener.port }));
    const second = track(await Client.connect({ host: '127.0.0.1', port: listener.port }));
    await recording.connected(2);
    const third = track(await Client.connect({ host: '127.0.0.1', port: listener.port }));
    // The kernel completed the handshake; the listener then closes it at accept: end or reset.
    const seen = await within(
      third.read().then(
        (data) => (data.length === 0 ? 'end' : `data ${data.toString()}`),
        (error: unknown) => (isSocketError(error) ? error.code : String(error)),
      ),
      BOUND_IN_MILLIS,
      'the refused client seeing its end',
    );
    expect(['end', 'CONNECTION_RESET']).toContain(seen);
    expect(recording.callers).toHaveLength(2);
    expect(listener.connections).toBe(2);
    for (const client of [first, second]) {
      await client.write('open');
      expect((await client.read(4)).toString()).toBe('open');
    }
    await Promise.all([first.close(), second.close()]);
    await recording.closed(2);
    recording.expectEachClosedOnce();
  });
});

describe('maxConnections counts refusals', () => {
  it('refusedConnections is 1 after one connection beyond maxConnections: 2', async () => {
    const recording = record(echoBytes);
    const listener = await listen(recording.service, { maxConnections: 2 });
    track(await Client.connect({ host: '127.0.0.1', port: listener.port }));
    track(await Client.connect({ host: '127.0.0.1', port: listener.port }));
    await recording.connected(2);
    expect(listener.refusedConnections).toBe(0);
    const third = track(await Client.connect({ host: '127.0.0.1', port: listener.port }));
    await within(third.read().catch(() => Buffer.alloc(0)), BOUND_IN_MILLIS, 'the refused client seeing its end');
    expect(listener.refusedConnections).toBe(1);
    expect(recording.callers).toHaveLength(2);
  });
});

describe('write time-out', () => {
  /**
   * A raw server whose sockets never read: the kernel buffers fill and writes to it stall. A paused
   * socket cannot see anything, so the test resumes it once the client gave up; it must then see
   * the connection end promptly (the client dropped what it could not deliver).
   */
  async function neverReadingServer(): Promise<{ port: number; closed: Promise<void>; resume(): void }> {
    const closed = deferred();
    let socket: Socket | undefined;
    const port = await rawServer((accepted) => {
      socket = accepted;
      accepted.pause();
      accepted.on('error', () => {});
      accepted.once('close', () => closed.resolve());
    });
    return { port, closed: closed.promise, resume: () => void socket?.resume() };
  }

  it('a Client writing to a peer that never reads gets WRITE_TIMED_OUT and the connection closes', async () => {
    const server = await neverReadingServer();
    const before = openTcpHandles();
    const config: ClientConfig = { host: '127.0.0.1', port: server.port, writeTimeoutInMillis: 200 };
    const client = track(await Client.connect(config));
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    let failure: unknown;
    // Bounded: 64 MiB is far beyond what loopback buffers take before the writes stall.
    for (let i = 0; i < 1024 && failure === undefined; i++) {
      await within(client.write(chunk), 2_000, `write ${i} settling`).catch((error: unknown) => (failure = error));
    }
    expect(isSocketError(failure, 'WRITE_TIMED_OUT'), `the write failed with ${String(failure)}`).toBe(true);
    expect((failure as Error).message).toContain(`127.0.0.1:${server.port}`);
    server.resume();
    await within(server.closed, BOUND_IN_MILLIS, 'the peer seeing the connection close');
    await expect(client.write('after')).rejects.toBeInstanceOf(Error);
    await eventually(() => openTcpHandles() <= before, 'the client socket is released');
  });

  it('close() with bytes a peer never reads resolves once the write time-out passes, instead of waiting for a flush for ever', async () => {
    const server = await neverReadingServer();
    const config: ClientConfig = { host: '127.0.0.1', port: server.port, writeTimeoutInMillis: 200 };
    const client = track(await Client.connect(config));
    // 64 MiB queued (one 64 KiB buffer, referenced 1024 times): far more than loopback buffers take.
    const chunk = Buffer.alloc(64 * 1024, 0x64);
    for (let i = 0; i < 1024; i++) void client.write(chunk);
    await within(client.close(), BOUND_IN_MILLIS, 'close() with unsent bytes');
    server.resume();
    await within(server.closed, BOUND_IN_MILLIS, 'the peer seeing the connection close');
  });

  it('a listener Caller writing to a client that never reads gets WRITE_TIMED_OUT; onClose once; connections back to 0', async () => {
    const failed = deferred<unknown>();
    const recording = record({
      async onConnect(caller) {
        const chunk = Buffer.alloc(64 * 1024, 0x63);
        try {
          for (let i = 0; i < 1024; i++) await caller.write(chunk);
          failed.resolve('64 MiB written without a time-out');
        } catch (error) {
          failed.resolve(error);
        }
      },
    });
    const config: ListenerConfig = { writeTimeoutInMillis: 200 };
    const listener = await listen(recording.service, config);
    const peer = await rawConnect(listener.port);
    peer.pause();
    const failure = await within(failed.promise, BOUND_IN_MILLIS, 'the stalled write failing');
    expect(isSocketError(failure, 'WRITE_TIMED_OUT'), `the write failed with ${String(failure)}`).toBe(true);
    await recording.closed(1);
    recording.expectEachClosedOnce();
    await eventually(() => listener.connections === 0, 'the listener has no connection left');
  });
});

describe('idle time-out on loopback', () => {
  it('a Client without a service: its pending read gets IDLE_TIMED_OUT, then the connection is closed', async () => {
    const recording = record(echoBytes);
    const listener = await listen(recording.service);
    const config: ClientConfig = { host: '127.0.0.1', port: listener.port, idleTimeoutInMillis: 300, readTimeoutInMillis: 0 };
    const client = track(await Client.connect(config));
    await client.write('ping');
    expect((await client.read(4)).toString()).toBe('ping');
    expect((await rejection(client.read(), 'the idle read')).code).toBe('IDLE_TIMED_OUT');
    await recording.closed(1);
    await eventually(() => listener.connections === 0, 'the server side is closed too');
  });

  it('a Client with a service: onError gets IDLE_TIMED_OUT, then onClose, once each', async () => {
    const listener = await listen(echoBytes);
    const recording = record(echoBytes);
    const config: ClientConfig = { host: '127.0.0.1', port: listener.port, idleTimeoutInMillis: 300, callbackService: recording.service };
    track(await Client.connect(config));
    await recording.closed(1);
    expect(recording.eventsOf(recording.callers[0]!)).toEqual(['connect', 'error:IDLE_TIMED_OUT', 'close']);
  });
});

/** A line echo whose reads may time out; a read that fails ends the connection (closing it on a time-out). */
function lineEcho(timedOut: Set<number>): Service {
  return {
    async onConnect(caller) {
      let pending = '';
      for (;;) {
        let chunk: Buffer;
        try {
          chunk = await caller.read();
        } catch (error) {
          if (isSocketError(error, 'READ_TIMED_OUT')) {
            timedOut.add(caller.remotePort);
            await caller.close();
          }
          return;
        }
        if (chunk.length === 0) return;
        pending += chunk.toString();
        for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
          await caller.write(pending.slice(0, end + 1)).catch(() => undefined);
          pending = pending.slice(end + 1);
        }
      }
    },
  };
}

/**
 * Slowloris: `count` raw connections sending one byte now and one more every `everyInMillis`, never a
 * full line. Resolves once all are connected; `closed` resolves when every one saw its socket close.
 */
async function slowloris(port: number, count: number, everyInMillis: number): Promise<{ localPorts: Set<number>; closed: Promise<void> }> {
  const sockets = await Promise.all(Array.from({ length: count }, () => rawConnect(port)));
  const open = new Set(sockets);
  const allClosed = deferred();
  for (const socket of sockets) {
    socket.write('x');
    socket.once('close', () => {
      open.delete(socket);
      if (open.size === 0) allClosed.resolve();
    });
  }
  const trickle = setInterval(() => {
    for (const socket of open) socket.write('x');
  }, everyInMillis);
  track({ close: async () => clearInterval(trickle) });
  void allClosed.promise.then(() => clearInterval(trickle));
  return { localPorts: new Set(sockets.map((socket) => socket.localPort!)), closed: allClosed.promise };
}

describe('slowloris', () => {
  it('read time-outs close 500 connections trickling a byte every 700 ms while a normal client is served', async () => {
    const timedOut = new Set<number>();
    const recording = record(lineEcho(timedOut));
    const listener = await listen(recording.service, { readTimeoutInMillis: 500 });
    const attack = await slowloris(listener.port, 500, 700);

    const client = track(await Client.connect({ host: '127.0.0.1', port: listener.port, readTimeoutInMillis: BOUND_IN_MILLIS }));
    await client.write('hello\n');
    expect((await client.read(6)).toString()).toBe('hello\n');
    await client.close();

    await within(attack.closed, BOUND_IN_MILLIS, 'every slowloris connection closed');
    for (const port of attack.localPorts) expect(timedOut.has(port), `attacker ${port} closed by its read time-out`).toBe(true);
    await recording.closed(501);
    recording.expectEachClosedOnce();
    expect(recording.errors).toEqual([]);
    await eventually(() => listener.connections === 0, 'the listener has no connection left');
  });
});

describe('slowloris against the idle time-out', () => {
  it('idleTimeoutInMillis: 500 closes 500 connections trickling a byte every 700 ms, each with IDLE_TIMED_OUT, while a normal client is served', async () => {
    const recording = record(lineEcho(new Set()));
    const config: ListenerConfig = { idleTimeoutInMillis: 500, readTimeoutInMillis: 0 };
    const listener = await listen(recording.service, config);
    const attack = await slowloris(listener.port, 500, 700);

    const client = track(await Client.connect({ host: '127.0.0.1', port: listener.port, readTimeoutInMillis: BOUND_IN_MILLIS }));
    await client.write('hello\n');
    expect((await client.read(6)).toString()).toBe('hello\n');
    await client.close();

    await within(attack.closed, BOUND_IN_MILLIS, 'every slowloris connection closed');
    await recording.closed(501);
    recording.expectEachClosedOnce();
    for (const caller of recording.callers) {
      if (!attack.localPorts.has(caller.remotePort)) continue;
      expect(recording.errorsOf(caller), `attacker ${caller.remotePort}`).toEqual(['IDLE_TIMED_OUT']);
    }
    await eventually(() => listener.connections === 0, 'the listener has no connection left');
  });
});

/** The kernel's keep-alive timer of the established socket from local port `port`, in ms (from `ss -o`). */
function keepAliveTimerInMillis(port: number): number | undefined {
  const output = execFileSync('ss', ['-H', '-tno', 'state', 'established', 'sport', String(port)], { encoding: 'utf8', timeout: BOUND_IN_MILLIS });
  const match = /timer:\(keepalive,(?:(\d+)min)?(?:(\d+(?:\.\d+)?)sec)?(?:(\d+)ms)?/.exec(output);
  if (match === null) return undefined;
  return Number(match[1] ?? 0) * 60_000 + Number(match[2] ?? 0) * 1000 + Number(match[3] ?? 0);
}

// Node floors the delay to whole seconds; 0 makes libuv's TCP_KEEPIDLE fail (Linux wants >= 1), so
// the OS default idle time (2 hours) applies instead of 200 ms. Rounding up to 1 s fixes it.
describe('keep-alive delays under a second', () => {
  it('keepAliveInitialDelayInMillis: 200 arms the kernel keep-alive timer within a second, not the OS default of hours', async () => {
    const listener = await listen(echoBytes);
    const client = track(await Client.connect({ host: '127.0.0.1', port: listener.port, keepAlive: true, keepAliveInitialDelayInMillis: 200 }));
    const timer = keepAliveTimerInMillis(client.localPort);
    expect(timer, 'a keep-alive timer is armed').toBeDefined();
    expect(timer).toBeLessThanOrEqual(1_000);
  });
});
