import { createServer, connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client, isSocketError, Listener, tcp, type Caller, type SocketError } from '../src/index.js';
import { connect, counter, deferred, echoService, listen, track } from './helpers.js';

/** A raw node:net socket to a port, destroyed after the test. */
async function rawSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
  const socket = netConnect({ port, host });
  track({ close: async () => void socket.destroy() });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('bad input gets INVALID_ARGUMENT at once', () => {
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return isSocketError(error) ? error.code : 'not a SocketError';
    }
  };

  it.each([
    ['a missing config', undefined],
    ['a port of 0', { host: 'localhost', port: 0 }],
    ['a port of 65536', { host: 'localhost', port: 65536 }],
    ['a string port', { host: 'localhost', port: '80' }],
    ['an empty host', { host: '', port: 80 }],
    ['a negative timeout', { host: 'localhost', port: 80, readTimeoutInMillis: -1 }],
    ['a service with onReadReady and onBytes', { host: 'localhost', port: 80, callbackService: { onReadReady() {}, onBytes() {} } }],
  ])('Client constructor throws for %s; Client.connect and tcp.connect reject', async (_, config) => {
    expect(codeOf(() => new Client(config as never))).toBe('INVALID_ARGUMENT');
    await expect(Client.connect(config as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(tcp.connect(config as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('Listener refuses bad ports, configs and services', () => {
    expect(codeOf(() => new Listener(-1))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Listener(70000))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Listener(1.5))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Listener('80' as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Listener(0, { interface: '' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Listener(0, { readTimeoutInMillis: 1.5 }))).toBe('INVALID_ARGUMENT');
    const listener = new Listener(0);
    expect(codeOf(() => listener.attach({ onReadReady() {}, onBytes() {} }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => listener.attach(null as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => listener.detach(echoService))).toBe('INVALID_ARGUMENT');
    listener.attach(echoService);
    expect(codeOf(() => listener.attach({ onConnect() {} }))).toBe('INVALID_ARGUMENT');
  });

  it('start without a service rejects INVALID_ARGUMENT', async () => {
    await expect(new Listener(0).start()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('writes of the wrong type and bad read arguments reject INVALID_ARGUMENT', async () => {
    const { port } = await listen(echoService);
    const client = await connect(port);
    await expect(client.write(42 as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.write(undefined as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.read(1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.read(Number.NaN)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.read(64 * 1024 * 1024 + 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.read(1, { timeoutInMillis: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(listenerGraceful()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  async function listenerGraceful(): Promise<void> {
    const listener = await listen(echoService);
    return listener.gracefulStop({ timeoutInMillis: -1 });
  }

  it('an unknown host rejects HOST_NOT_FOUND', async () => {
    const error = await Client.connect({ host: 'no-such-host.invalid', port: 80 }).catch((e: unknown) => e);
    expect(isSocketError(error, 'HOST_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('no-such-host.invalid:80');
  });
});

describe('service dispatch over real TCP (the rules themselves are tested in @sock/core)', () => {
  it('a peer that sends data and leaves is closed even when the service never reads (no half-open leak)', async () => {
    const events: string[] = [];
    const closed = deferred();
    const connected = deferred();
    const listener = await listen({
      onConnect: () => {
        events.push('connect');
        connected.resolve();
      },
      onClose: () => {
        events.push('close');
        closed.resolve();
      },
    });
    const socket = await rawSocket(listener.port);
    await new Promise((resolve) => socket.write('data that will never be read', resolve));
    await connected.promise;
    socket.end();
    await closed.promise;
    expect(events).toEqual(['connect', 'close']);
    expect(listener.connections).toBe(0);
  });

  it('shutdownWrite half-closes: the peer sees the end and can still answer', async () => {
    const { port } = await listen({
      async onConnect(caller) {
        const chunks: Buffer[] = [];
        for (;;) {
          const data = await caller.read();
          if (data.length === 0) break;
          chunks.push(data);
        }
        await caller.write(`got ${Buffer.concat(chunks).length} bytes`);
      },
    });
    const client = await connect(port);
    await client.write('12345');
    await client.shutdownWrite();
    expect((await client.read(11)).toString()).toBe('got 5 bytes');
  });

  it('a client without a service can still answer after the peer half-closes: ending its side is up to the user', async () => {
    const answer = deferred<string>();
    const { port } = await listen({
      async onConnect(caller) {
        await caller.write('question?');
        await caller.shutdownWrite();
        const chunks: Buffer[] = [];
        for (;;) {
          const data = await caller.read();
          if (data.length === 0) break;
          chunks.push(data);
        }
        answer.resolve(Buffer.concat(chunks).toString());
      },
    });
    const client = await connect(port);
    expect((await client.read(9)).toString()).toBe('question?');
    expect((await client.read()).length).toBe(0); // the server's FIN
    await client.write('answer!');
    await client.shutdownWrite();
    expect(await answer.promise).toBe('answer!');
  });

  it('writes after close reject CONNECTION_CLOSED and an unawaited one causes no unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { port } = await listen(echoService);
      const client = await connect(port);
      await client.close();
      await client.close(); // idempotent
      void client.write('nobody awaits this');
      await expect(client.write('x')).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
      await expect(client.read()).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
      // Unhandled rejections are reported once the microtask queue drains after a macrotask.
      await new Promise((r) => setImmediate(r));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('backpressure: a reader that does not read holds the writer back instead of buffering without bound', async () => {
    const connected = deferred<Caller>();
    const { port } = await listen({ onConnect: (caller) => connected.resolve(caller) }, { maxBufferedBytes: 256 * 1024 });
    const client = await connect(port);
    const server = await connected.promise;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let written = 0;
    let stalled = false;
    // Write until a write stays pending across a full round of the event loop: the kernel buffers
    // and our read limit are full. Bounded at 256 MiB.
    while (written < 256 * 1024 * 1024) {
      const write = client.write(chunk);
      const state = await Promise.race([write.then(() => 'done'), new Promise((r) => setTimeout(() => r('pending'), 50))]);
      if (state === 'pending') {
        stalled = true;
        break;
      }
      written += chunk.length;
    }
    expect(stalled).toBe(true);
    expect(written).toBeLessThan(64 * 1024 * 1024);
    // Reading drains everything: nothing was lost.
    let received = 0;
    const total = written + chunk.length;
    while (received < total) received += (await server.read()).length;
    expect(received).toBe(total);
  });

  it('Client.remoteAddress/Port and localPort describe the connection numerically', async () => {
    const connected = deferred<Caller>();
    const { port } = await listen({ onConnect: (caller) => connected.resolve(caller) });
    const client = await connect(port, { host: 'localhost' });
    const server = await connected.promise;
    expect(client.remotePort).toBe(port);
    expect(['127.0.0.1', '::1']).toContain(client.remoteAddress);
    expect(server.remotePort).toBe(client.localPort);
    expect(server.localPort).toBe(port);
    expect(server.id).not.toBe(client.id);
  });
  it('a client dialled to an IPv4 literal names both endpoints as the server sees them, also after a reset', async () => {
    const seen = deferred<{ remoteAddress?: string; remotePort?: number; localAddress?: string }>();
    const server = createServer((socket) => {
      seen.resolve({ remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, localAddress: socket.localAddress });
      socket.once('data', () => socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    track({ close: () => new Promise((resolve) => server.close(resolve)) });
    const port = (server.address() as { port: number }).port;
    const client = await connect(port, { host: '127.0.0.1' });
    const peer = await seen.promise;
    const endpoints = (): unknown[] => [client.remoteAddress, client.remotePort, client.localAddress, client.localPort];
    expect(endpoints()).toEqual([peer.localAddress, port, peer.remoteAddress, peer.remotePort]);
    const read = client.read(10);
    await client.write('trigger');
    await expect(read).rejects.toMatchObject({ code: 'CONNECTION_RESET', message: expect.stringContaining(`127.0.0.1:${port}`) });
    expect(endpoints()).toEqual([peer.localAddress, port, peer.remoteAddress, peer.remotePort]);
  });
  it('a caller names both endpoints as its raw client sees them, on a listener bound to one address and on a wildcard one', async () => {
    for (const [bind, host] of [['127.0.0.1', '127.0.0.1'], ['::1', '::1'], [undefined, '127.0.0.1'], [undefined, '::1']] as const) {
      const connected = deferred<Caller>();
      // Without an interface the listener binds the wildcard (dual-stack).
      const listener = await listen({ onConnect: (caller) => connected.resolve(caller) }, { interface: bind });
      const socket = netConnect({ host, port: listener.port });
      track({ close: async () => void socket.destroy() });
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const caller = await connected.promise;
      expect([caller.localAddress, caller.localPort, caller.remoteAddress, caller.remotePort]).toEqual([socket.remoteAddress, socket.remotePort, socket.localAddress, socket.localPort]);
    }
  });
});

describe('listener lifecycle', () => {
  it('binds the interface it is given (IPv6 ::1) and reports the real port', async () => {
    const listener = await listen(echoService, { interface: '::1' });
    expect(listener.address).toEqual({ host: '::1', port: listener.port });
    const client = await connect(listener.port, { host: '::1' });
    await client.write('v6');
    expect((await client.read(2)).toString()).toBe('v6');
    expect(client.remoteAddress).toBe('::1');
    // Bound to ::1 only: IPv4 loopback is refused.
    await expect(Client.connect({ host: '127.0.0.1', port: listener.port })).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
  });

  it('binds all interfaces by default, serving IPv4 and IPv6 peers with plain IPv4 addresses', async () => {
    const connected = deferred<Caller>();
    const listener = track(new Listener(0));
    listener.attach({ onConnect: (caller) => connected.resolve(caller) });
    await listener.start();
    const port = listener.address!.port;
    await connect(port, { host: '127.0.0.1' });
    expect((await connected.promise).remoteAddress).toBe('127.0.0.1');
    await connect(port, { host: '::1' });
  });

  it('gracefulStop stops accepting, lets open connections finish, and resolves when they close', async () => {
    const listener = await listen(echoService);
    const client = await connect(listener.port);
    const stopped = listener.gracefulStop({ timeoutInMillis: 10_000 });
    await expect(Client.connect({ host: '127.0.0.1', port: listener.port })).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await client.write('still served');
    expect((await client.read(12)).toString()).toBe('still served');
    await client.close();
    await stopped;
    expect(listener.connections).toBe(0);
  });

  it('gracefulStop closes what is left at the time-out', async () => {
    const closed = deferred();
    const listener = await listen({ onClose: () => closed.resolve() });
    const client = await connect(listener.port);
    await listener.gracefulStop({ timeoutInMillis: 50 });
    await closed.promise;
    expect((await client.read()).length).toBe(0);
  });

  it('immediateStop closes every connection now; onClose runs for each', async () => {
    const closes = counter(3);
    const connects = counter(3);
    const listener = await listen({ onConnect: () => connects.tick(), onClose: () => closes.tick() });
    const clients = await Promise.all([1, 2, 3].map(() => connect(listener.port)));
    await connects.done;
    await listener.immediateStop();
    await closes.done;
    expect(listener.connections).toBe(0);
    for (const client of clients) expect((await client.read()).length).toBe(0);
  });

  it('maxConnections refuses connections beyond the limit', async () => {
    const connects = counter(1);
    const listener = await listen({ onConnect: () => connects.tick() }, { maxConnections: 1 });
    await connect(listener.port);
    await connects.done;
    const extra = await connect(listener.port);
    expect((await extra.read()).length).toBe(0); // closed by the listener at once
    expect(listener.connections).toBe(1);
  });

  it('a stopped listener cannot start again; start twice is one start', async () => {
    const listener = await listen(echoService);
    expect(listener.start()).toBe(listener.start());
    await listener.immediateStop();
    await expect(listener.start()).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });

  it('detach: open connections keep their service, new ones are refused', async () => {
    const listener = await listen(echoService);
    const client = await connect(listener.port);
    listener.detach(echoService);
    await client.write('kept');
    expect((await client.read(4)).toString()).toBe('kept');
    const late = await connect(listener.port);
    expect((await late.read()).length).toBe(0);
  });
});

describe('error routing', () => {
  it('a client whose peer resets sees CONNECTION_RESET on a pending read, naming the peer', async () => {
    const server = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    track({ close: () => new Promise((resolve) => server.close(resolve)) });
    const port = (server.address() as { port: number }).port;
    const client = await connect(port);
    const read = client.read(10);
    await client.write('trigger');
    const error = (await read.catch((e: unknown) => e)) as SocketError;
    expect(error.code).toBe('CONNECTION_RESET');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    await expect(client.write('after')).rejects.toMatchObject({ code: 'CONNECTION_RESET' });
  });
});
