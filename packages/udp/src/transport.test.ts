import { describe, expect, it } from 'vitest';
import { rejectsWith, track } from '../test/helpers.js';
import { udp, UdpClient, UdpListener, type UdpTransport } from './index.js';

// Application code written against the interface, as the SPEC's transports section shows.
async function ask(transport: UdpTransport, question: string): Promise<string> {
  const listener = transport.createListener(0, { interface: '127.0.0.1' });
  listener.attach({ onDatagram: (datagram, caller) => caller.reply(`${datagram.data.toString()}? 42`).then(() => undefined) });
  await listener.start();
  const client = transport.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
  try {
    await client.sendTo(question, listener.address!);
    return (await client.receiveFrom(undefined, { timeoutInMillis: 5000 })).data.toString();
  } finally {
    await client.close();
    await listener.immediateStop();
  }
}

describe('udp: UdpTransport', () => {
  it('is frozen and makes UdpClient and UdpListener instances', async () => {
    expect(Object.isFrozen(udp)).toBe(true);
    const client = track(udp.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } }));
    expect(client).toBeInstanceOf(UdpClient);
    const listener = track(udp.createListener(0));
    expect(listener).toBeInstanceOf(UdpListener);
    await client.ready;
    expect(client.localAddress?.port).toBeGreaterThan(0);
  });

  it('runs application code written against UdpTransport', async () => {
    expect(await ask(udp, 'the answer')).toBe('the answer? 42');
  });

  it('refuses bad input the same way as the classes', async () => {
    expect(() => udp.createUdpClient({ readTimeoutInMillis: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => udp.createListener(-1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const client = track(udp.createUdpClient());
    await rejectsWith(client.sendTo('x', { host: '127.0.0.1', port: 70000 }), 'INVALID_ARGUMENT');
  });
});
