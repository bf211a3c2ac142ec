/**
 * UDP receivers (@sock UdpListener, @sock UdpClient.receiveFrom, raw node:dgram) and the raw
 * sender. Receivers send `ready {port}`, answer `stats {received, firstMs, lastMs}`, end on `stop`.
 */
import { createSocket } from 'node:dgram';
import { HOST, num, type Fields } from '../protocol.js';
import { UdpClient, UdpListener } from '@sock/udp';
import type { Context } from './context.js';

class DatagramCounter {
  received = 0;
  bytes = 0;
  first = 0;
  last = 0;

  add(length: number): void {
    const now = performance.now();
    if (this.received === 0) this.first = now;
    this.last = now;
    this.received++;
    this.bytes += length;
  }

  fields(): Fields {
    return { received: this.received, bytes: this.bytes, firstMs: this.first, lastMs: this.last };
  }
}


async function serve(context: Context, counter: DatagramCounter, port: number, close: () => Promise<void>): Promise<Fields> {
  context.handle('stats', () => counter.fields());
  context.send('ready', { port });
  await context.next('stop');
  await close();
  return counter.fields();
}

/** Raw dgram socket counting 'message' events. */
export async function udpRawCount(context: Context): Promise<Fields> {
  const counter = new DatagramCounter();
  const socket = createSocket('udp4');
  socket.on('message', (message) => counter.add(message.length));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  return serve(context, counter, socket.address().port, () => new Promise<void>((resolve) => socket.close(() => resolve())));
}

/** @sock UdpListener: `onDatagram` counts. */
export async function udpSockListenerCount(context: Context): Promise<Fields> {
  const counter = new DatagramCounter();
  const listener = new UdpListener(0, { interface: HOST });
  listener.attach({ onDatagram: (datagram) => counter.add(datagram.data.length) });
  await listener.start();
  return serve(context, counter, listener.address!.port, () => listener.immediateStop());
}

/** @sock UdpClient: a `receiveFrom()` loop counts. */
export async function udpSockClientCount(context: Context): Promise<Fields> {
  const counter = new DatagramCounter();
  const client = new UdpClient({ localAddress: { host: HOST, port: 0 }, readTimeoutInMillis: 0 });
  await client.ready;
  let open = true;
  const loop = (async () => {
    for (let i = 0; i < 100_000_000 && open; i++) {
      try {
        const datagram = await client.receiveFrom();
        counter.add(datagram.data.length);
      } catch {
        return;
      }
    }
  })();
  return serve(context, counter, client.localAddress!.port, async () => {
    open = false;
    await client.close();
    await loop;
  });
}

/** Raw dgram sender: `count` datagrams of `size` bytes, in bursts of `burst` (waits for the last send of each burst). */
export async function udpSendRaw(context: Context): Promise<Fields> {
  const { params } = context;
  const port = num(params, 'port');
  const count = num(params, 'count');
  const burst = num(params, 'burst');
  const payload = Buffer.alloc(num(params, 'size'), 0x63);
  const socket = createSocket('udp4');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.connect(port, HOST, resolve));
  const started = performance.now();
  let sent = 0;
  let errors = 0;
  while (sent < count) {
    const n = Math.min(burst, count - sent);
    await new Promise<void>((resolve) => {
      for (let i = 0; i < n; i++) {
        const last = i === n - 1;
        socket.send(payload, (error) => {
          if (error) errors++;
          if (last) resolve();
        });
      }
    });
    sent += n;
  }
  const ms = performance.now() - started;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { sent, errors, ms, perSec: (sent / ms) * 1000 };
}
