import { afterEach, describe, expect, it } from 'vitest';
import { createLoopbackNetwork, type LoopbackNetwork, type LoopbackOptions } from './index.js';
import { rejectionOf } from './conformance/index.js';

const networks: LoopbackNetwork[] = [];
afterEach(async () => {
  await Promise.all(networks.splice(0).map((n) => n.close()));
});

/** Sends `count` numbered datagrams from one client to another; returns what arrived, in order. */
async function traffic(options: LoopbackOptions, count: number): Promise<string[]> {
  const network = createLoopbackNetwork(options);
  networks.push(network);
  const a = network.udp.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
  const b = network.udp.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
  await Promise.all([a.ready, b.ready]);
  for (let i = 0; i < count; i++) await a.sendTo(String(i), b.localAddress!);
  const got: string[] = [];
  for (;;) {
    try {
      got.push((await b.receiveFrom(undefined, { timeoutInMillis: 20 })).data.toString());
    } catch (error) {
      if ((error as { code?: unknown }).code === 'READ_TIMED_OUT') return got;
      throw error;
    }
  }
}

const numbers = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i));

describe('UDP faults', () => {
  it('without faults every datagram arrives once, in order', async () => {
    expect(await traffic({}, 50)).toEqual(numbers(50));
  });

  it('dropRate loses datagrams, the same ones for the same seed', async () => {
    const first = await traffic({ seed: 7, udp: { dropRate: 0.5 } }, 200);
    expect(first.length).toBeGreaterThan(50);
    expect(first.length).toBeLessThan(150);
    expect(await traffic({ seed: 7, udp: { dropRate: 0.5 } }, 200)).toEqual(first);
    expect(await traffic({ seed: 8, udp: { dropRate: 0.5 } }, 200)).not.toEqual(first);
  });

  it('duplicateRate delivers datagrams twice', async () => {
    expect(await traffic({ udp: { duplicateRate: 1 } }, 3)).toEqual(['0', '0', '1', '1', '2', '2']);
    const some = await traffic({ seed: 3, udp: { duplicateRate: 0.3 } }, 100);
    expect(some.length).toBeGreaterThan(100);
    expect([...new Set(some)]).toEqual(numbers(100));
  });

  it('reorderRate delivers a datagram after the next one (or after 1 ms if none follows)', async () => {
    expect(await traffic({ udp: { reorderRate: 1 } }, 5)).toEqual(['1', '0', '3', '2', '4']);
    const some = await traffic({ seed: 5, udp: { reorderRate: 0.3 } }, 100);
    expect(some).not.toEqual(numbers(100));
    expect([...some].sort((x, y) => Number(x) - Number(y))).toEqual(numbers(100));
  });

  it('shapeUdp changes the rates for later datagrams', async () => {
    const network = createLoopbackNetwork();
    networks.push(network);
    const a = network.udp.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
    const b = network.udp.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
    await Promise.all([a.ready, b.ready]);
    await a.sendTo('kept', b.localAddress!);
    expect((await b.receiveFrom()).data.toString()).toBe('kept');
    network.shapeUdp({ dropRate: 1 });
    await a.sendTo('lost', b.localAddress!);
    expect((await rejectionOf(b.receiveFrom(undefined, { timeoutInMillis: 20 }))).code).toBe('READ_TIMED_OUT');
    expect(() => network.shapeUdp({ reorderRate: -0.1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('two networks are isolated for UDP too, and close() closes their sockets', async () => {
    const one = createLoopbackNetwork();
    const two = createLoopbackNetwork();
    networks.push(two);
    const a = one.udp.createUdpClient({ localAddress: { host: '127.0.0.1', port: 5300 } });
    const b = two.udp.createUdpClient({ localAddress: { host: '127.0.0.1', port: 5300 } });
    await Promise.all([a.ready, b.ready]);
    const pending = a.receiveFrom();
    await one.close();
    expect((await rejectionOf(pending)).code).toBe('CONNECTION_CLOSED');
    expect((await rejectionOf(one.udp.createUdpClient().ready)).code).toBe('CONNECTION_CLOSED');
  });
});
