import { describe, expect, it } from 'vitest';
import { rejectsWith, throwsWith, track } from '../test/helpers.js';
import { isSocketError, UdpClient, UdpConnectedClient, UdpListener, type Address } from './index.js';

const QUICK = { timeoutInMillis: 5000 };
const ATTEMPT = { timeoutInMillis: 1000 };

// The kernel sends "port unreachable" under a global ICMP rate limit (net.ipv4.icmp_msgs_per_sec,
// burst 50) that tests sending to closed ports in parallel can use up, so one can be dropped. A
// read that times out is tried again (a bounded number of times); a read that fails otherwise than
// CONNECTION_REFUSED fails the test.
async function refusal(attempt: () => Promise<unknown>): Promise<void> {
  for (let tries = 1; ; tries++) {
    const error = await attempt().then(
      () => expect.fail('expected CONNECTION_REFUSED, but the read resolved'),
      (reason: unknown) => reason,
    );
    if (isSocketError(error, 'CONNECTION_REFUSED')) return;
    if (!isSocketError(error, 'READ_TIMED_OUT') || tries === 5) expect.fail(`expected CONNECTION_REFUSED, got ${String(error)} (try ${tries})`);
  }
}

async function peer(host = '127.0.0.1'): Promise<UdpClient & { address: Address }> {
  const c = track(new UdpClient({ localAddress: { host, port: 0 } }));
  await c.ready;
  return Object.assign(c, { address: c.localAddress! });
}

async function connected(remote: Address, extra: Partial<Parameters<typeof UdpConnectedClient.connect>[0]> = {}): Promise<UdpConnectedClient> {
  return track(await UdpConnectedClient.connect({ host: remote.host, port: remote.port, ...extra }));
}

describe('UdpConnectedClient', () => {
  it('writes to and reads from its one peer', async () => {
    const server = await peer();
    const client = await connected(server.address);
    expect(client.remoteAddress).toEqual(server.address);
    expect(client.localAddress?.host).toBe('127.0.0.1');
    expect(await client.write('ping')).toBe(4);
    const received = await server.receiveFrom(undefined, QUICK);
    expect(received.data.toString()).toBe('ping');
    expect(received.address).toEqual(client.localAddress);
    await server.sendTo('pong', received.address);
    expect((await client.read(undefined, QUICK)).toString()).toBe('pong');
  });

  it('ignores datagrams from other senders', async () => {
    const server = await peer();
    const stranger = await peer();
    const client = await connected(server.address);
    const local = client.localAddress!;
    await stranger.sendTo('from a stranger', local);
    await server.sendTo('from the peer', local);
    expect((await client.read(undefined, QUICK)).toString()).toBe('from the peer');
    // The stranger's datagram was not merely delayed: the next read times out.
    await rejectsWith(client.read(undefined, { timeoutInMillis: 100 }), 'READ_TIMED_OUT');
  });

  it('read(n) gathers datagrams and keeps the tail; a timeout keeps what was gathered', async () => {
    const server = await peer();
    const client = await connected(server.address, { readTimeoutInMillis: 100 });
    const local = client.localAddress!;
    await server.sendTo('0123456789', local);
    await rejectsWith(client.read(14), 'READ_TIMED_OUT');
    await server.sendTo('abcdefghij', local);
    expect((await client.read(14, QUICK)).toString()).toBe('0123456789abcd');
    expect((await client.read(undefined, QUICK)).toString()).toBe('efghij');
  });

  it('an abort signal rejects the read with its reason', async () => {
    const server = await peer();
    const client = await connected(server.address);
    const controller = new AbortController();
    const pending = client.read(undefined, { signal: controller.signal });
    const reason = new Error('enough');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(client.read(undefined, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await server.sendTo('still works', client.localAddress!);
    expect((await client.read(undefined, QUICK)).toString()).toBe('still works');
  });

  it('a closed peer port rejects the read with CONNECTION_REFUSED and the client stays usable', async () => {
    const gone = await peer();
    const address = gone.address;
    await gone.close();
    const client = await connected(address);
    // A waiting read gets the refusal.
    await refusal(async () => {
      const pending = client.read(undefined, ATTEMPT);
      await client.write('anyone there?');
      return pending;
    });
    // Without a waiting read, the refusal goes to the next read.
    await refusal(async () => {
      await client.write('anyone there now?');
      return client.read(undefined, ATTEMPT);
    });
    // Refusals are not sticky beyond one read.
    await rejectsWith(client.read(undefined, { timeoutInMillis: 50 }), 'READ_TIMED_OUT');
  });

  it('talks to a UdpListener', async () => {
    const listener = track(new UdpListener(0, { interface: '127.0.0.1' }));
    listener.attach({ onDatagram: (datagram, caller) => caller.reply(`echo: ${datagram.data.toString()}`).then(() => undefined) });
    await listener.start();
    const client = await connected(listener.address!);
    await client.write('hi');
    expect((await client.read(undefined, QUICK)).toString()).toBe('echo: hi');
  });

  it('connects over IPv6 to ::1 and by name', async () => {
    const server6 = await peer('::1');
    const client6 = await connected(server6.address);
    expect(client6.localAddress?.host).toBe('::1');
    await client6.write('v6');
    expect((await server6.receiveFrom(undefined, QUICK)).data.toString()).toBe('v6');

    const server4 = await peer('127.0.0.1');
    const byName = await connected({ host: 'localhost', port: server4.address.port }, { localAddress: { host: '127.0.0.1', port: 0 } });
    expect(byName.remoteAddress).toEqual(server4.address);
  });

  it('refuses oversize writes with DATAGRAM_TOO_LARGE and a bad config with INVALID_ARGUMENT', async () => {
    const server = await peer();
    const client = await connected(server.address);
    await rejectsWith(client.write(Buffer.alloc(65_508)), 'DATAGRAM_TOO_LARGE');
    await rejectsWith(client.read(0), 'INVALID_ARGUMENT');
    await rejectsWith(client.read(undefined, { signal: 'stop' as unknown as AbortSignal }), 'INVALID_ARGUMENT');
    const bad: unknown[] = [
      undefined,
      null,
      { host: '127.0.0.1' },
      { host: '127.0.0.1', port: 0 },
      { host: '', port: 9 },
      { host: '127.0.0.1', port: 9, readTimeoutInMillis: -5 },
      { host: '127.0.0.1', port: 9, localAddress: { host: '127.0.0.1', port: 70000 } },
      { host: '127.0.0.1', port: 9, ttl: 0 },
    ];
    for (const config of bad) {
      throwsWith(() => new UdpConnectedClient(config as never), 'INVALID_ARGUMENT');
      await rejectsWith(UdpConnectedClient.connect(config as never), 'INVALID_ARGUMENT');
    }
  });

  it('rejects HOST_NOT_FOUND for an unknown peer name and INVALID_ARGUMENT for a peer of the other family', async () => {
    await rejectsWith(UdpConnectedClient.connect({ host: 'no-such-host.invalid', port: 9 }), 'HOST_NOT_FOUND');
    await rejectsWith(UdpConnectedClient.connect({ host: '::1', port: 9, localAddress: { host: '127.0.0.1', port: 0 } }), 'INVALID_ARGUMENT');
  });

  it('close() is idempotent and later calls reject CONNECTION_CLOSED', async () => {
    const server = await peer();
    const client = await connected(server.address);
    const pending = client.read(undefined, QUICK);
    await Promise.all([client.close(), client.close()]);
    await rejectsWith(pending, 'CONNECTION_CLOSED');
    await rejectsWith(client.write('x'), 'CONNECTION_CLOSED');
    await rejectsWith(client.read(), 'CONNECTION_CLOSED');
  });
});
