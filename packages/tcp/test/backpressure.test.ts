import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkTs, mib, type MemoryFigures, type TsChild } from '../../../tooling/test-child.js';
import { Client } from '../src/index.js';
import type { MemoryCommand, MemoryReport } from './children/memory-server.js';
import { PatternStream } from './children/patterns.js';

// What the senders push in all (over 4 connections). The CI size is still over the memory bound
// below, so a server that buffered the traffic would fail at either size (and the held-back check
// fails it long before).
const TOTAL = process.env.SOCK_LOAD === 'full' ? 1024 * 1024 * 1024 : 128 * 1024 * 1024;
const CONNECTIONS = 4;
const CHUNK = 256 * 1024;
// Generous: each connection may hold maxBufferedBytes (1 MiB) plus Node's stream buffers.
const RSS_BOUND = 100 * 1024 * 1024;

type Server = TsChild<MemoryCommand, MemoryReport> & { ports: Extract<MemoryReport, { type: 'listening' }> };
// A fresh server process per test, since RSS seldom shrinks: a process that already carried one
// test's traffic would hide the next one's growth. They start together, to share the start-up time.
let servers: Server[] = [];

beforeAll(async () => {
  servers = await Promise.all(
    [0, 1, 2].map(async () => {
      const child = await forkTs<MemoryCommand, MemoryReport>(new URL('./children/memory-server.ts', import.meta.url), [], { execArgv: ['--expose-gc'] });
      return Object.assign(child, { ports: await child.next('listening') });
    }),
  );
});
afterAll(() => Promise.all(servers.map((server) => server.close())));

async function memory(server: Server, type: 'reset' | 'stats'): Promise<MemoryFigures> {
  server.send({ type });
  return server.next('stats');
}

function describeMemory({ baseline, peak, peakArrayBuffers }: MemoryFigures): string {
  return `server RSS peak ${mib(peak)} (+${mib(peak - baseline)} over its ${mib(baseline)} baseline; Buffers at most ${mib(peakArrayBuffers)})`;
}

/**
 * Resolves once `progress()` has not moved for `quietInMillis`: the writers are stalled. This is
 * how a test sees "held back" from outside; it never decides the outcome (the assertions on what
 * got through do), only when to look.
 */
async function stalled(progress: () => number, quietInMillis = 300, limitInMillis = 60_000): Promise<void> {
  const start = performance.now();
  let last = progress();
  let since = start;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = performance.now();
    if (progress() !== last) {
      last = progress();
      since = now;
    } else if (now - since >= quietInMillis) return;
    if (now - start > limitInMillis) throw new Error(`the writers never stalled within ${limitInMillis} ms`);
  }
}

describe.each([
  { name: 'a pull service whose onReadReady never reads', server: () => servers[0]!, port: (server: Server) => server.ports.pullNeverReads },
  { name: 'an onConnect-only service that never reads', server: () => servers[1]!, port: (server: Server) => server.ports.connectOnly },
])('a fast sender against $name (maxBufferedBytes 1 MiB)', ({ name, ...use }) => {
  it(`holds the sender back and keeps the server's memory bounded; ${mib(TOTAL)} arrive intact once it reads`, async () => {
    const server = use.server();
    await memory(server, 'reset');
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => Client.connect({ host: '127.0.0.1', port: use.port(server) })));
    const streams = clients.map((_, i) => new PatternStream(i + 1, TOTAL / CONNECTIONS, CHUNK));
    let accepted = 0;
    const senders = clients.map(async (client, i) => {
      const stream = streams[i]!;
      for (let chunk = stream.next(); chunk !== undefined; chunk = stream.next()) accepted += await client.write(chunk);
      await client.shutdownWrite();
    });

    await stalled(() => accepted);
    const held = accepted;
    const whileHeld = await memory(server, 'stats');
    // Backpressure: the writers wait for the reader instead of the server buffering everything.
    expect(held).toBeLessThan(TOTAL / 4);

    server.send({ type: 'drain' });
    const drained = await server.next('drained');
    await Promise.all(senders);
    const figures = await memory(server, 'stats');
    await Promise.all(clients.map((client) => client.close()));

    const expected = clients.map((client, i) => ({ remotePort: client.localPort, bytes: TOTAL / CONNECTIONS, sha256: streams[i]!.digest() }));
    const byPort = (a: { remotePort: number }, b: { remotePort: number }): number => a.remotePort - b.remotePort;
    expect(drained.connections.sort(byPort)).toEqual(expected.sort(byPort));
    expect(figures.peak - figures.baseline).toBeLessThan(RSS_BOUND);
    console.log(
      `[fast sender vs ${name}] held back after ${mib(held)} of ${mib(TOTAL)} (server +${mib(whileHeld.peak - whileHeld.baseline)} while held); ` +
        `all ${mib(TOTAL)} then read intact; ${describeMemory(figures)}`,
    );
  });
});

describe('a slow reader against a fast writer', () => {
  it(`the writing server waits for the reader; its memory stays bounded while ${mib(TOTAL)} go out intact`, async () => {
    const server = servers[2]!;
    await memory(server, 'reset');
    const share = TOTAL / CONNECTIONS;
    const received = await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const client = await Client.connect({ host: '127.0.0.1', port: server.ports.fastWriter });
        const size = Buffer.alloc(8);
        size.writeBigUInt64BE(BigInt(share));
        await client.write(size);
        const hash = createHash('sha256');
        let bytes = 0;
        let sinceBreak = 0;
        for (let chunk = await client.read(); chunk.length > 0; chunk = await client.read()) {
          hash.update(chunk);
          bytes += chunk.length;
          sinceBreak += chunk.length;
          // Slow: a pause after every MiB, so the server can write far faster than this reads.
          if (sinceBreak >= 1024 * 1024) {
            sinceBreak = 0;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
        await client.close();
        return { bytes, sha256: hash.digest('hex') };
      }),
    );
    const figures = await memory(server, 'stats');

    const stream = new PatternStream(server.ports.fastWriter, share, CHUNK);
    while (stream.next() !== undefined);
    const expected = { bytes: share, sha256: stream.digest() };
    for (const one of received) expect(one).toEqual(expected);
    expect(figures.peak - figures.baseline).toBeLessThan(RSS_BOUND);
    console.log(`[slow reader vs fast writer] ${mib(TOTAL)} over ${CONNECTIONS} connections intact; ${describeMemory(figures)}`);
  });
});
