import { createServer, Socket, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLoopbackNetwork } from '@sock/testkit';
import { tcpConformance, tlsConformance, type RawPeer, type RawPeers } from '@sock/testkit/conformance';
import { tcp, type Service, type TcpTransport } from './index.js';

// Resets come from plain node:net sockets: `resetAndDestroy()` sends RST, which no @sock API can.
function rawPeer(socket: Socket): RawPeer {
  socket.on('error', () => {}); // the raw side's own errors are not under test
  return {
    write: (data) => new Promise<void>((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve()))),
    reset: () => void socket.resetAndDestroy(),
  };
}

const nodeNetPeers: RawPeers = {
  connect: (address) =>
    new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect({ host: address.host, port: address.port }, () => {
        socket.off('error', reject);
        resolve(rawPeer(socket));
      });
    }),
  listen: () =>
    new Promise((resolve, reject) => {
      const waiting: Socket[] = [];
      const takers: Array<(socket: Socket) => void> = [];
      const sockets = new Set<Socket>();
      const server: Server = createServer((socket) => {
        sockets.add(socket);
        const taker = takers.shift();
        if (taker === undefined) waiting.push(socket);
        else taker(socket);
      });
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const bound = server.address();
        if (bound === null || typeof bound === 'string') throw new Error('no address');
        resolve({
          address: { host: '127.0.0.1', port: bound.port },
          accepted: async () => rawPeer(waiting.shift() ?? (await new Promise<Socket>((r) => takers.push(r)))),
          close: () =>
            new Promise<void>((done) => {
              for (const socket of sockets) socket.destroy();
              server.close(() => done());
            }),
        });
      });
    }),
};

tcpConformance('node:net', () => tcp, { rawPeers: () => nodeNetPeers });
tlsConformance('node:net', () => tcp);

// ---------------------------------------------------------------------------------------------
// A consumer's test, written once against `TcpTransport`, runs unchanged on node:net and on the
// test kit's loopback network (the README of @sock/testkit shows the same pattern).

/** The consumer's own service: reads a name line (however the bytes are split), greets, hangs up. */
const greeter: Service = {
  async onConnect(caller) {
    let line = '';
    while (!line.endsWith('\n')) {
      const chunk = await caller.read();
      if (chunk.length === 0) return;
      line += chunk.toString();
    }
    await caller.write(`Hello, ${line.trim()}!\n`);
    await caller.close();
  },
};

async function greetingOf(transport: TcpTransport, name: string): Promise<string> {
  const listener = transport.createListener(0, { interface: '127.0.0.1' });
  listener.attach(greeter);
  await listener.start();
  try {
    const client = await transport.connect({ host: '127.0.0.1', port: listener.address!.port });
    await client.write(`${name}\n`);
    const parts: Buffer[] = [];
    for (let chunk = await client.read(); chunk.length > 0; chunk = await client.read()) parts.push(chunk);
    await client.close();
    return Buffer.concat(parts).toString();
  } finally {
    await listener.immediateStop();
  }
}

const targets: Array<{ name: string; open(): { transport: TcpTransport; close(): Promise<void> } }> = [
  { name: 'tcp', open: () => ({ transport: tcp, close: async () => {} }) },
  {
    name: 'the loopback network, 1-byte chunks',
    open: () => {
      const network = createLoopbackNetwork({ chunkSize: 1 });
      return { transport: network.tcp, close: () => network.close() };
    },
  },
];

describe.each(targets)('a consumer test of a TcpTransport, on $name', (target) => {
  it('greets by name', async () => {
    const { transport, close } = target.open();
    try {
      expect(await greetingOf(transport, 'Ada')).toBe('Hello, Ada!\n');
    } finally {
      await close();
    }
  });
});
