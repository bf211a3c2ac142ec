// @sock listeners whose memory a test watches from outside: one with a pull service that never
// reads, one with an onConnect-only service (never reads either), and one that writes as fast as
// the peer lets it. A test uses one of them per child, so each measurement starts clean. Run with
// --expose-gc so that the baseline is what is live.
import { createHash } from 'node:crypto';
import { Listener, type Caller } from '../../src/index.js';
import { MemorySampler, onCommand, report, type MemoryFigures } from '../../../../tooling/test-child.js';
import { PatternStream } from './patterns.js';

/**
 * What the test tells the memory-server child.
 *
 * @example
 * ```ts
 * server.send({ type: 'reset' });
 * ```
 */
export type MemoryCommand =
  | { type: 'reset' }
  | { type: 'drain' }
  | { type: 'stats' };
/**
 * What the memory-server child reports.
 *
 * @example
 * ```ts
 * const { pullNeverReads } = await server.next('listening');
 * ```
 */
export type MemoryReport =
  | { type: 'listening'; pullNeverReads: number; connectOnly: number; fastWriter: number }
  | { type: 'drained'; connections: Array<{ remotePort: number; bytes: number; sha256: string }> }
  | ({ type: 'stats' } & MemoryFigures)
  | { type: 'failed'; error: string };

const MAX_BUFFERED_BYTES = 1024 * 1024;
const callers: Caller[] = [];
const memory = new MemorySampler();

const pullNeverReads = new Listener(0, { interface: '127.0.0.1', maxBufferedBytes: MAX_BUFFERED_BYTES });
pullNeverReads.attach({
  onConnect: (caller) => void callers.push(caller),
  // Told that data waits, and never reads it.
  onReadReady() {},
});
const connectOnly = new Listener(0, { interface: '127.0.0.1', maxBufferedBytes: MAX_BUFFERED_BYTES });
connectOnly.attach({ onConnect: (caller) => void callers.push(caller) });

// The fast writer's stream: its size is the first 8 bytes the client sends (a big-endian u64).
const fastWriter = new Listener(0, { interface: '127.0.0.1', maxBufferedBytes: MAX_BUFFERED_BYTES });
fastWriter.attach({
  async onConnect(caller) {
    const total = Number((await caller.read(8)).readBigUInt64BE(0));
    const stream = new PatternStream(caller.localPort, total, 256 * 1024);
    for (let chunk = stream.next(); chunk !== undefined; chunk = stream.next()) await caller.write(chunk);
    await caller.close();
  },
});

await Promise.all([pullNeverReads.start(), connectOnly.start(), fastWriter.start()]);

/** Reads what a never-reading service left unread, to the end, from outside the service. */
async function drain(caller: Caller): Promise<{ remotePort: number; bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for (let chunk = await caller.read(); chunk.length > 0; chunk = await caller.read()) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  await caller.close();
  return { remotePort: caller.remotePort, bytes, sha256: hash.digest('hex') };
}

onCommand<MemoryCommand>(async (command) => {
  switch (command.type) {
    case 'reset':
      memory.reset();
      report<MemoryReport>({ type: 'stats', ...memory.read() });
      break;
    case 'stats':
      report<MemoryReport>({ type: 'stats', ...memory.read() });
      break;
    case 'drain':
      report<MemoryReport>({ type: 'drained', connections: await Promise.all(callers.splice(0).map(drain)) });
      break;
  }
});
report<MemoryReport>({
  type: 'listening',
  pullNeverReads: pullNeverReads.address!.port,
  connectOnly: connectOnly.address!.port,
  fastWriter: fastWriter.address!.port,
});
