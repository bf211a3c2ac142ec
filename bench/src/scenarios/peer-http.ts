/**
 * peer-http-*: an HTTP/1.1 responder (fixed small 200 reply; keep-alive unless the request says
 * otherwise; pipelined and split requests found by scanning for CRLFCRLF) on @sock push
 * (`onBytes`), @sock pull (`onReadReady` + `read()`) and raw node:net `'data'`, driven by
 * - peer-http-wrk:   `wrk -t1 -c<C> -d<s>s --latency` (HTTP/1.1 keep-alive);
 * - peer-http-ab:    `ab -k -c<C> -t<s> -n<N>` (HTTP/1.0 + Connection: Keep-Alive);
 * - peer-http-close: `ab -c<C> -t<s> -n<N>` (HTTP/1.0, one request per connection: the server closes
 *                    after each response, so this measures connection set-up and tear-down).
 */
import type { Fields } from '../protocol.js';
import type { Options } from '../options.js';
import type { RunContext, Scenario } from '../scenario.js';
import { parseAbReport } from '../peers/ab-report.js';
import { parseWrkReport } from '../peers/wrk-report.js';
import { PEER_TARGET, rejectProblems, runLoad, runPeerScenario, serveAndLoad, type PeerRowSpec, type ServerVariant } from './peer-harness.js';

const SERVERS = {
  'sock-push': { role: 'http-sock-push', sock: true },
  'sock-pull': { role: 'http-sock-pull', sock: true },
  raw: { role: 'http-raw', sock: false },
} satisfies Record<string, ServerVariant>;
type Variant = keyof typeof SERVERS;

/** Spawn + start-up + shut-down of one run, seconds (for the ETA). */
const RUN_OVERHEAD_SECONDS = 1.5;

function url(port: number): string {
  return `http://127.0.0.1:${port}/`;
}

function variants(run: (server: ServerVariant) => Promise<Fields>): Record<Variant, () => Promise<Fields>> {
  return { 'sock-push': () => run(SERVERS['sock-push']), 'sock-pull': () => run(SERVERS['sock-pull']), raw: () => run(SERVERS.raw) };
}

function rateRows(metric: string): PeerRowSpec[] {
  const common = { metric, unit: 'req/s', baseline: 'raw net', baselineVariant: 'raw', field: 'requestsPerSec', target: PEER_TARGET };
  return [
    { ...common, subject: '@sock onBytes', subjectVariant: 'sock-push' },
    { ...common, subject: '@sock read()', subjectVariant: 'sock-pull' },
  ];
}

async function wrkRun(context: RunContext, scenario: string, server: ServerVariant): Promise<Fields> {
  const { peerSeconds: seconds, peerConnections: connections } = context.options;
  const budgetMs = seconds * 1000 + 30_000;
  return serveAndLoad(context, scenario, server, budgetMs, async (port) => {
    // -t1: one load thread; with the server's one and the kernel's work that is all 2 cores hold.
    const run = await runLoad(context, 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s', url(port)], budgetMs);
    const report = parseWrkReport(run.stdout);
    rejectProblems(report.problems);
    return { requestsPerSec: report.requestsPerSec, requests: report.requests, p99Micros: (report.p99Ms ?? Number.NaN) * 1000 };
  });
}

async function abRun(context: RunContext, scenario: string, server: ServerVariant, keepAlive: boolean): Promise<Fields> {
  const { peerConnections: connections, peerSeconds: seconds } = context.options;
  const requests = Math.round(keepAlive ? context.options.abRequests : context.options.abCloseRequests);
  const budgetMs = seconds * 1000 + 30_000;
  return serveAndLoad(context, scenario, server, budgetMs, async (port) => {
    // -n requests, but no longer than -t seconds, so that a slow or busy machine does not stretch
    // the run (-t must come first: it resets -n to 50000). -q: no progress lines; -s 10: a socket
    // silent for 10 s is an error, not a hang.
    const args = [...(keepAlive ? ['-k'] : []), '-q', `-c${connections}`, '-t', String(seconds), `-n${requests}`, '-s', '10', url(port)];
    const run = await runLoad(context, 'ab', args, budgetMs);
    const report = parseAbReport(run.stdout);
    rejectProblems(report.problems);
    if (keepAlive && report.keepAliveRequests < report.complete) {
      throw new Error(`ab -k: only ${report.keepAliveRequests} of ${report.complete} requests were kept alive`);
    }
    return { requestsPerSec: report.requestsPerSec, requests: report.complete };
  });
}

const WRK = 'peer-http-wrk';
export const peerHttpWrk: Scenario = {
  name: WRK,
  estimateSeconds: (options: Options) => options.peerRounds * 3 * (options.peerSeconds + RUN_OVERHEAD_SECONDS),
  run(context) {
    const { peerConnections: c } = context.options;
    const latency = { metric: 'p99 latency (wrk)', unit: 'µs', baseline: 'raw net', baselineVariant: 'raw', field: 'p99Micros' };
    return runPeerScenario(
      context,
      WRK,
      'wrk',
      [
        ...rateRows(`requests/s (wrk -t1 -c${c})`),
        { ...latency, subject: '@sock onBytes', subjectVariant: 'sock-push' },
        { ...latency, subject: '@sock read()', subjectVariant: 'sock-pull' },
      ],
      variants((server) => wrkRun(context, WRK, server)),
    );
  },
};

const AB = 'peer-http-ab';
export const peerHttpAb: Scenario = {
  name: AB,
  // ab -k reaches about 50,000 requests/s here.
  estimateSeconds: (options: Options) => options.peerRounds * 3 * (Math.min(options.peerSeconds, options.abRequests / 50_000) + RUN_OVERHEAD_SECONDS),
  run(context) {
    return runPeerScenario(context, AB, 'ab', rateRows(`requests/s (ab -k -c${context.options.peerConnections})`), variants((server) => abRun(context, AB, server, true)));
  },
};

const CLOSE = 'peer-http-close';
export const peerHttpClose: Scenario = {
  name: CLOSE,
  // A connection per request: about 9,000 requests/s here.
  estimateSeconds: (options: Options) => options.peerRounds * 3 * (Math.min(options.peerSeconds, options.abCloseRequests / 9_000) + RUN_OVERHEAD_SECONDS),
  run(context) {
    return runPeerScenario(context, CLOSE, 'ab', rateRows(`requests/s, no keep-alive (ab -c${context.options.peerConnections})`), variants((server) => abRun(context, CLOSE, server, false)));
  },
};
