/**
 * tcp-bulk: a raw node:net client sends `bulkMiB` in `chunkKiB` writes to a receiver in another
 * process; the receiver measures MB/s from its first to its last byte. The sender is the same raw
 * socket for every variant, so the ratio isolates the receive path: @sock push (`onBytes`), @sock
 * pull (`onConnect` looping `await caller.read()`), raw net.Server counting 'data'.
 */
import { withChildren } from '../child.js';
import { num, type Fields } from '../protocol.js';
import { CLIENT, interleave, pick, SERVER, type Row, type RunContext, type Scenario } from '../scenario.js';

const NAME = 'tcp-bulk';

async function runOnce(context: RunContext, serverRole: string, sock: boolean): Promise<Fields> {
  const total = Math.round(context.options.bulkMiB * 1024 * 1024);
  const chunk = Math.round(context.options.chunkKiB * 1024);
  // Generous: even 20 MB/s finishes in time.
  const timeoutMs = 20_000 + (total / 20e6) * 1000;
  return withChildren(async (spawn) => {
    const server = spawn(serverRole, { total }, context.spawnOptions(NAME, sock, timeoutMs + 10_000, SERVER));
    const { port } = await server.expect('ready', 20_000);
    const client = spawn('bulk-send-raw', { port: port!, total, chunk }, context.spawnOptions(NAME, false, timeoutMs + 10_000, CLIENT));
    const done = await server.expect('done', timeoutMs);
    await client.expect('result', 20_000);
    await server.stop();
    const bytes = num(done, 'bytes');
    const ms = num(done, 'ms');
    return { mbPerSec: bytes / 1e6 / (ms / 1000), ms };
  });
}

export const tcpBulk: Scenario = {
  name: NAME,
  // About 2 GB/s per run, plus start-up.
  estimateSeconds: (options) => options.rounds * 3 * ((options.bulkMiB * 1.05) / 2000 + 1.5),
  async run(context) {
    const results = await interleave(context, NAME, {
      'sock-push': () => runOnce(context, 'tcp-sock-push-count', true),
      'sock-pull': () => runOnce(context, 'tcp-sock-pull-count', true),
      raw: () => runOnce(context, 'tcp-raw-count', false),
    });
    const raw = pick(results.raw, 'mbPerSec');
    const common = { scenario: NAME, metric: 'receive MB/s', unit: 'MB/s', baseline: 'raw net', baselineSamples: raw, target: { kind: 'ratio', op: '>=', value: 0.97 } } as const;
    const rows: Row[] = [
      { ...common, subject: '@sock onBytes', subjectSamples: pick(results['sock-push'], 'mbPerSec') },
      { ...common, subject: '@sock read()', subjectSamples: pick(results['sock-pull'], 'mbPerSec') },
    ];
    return rows;
  },
};
