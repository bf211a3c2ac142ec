/**
 * udp-throughput: a raw node:dgram sender (the same for every variant) sends `udpCount` datagrams
 * of `udpBytes` in bursts of `udpBurst` to a receiver in another process; the receiver counts
 * datagrams and the time from the first to the last. Reported: datagrams/s received and loss.
 * Receivers: @sock UdpListener (`onDatagram`), @sock UdpClient (`receiveFrom()` loop), raw dgram.
 */
import { withChildren } from '../child.js';
import { num, type Fields } from '../protocol.js';
import { CLIENT, interleave, pick, SERVER, type Row, type RunContext, type Scenario } from '../scenario.js';

const NAME = 'udp-throughput';

async function runOnce(context: RunContext, receiverRole: string, sock: boolean): Promise<Fields> {
  const { options } = context;
  const budgetMs = 30_000 + options.udpCount / 10;
  return withChildren(async (spawn) => {
    const receiver = spawn(receiverRole, {}, context.spawnOptions(NAME, sock, budgetMs + 10_000, SERVER));
    const { port } = await receiver.expect('ready', 20_000);
    const sender = spawn('udp-send-raw', { port: port!, count: options.udpCount, size: options.udpBytes, burst: options.udpBurst }, context.spawnOptions(NAME, false, budgetMs + 10_000, CLIENT));
    const sent = await sender.expect('result', budgetMs);
    // Let the receiver drain its socket buffer, then read its counters.
    let stats = await receiver.request('stats', {}, 10_000);
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const again = await receiver.request('stats', {}, 10_000);
      const settled = again.received === stats.received;
      stats = again;
      if (settled) break;
    }
    await receiver.stop();
    const received = num(stats, 'received');
    const sentCount = num(sent, 'sent');
    const spanMs = num(stats, 'lastMs') - num(stats, 'firstMs');
    return {
      receivedPerSec: spanMs > 0 ? (received / spanMs) * 1000 : Number.NaN,
      lossPercent: (1 - received / sentCount) * 100,
      sentPerSec: num(sent, 'perSec'),
      received,
    };
  });
}

export const udpThroughput: Scenario = {
  name: NAME,
  // About 250,000 datagrams/s, plus start-up and draining.
  estimateSeconds: (options) => options.rounds * 3 * (options.udpCount / 250_000 + 2),
  async run(context) {
    const common = { scenario: NAME, baseline: 'raw dgram' };
    const results = await interleave(context, NAME, {
      'sock-listener': () => runOnce(context, 'udp-sock-listener-count', true),
      'sock-client': () => runOnce(context, 'udp-sock-client-count', true),
      raw: () => runOnce(context, 'udp-raw-count', false),
    });
    const rows: Row[] = [];
    for (const [key, subject] of [['sock-listener', '@sock UdpListener'], ['sock-client', '@sock receiveFrom()']] as const) {
      rows.push(
        { ...common, subject, metric: 'datagrams/s received', unit: 'dgram/s', subjectSamples: pick(results[key], 'receivedPerSec'), baselineSamples: pick(results.raw, 'receivedPerSec'), target: { kind: 'ratio', op: '>=', value: 0.9 } },
        { ...common, subject, metric: 'loss', unit: '%', subjectSamples: pick(results[key], 'lossPercent'), baselineSamples: pick(results.raw, 'lossPercent'), target: { kind: 'not-worse', slack: 1 } },
      );
    }
    return rows;
  },
};
