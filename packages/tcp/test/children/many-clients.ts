// Opens `count` plain node:net connections to an echo service and keeps them all open.
// Plain node:net, not @sock's Client: the listener under test is checked against an independent
// client, and a raw socket costs the least memory per connection, so 10,000 of them fit easily.
import { connect, type Socket } from 'node:net';
import { onCommand, report } from '../../../../tooling/test-child.js';
import { pattern, sha256 } from './patterns.js';

/**
 * What the test tells the many-clients child.
 *
 * @example
 * ```ts
 * child.send({ type: 'open', port, count: 10_000, concurrency: 256 });
 * ```
 */
export type ManyClientsCommand = { type: 'open'; port: number; count: number; concurrency: number } | { type: 'close' };
/**
 * What the many-clients child reports.
 *
 * @example
 * ```ts
 * const held = await child.next('held');
 * ```
 */
export type ManyClientsReport =
  | { type: 'held'; open: number; verified: number; mismatched: number; failures: string[]; seconds: number }
  | { type: 'closed' }
  | { type: 'failed'; error: string };

const sockets: Socket[] = [];

/** The payload of connection `index`: distinct per connection, 1 to 4096 bytes. */
function payloadOf(index: number): Buffer {
  return pattern(index + 1, 1 + ((index * 7919) % 4096));
}

/** Connects, sends the payload, and resolves true once the echo matched it byte for byte. The socket stays open. */
function echoOnce(port: number, index: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const payload = payloadOf(index);
    const received: Buffer[] = [];
    let length = 0;
    const socket = connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection ${index} closed after ${length} of ${payload.length} bytes`)));
    socket.once('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      length += chunk.length;
      if (length < payload.length) return;
      socket.removeAllListeners('data').removeAllListeners('close').removeAllListeners('error');
      socket.on('error', () => {}); // later faults are counted by the test through the listener
      resolve(length === payload.length && sha256(...received) === sha256(payload));
    });
  });
}

onCommand<ManyClientsCommand>(async (command) => {
  if (command.type === 'open') {
    const started = performance.now();
    let next = 0;
    let verified = 0;
    let mismatched = 0;
    const failures: string[] = [];
    // A window of connects in flight, so the accept queue never overflows into SYN retries.
    const worker = async (): Promise<void> => {
      while (next < command.count) {
        const index = next++;
        try {
          if (await echoOnce(command.port, index)) verified++;
          else mismatched++;
        } catch (error) {
          if (failures.length < 5) failures.push(`connection ${index}: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: command.concurrency }, worker));
    const open = sockets.filter((socket) => !socket.destroyed && socket.readyState === 'open').length;
    report<ManyClientsReport>({ type: 'held', open, verified, mismatched, failures, seconds: (performance.now() - started) / 1000 });
  } else {
    await Promise.all(
      sockets.splice(0).map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.destroyed) return resolve();
            socket.once('close', () => resolve());
            socket.end();
          }),
      ),
    );
    report<ManyClientsReport>({ type: 'closed' });
  }
});
