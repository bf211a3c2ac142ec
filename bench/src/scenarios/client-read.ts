/**
 * client-read: the request/response loop of tcp-echo written with @sock `Client.write`/`read(n)`
 * vs the same loop with promise-socket (`PromiseSocket` over net.Socket, `write` + `read(n)`),
 * both against the same raw net.Server echo in another process.
 */
import { interleave, pick, type Scenario } from '../scenario.js';
import { echoPair } from './tcp-echo.js';

const NAME = 'client-read';

export const clientRead: Scenario = {
  name: NAME,
  estimateSeconds: (options) => options.rounds * 2 * (options.clientReadSeconds + options.warmupSeconds + 1.5),
  async run(context) {
    const seconds = context.options.clientReadSeconds;
    const results = await interleave(context, NAME, {
      sock: () => echoPair(context, NAME, 'tcp-raw-echo', 'echo-sock', seconds, { server: false, client: true }),
      'promise-socket': () => echoPair(context, NAME, 'tcp-raw-echo', 'echo-promise-socket', seconds, { server: false, client: false }),
    });
    const base = { scenario: NAME, subject: '@sock Client', baseline: 'promise-socket' };
    return [
      { ...base, metric: 'round trips/s', unit: 'rt/s', subjectSamples: pick(results.sock, 'rtPerSec'), baselineSamples: pick(results['promise-socket'], 'rtPerSec'), target: { kind: 'ratio', op: '>=', value: 1.0 } },
      { ...base, metric: 'p99 latency', unit: 'µs', subjectSamples: pick(results.sock, 'p99'), baselineSamples: pick(results['promise-socket'], 'p99') },
    ];
  },
};
