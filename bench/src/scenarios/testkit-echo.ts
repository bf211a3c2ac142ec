/**
 * testkit-echo: the echo loop with listener and clients in one process (as tests run it), over
 * `createLoopbackNetwork().tcp` from @sock/testkit vs real loopback TCP with @sock/tcp. The target
 * is that the test kit is at least 20x faster.
 */
import type { Fields } from '../protocol.js';
import { interleave, pick, type RunContext, type Scenario } from '../scenario.js';
import { inProcessEcho } from './in-process-echo.js';

const NAME = 'testkit-echo';

function runOnce(context: RunContext, variant: 'testkit' | 'tcp'): Promise<Fields> {
  return inProcessEcho(context, NAME, 'inproc-echo', { variant });
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
