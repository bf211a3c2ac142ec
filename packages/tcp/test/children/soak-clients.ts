// Round trips of numbered messages over @sock Clients, each reply checked for sequence and content.
// @sock's Client on this side: the soak covers both ends of the library, with exact-length reads
// of replies that the kernel splits and merges arbitrarily.
import { Client } from '../../src/index.js';
import { onCommand, report } from '../../../../tooling/test-child.js';
import { pattern } from './patterns.js';

/**
 * What the test tells the soak child.
 *
 * @example
 * ```ts
 * child.send({ type: 'soak', ports: [port], connections: 50, roundTrips: 20_000, window: 16 });
 * ```
 */
export type SoakCommand = { type: 'soak'; ports: number[]; connections: number; roundTrips: number; window: number };
/**
 * What the soak child reports.
 *
 * @example
 * ```ts
 * const { verified } = await child.next('soaked');
 * ```
 */
export type SoakReport =
  | { type: 'soaked'; verified: number; outOfOrder: number; corrupted: number; failures: string[]; seconds: number }
  | { type: 'failed'; error: string };

const HEADER = 12;
const POOL = pattern(0x50a4, 256 * 1024);

/**
 * Message `seq` of connection `conn`: a 12-byte header (body length, connection, sequence) and a
 * body cut from a shared pool at a place that depends on both, mostly short, now and then 100 KiB
 * (more than one socket read).
 */
function message(conn: number, seq: number): Buffer {
  const length = seq % 997 === 0 ? 100_000 : 1 + ((seq * 131 + conn * 17) % 1500);
  const frame = Buffer.allocUnsafe(HEADER + length);
  frame.writeUInt32BE(length, 0);
  frame.writeUInt32BE(conn, 4);
  frame.writeUInt32BE(seq, 8);
  const offset = (seq * 7919 + conn * 104_729) % (POOL.length - length);
  POOL.copy(frame, HEADER, offset, offset + length);
  return frame;
}

interface Tally {
  verified: number;
  outOfOrder: number;
  corrupted: number;
  failures: string[];
}

async function soakOne(port: number, conn: number, count: number, window: number, tally: Tally): Promise<void> {
  const client = await Client.connect({ host: '127.0.0.1', port, readTimeoutInMillis: 30_000 });
  const inFlight: Buffer[] = [];
  let sent = 0;
  let writeError: unknown;
  const fill = (): void => {
    while (sent < count && inFlight.length < window) {
      const frame = message(conn, sent++);
      inFlight.push(frame);
      client.write(frame).catch((error: unknown) => (writeError ??= error));
    }
  };
  try {
    fill();
    for (let seq = 0; seq < count; seq++) {
      const expected = inFlight.shift()!;
      const reply = await client.read(expected.length);
      if (writeError !== undefined) throw writeError as Error;
      if (!reply.equals(expected)) {
        const got = reply.length >= HEADER ? reply.readUInt32BE(8) : -1;
        if (got !== seq) tally.outOfOrder++;
        else tally.corrupted++;
        throw new Error(`connection ${conn}: reply ${seq} ${got === seq ? 'corrupted' : `came as ${got}`} (${reply.length} of ${expected.length} bytes)`);
      }
      tally.verified++;
      fill();
    }
  } finally {
    await client.close();
  }
}

onCommand<SoakCommand>(async (command) => {
  const started = performance.now();
  const tally: Tally = { verified: 0, outOfOrder: 0, corrupted: 0, failures: [] };
  const base = Math.floor(command.roundTrips / command.connections);
  await Promise.all(
    Array.from({ length: command.connections }, (_, conn) => {
      const count = base + (conn < command.roundTrips % command.connections ? 1 : 0);
      return soakOne(command.ports[conn % command.ports.length]!, conn, count, command.window, tally).catch((error: unknown) => {
        if (tally.failures.length < 5) tally.failures.push(String(error));
      });
    }),
  );
  report<SoakReport>({ type: 'soaked', ...tally, seconds: (performance.now() - started) / 1000 });
});
