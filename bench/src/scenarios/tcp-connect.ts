/**
 * tcp-connect: `connectCount` sequential connect + close from one client process. @sock
 * `Client.connect` + `close()` against an @sock Listener, vs raw `net.connect` + `end()` +
 * release once flushed (what @sock's close does) against a raw net.Server.
 */
import { withChildren } from '../child.js';
import { num, perOperation, type Fields } from '../protocol.js';
import { CLIENT, infoRows, interleave, pick, SERVER, type RunContext, type Scenario } from '../scenario.js';

const NAME = 'tcp-connect';

/**
 * One connect run: `count / 5` unmeasured connects to warm up (the server's CPU count restarts
 * after them), then `count` sequential connect + close of `clientRole` against `serverRole`; the
 * client's figures and each side's CPU per connection.
 */
export async function connectRun(context: RunContext, scenario: string, serverRole: string, clientRole: string, count: number, sock: boolean): Promise<Fields> {
  const maxSeconds = Math.max(30, count / 200);
  const budgetMs = maxSeconds * 1000 + 20_000;
  return withChildren(async (spawn) => {
    const server = spawn(serverRole, {}, context.spawnOptions(scenario, sock, budgetMs + 10_000, SERVER));
    const { port } = await server.expect('ready', 20_000);
    const client = spawn(clientRole, { port: port!, count, warmup: Math.round(count / 5), maxSeconds }, context.spawnOptions(scenario, sock, budgetMs + 10_000, CLIENT));
    await client.expect('warm', budgetMs);
    await server.request('cpu-mark', {}, 10_000);
    client.send('go');
    const result = await client.expect('result', budgetMs);
    const served = await server.stop();
    return { ...result, serverCpuPerConn: perOperation(served.cpuMicros, num(result, 'connections')) };
  });
}

/** Each side's CPU time per connection, as info rows (see `infoRows`). */
export const CPU_PER_CONNECTION = [
  ['client CPU per connection', 'cpuPerConn'],
  ['server CPU per connection', 'serverCpuPerConn'],
] as const;

export const tcpConnect: Scenario = {
  name: NAME,
  // About 10,000 connections/s, a fifth more of them to warm up.
  estimateSeconds: (options) => options.rounds * 2 * ((options.connectCount * 1.2) / 10_000 + 1.5),
  async run(context) {
    const results = await interleave(context, NAME, {
      sock: () => connectRun(context, NAME, 'tcp-sock-echo', 'connect-sock', context.options.connectCount, true),
      raw: () => connectRun(context, NAME, 'tcp-raw-echo', 'connect-raw', context.options.connectCount, false),
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
      ...infoRows({ scenario: NAME, subject: '@sock', baseline: 'raw net' }, results, CPU_PER_CONNECTION),
    ];
  },
};
