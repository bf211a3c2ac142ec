import { createSocket } from 'node:dgram';
import { describe, expect, it, vi } from 'vitest';
import { rejectsWith, throwsWith, track } from '../test/helpers.js';
import { GenericError, MAX_DATAGRAM_BYTES, ReadTimedOutError, UdpClient, type Address } from './index.js';

async function bound(config: ConstructorParameters<typeof UdpClient>[0] = { localAddress: { host: '127.0.0.1', port: 0 } }): Promise<UdpClient & { address: Address }> {
  const client = track(new UdpClient(config));
  await client.ready;
  const address = client.localAddress;
  if (address === undefined) throw new Error('no local address after ready');
  return Object.assign(client, { address });
}

const QUICK = { timeoutInMillis: 5000 };

describe('UdpClient: the seed family cases', () => {
  it('echo: sendTo then receiveFrom gets the same text', async () => {
    const server = await bound();
    const client = await bound();
    const sent = await client.sendTo('Hello from UDP client', server.address);
    expect(sent).toBe(21);
    const received = await server.receiveFrom(undefined, QUICK);
    expect(received.data.toString()).toBe('Hello from UDP client');
    expect(received.address).toEqual(client.address);
    await server.sendTo(received.data, received.address);
    const echoed = await client.receiveFrom(undefined, QUICK);
    expect(echoed.data.toString()).toBe('Hello from UDP client');
    expect(echoed.address).toEqual(server.address);
  });

  it('a client bound to a given port receives what a sender sends there', async () => {
    // Take a free port, release it, and bind the client to it explicitly.
    const probe = await bound();
    const port = probe.address.port;
    await probe.close();
    const receiver = await bound({ localAddress: { host: '127.0.0.1', port } });
    expect(receiver.localAddress).toEqual({ host: '127.0.0.1', port });
    const sender = await bound();
    await sender.sendTo('Hello Ballerina', { host: '127.0.0.1', port });
    const { data, address } = await receiver.receiveFrom(undefined, QUICK);
    expect(data.toString()).toBe('Hello Ballerina');
    expect(address).toEqual(sender.address);
  });

  it('receiveFrom(56) over two 28-byte datagrams returns both, concatenated', async () => {
    const receiver = await bound();
    const sender = await bound();
    const first = 'A'.repeat(27) + '1';
    const second = 'B'.repeat(27) + '2';
    expect(await sender.sendTo(first, receiver.address)).toBe(28);
    expect(await sender.sendTo(second, receiver.address)).toBe(28);
    const { data, address } = await receiver.receiveFrom(56, QUICK);
    expect(data.toString()).toBe(first + second);
    expect(address).toEqual(sender.address);
  });

  it('receiveFrom(n) keeps the tail of the last datagram for the next call, with the last sender', async () => {
    const receiver = await bound();
    const one = await bound();
    const two = await bound();
    await one.sendTo('0123456789', receiver.address);
    await two.sendTo('abcdefghij', receiver.address);
    const head = await receiver.receiveFrom(15, QUICK);
    expect(head.data.toString()).toBe('0123456789abcde');
    expect(head.address).toEqual(two.address);
    const tail = await receiver.receiveFrom(undefined, QUICK);
    expect(tail.data.toString()).toBe('fghij');
    expect(tail.address).toEqual(two.address);
  });

  it('receiveFrom() returns one datagram at a time', async () => {
    const receiver = await bound();
    const sender = await bound();
    await sender.sendTo('first', receiver.address);
    await sender.sendTo('second', receiver.address);
    expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('first');
    expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('second');
  });

  it('a read timeout rejects ReadTimedOutError and loses nothing', async () => {
    const receiver = await bound({ localAddress: { host: '127.0.0.1', port: 0 }, readTimeoutInMillis: 100 });
    const sender = await bound();
    await sender.sendTo('0123456789', receiver.address);
    // 10 of the 20 bytes asked for arrive; the read times out and keeps them.
    const error = await rejectsWith(receiver.receiveFrom(20), 'READ_TIMED_OUT');
    expect(error).toBeInstanceOf(ReadTimedOutError);
    expect(error.reason).toBe('ReadTimedOut');
    await sender.sendTo('abcdefghij', receiver.address);
    const { data } = await receiver.receiveFrom(20, QUICK);
    expect(data.toString()).toBe('0123456789abcdefghij');
  });

  it('an abort signal rejects the receive with its reason and keeps the data', async () => {
    const receiver = await bound();
    const sender = await bound();
    const controller = new AbortController();
    const pending = receiver.receiveFrom(8, { signal: controller.signal, timeoutInMillis: 5000 });
    await sender.sendTo('1234', receiver.address);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await sender.sendTo('5678', receiver.address);
    expect((await receiver.receiveFrom(8, QUICK)).data.toString()).toBe('12345678');
    // An already aborted signal rejects at once.
    await expect(receiver.receiveFrom(undefined, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('queues a bounded number of datagrams, dropping the oldest and counting them', async () => {
    const receiver = await bound({ localAddress: { host: '127.0.0.1', port: 0 }, maxQueuedDatagrams: 2 });
    const sender = await bound();
    for (const text of ['d1', 'd2', 'd3', 'd4', 'd5']) await sender.sendTo(text, receiver.address);
    await vi.waitFor(() => expect(receiver.droppedDatagrams).toBe(3), { timeout: 5000 });
    expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('d4');
    expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('d5');
    expect(receiver.droppedDatagrams).toBe(3);
  });

  it('sends the largest datagram and refuses a larger one with DATAGRAM_TOO_LARGE before sending', async () => {
    const receiver = await bound();
    const sender = await bound();
    expect(MAX_DATAGRAM_BYTES).toBe(65_507);
    const error = await rejectsWith(sender.sendTo(Buffer.alloc(MAX_DATAGRAM_BYTES + 1, 1), receiver.address), 'DATAGRAM_TOO_LARGE');
    expect(error).toBeInstanceOf(GenericError);
    expect(await sender.sendTo(Buffer.alloc(MAX_DATAGRAM_BYTES, 2), receiver.address)).toBe(MAX_DATAGRAM_BYTES);
    // The first datagram to arrive is the largest allowed one: the refused one never left.
    const { data } = await receiver.receiveFrom(undefined, QUICK);
    expect(data.length).toBe(MAX_DATAGRAM_BYTES);
    expect(data[0]).toBe(2);
  });

  it('refuses bad addresses and ports with INVALID_ARGUMENT', async () => {
    const client = await bound();
    const bad: unknown[] = [
      { host: '127.0.0.1', port: 0 },
      { host: '127.0.0.1', port: 65536 },
      { host: '127.0.0.1', port: -1 },
      { host: '127.0.0.1', port: 1.5 },
      { host: '127.0.0.1', port: '80' },
      { host: '', port: 80 },
      { host: 'bad host', port: 80 },
      { port: 80 },
      null,
      'localhost:80',
    ];
    for (const address of bad) await rejectsWith(client.sendTo('x', address as Address), 'INVALID_ARGUMENT');
    await rejectsWith(client.sendTo(42 as unknown as string, { host: '127.0.0.1', port: 9 }), 'INVALID_ARGUMENT');
    await rejectsWith(client.receiveFrom(0), 'INVALID_ARGUMENT');
    await rejectsWith(client.receiveFrom(-1), 'INVALID_ARGUMENT');
    await rejectsWith(client.receiveFrom(1.5), 'INVALID_ARGUMENT');
    await rejectsWith(client.receiveFrom(undefined, { timeoutInMillis: -1 }), 'INVALID_ARGUMENT');
  });

  it('refuses a bad config at construction with INVALID_ARGUMENT', () => {
    const bad: unknown[] = [
      'config',
      null,
      { localAddress: { host: '127.0.0.1', port: 65536 } },
      { localAddress: { host: '', port: 0 } },
      { readTimeoutInMillis: -1 },
      { readTimeoutInMillis: 1.5 },
      { maxQueuedDatagrams: 0 },
      { broadcast: 'yes' },
      { ttl: 0 },
      { ttl: 256 },
      { multicastTtl: -1 },
      { multicastInterface: 'eth0' },
      { multicastLoopback: 1 },
    ];
    for (const config of bad) throwsWith(() => new UdpClient(config as never), 'INVALID_ARGUMENT');
  });

  it('reports an unknown host as HOST_NOT_FOUND', async () => {
    const client = await bound();
    await rejectsWith(client.sendTo('x', { host: 'no-such-host.invalid', port: 9 }), 'HOST_NOT_FOUND');
  });

  it('reports a taken port as ADDRESS_IN_USE on ready', async () => {
    const first = await bound();
    const second = track(new UdpClient({ localAddress: first.address }));
    await rejectsWith(second.ready, 'ADDRESS_IN_USE');
    await rejectsWith(second.sendTo('x', first.address), 'ADDRESS_IN_USE');
  });

  it('reports a local address that is not on this host as INVALID_ARGUMENT', async () => {
    const client = track(new UdpClient({ localAddress: { host: '192.0.2.123', port: 0 } }));
    await rejectsWith(client.ready, 'INVALID_ARGUMENT');
  });

  it('close() is idempotent and later calls reject CONNECTION_CLOSED; a pending receive rejects too', async () => {
    const client = await bound();
    const pending = client.receiveFrom(undefined, QUICK);
    const closing = client.close();
    expect(client.close()).toBe(closing);
    await closing;
    await client.close();
    await rejectsWith(pending, 'CONNECTION_CLOSED');
    await rejectsWith(client.sendTo('x', { host: '127.0.0.1', port: 9 }), 'CONNECTION_CLOSED');
    await rejectsWith(client.receiveFrom(), 'CONNECTION_CLOSED');
  });

  it('a sendTo whose promise nobody awaits does not cause an unhandled rejection', async () => {
    const client = await bound();
    await client.close();
    void client.sendTo('x', { host: '127.0.0.1', port: 9 });
    void client.sendTo(Buffer.alloc(MAX_DATAGRAM_BYTES + 1), { host: '127.0.0.1', port: 9 });
    // An unhandled rejection would fail the run (vitest reports it as an error).
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('accepts a Uint8Array and counts UTF-8 bytes of a string', async () => {
    const receiver = await bound();
    const sender = await bound();
    expect(await sender.sendTo(new Uint8Array([1, 2, 3]), receiver.address)).toBe(3);
    expect(await sender.sendTo('héllo', receiver.address)).toBe(6);
    expect([...(await receiver.receiveFrom(undefined, QUICK)).data]).toEqual([1, 2, 3]);
    expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('héllo');
  });

  it('does not deliver empty datagrams to receiveFrom (sending one resolves 0)', async () => {
    const receiver = await bound();
    const sender = await bound();
    expect(await sender.sendTo('', receiver.address)).toBe(0);
    await sender.sendTo('after', receiver.address);
    expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('after');
  });

  it('makes its own receive queue: two clients never see each other\'s datagrams', async () => {
    const a = await bound();
    const b = await bound();
    const sender = await bound();
    await sender.sendTo('to-b', b.address);
    await sender.sendTo('to-a', a.address);
    expect((await a.receiveFrom(undefined, QUICK)).data.toString()).toBe('to-a');
    expect((await b.receiveFrom(undefined, QUICK)).data.toString()).toBe('to-b');
  });
});

describe('UdpClient: IPv6 and the default dual-stack socket', () => {
  it('echoes over IPv6 on ::1', async () => {
    const server = await bound({ localAddress: { host: '::1', port: 0 } });
    const client = await bound({ localAddress: { host: '::1', port: 0 } });
    expect(server.address.host).toBe('::1');
    await client.sendTo('over v6', server.address);
    const received = await server.receiveFrom(undefined, QUICK);
    expect(received.data.toString()).toBe('over v6');
    expect(received.address).toEqual({ host: '::1', port: client.address.port });
  });

  it('a default client (no localAddress) talks to 127.0.0.1 and ::1 and sees plain IPv4 senders', async () => {
    const client = await bound({});
    const v4 = await bound({ localAddress: { host: '127.0.0.1', port: 0 } });
    const v6 = await bound({ localAddress: { host: '::1', port: 0 } });
    await client.sendTo('to v4', v4.address);
    await client.sendTo('to v6', v6.address);
    const at4 = await v4.receiveFrom(undefined, QUICK);
    const at6 = await v6.receiveFrom(undefined, QUICK);
    expect(at4.data.toString()).toBe('to v4');
    expect(at4.address).toEqual({ host: '127.0.0.1', port: client.address.port });
    expect(at6.data.toString()).toBe('to v6');
    expect(at6.address).toEqual({ host: '::1', port: client.address.port });
    await v4.sendTo('back from v4', at4.address);
    const back = await client.receiveFrom(undefined, QUICK);
    expect(back.data.toString()).toBe('back from v4');
    // Reported without the ::ffff: prefix of IPv4-mapped addresses.
    expect(back.address).toEqual(v4.address);
  });

  it('a default client resolves names (the seed sends to "localhost")', async () => {
    const client = await bound({});
    // Whatever family localhost resolves to here, a wildcard dual-stack receiver gets it.
    const receiver = await bound({});
    await client.sendTo('Hello from UDP client', { host: 'localhost', port: receiver.address.port });
    expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('Hello from UDP client');
  });

  it('refuses a target of the other family than its bound address with INVALID_ARGUMENT', async () => {
    const v4 = await bound({ localAddress: { host: '127.0.0.1', port: 0 } });
    const v6 = await bound({ localAddress: { host: '::1', port: 0 } });
    await rejectsWith(v4.sendTo('x', { host: '::1', port: v6.address.port }), 'INVALID_ARGUMENT');
    await rejectsWith(v6.sendTo('x', { host: '127.0.0.1', port: v4.address.port }), 'INVALID_ARGUMENT');
  });

  it('interoperates with a plain node:dgram socket', async () => {
    const client = await bound();
    const raw = createSocket('udp4');
    track({ close: () => new Promise<void>((resolve) => raw.close(() => resolve())) });
    await new Promise<void>((resolve) => raw.bind(0, '127.0.0.1', resolve));
    raw.send('from dgram', client.address.port, '127.0.0.1');
    const received = await client.receiveFrom(undefined, QUICK);
    expect(received.data.toString()).toBe('from dgram');
    expect(received.address).toEqual({ host: '127.0.0.1', port: raw.address().port });
  });
});
