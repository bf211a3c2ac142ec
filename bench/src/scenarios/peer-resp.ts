/**
 * peer-resp: a RESP (Redis protocol) responder (PING, SET, GET, and the CONFIG GET that
 * redis-benchmark sends first; commands parsed incrementally across chunks) on @sock `onBytes` vs
 * raw node:net `'data'`, driven by `redis-benchmark -t ping,set,get -P<p> -c<C> -n<N> --csv`.
 * Reported: requests/s per test (PING_INLINE, PING_MBULK, SET, GET).
 */
import type { Fields } from '../protocol.js';
import type { Options } from '../options.js';
import type { RunContext, Scenario } from '../scenario.js';
import { parseRedisBenchmarkReport } from '../peers/redis-benchmark-report.js';
import { PEER_TARGET, rejectProblems, runLoad, runPeerScenario, serveAndLoad, type ServerVariant } from './peer-harness.js';

const NAME = 'peer-resp';
const TESTS = ['PING_INLINE', 'PING_MBULK', 'SET', 'GET'] as const;

async function redisRun(context: RunContext, server: ServerVariant): Promise<Fields> {
  const { redisRequests, redisPipeline, peerConnections } = context.options;
  const requests = Math.round(redisRequests);
  // Generous: four tests at even 20,000 requests/s finish in time.
  const budgetMs = ((TESTS.length * requests) / 20_000) * 1000 + 30_000;
  return serveAndLoad(context, NAME, server, budgetMs, async (port) => {
    // --csv: one quoted line per test, easier to read reliably than -q's progress-overwritten lines.
    const args = ['-h', '127.0.0.1', '-p', String(port), '-t', 'ping,set,get', '-P', String(redisPipeline), '-c', String(peerConnections), '-n', String(requests), '--csv'];
    const run = await runLoad(context, 'redis-benchmark', args, budgetMs);
    const report = parseRedisBenchmarkReport(`${run.stdout}\n${run.stderr}`, TESTS);
    rejectProblems(report.problems);
    return Object.fromEntries(TESTS.map((test) => [test, report.requestsPerSec.get(test) ?? Number.NaN]));
  });
}

export const peerResp: Scenario = {
  name: NAME,
  // About 250,000 requests/s per test with -P16 here.
  estimateSeconds: (options: Options) => options.peerRounds * 2 * ((TESTS.length * options.redisRequests) / 250_000 + 2),
  run(context) {
    const { redisPipeline: p, peerConnections: c } = context.options;
    const specs = TESTS.map((test) => ({
      metric: `${test} requests/s (redis-benchmark -P${p} -c${c})`,
      unit: 'req/s',
      subject: '@sock onBytes',
      baseline: 'raw net',
      subjectVariant: 'sock',
      baselineVariant: 'raw',
      field: test,
      target: PEER_TARGET,
    }));
    return runPeerScenario(context, NAME, 'redis-benchmark', specs, {
      sock: () => redisRun(context, { role: 'resp-sock', sock: true }),
      raw: () => redisRun(context, { role: 'resp-raw', sock: false }),
    });
  },
};
