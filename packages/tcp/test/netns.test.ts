// The namespace harness itself: hosts are reachable, vanish is silent, restore resumes, teardown
// leaves nothing. The fault tests that use it trust exactly these properties.
import { execFileSync } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
// Before helpers.js: vitest runs afterEach hooks in reverse order, so tracked sockets close before
// the hosts they talk to are torn down.
import { createTestHost, destroyTestHosts, leftovers, netns, warnIfUnavailable } from './netns.js';
import { Client, isSocketError } from '../src/index.js';
import { BOUND_IN_MILLIS, within } from './fault-checks.js';
import { track } from './helpers.js';

warnIfUnavailable('netns.test.ts');

describe('test hosts in network namespaces', () => {
  it.skipIf(!netns.available)('a host is reachable at its address and has no route beyond its link', async () => {
    const host = await createTestHost();
    expect(host.address).toMatch(/^198\.1[89]\./);
    expect(host.gateway).toMatch(/^198\.1[89]\./);
    const routes = execFileSync('ip', ['-n', host.name, '-4', 'route', 'show'], { encoding: 'utf8' }).trim().split('\n');
    expect(routes).toHaveLength(1);
    expect(routes[0]).toContain(`${host.address.replace(/\.\d+$/, '')}.`);
    expect(routes[0]).not.toContain('default');

    const peer = host.spawnPeer();
    const [, port] = (await peer.request(`listen ${host.address} 0`)).split(' ');
    const client = track(await Client.connect({ host: host.address, port: Number(port), connectTimeoutInMillis: 5_000, readTimeoutInMillis: 5_000 }));
    expect(await peer.request('accept')).toBe(`accepted ${host.gateway} ${client.localPort}`);
    expect(await peer.request('echo')).toBe('echoing');
    await client.write('over the link');
    expect((await client.read(13)).toString()).toBe('over the link');
  });

  it.skipIf(!netns.available)('vanish drops traffic without any error; restore lets a connection carry on', async () => {
    const host = await createTestHost();
    const peer = host.spawnPeer();
    const [, port] = (await peer.request(`listen ${host.address} 0`)).split(' ');
    const client = track(await Client.connect({ host: host.address, port: Number(port), connectTimeoutInMillis: 5_000, readTimeoutInMillis: 10_000 }));
    await peer.request('accept');
    await peer.request('echo');

    await host.vanish();
    // A new connection neither fails fast (no RST, no ICMP, no failed ARP lookup) nor succeeds.
    const attempt = await Client.connect({ host: host.address, port: Number(port), connectTimeoutInMillis: 300 }).catch((e: unknown) => e);
    expect(isSocketError(attempt, 'CONNECT_TIMED_OUT')).toBe(true);
    // Bytes written meanwhile are retransmitted by TCP and arrive once the host is back.
    await client.write('held');
    await host.restore();
    expect((await client.read(4)).toString()).toBe('held');
  });

  it.skipIf(!netns.available)('teardown aborts sockets still open to a host and removes namespaces, links, guard routes and processes', async () => {
    const host = await createTestHost();
    await createTestHost();
    const peer = host.spawnPeer();
    const [, port] = (await peer.request(`listen ${host.address} 0`)).split(' ');
    // A socket the test forgot to close: after teardown it must not keep retransmitting to the host.
    const forgotten = netConnect({ host: host.address, port: Number(port) });
    forgotten.on('error', () => {});
    track({ close: async () => void forgotten.destroy() });
    await within(new Promise((resolve) => forgotten.once('connect', resolve)), BOUND_IN_MILLIS, 'the connect');
    const aborted = new Promise((resolve) => forgotten.once('close', resolve));
    await host.vanish();
    expect((await leftovers()).length).toBeGreaterThan(0);
    await destroyTestHosts();
    expect(await leftovers()).toEqual([]);
    expect(await peer.exited).toBeNull(); // killed
    await within(aborted, BOUND_IN_MILLIS, 'the forgotten socket being aborted');
  });
});
