/**
 * peer-dns: a DNS responder (echoes the query's header with QR set, copies the question, adds one A
 * record) on @sock `UdpListener` + `caller.reply` vs raw node:dgram `'message'` + `send`, driven by
 * `dnsperf -c<clients> -q<outstanding> -T1 -l<s>` over a query file of a few names. Reported:
 * queries/s completed and the share of queries lost (no answer within dnsperf's 1 s time-out).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fields } from '../protocol.js';
import type { Options } from '../options.js';
import type { RunContext, Scenario } from '../scenario.js';
import { parseDnsperfReport } from '../peers/dnsperf-report.js';
import { PEER_TARGET, rejectProblems, runLoad, runPeerScenario, serveAndLoad, type ServerVariant } from './peer-harness.js';

const NAME = 'peer-dns';
/** Names of one length, so that every reply has the same size. */
const QUERIES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((label) => `${label}.example.com A`).join('\n');

async function dnsperfRun(context: RunContext, server: ServerVariant, queryFile: string): Promise<Fields> {
  const { peerSeconds: seconds, dnsClients, dnsOutstanding } = context.options;
  const budgetMs = seconds * 1000 + 30_000;
  return serveAndLoad(context, NAME, server, budgetMs, async (port) => {
    // -T1: one sending thread (2 cores: dnsperf, the server and the kernel share them).
    const args = ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), '-c', String(dnsClients), '-q', String(dnsOutstanding), '-T', '1', '-t', '1'];
    const run = await runLoad(context, 'dnsperf', args, budgetMs);
    const report = parseDnsperfReport(run.stdout);
    rejectProblems(report.problems);
    return { queriesPerSec: report.queriesPerSec, lostPercent: report.lostPercent, completed: report.completed };
  });
}

export const peerDns: Scenario = {
  name: NAME,
  estimateSeconds: (options: Options) => options.peerRounds * 2 * (options.peerSeconds + 2),
  async run(context) {
    const common = { baseline: 'raw dgram', baselineVariant: 'raw', subject: '@sock UdpListener', subjectVariant: 'sock' };
    const specs = [
      { ...common, metric: `queries/s (dnsperf -c${context.options.dnsClients} -q${context.options.dnsOutstanding})`, unit: 'q/s', field: 'queriesPerSec', target: PEER_TARGET },
      { ...common, metric: 'queries lost (dnsperf)', unit: '%', field: 'lostPercent', target: { kind: 'not-worse', slack: 0 } as const },
    ];
    const directory = mkdtempSync(join(tmpdir(), 'sock-bench-dns-'));
    try {
      const queryFile = join(directory, 'queries.txt');
      writeFileSync(queryFile, `${QUERIES}\n`);
      return await runPeerScenario(context, NAME, 'dnsperf', specs, {
        sock: () => dnsperfRun(context, { role: 'dns-sock', sock: true }, queryFile),
        raw: () => dnsperfRun(context, { role: 'dns-raw', sock: false }, queryFile),
      });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  },
};
