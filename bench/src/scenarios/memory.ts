/**
 * memory: `memoryConnections` idle connections held open by a raw client process against a
 * listener process (@sock Listener with the echo service vs raw net.Server echo). The listener
 * measures RSS and V8 heap after full GCs (--expose-gc) before and after; reported per connection.
 * The connection count is capped by the file-descriptor limit (`ulimit -n`, minus a margin).
 */
import { spawnSync } from 'node:child_process';
import { withChildren } from '../child.js';
import { num, type Fields } from '../protocol.js';
import { CLIENT, interleave, pick, SERVER, type RunContext, type Scenario } from '../scenario.js';

const NAME = 'memory';
const FD_MARGIN = 200;

/** The soft and hard open-file limits a child will see. */
export function fileLimit(): number {
  const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const value = Number(result.stdout.trim());
  return Number.isFinite(value) && value > 0 ? value : Number.POSITIVE_INFINITY;
}

async function runOnce(context: RunContext, serverRole: string, sock: boolean, count: number): Promise<Fields> {
  const budgetMs = 60_000 + count * 5;
  return withChildren(async (spawn) => {
    const server = spawn(serverRole, {}, context.spawnOptions(NAME, sock, budgetMs + 10_000, { exposeGc: true, ...SERVER }));
    const { port } = await server.expect('ready', 20_000);
    const before = await server.request('measure', {}, 20_000);
    const holder = spawn('hold-raw', { port: port!, count, concurrency: 128 }, context.spawnOptions(NAME, false, budgetMs + 10_000, CLIENT));
    const ready = await holder.expect('ready', budgetMs);
    const opened = num(ready, 'opened');
    let after = await server.request('measure', {}, 20_000);
    for (let i = 0; i < 100 && num(after, 'connections') < opened; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await server.request('measure', {}, 20_000);
    }
    const connections = num(after, 'connections');
    await holder.stop();
    await server.stop();
    if (connections === 0) throw new Error('no connection reached the listener');
    return {
      connections,
      rssPerConn: (num(after, 'rss') - num(before, 'rss')) / connections,
      heapPerConn: (num(after, 'heapUsed') - num(before, 'heapUsed')) / connections,
      externalPerConn: (num(after, 'external') - num(before, 'external')) / connections,
    };
  });
}

export const memory: Scenario = {
  name: NAME,
  estimateSeconds: (options) => options.rounds * 2 * (options.memoryConnections / 3000 + 3),
  async run(context) {
    const limit = fileLimit();
    let count = Math.round(context.options.memoryConnections);
    let note: string | undefined;
    if (count + FD_MARGIN > limit) {
      count = Math.max(100, limit - FD_MARGIN);
      note = `scaled down to ${count} connections by ulimit -n ${limit}`;
      context.log(`memory: ${note}`);
    }
    const results = await interleave(context, NAME, {
      sock: () => runOnce(context, 'tcp-sock-echo', true, count),
      raw: () => runOnce(context, 'tcp-raw-echo', false, count),
    });
    const base = { scenario: NAME, subject: '@sock Listener', baseline: 'raw net.Server', unit: 'B/conn', ...(note === undefined ? {} : { note }) };
    return [
      { ...base, metric: `RSS per conn (${count} idle)`, subjectSamples: pick(results.sock, 'rssPerConn'), baselineSamples: pick(results.raw, 'rssPerConn'), target: { kind: 'ratio', op: '<=', value: 1.5 } },
      { ...base, metric: 'heap per conn', subjectSamples: pick(results.sock, 'heapPerConn'), baselineSamples: pick(results.raw, 'heapPerConn'), target: { kind: 'ratio', op: '<=', value: 1.2 } },
    ];
  },
};
