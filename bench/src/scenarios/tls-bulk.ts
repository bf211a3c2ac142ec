/**
 * tls-bulk: tcp-bulk over TLS. The sender is the same raw `tls.connect` socket for every variant
 * (`--chunk-kib` writes with backpressure, `--tls-bulk-mib` MiB), so the ratio isolates the TLS
 * receive path: @sock TLS Listener push (`onBytes`), @sock pull (`onConnect` looping
 * `await caller.read()`), raw `tls.createServer` counting 'data'. MB/s of plaintext, measured by
 * the receiver from its first to its last byte (after the handshake).
 */
import { interleave, pick, type Row, type Scenario } from '../scenario.js';
import { bulkRun } from './tcp-bulk.js';

const NAME = 'tls-bulk';

export const tlsBulk: Scenario = {
  name: NAME,
  // About 600 MB/s per run over TLS, plus start-up.
  estimateSeconds: (options) => options.rounds * 3 * ((options.tlsBulkMiB * 1.05) / 600 + 1.5),
  async run(context) {
    const mib = context.options.tlsBulkMiB;
    const results = await interleave(context, NAME, {
      'sock-push': () => bulkRun(context, NAME, 'tls-sock-push-count', 'tls-bulk-send-raw', mib, true),
      'sock-pull': () => bulkRun(context, NAME, 'tls-sock-pull-count', 'tls-bulk-send-raw', mib, true),
      raw: () => bulkRun(context, NAME, 'tls-raw-count', 'tls-bulk-send-raw', mib, false),
    });
    const raw = pick(results.raw, 'mbPerSec');
    const common = { scenario: NAME, metric: 'receive MB/s', unit: 'MB/s', baseline: 'raw tls', baselineSamples: raw, target: { kind: 'ratio', op: '>=', value: 0.95 } } as const;
    const rows: Row[] = [
      { ...common, subject: '@sock onBytes', subjectSamples: pick(results['sock-push'], 'mbPerSec') },
      { ...common, subject: '@sock read()', subjectSamples: pick(results['sock-pull'], 'mbPerSec') },
    ];
    return rows;
  },
};
