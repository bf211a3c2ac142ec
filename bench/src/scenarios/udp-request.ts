/**
 * udp-request: request/response over UDP with a Node client. One raw node:dgram client (the same
 * for both variants, so the client does not decide the ratio) keeps `udpWindow` DNS queries
 * outstanding against the peer-dns responders: @sock `UdpListener` + `caller.reply` vs raw dgram.
 * Reported: round trips/s, loss (queries with no answer within `udpTimeoutMs`), p99 latency, and the
 * server's CPU time per request answered.
 */
import { withChildren } from '../child.js';
import { num, perOperation, type Fields } from '../protocol.js';
import type { Options } from '../options.js';
import { CLIENT, failureNote, infoRows, interleave, pick, SERVER, type Row, type RunContext, type Scenario } from '../scenario.js';

const NAME = 'udp-request';

async function runOnce(context: RunContext, serverRole: string, sock: boolean): Promise<Fields> {
  const { options } = context;
  const budgetMs = (options.udpRrSeconds + options.warmupSeconds) * 1000 + options.udpTimeoutMs + 30_000;
  return withChildren(async (spawn) => {
    const server = spawn(serverRole, {}, context.spawnOptions(NAME, sock, budgetMs + 10_000, SERVER));
    const port = num(await server.expect('ready', 20_000), 'port');
    const client = spawn(
      'udp-request-client',
      { port, window: options.udpWindow, timeoutMs: options.udpTimeoutMs, seconds: options.udpRrSeconds, warmup: options.warmupSeconds },
      context.spawnOptions(NAME, false, budgetMs + 10_000, CLIENT),
    );
    const result = await client.expect('result', budgetMs);
    const stats = await server.stop();
    if (num(stats, 'errors') > 0) throw new Error(`the ${serverRole} server counted ${num(stats, 'errors')} protocol errors; first: ${String(stats.firstError)}`);
    if (num(result, 'errors') > 0) throw new Error(`the client got ${num(result, 'errors')} malformed replies`);
    const answered = num(stats, 'answered');
    return { ...result, cpuPerRequest: perOperation(stats.cpuMicros, answered) };
  });
}

export const udpRequest: Scenario = {
  name: NAME,
  estimateSeconds: (options: Options) => options.rounds * 2 * (options.udpRrSeconds + options.warmupSeconds + 1.5),
  async run(context) {
    const base = { scenario: NAME, subject: '@sock UdpListener', baseline: 'raw dgram' };
    const metric = `round trips/s (window ${context.options.udpWindow})`;
    const results = await interleave(context, NAME, {
      sock: () => runOnce(context, 'dns-sock', true),
      raw: () => runOnce(context, 'dns-raw', false),
    });
    const note = failureNote(results);
    const rows: Row[] = [
      { ...base, metric, unit: 'rt/s', subjectSamples: pick(results.sock, 'rtPerSec'), baselineSamples: pick(results.raw, 'rtPerSec'), target: { kind: 'ratio', op: '>=', value: 0.95 } },
      { ...base, metric: `loss (no reply in ${context.options.udpTimeoutMs} ms)`, unit: '%', subjectSamples: pick(results.sock, 'lossPercent'), baselineSamples: pick(results.raw, 'lossPercent'), target: { kind: 'not-worse', slack: 0 } },
      { ...base, metric: 'p99 latency', unit: 'µs', subjectSamples: pick(results.sock, 'p99'), baselineSamples: pick(results.raw, 'p99') },
      ...infoRows(base, results, [['server CPU per request', 'cpuPerRequest']]),
    ];
    return note === undefined ? rows : rows.map((row) => ({ ...row, note }));
  },
};
