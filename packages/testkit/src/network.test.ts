import { afterEach, describe, expect, it } from 'vitest';
import { createLoopbackNetwork, echoService, recordingService, type LoopbackNetwork } from './index.js';
import { rejectionOf } from './conformance/index.js';
import { AddressTable, FIRST_EPHEMERAL_PORT, resolveBindHost, resolveHost } from './address-table.js';

const networks: LoopbackNetwork[] = [];
function network(options?: Parameters<typeof createLoopbackNetwork>[0]): LoopbackNetwork {
  const made = createLoopbackNetwork(options);
  networks.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(networks.splice(0).map((n) => n.close()));
});

async function echoOn(net: LoopbackNetwork, port = 0, iface: string | null = '127.0.0.1') {
  const listener = net.tcp.createListener(port, iface === null ? {} : { interface: iface });
  listener.attach(echoService());
  await listener.start();
  return listener;
}

describe('hosts', () => {
  it('resolves localhost, 127.0.0.1 and ::1; other names are unknown, other IPs unreachable', () => {
    expect(resolveHost('localhost')).toEqual(['127.0.0.1', '::1']);
    expect(resolveHost('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(resolveHost('::1')).toEqual(['::1']);
    expect(resolveHost('[::1]')).toEqual(['::1']);
    expect(resolveHost('example.com')).toBeUndefined();
    expect(resolveHost('10.1.2.3')).toEqual([]);
  });

  it('binds numeric addresses; a foreign IP is INVALID_ARGUMENT, an unknown name HOST_NOT_FOUND', () => {
    expect(resolveBindHost(undefined, 0)).toBe('::');
    expect(resolveBindHost('localhost', 0)).toBe('127.0.0.1');
    expect(() => resolveBindHost('10.1.2.3', 80)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => resolveBindHost('nowhere.invalid', 80)).toThrow(expect.objectContaining({ code: 'HOST_NOT_FOUND' }));
  });

  it('connects by every loopback name, and reports numeric addresses', async () => {
    const net = network();
    const listener = await echoOn(net, 0, null); // all interfaces
    const port = listener.address!.port;
    expect(listener.address!.host).toBe('::');
    for (const [host, numeric] of [['localhost', '127.0.0.1'], ['127.0.0.1', '127.0.0.1'], ['::1', '::1']] as const) {
      const client = await net.tcp.connect({ host, port });
      expect(client.remoteAddress).toBe(numeric);
      expect(client.localAddress).toBe(numeric);
      await client.write('x');
      expect((await client.read(1)).toString()).toBe('x');
      await client.close();
    }
  });

  it('a listener on ::1 is not reached through 127.0.0.1, but is through localhost', async () => {
    const net = network();
    const listener = await echoOn(net, 0, '::1');
    const port = listener.address!.port;
    expect((await rejectionOf(net.tcp.connect({ host: '127.0.0.1', port }))).code).toBe('CONNECTION_REFUSED');
    const client = await net.tcp.connect({ host: 'localhost', port });
    expect(client.remoteAddress).toBe('::1');
  });

  it('errors name the endpoint', async () => {
    const net = network();
    const refused = await rejectionOf(net.tcp.connect({ host: '127.0.0.1', port: 4242 }));
    expect(refused.code).toBe('CONNECTION_REFUSED');
    expect(refused.message).toContain('127.0.0.1:4242');
    const unknown = await rejectionOf(net.tcp.connect({ host: 'nowhere.invalid', port: 4242 }));
    expect(unknown.code).toBe('HOST_NOT_FOUND');
    expect(unknown.message).toContain('nowhere.invalid:4242');
  });
});

describe('ports', () => {
  it('hands out distinct ephemeral ports from the dynamic range, for listeners and clients', async () => {
    const net = network();
    const a = await echoOn(net);
    const b = await echoOn(net);
    const client = await net.tcp.connect({ host: '127.0.0.1', port: a.address!.port });
    const ports = [a.address!.port, b.address!.port, client.localPort];
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(FIRST_EPHEMERAL_PORT);
  });

  it('ADDRESS_IN_USE for an overlapping binding; different loopback addresses may share a port', async () => {
    const net = network();
    await echoOn(net, 5000, '127.0.0.1');
    await echoOn(net, 5000, '::1'); // no overlap
    for (const iface of ['127.0.0.1', '0.0.0.0', '::', undefined]) {
      const listener = net.tcp.createListener(5000, iface === undefined ? {} : { interface: iface });
      listener.attach(echoService());
      expect((await rejectionOf(listener.start())).code, String(iface)).toBe('ADDRESS_IN_USE');
    }
  });

  it('a stopped listener frees its port', async () => {
    const net = network();
    const first = await echoOn(net, 6000);
    await first.immediateStop();
    const second = await echoOn(net, 6000);
    expect(second.address!.port).toBe(6000);
  });

  it('the table prefers the most specific binding', () => {
    const table = new AddressTable<string>('tcp');
    table.bind('::', 7000, 'any');
    expect(() => table.bind('127.0.0.1', 7000, 'v4')).toThrow(expect.objectContaining({ code: 'ADDRESS_IN_USE' }));
    expect(table.find('127.0.0.1', 7000)).toBe('any');
    table.unbind(7000, 'any');
    table.bind('127.0.0.1', 7000, 'v4');
    table.bind('::1', 7000, 'v6');
    expect(table.find('::1', 7000)).toBe('v6');
    expect(table.find('127.0.0.1', 7001)).toBeUndefined();
  });
});

describe('isolation and close', () => {
  it('two networks never see each other', async () => {
    const one = network();
    const two = network();
    const listener = await echoOn(one, 7070);
    expect(listener.address!.port).toBe(7070);
    expect((await rejectionOf(two.tcp.connect({ host: '127.0.0.1', port: 7070 }))).code).toBe('CONNECTION_REFUSED');
    await echoOn(two, 7070); // the same port is free on the other network
  });

  it('close() closes every client and listener it made, and refuses later connects', async () => {
    const net = createLoopbackNetwork();
    const recorder = recordingService();
    const listener = net.tcp.createListener(0, { interface: '127.0.0.1' });
    listener.attach(recorder);
    await listener.start();
    const port = listener.address!.port;
    const client = await net.tcp.connect({ host: '127.0.0.1', port });
    await recorder.waitForConnect();
    await net.close();
    expect(listener.connections).toBe(0);
    expect(net.connections()).toEqual([]);
    await recorder.waitForClose();
    expect((await rejectionOf(client.write('x'))).code).toBe('CONNECTION_CLOSED');
    expect((await rejectionOf(net.tcp.connect({ host: '127.0.0.1', port }))).code).toBe('CONNECTION_REFUSED');
  });

  it('a pending connect can be given up by close()', async () => {
    const net = network({ latencyInMillis: 50 });
    const listener = await echoOn(net);
    const connecting = net.tcp.connect({ host: '127.0.0.1', port: listener.address!.port });
    await net.close();
    expect((await rejectionOf(connecting)).code).toBe('CONNECTION_CLOSED');
    expect(listener.connections).toBe(0);
  });

  it('rejects bad options with INVALID_ARGUMENT', () => {
    expect(() => createLoopbackNetwork({ chunkSize: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createLoopbackNetwork({ latencyInMillis: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createLoopbackNetwork({ udp: { dropRate: 2 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createLoopbackNetwork({ seed: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
