import { describe, expect, it } from 'vitest';
import { startPythonPeer, track } from './helpers.js';
import { UdpClient, UdpConnectedClient, UdpListener } from '../src/index.js';

const QUICK = { timeoutInMillis: 5000 };

// A peer that is not our code: test/peer.py, run with python3, bound to port 0 on loopback.
describe('interoperability with a Python 3 UDP peer', () => {
  it('our client sends to a Python echo peer and receives the echo from it', async () => {
    const python = await startPythonPeer(['echo', '127.0.0.1']);
    const client = track(new UdpClient({ localAddress: { host: '127.0.0.1', port: 0 } }));
    expect(await client.sendTo('Hello from UDP client', { host: '127.0.0.1', port: python.port })).toBe(21);
    const { data, address } = await client.receiveFrom(undefined, QUICK);
    expect(data.toString()).toBe('Hello from UDP client');
    expect(address).toEqual({ host: '127.0.0.1', port: python.port });
  });

  it('our default dual-stack client reaches Python peers on 127.0.0.1 and ::1', async () => {
    const v4 = await startPythonPeer(['echo', '127.0.0.1']);
    const v6 = await startPythonPeer(['echo', '::1']);
    const client = track(new UdpClient());
    await client.sendTo('four', { host: '127.0.0.1', port: v4.port });
    const first = await client.receiveFrom(undefined, QUICK);
    expect(first).toEqual({ data: Buffer.from('four'), address: { host: '127.0.0.1', port: v4.port } });
    await client.sendTo('six', { host: '::1', port: v6.port });
    const second = await client.receiveFrom(undefined, QUICK);
    expect(second).toEqual({ data: Buffer.from('six'), address: { host: '::1', port: v6.port } });
  });

  it('receiveFrom(n) gathers the echoes of several datagrams from Python', async () => {
    const python = await startPythonPeer(['echo', '127.0.0.1']);
    const client = track(new UdpClient({ localAddress: { host: '127.0.0.1', port: 0 } }));
    const target = { host: '127.0.0.1', port: python.port };
    await client.sendTo('x'.repeat(28), target);
    await client.sendTo('y'.repeat(28), target);
    expect((await client.receiveFrom(56, QUICK)).data.toString()).toBe('x'.repeat(28) + 'y'.repeat(28));
  });

  it('our connected client talks to a Python echo peer', async () => {
    const python = await startPythonPeer(['echo', '127.0.0.1']);
    const client = track(await UdpConnectedClient.connect({ host: '127.0.0.1', port: python.port }));
    await client.write('connected hello');
    expect((await client.read(undefined, QUICK)).toString()).toBe('connected hello');
  });

  it('a Python sender gets answers from our listener', async () => {
    const listener = track(new UdpListener(0, { interface: '127.0.0.1' }));
    listener.attach({
      async onDatagram(datagram, caller) {
        if (datagram.data.toString() === 'hi') {
          await caller.reply('hi there!');
          await caller.reply('bye');
        }
      },
    });
    await listener.start();
    const python = await startPythonPeer(['send', '127.0.0.1', String(listener.address!.port), 'hi']);
    expect(await python.nextLine()).toBe('hi there!');
    expect(await python.nextLine()).toBe('bye');
  });

  it('a Python sender reaches our client, which answers it', async () => {
    const client = track(new UdpClient({ localAddress: { host: '127.0.0.1', port: 0 } }));
    await client.ready;
    const python = await startPythonPeer(['send', '127.0.0.1', String(client.localAddress!.port), 'from python']);
    const { data, address } = await client.receiveFrom(undefined, QUICK);
    expect(data.toString()).toBe('from python');
    expect(address).toEqual({ host: '127.0.0.1', port: python.port });
    await client.sendTo('got it', address);
    await client.sendTo('bye', address);
    expect(await python.nextLine()).toBe('got it');
    expect(await python.nextLine()).toBe('bye');
  });
});
