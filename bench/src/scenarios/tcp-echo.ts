/**
 * tcp-echo: `echoConnections` connections each doing `messageBytes` request/response round trips
 * for `echoSeconds` (after an uncounted warm-up). @sock Listener (`onBytes` → `caller.write`) with
 * @sock Clients against a raw net.Server echo with raw net clients (callback loop). The @sock
 * clients run twice: with promises (`await write`, `await read(n)`: the API most code uses) and
 * with a callback service (`onBytes` writes the next request: the same loop as the raw client).
 * Server and client are separate processes. Both sides use TCP_NODELAY.
 */
import { withChildren } from '../child.js';
import { num, perOperation, type Fields } from '../protocol.js';
import { CLIENT, infoRows, interleave, pick, SERVER, type Row, type RunContext, type Scenario, type Target } from '../scenario.js';

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

/** The three echo variants of one run: @sock with a promise client, @sock with a callback client, raw. */
export type EchoResults = Record<'sock' | 'sock-push' | 'raw', Array<Fields | undefined>>;

/**
 * The rows of an echo scenario: for the promise client, round trips/s (against `target`), p50, p99
 * (against `p99Target`, if any) and CPU per round trip; for the callback client, round trips/s
 * (against `target` too), p99 and CPU per round trip.
 */
export function echoRows(scenario: string, baseline: string, results: EchoResults, target: Target, p99Target?: Target): Row[] {
  const base = { scenario, subject: '@sock', baseline };
  const push = { scenario, subject: '@sock, onBytes client', baseline };
  const raw = results.raw;
  return [
    { ...base, metric: 'round trips/s', unit: 'rt/s', subjectSamples: pick(results.sock, 'rtPerSec'), baselineSamples: pick(raw, 'rtPerSec'), target },
    { ...base, metric: 'p50 latency', unit: 'µs', subjectSamples: pick(results.sock, 'p50'), baselineSamples: pick(raw, 'p50') },
    { ...base, metric: 'p99 latency', unit: 'µs', subjectSamples: pick(results.sock, 'p99'), baselineSamples: pick(raw, 'p99'), ...(p99Target === undefined ? {} : { target: p99Target }) },
    ...infoRows(base, { sock: results.sock, raw }, CPU_PER_ROUND_TRIP),
    { ...push, metric: 'round trips/s', unit: 'rt/s', subjectSamples: pick(results['sock-push'], 'rtPerSec'), baselineSamples: pick(raw, 'rtPerSec'), target },
    { ...push, metric: 'p99 latency', unit: 'µs', subjectSamples: pick(results['sock-push'], 'p99'), baselineSamples: pick(raw, 'p99') },
    ...infoRows(push, { sock: results['sock-push'], raw }, CPU_PER_ROUND_TRIP),
  ];
}

export const tcpEcho: Scenario = {
  name: NAME,
  estimateSeconds: (options) => options.rounds * 3 * (options.echoSeconds + options.warmupSeconds + 1.5),
  async run(context) {
    const seconds = context.options.echoSeconds;
    const results = await interleave(context, NAME, {
      sock: () => echoPair(context, NAME, 'tcp-sock-echo', 'echo-sock', seconds, { server: true, client: true }),
      'sock-push': () => echoPair(context, NAME, 'tcp-sock-echo', 'echo-sock-push', seconds, { server: true, client: true }),
      raw: () => echoPair(context, NAME, 'tcp-raw-echo', 'echo-raw', seconds, { server: false, client: false }),
    });
    return echoRows(NAME, 'raw net', results, { kind: 'ratio', op: '>=', value: 0.97 }, { kind: 'ratio', op: '<=', value: 1.2 });
  },
};
