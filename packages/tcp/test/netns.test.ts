// The namespace harness itself: hosts are reachable, vanish is silent, restore resumes, teardown
// leaves nothing. The fault tests that use it trust exactly these properties.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTestHost, createTestHostPair, destroyTestHosts, leftovers, netns, warnIfUnavailable } from './netns.js';
import { Client, isSocketError } from '../src/index.js';
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

  it.skipIf(!netns.available)('a pair of hosts reach each other over their own link', async () => {
    const [a, b] = await createTestHostPair();
    expect(a.gateway).toBe(b.address);
    expect(b.gateway).toBe(a.address);
    const server = a.spawnPeer();
    const [, port] = (await server.request(`listen ${a.address} 0`)).split(' ');
    const client = b.spawnPeer();
    expect(await client.request(`connect ${a.address} ${port}`)).toMatch(/^connected \d+$/);
    await server.request('accept');
    await client.request('send hi');
    expect(await server.request('recv 2')).toBe('received hi');
  });

  it.skipIf(!netns.available)('teardown removes namespaces, links, guard routes and processes', async () => {
    const host = await createTestHost();
    await createTestHostPair();
    const peer = host.spawnPeer();
    await peer.request(`listen ${host.address} 0`);
    await host.vanish();
    expect((await leftovers()).length).toBeGreaterThan(0);
    await destroyTestHosts();
    expect(await leftovers()).toEqual([]);
    expect(await peer.exited).toBeNull(); // killed
  });
});
