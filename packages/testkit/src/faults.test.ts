import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadTimedOutError, type Service } from '@sock/core';
import { createLoopbackNetwork, echoService, recordingService, type LoopbackNetwork } from './index.js';
import { deferred, rejectionOf, settled, turns } from './conformance/index.js';

const networks: LoopbackNetwork[] = [];
function network(options?: Parameters<typeof createLoopbackNetwork>[0]): LoopbackNetwork {
  const made = createLoopbackNetwork(options);
  networks.push(made);
  return made;
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(networks.splice(0).map((n) => n.close()));
});

async function serve(net: LoopbackNetwork, service: Service) {
  const listener = net.tcp.createListener(0, { interface: '127.0.0.1' });
  listener.attach(service);
  await listener.start();
  return { listener, port: listener.address!.port };
}

const chunkSizes = (recorder: ReturnType<typeof recordingService>): number[] =>
  recorder.events.flatMap((event) => (event.type === 'bytes' ? [event.data.length] : []));

describe('chunk size', () => {
  it('splits every write into chunks of at most chunkSize bytes', async () => {
    const net = network({ chunkSize: 3 });
    const recorder = recordingService();
    const { port } = await serve(net, recorder);
    const client = await net.tcp.connect({ host: '127.0.0.1', port });
    await client.write('0123456789');
    expect((await recorder.waitForBytes(10)).toString()).toBe('0123456789');
    expect(chunkSizes(recorder)).toEqual([3, 3, 3, 1]);
  });

  it('shape() changes it for later writes, and can turn it off', async () => {
    const net = network();
    const recorder = recordingService();
    const { port } = await serve(net, recorder);
    const client = await net.tcp.connect({ host: '127.0.0.1', port });
    await client.write('abcd');
    await recorder.waitForBytes(4);
    net.shape({ chunkSize: 1 });
    expect(net.shaping.chunkSize).toBe(1);
    await client.write('efgh');
    await recorder.waitForBytes(8);
    net.shape({ chunkSize: undefined });
    await client.write('ijkl');
    await recorder.waitForBytes(12);
    expect(chunkSizes(recorder)).toEqual([4, 1, 1, 1, 1, 4]);
    expect(() => net.shape({ chunkSize: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('reset', () => {
  it('network.reset(caller): both ends see CONNECTION_RESET, then close', async () => {
    const net = network();
    const recorder = recordingService();
    const { port } = await serve(net, recorder);
    const client = await net.tcp.connect({ host: '127.0.0.1', port });
    await recorder.waitForConnect();
    const pending = client.read();
    expect(net.reset(client)).toBe(1);
    expect((await rejectionOf(pending)).code).toBe('CONNECTION_RESET');
    expect((await recorder.waitForError('CONNECTION_RESET')).message).toContain(`127.0.0.1:${client.localPort}`);
    await recorder.waitForClose();
    expect((await rejectionOf(client.write('x'))).code).toBe('CONNECTION_RESET');
    expect(net.connections()).toEqual([]);
  });

  it('resets by port, or through the connections() list; bytes in flight are lost', async () => {
    const net = network({ latencyInMillis: 1000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const recorder = recordingService();
    const { port } = await serve(net, recorder);
    const connecting = [net.tcp.connect({ host: '127.0.0.1', port }), net.tcp.connect({ host: '127.0.0.1', port })];
    await vi.advanceTimersByTimeAsync(1000);
    const [a, b] = await Promise.all(connecting);
    expect(net.connections().map((c) => c.server.port)).toEqual([port, port]);
    await a!.write('lost in flight');
    expect(net.connections()[0]!.bufferedBytes.toServer).toBe(14);
    expect(net.reset(a!.localPort)).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(recorder.received().length).toBe(0);
    const [only] = net.connections();
    expect(only?.client.port).toBe(b!.localPort);
    only!.reset();
    await vi.advanceTimersByTimeAsync(0);
    expect((await rejectionOf(b!.read())).code).toBe('CONNECTION_RESET');
    expect(net.connections()).toEqual([]);
    expect(recorder.errors.map((e) => e.code)).toEqual(['CONNECTION_RESET', 'CONNECTION_RESET']);
  });

  it('bytes sent to a closed end reset the sender, as the kernel answers them with RST', async () => {
    const net = network();
    const serverGone = recordingService({ onConnect: (caller) => caller.close() });
    const { port } = await serve(net, serverGone);
    const gate = deferred();
    const errors: string[] = [];
    // The client's service is busy, so it has not seen the server's end and its side stays open.
    const client = await net.tcp.connect({
      host: '127.0.0.1',
      port,
      callbackService: { onConnect: () => gate.promise, onError: (_caller, error) => void errors.push(error.code) },
    });
    await serverGone.waitForClose();
    expect(await client.write('x')).toBe(1);
    await turns(3);
    gate.resolve();
    expect((await rejectionOf(client.write('y'))).code).toBe('CONNECTION_RESET');
    await turns(3);
    expect(errors).toEqual(['CONNECTION_RESET']);
  });
});

describe('latency and fake timers', () => {
  it('latency delays delivery on setTimeout, so fake timers drive it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const net = network({ latencyInMillis: 100 });
    const recorder = recordingService();
    const { port } = await serve(net, recorder);
    const connecting = net.tcp.connect({ host: '127.0.0.1', port });
    await vi.advanceTimersByTimeAsync(100); // the connect takes the latency too
    const client = await connecting;
    await client.write('late');
    await vi.advanceTimersByTimeAsync(99);
    expect(recorder.received().length).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(recorder.received().toString()).toBe('late');
  });

  it('read time-outs run on fake timers, and keep the bytes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const net = network();
    const more = deferred();
    const { port } = await serve(net, {
      async onConnect(caller) {
        await caller.write('abc');
        await more.promise;
        await caller.write('de');
      },
    });
    const client = await net.tcp.connect({ host: '127.0.0.1', port });
    let outcome: unknown;
    const reading = client.read(5, { timeoutInMillis: 1000 }).catch((error: unknown) => (outcome = error));
    await vi.advanceTimersByTimeAsync(999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await reading;
    expect(outcome).toBeInstanceOf(ReadTimedOutError);
    more.resolve();
    expect((await client.read(5)).toString()).toBe('abcde');
  });
});

describe('half-close', () => {
  it('shutdownWrite delivers the end of stream while the other way stays open', async () => {
    const net = network();
    const ended = deferred();
    const { port } = await serve(net, {
      async onReadReady(caller) {
        const data = await caller.read();
        if (data.length > 0) return;
        ended.resolve();
        await caller.write('after your end');
      },
    });
    const client = await net.tcp.connect({ host: '127.0.0.1', port });
    await client.write('x');
    await client.shutdownWrite();
    await ended.promise;
    expect((await client.read(14)).toString()).toBe('after your end');
    expect((await client.read()).length).toBe(0);
  });
});

describe('backpressure', () => {
  it('a reader that does not read holds the writer back at a bounded amount in flight', async () => {
    const net = network({ highWaterMark: 16 * 1024 });
    const release = deferred();
    const total = 8 * 1024 * 1024;
    const received = deferred<number>();
    const { port } = await serve(net, {
      async onReadReady(caller) {
        await release.promise;
        received.resolve((await caller.read(total)).length);
      },
    });
    const client = await net.tcp.connect({ host: '127.0.0.1', port });
    const piece = Buffer.alloc(64 * 1024, 1);
    let written = 0;
    const writing = (async () => {
      while (written < total) {
        await client.write(piece);
        written += piece.length;
      }
    })();
    const stalledAt = await Promise.race([settled(() => written, 20, 0), writing.then(() => written)]);
    // Without backpressure the writer would be done; with it, it stops after about 1 MiB (what the
    // reader's connection buffers) plus one high-water mark in flight.
    expect(stalledAt).toBeLessThan(2 * 1024 * 1024);
    const [connection] = net.connections();
    expect(connection!.bufferedBytes.toServer).toBeLessThanOrEqual(16 * 1024 + piece.length);
    release.resolve();
    await writing;
    expect(await received.promise).toBe(total);
    expect(connection!.bufferedBytes.toServer).toBe(0);
  });
});

describe('echo under every shaping', () => {
  it('a 1-byte chunked, delayed network still carries data intact', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const net = network({ chunkSize: 1, latencyInMillis: 5 });
    const { port } = await serve(net, echoService());
    const connecting = net.tcp.connect({ host: '127.0.0.1', port });
    await vi.advanceTimersByTimeAsync(5);
    const client = await connecting;
    await client.write('hello world');
    const reply = client.read(11);
    await vi.advanceTimersByTimeAsync(100);
    expect((await reply).toString()).toBe('hello world');
    await turns(1);
  });
});
