import { createServer, connect as netConnect, type Socket } from 'node:net';
import { track } from './helpers.js';

/** A relay on 127.0.0.1 that forwards one connection to a target port and records the bytes both ways. */
export interface ByteTap {
  /** Connect here instead of to the target. */
  readonly port: number;
  /** Every byte the client sent so far, in order. */
  toServer(): Buffer;
  /** Every byte the server sent so far, in order. */
  toClient(): Buffer;
  /** Resolves once both sides of the relayed connection are closed. */
  readonly closed: Promise<void>;
}

/**
 * Starts a {@link ByteTap} in front of 127.0.0.1:`targetPort`, closed after the test. It is how a
 * test proves what went over the wire in plain text (a STARTTLS exchange) and what did not (the
 * payload after the upgrade).
 *
 * @example
 * ```ts
 * const tap = await startByteTap(server.port);
 * const client = await Client.connect({ host: '127.0.0.1', port: tap.port });
 * // ... upgrade, send 'secret' ...
 * expect(tap.toServer().includes('secret')).toBe(false);
 * ```
 */
export async function startByteTap(targetPort: number): Promise<ByteTap> {
  const upstream: Buffer[] = [];
  const downstream: Buffer[] = [];
  const sockets = new Set<Socket>();
  let closedBoth!: () => void;
  const closed = new Promise<void>((resolve) => (closedBoth = resolve));
  const server = createServer((client) => {
    server.close(); // one connection is all a tap relays
    const target = netConnect({ host: '127.0.0.1', port: targetPort });
    let open = 2;
    for (const [from, to, record] of [
      [client, target, upstream],
      [target, client, downstream],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        record.push(chunk);
        to.write(chunk);
      });
      // A half-close passes through as a half-close; a reset closes the other side too.
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
      from.on('close', (hadError) => {
        if (hadError) to.destroy();
        open -= 1;
        if (open === 0) closedBoth();
      });
    }
  });
  track({
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the tap did not get a TCP port');
  return { port: address.port, toServer: () => Buffer.concat(upstream), toClient: () => Buffer.concat(downstream), closed };
}
