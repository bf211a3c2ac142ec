// The README's consumer example, verbatim but for imports (@sock/tcp's run of it lives in
// packages/tcp/src/conformance.test.ts). If this file breaks, fix the README too.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Service, TcpTransport } from '@sock/core';
import { createLoopbackNetwork, recordingService, scriptedPeer, type LoopbackNetwork } from './index.js';

// Written once against the interface...
async function greet(transport: TcpTransport, name: string): Promise<string> {
  const listener = transport.createListener(0, { interface: '127.0.0.1' });
  listener.attach(greeter);
  await listener.start();
  try {
    const client = await transport.connect({ host: '127.0.0.1', port: listener.address!.port });
    await client.write(`${name}\n`);
    const reply = await client.read(100);       // exactly 100 bytes, or what came before the end
    await client.close();
    return reply.toString();
  } finally {
    await listener.immediateStop();
  }
}

// ...runs unchanged on real sockets and on the kit.

describe('greeter on the loopback network', () => {
  let network: LoopbackNetwork;
  beforeEach(() => {
    network = createLoopbackNetwork({ chunkSize: 1 });   // every write arrives one byte at a time
  });
  afterEach(() => network.close());                       // closes every socket and listener it made

  it('greets even when the name arrives byte by byte', async () => {
    expect(await greet(network.tcp, 'Ada')).toBe('Hello, Ada!\n');
  });

  it('survives a client that resets mid-line', async () => {
    const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
    listener.attach(greeter);
    await listener.start();
    const client = await network.tcp.connect({ host: 'localhost', port: listener.address!.port });
    await client.write('Ad');
    network.reset(client);                                // both ends see CONNECTION_RESET
    await expect(client.read()).rejects.toMatchObject({ code: 'CONNECTION_RESET' });
  });

  it('talks to a scripted server', async () => {
    // A peer that expects bytes, sends bytes, then ends — tokio-test style.
    const server = scriptedPeer().expect('Ada\n').send('Hello, Ada!\n').close();
    const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
    listener.attach(server.service);
    await listener.start();
    const client = await network.tcp.connect({ host: '127.0.0.1', port: listener.address!.port });
    await client.write('Ada\n');
    expect((await client.read(100)).toString()).toBe('Hello, Ada!\n');
    await server.done;                                    // rejects, naming both sides, on a mismatch
  });

  it('records what a client sent, without sleeping', async () => {
    const recorder = recordingService();
    const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
    listener.attach(recorder);
    await listener.start();
    const client = await network.tcp.connect({ host: '127.0.0.1', port: listener.address!.port });
    await client.write('hello');
    expect((await recorder.waitForBytes(5)).toString()).toBe('hello');
    await client.close();
    await recorder.waitForClose();
    expect(recorder.events.map((e) => e.type)).toEqual(['connect', 'bytes', 'bytes', 'bytes', 'bytes', 'bytes', 'close']);
  });

  it('times out reads on fake timers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
      listener.attach(greeter);
      await listener.start();
      const client = await network.tcp.connect({ host: '127.0.0.1', port: listener.address!.port });
      const reading = client.read(1, { timeoutInMillis: 60_000 });
      const failed = expect(reading).rejects.toMatchObject({ code: 'READ_TIMED_OUT' });
      await vi.advanceTimersByTimeAsync(60_000);          // a minute passes in no time
      await failed;
    } finally {
      vi.useRealTimers();
    }
  });
});


const greeter: Service = {
  async onConnect(caller) {
    let line = '';
    while (!line.endsWith('\n')) {          // a line may arrive in any number of chunks
      const chunk = await caller.read();
      if (chunk.length === 0) return;       // the client went away
      line += chunk.toString();
    }
    await caller.write(`Hello, ${line.trim()}!\n`);
    await caller.close();
  },
};

it('with latency 0 nothing waits on a timer: it runs with every timer faked', async () => {
  vi.useFakeTimers();
  try {
    const network = createLoopbackNetwork({ chunkSize: 3 });
    expect(await greet(network.tcp, 'Grace')).toBe('Hello, Grace!\n');
    await network.close();
  } finally {
    vi.useRealTimers();
  }
});
