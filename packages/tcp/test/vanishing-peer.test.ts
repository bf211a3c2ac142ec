// Peers that vanish without a word (no FIN, no RST, no ICMP) and hosts that never answer a SYN,
// on test hosts in network namespaces (see netns.ts): what loopback cannot show. Skipped, with
// the reason printed, where the machine does not allow namespaces.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// Before helpers.js: vitest runs afterEach hooks in reverse order, so tracked sockets close before
// the hosts they talk to are torn down.
import { createTestHost, netns, warnIfUnavailable } from './netns.js';
import { Client, type ClientConfig, type ListenerConfig } from '../src/index.js';
import { BOUND_IN_MILLIS, eventually, expectStillServes, openTcpHandles, rejection, within } from './fault-checks.js';
import { listen, track } from './helpers.js';
import { echoBytes, record } from './recorder.js';

warnIfUnavailable('vanishing-peer.test.ts');

/** Sockets of this machine's root namespace to `address` in `state` (ss's state names), as the kernel sees them. */
function kernelSockets(address: string, state = 'all'): number {
  const output = execFileSync('ss', ['-H', '-tn', 'state', state, 'dst', address], { encoding: 'utf8', timeout: BOUND_IN_MILLIS });
  return output.split('\n').filter((line) => line.trim() !== '').length;
}

describe('a peer that vanishes, found by TCP keep-alive', () => {
  // Node 20 floors keepAliveInitialDelayInMillis to whole seconds; from one second up, libuv also
  // sets TCP_KEEPINTVL = 1 s and TCP_KEEPCNT = 10 on the socket, so a silent peer is found about
  // delay + 10 s after the last byte whatever the OS's probe sysctls say (their defaults, 75 s × 9,
  // would take minutes). Below one second the delay becomes 0, which Linux refuses: the OS default
  // idle time of 2 hours applies instead (see faults.test.ts). So this test takes ~11 s.
  it.skipIf(!netns.available)(
    'a Client with keepAlive: true, keepAliveInitialDelayInMillis: 1000: its pending read and next write fail, no socket is left',
    async () => {
      const host = await createTestHost();
      const peer = host.spawnPeer();
      const [, port] = (await peer.request(`listen ${host.address} 0`)).split(' ');
      const before = openTcpHandles();
      const client = track(
        await Client.connect({
          host: host.address,
          port: Number(port),
          keepAlive: true,
          keepAliveInitialDelayInMillis: 1000,
          connectTimeoutInMillis: BOUND_IN_MILLIS,
          readTimeoutInMillis: 0,
        }),
      );
      await peer.request('accept');
      await peer.request('echo');
      await client.write('ping');
      expect((await client.read(4)).toString()).toBe('ping');

      await host.vanish();
      // The kernel gives up with ETIMEDOUT, which @sock reports on an open connection as CONNECTION_RESET.
      const error = await rejection(client.read(), 'the pending read', 30_000);
      expect(error.code).toBe('CONNECTION_RESET');
      expect((error.cause as { code?: unknown } | undefined)?.code).toBe('ETIMEDOUT');
      expect(error.message).toContain(`${host.address}:${port}`);
      expect((await rejection(client.write('after'), 'the next write')).code).toBe('CONNECTION_RESET');
      await within(client.close(), BOUND_IN_MILLIS, 'close()');
      await eventually(() => openTcpHandles() <= before, 'the client socket is released');
    },
    60_000,
  );
});

describe('SYNs that go unanswered (the host vanished)', () => {
  it.skipIf(!netns.available)('connectTimeoutInMillis: 300 rejects CONNECT_TIMED_OUT naming the endpoint and leaves no socket', async () => {
    const host = await createTestHost();
    const peer = host.spawnPeer();
    const [, port] = (await peer.request(`listen ${host.address} 0`)).split(' ');
    await host.vanish();
    const before = openTcpHandles();
    const error = await rejection(Client.connect({ host: host.address, port: Number(port), connectTimeoutInMillis: 300 }), 'Client.connect');
    expect(error.code).toBe('CONNECT_TIMED_OUT');
    expect(error.message).toContain(`${host.address}:${port}`);
    await eventually(() => openTcpHandles() <= before, 'the connecting socket is released');
    await eventually(() => kernelSockets(host.address) === 0, 'the kernel holds no socket to the host');
    // It was the silence that timed out: the same connect succeeds once the host is back.
    await host.restore();
    track(await Client.connect({ host: host.address, port: Number(port), connectTimeoutInMillis: BOUND_IN_MILLIS }));
  });

  it.skipIf(!netns.available)('without a connect time-out, close() during the connect settles ready with CONNECTION_CLOSED and leaves no socket', async () => {
    const host = await createTestHost();
    await host.vanish();
    const before = openTcpHandles();
    const client = new Client({ host: host.address, port: 9 });
    const ready = rejection(client.ready, 'ready');
    await eventually(() => kernelSockets(host.address, 'syn-sent') === 1, 'the SYN is out and unanswered');
    await within(client.close(), BOUND_IN_MILLIS, 'close() during the connect');
    expect((await ready).code).toBe('CONNECTION_CLOSED');
    await eventually(() => openTcpHandles() <= before, 'the connecting socket is released');
    await eventually(() => kernelSockets(host.address) === 0, 'the kernel holds no socket to the host');
  });
});

describe('a peer that vanishes, found by the idle time-out', () => {
  it.skipIf(!netns.available)(
    'a Listener with idleTimeoutInMillis: 300: IDLE_TIMED_OUT to onError, then onClose, connections back to 0; it serves on',
    async () => {
      const host = await createTestHost();
      const recording = record(echoBytes);
      const config: ListenerConfig = { interface: host.gateway, idleTimeoutInMillis: 300 };
      const listener = await listen(recording.service, config);
      const peer = host.spawnPeer();
      expect(await peer.request(`connect ${host.gateway} ${listener.port}`)).toMatch(/^connected /);
      await peer.request('send hello');
      expect(await peer.request('recv 5')).toBe('received hello');

      await host.vanish();
      await recording.closed(1);
      expect(recording.eventsOf(recording.callers[0]!)).toEqual(['connect', 'error:IDLE_TIMED_OUT', 'close']);
      await eventually(() => listener.connections === 0, 'the listener has no connection left');
      await expectStillServes(listener.port, host.gateway);

      await host.restore();
      const again = host.spawnPeer();
      expect(await again.request(`connect ${host.gateway} ${listener.port}`)).toMatch(/^connected /);
      await again.request('send again');
      expect(await again.request('recv 5')).toBe('received again');
    },
  );

  it.skipIf(!netns.available)('a Client without a service, idleTimeoutInMillis: 300: its pending read gets IDLE_TIMED_OUT and no socket is left', async () => {
    const host = await createTestHost();
    const peer = host.spawnPeer();
    const [, port] = (await peer.request(`listen ${host.address} 0`)).split(' ');
    const before = openTcpHandles();
    const config: ClientConfig = { host: host.address, port: Number(port), idleTimeoutInMillis: 300, readTimeoutInMillis: 0 };
    const client = track(await Client.connect(config));
    await peer.request('accept');
    await peer.request('echo');
    await client.write('ping');
    expect((await client.read(4)).toString()).toBe('ping');

    await host.vanish();
    expect((await rejection(client.read(), 'the pending read')).code).toBe('IDLE_TIMED_OUT');
    await eventually(() => openTcpHandles() <= before, 'the client socket is released');
  });
});
