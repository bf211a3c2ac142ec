/**
 * tcp-echo: `echoConnections` connections each doing `messageBytes` request/response round trips
 * for `echoSeconds` (after an uncounted warm-up). @sock Listener (`onBytes` → `caller.write`) with
 * @sock Clients (`write` then `read(n)`) against a raw net.Server echo with raw net clients
 * (callback loop). Server and client are separate processes. Both sides use TCP_NODELAY.
 */
import { withChildren } from '../child.js';
import { num, perOperation, type Fields } from '../protocol.js';
import { CLIENT, infoRows, interleave, pick, SERVER, type Row, type RunContext, type Scenario } from '../scenario.js';

const NAME = 'tcp-echo';

/** Runs an echo client role against an echo server role, returning the client's figures. */
export async function echoPair(context: RunContext, scenario: string, serverRole: string, clientRole: string, seconds: number, sock: { server: boolean; client: boolean }): Promise<Fields> {
  const { options } = context;
  const budgetMs = (seconds + options.warmupSeconds) * 1000 + 30_000;
  return withChildren(async (spawn) => {
    const server = spawn(serverRole, {}, context.spawnOptions(scenario, sock.server, budgetMs + 10_000, SERVER));
    const { port } = await server.expect('ready', 20_000);
    const client = spawn(
      clientRole,
      { port: port!, connections: options.echoConnections, seconds, warmup: options.warmupSeconds, size: options.messageBytes },
      context.spawnOptions(scenario, sock.client, budgetMs + 10_000, CLIENT),
    );
    const result = await client.expect('result', budgetMs);
    const served = await server.stop();
    // CPU per round trip on each side, over every round trip of the run (warm-up included).
    const all = num(result, 'allRoundTrips');
    return { ...result, serverCpuPerRt: perOperation(served.cpuMicros, all), clientCpuPerRt: perOperation(result.cpuMicros, all) };
  });
}

/** Each side's CPU time per round trip, as info rows (see `infoRows`). */
export const CPU_PER_ROUND_TRIP = [
  ['server CPU per round trip', 'serverCpuPerRt'],
  ['client CPU per round trip', 'clientCpuPerRt'],
] as const;

export const tcpEcho: Scenario = {
  name: NAME,
  estimateSeconds: (options) => options.rounds * 2 * (options.echoSeconds + options.warmupSeconds + 1.5),
  async run(context) {
    const seconds = context.options.echoSeconds;
    const results = await interleave(context, NAME, {
      sock: () => echoPair(context, NAME, 'tcp-sock-echo', 'echo-sock', seconds, { server: true, client: true }),
      raw: () => echoPair(context, NAME, 'tcp-raw-echo', 'echo-raw', seconds, { server: false, client: false }),
    });
    const base = { scenario: NAME, subject: '@sock', baseline: 'raw net' };
    const rows: Row[] = [
      { ...base, metric: 'round trips/s', unit: 'rt/s', subjectSamples: pick(results.sock, 'rtPerSec'), baselineSamples: pick(results.raw, 'rtPerSec'), target: { kind: 'ratio', op: '>=', value: 0.97 } },
      { ...base, metric: 'p50 latency', unit: 'µs', subjectSamples: pick(results.sock, 'p50'), baselineSamples: pick(results.raw, 'p50') },
      { ...base, metric: 'p99 latency', unit: 'µs', subjectSamples: pick(results.sock, 'p99'), baselineSamples: pick(results.raw, 'p99'), target: { kind: 'ratio', op: '<=', value: 1.2 } },
      ...infoRows(base, results, CPU_PER_ROUND_TRIP),
    ];
    return rows;
  },
};
