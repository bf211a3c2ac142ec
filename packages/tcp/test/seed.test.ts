import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Client, GenericError, isSocketError, Listener, ReadTimedOutError, type Caller, type SocketError } from '../src/index.js';
import { connect, counter, deferred, echoService, listen, sink, track } from './helpers.js';

/** A port that nothing listens on: bound, read back, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the seed module scenarios over real TCP', () => {
  it('client write, then the echo comes back through read', async () => {
    const { port } = await listen(echoService);
    const client = await connect(port);
    const message = 'Hello Ballerina\n';
    expect(await client.write(Buffer.from(message))).toBe(Buffer.byteLength(message));
    expect((await client.read(message.length)).toString()).toBe(message);
  });

  it('one-way write: the listener receives every byte', async () => {
    const { service, received } = sink();
    const { port } = await listen(service);
    const client = await connect(port);
    await client.write('one way only');
    await client.shutdownWrite();
    expect((await received).toString()).toBe('one way only');
  });

  it('a write after shutdownWrite rejects CONNECTION_CLOSED', async () => {
    const { port } = await listen(echoService);
    const client = await connect(port);
    await client.shutdownWrite();
    const error = await client.write('late').catch((e: unknown) => e);
    expect(isSocketError(error, 'CONNECTION_CLOSED')).toBe(true);
  });

  it('read(0) and read(-1) reject INVALID_ARGUMENT without waiting', async () => {
    const { port } = await listen(echoService);
    const client = await connect(port);
    await expect(client.read(0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.read(-1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('connecting to a closed port rejects CONNECTION_REFUSED naming the endpoint', async () => {
    const port = await closedPort();
    const error = (await Client.connect({ host: '127.0.0.1', port }).catch((e: unknown) => e)) as SocketError;
    expect(error).toBeInstanceOf(GenericError);
    expect(error.code).toBe('CONNECTION_REFUSED');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('operations made before a failed connect reject with the connect error', async () => {
    const port = await closedPort();
    const client = new Client({ host: '127.0.0.1', port });
    const write = client.write('x');
    const read = client.read(1);
    await expect(client.ready).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await expect(write).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await expect(read).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
  });

  it('writes nobody awaits on a client whose connect fails cause no unhandled rejection', async () => {
    // vitest fails the run on any unhandled rejection, so this test fails if one escapes.
    const port = await closedPort();
    const client = new Client({ host: '127.0.0.1', port });
    void client.write('fire and forget');
    void client.shutdownWrite();
    await expect(client.ready).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('a client whose connect fails, with nothing waiting on it at all, causes no unhandled rejection', async () => {
    // `ready` is marked handled only when it fails; vitest fails the run on an unhandled rejection.
    const port = await closedPort();
    new Client({ host: '127.0.0.1', port });
    // A second client to the same port fails after the first (connects fail in the order made).
    await expect(new Client({ host: '127.0.0.1', port }).ready).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('partial reads read(5), read(4), read(6) over data sent in three bursts', async () => {
    const sent = deferred<Caller>();
    const { port } = await listen({ onConnect: (caller) => sent.resolve(caller) });
    const client = await connect(port);
    const server = await sent.promise;
    await server.write('Hel');
    await server.write('lo Bal');
    await server.write('lerina');
    expect((await client.read(5)).toString()).toBe('Hello');
    expect((await client.read(4)).toString()).toBe(' Bal');
    expect((await client.read(6)).toString()).toBe('lerina');
  });

  it('a read(18) waits across two bursts', async () => {
    const connected = deferred<Caller>();
    const { port } = await listen({ onConnect: (caller) => connected.resolve(caller) });
    const client = await connect(port);
    const server = await connected.promise;
    const read = client.read(18);
    await server.write('123456789');
    // The first burst alone cannot satisfy the read; prove it is still pending before the second.
    const early = await Promise.race([read.then(() => 'resolved'), new Promise((r) => setImmediate(() => r('pending')))]);
    expect(early).toBe('pending');
    await server.write('abcdefghi');
    expect((await read).toString()).toBe('123456789abcdefghi');
  });

  it('two listeners on one port: the second rejects ADDRESS_IN_USE', async () => {
    const first = await listen(echoService);
    const second = track(new Listener(first.port, { interface: '127.0.0.1' }));
    second.attach(echoService);
    const error = await second.start().catch((e: unknown) => e);
    expect(isSocketError(error, 'ADDRESS_IN_USE')).toBe(true);
    expect((error as Error).message).toContain(String(first.port));
  });

  it('a service that throws in onReadReady gets HANDLER_FAILED while the listener keeps serving', async () => {
    const failure = deferred<SocketError>();
    const { port } = await listen({
      async onReadReady(caller) {
        const data = await caller.read();
        if (data.toString() === 'boom') throw new Error('service bug');
        if (data.length > 0) await caller.write(data);
      },
      onError(_, error) {
        failure.resolve(error);
      },
    });
    const bad = await connect(port);
    await bad.write('boom');
    const error = await failure.promise;
    expect(error.code).toBe('HANDLER_FAILED');
    expect((error.cause as Error).message).toBe('service bug');
    const good = await connect(port);
    await good.write('still here');
    expect((await good.read(10)).toString()).toBe('still here');
    // The failing connection itself is still served too.
    await bad.write('again');
    expect((await bad.read(5)).toString()).toBe('again');
  });

  it('five clients join and leave: onConnect and onClose each run five times', async () => {
    const connects = counter(5);
    const closes = counter(5);
    const listener = await listen({ onConnect: () => connects.tick(), onClose: () => closes.tick() });
    const clients = await Promise.all(Array.from({ length: 5 }, () => connect(listener.port)));
    await connects.done;
    expect(listener.connections).toBe(5);
    await Promise.all(clients.map((client) => client.close()));
    await closes.done;
    expect(connects.value).toBe(5);
    expect(closes.value).toBe(5);
    expect(listener.connections).toBe(0);
  });

  it('a read timeout with 15 of 18 bytes sent rejects ReadTimedOutError and keeps the 15 bytes', async () => {
    const connected = deferred<Caller>();
    const { port } = await listen({ onConnect: (caller) => connected.resolve(caller) });
    const client = await connect(port, { readTimeoutInMillis: 200 });
    const server = await connected.promise;
    await server.write('123456789012345');
    const error = await client.read(18).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadTimedOutError);
    expect((error as SocketError).code).toBe('READ_TIMED_OUT');
    expect((await client.read(15)).toString()).toBe('123456789012345');
  });

  it('a client with a callbackService gets onConnect and onReadReady for the echo', async () => {
    const { port } = await listen(echoService);
    const echoed = deferred<string>();
    const connected = deferred<number>();
    const client = track(
      new Client({
        host: 'localhost',
        port,
        callbackService: {
          onConnect(caller) {
            connected.resolve(caller.remotePort);
          },
          async onReadReady(caller) {
            const data = await caller.read();
            if (data.length > 0) echoed.resolve(data.toString());
          },
        },
      }),
    );
    expect(await connected.promise).toBe(port);
    await client.write('Hello Ballerina\n');
    expect(await echoed.promise).toBe('Hello Ballerina\n');
  });

  it('8 MB sent one way arrive intact', async () => {
    const { service, received } = sink();
    const { port } = await listen(service);
    const client = await connect(port);
    const payload = randomBytes(8 * 1024 * 1024);
    for (let offset = 0; offset < payload.length; offset += 65536) {
      await client.write(payload.subarray(offset, offset + 65536));
    }
    await client.shutdownWrite();
    const data = await received;
    expect(data.length).toBe(payload.length);
    expect(createHash('sha256').update(data).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  });
});
