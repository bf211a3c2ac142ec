/**
 * tls-echo: tcp-echo over TLS. @sock TLS Listener (`onBytes` → `void caller.write(data)`) with
 * @sock TLS Clients (`await write`, `await read(n)`) against a raw `tls.createServer` echo with raw
 * `tls.connect` clients (callback loop). `--echo-connections` connections; every handshake is done
 * before the uncounted warm-up starts, so connection set-up is outside the measured window.
 */
import { infoRows, interleave, pick, type Row, type Scenario } from '../scenario.js';
import { CPU_PER_ROUND_TRIP, echoPair } from './tcp-echo.js';

const NAME = 'tls-echo';

export const tlsEcho: Scenario = {
  name: NAME,
  // + about a second of handshakes for the connections of each run.
  estimateSeconds: (options) => options.rounds * 2 * (options.tlsEchoSeconds + options.warmupSeconds + 2.5),
  async run(context) {
    const seconds = context.options.tlsEchoSeconds;
    const results = await interleave(context, NAME, {
      sock: () => echoPair(context, NAME, 'tls-sock-echo', 'tls-echo-sock', seconds, { server: true, client: true }),
      raw: () => echoPair(context, NAME, 'tls-raw-echo', 'tls-echo-raw', seconds, { server: false, client: false }),
    });
    const base = { scenario: NAME, subject: '@sock', baseline: 'raw tls' };
    const rows: Row[] = [
      { ...base, metric: 'round trips/s', unit: 'rt/s', subjectSamples: pick(results.sock, 'rtPerSec'), baselineSamples: pick(results.raw, 'rtPerSec'), target: { kind: 'ratio', op: '>=', value: 0.95 } },
      { ...base, metric: 'p50 latency', unit: 'µs', subjectSamples: pick(results.sock, 'p50'), baselineSamples: pick(results.raw, 'p50') },
      { ...base, metric: 'p99 latency', unit: 'µs', subjectSamples: pick(results.sock, 'p99'), baselineSamples: pick(results.raw, 'p99') },
      ...infoRows(base, results, CPU_PER_ROUND_TRIP),
    ];
    return rows;
  },
};
