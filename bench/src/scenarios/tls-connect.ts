/**
 * tls-connect: `--tls-connect-count` sequential TLS connections from one client process, each
 * connect + full handshake + close: @sock `Client.connect` + `close()` against an @sock TLS
 * Listener, vs raw `tls.connect` + `end()` + release once flushed against a raw `tls.createServer`.
 * Both clients reuse one secure context for every connection (@sock builds one per `secureSocket`
 * object; the raw client is given `secureContext`, since `tls.connect({ ca })` would build one per
 * call), so the ratio is about the per-connection work, not about parsing the CA again.
 */
import { infoRows, interleave, pick, type Scenario } from '../scenario.js';
import { connectRun, CPU_PER_CONNECTION } from './tcp-connect.js';

const NAME = 'tls-connect';

export const tlsConnect: Scenario = {
  name: NAME,
  // About 400 handshakes/s here, a fifth more of them to warm up.
  estimateSeconds: (options) => options.rounds * 2 * ((options.tlsConnectCount * 1.2) / 400 + 1.5),
  async run(context) {
    const count = context.options.tlsConnectCount;
    const results = await interleave(context, NAME, {
      sock: () => connectRun(context, NAME, 'tls-sock-echo', 'tls-connect-sock', count, true),
      raw: () => connectRun(context, NAME, 'tls-raw-echo', 'tls-connect-raw', count, false),
    });
    return [
      {
        scenario: NAME,
        metric: 'handshakes/s (connect+close)',
        unit: 'conn/s',
        subject: '@sock',
        baseline: 'raw tls',
        subjectSamples: pick(results.sock, 'perSec'),
        baselineSamples: pick(results.raw, 'perSec'),
        target: { kind: 'ratio', op: '>=', value: 0.95 },
      },
      ...infoRows({ scenario: NAME, subject: '@sock', baseline: 'raw tls' }, results, CPU_PER_CONNECTION),
    ];
  },
};
