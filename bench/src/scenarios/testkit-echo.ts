/**
 * testkit-echo: the echo loop with listener and clients in one process (as tests run it), over
 * `createLoopbackNetwork().tcp` from @sock/testkit vs real loopback TCP with @sock/tcp. The target
 * is that the test kit is at least 20x faster.
 */
import { withChildren } from '../child.js';
import type { Fields } from '../protocol.js';
import { CLIENT, interleave, pick, type RunContext, type Scenario } from '../scenario.js';

const NAME = 'testkit-echo';

async function runOnce(context: RunContext, variant: 'testkit' | 'tcp'): Promise<Fields> {
  const { options } = context;
  const budgetMs = (options.testkitSeconds + options.warmupSeconds) * 1000 + 30_000;
  return withChildren(async (spawn) => {
    const child = spawn(
      'inproc-echo',
      { variant, connections: options.echoConnections, seconds: options.testkitSeconds, warmup: options.warmupSeconds, size: options.messageBytes },
      context.spawnOptions(NAME, true, budgetMs + 10_000, CLIENT),
    );
    return child.expect('result', budgetMs);
  });
}

export const testkitEcho: Scenario = {
  name: NAME,
  estimateSeconds: (options) => options.rounds * 2 * (options.testkitSeconds + options.warmupSeconds + 1.5),
  async run(context) {
    const base = { scenario: NAME, metric: 'round trips/s', unit: 'rt/s', subject: 'testkit loopback', baseline: '@sock real TCP', target: { kind: 'ratio', op: '>=', value: 20 } } as const;
    const results = await interleave(context, NAME, {
      testkit: () => runOnce(context, 'testkit'),
      tcp: () => runOnce(context, 'tcp'),
    });
    return [
      { ...base, subjectSamples: pick(results.testkit, 'rtPerSec'), baselineSamples: pick(results.tcp, 'rtPerSec') },
      { ...base, metric: 'p99 latency', unit: 'µs', target: undefined, subjectSamples: pick(results.testkit, 'p99'), baselineSamples: pick(results.tcp, 'p99') },
    ].map(({ target, ...row }) => (target === undefined ? row : { ...row, target }));
  },
};
