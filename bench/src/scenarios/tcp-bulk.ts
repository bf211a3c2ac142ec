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

/**
 * One bulk run: the receiver role in one child, the raw sender role (`senderRole`) in another,
 * `mib` MiB in `--chunk-kib` writes; MB/s as the receiver measured it (first to last byte).
 */
export async function bulkRun(context: RunContext, scenario: string, serverRole: string, senderRole: string, mib: number, sock: boolean): Promise<Fields> {
  const total = Math.round(mib * 1024 * 1024);
  const chunk = Math.round(context.options.chunkKiB * 1024);
  // Generous: even 20 MB/s finishes in time.
  const timeoutMs = 20_000 + (total / 20e6) * 1000;
  return withChildren(async (spawn) => {
    const server = spawn(serverRole, { total }, context.spawnOptions(scenario, sock, timeoutMs + 10_000, SERVER));
    const { port } = await server.expect('ready', 20_000);
    const client = spawn(senderRole, { port: port!, total, chunk }, context.spawnOptions(scenario, false, timeoutMs + 10_000, CLIENT));
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
      'sock-push': () => bulkRun(context, NAME, 'tcp-sock-push-count', 'bulk-send-raw', context.options.bulkMiB, true),
      'sock-pull': () => bulkRun(context, NAME, 'tcp-sock-pull-count', 'bulk-send-raw', context.options.bulkMiB, true),
      raw: () => bulkRun(context, NAME, 'tcp-raw-count', 'bulk-send-raw', context.options.bulkMiB, false),
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
