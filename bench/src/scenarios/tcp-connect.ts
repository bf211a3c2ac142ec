/**
 * tcp-connect: `connectCount` sequential connect + close from one client process. @sock
 * `Client.connect` + `close()` against an @sock Listener, vs raw `net.connect` + `end()` +
 * release once flushed (what @sock's close does) against a raw net.Server.
 */
import { withChildren } from '../child.js';
import type { Fields } from '../protocol.js';
import { CLIENT, interleave, pick, SERVER, type RunContext, type Scenario } from '../scenario.js';

const NAME = 'tcp-connect';

async function runOnce(context: RunContext, serverRole: string, clientRole: string, sock: boolean): Promise<Fields> {
  const maxSeconds = Math.max(30, context.options.connectCount / 200);
  const budgetMs = maxSeconds * 1000 + 20_000;
  return withChildren(async (spawn) => {
    const server = spawn(serverRole, {}, context.spawnOptions(NAME, sock, budgetMs + 10_000, SERVER));
    const { port } = await server.expect('ready', 20_000);
    const client = spawn(clientRole, { port: port!, count: context.options.connectCount, maxSeconds }, context.spawnOptions(NAME, sock, budgetMs + 10_000, CLIENT));
    const result = await client.expect('result', budgetMs);
    await server.stop();
    return result;
  });
}

export const tcpConnect: Scenario = {
  name: NAME,
  // About 10,000 connections/s.
  estimateSeconds: (options) => options.rounds * 2 * (options.connectCount / 10_000 + 1.5),
  async run(context) {
    const results = await interleave(context, NAME, {
      sock: () => runOnce(context, 'tcp-sock-echo', 'connect-sock', true),
      raw: () => runOnce(context, 'tcp-raw-echo', 'connect-raw', false),
    });
    return [
      {
        scenario: NAME,
        metric: 'connect+close/s',
        unit: 'conn/s',
        subject: '@sock',
        baseline: 'raw net',
        subjectSamples: pick(results.sock, 'perSec'),
        baselineSamples: pick(results.raw, 'perSec'),
        target: { kind: 'ratio', op: '>=', value: 0.95 },
      },
    ];
  },
};
