/**
 * cluster-echo: does throughput grow with one listener per core? The peer HTTP keep-alive
 * responder (@sock `onBytes`, and raw node:net as the reference) runs under node:cluster with 1
 * and with 2 workers (the primary only forks; Linux's round-robin hands connections out), driven
 * by `wrk -t1 -c<C>` — a load generator not written in Node. Rows: requests/s with 2 workers ÷
 * with 1, for @sock and for raw (if raw does not scale either, the limit is the machine); @sock vs
 * raw at 2 workers; and requests per CPU-second of the workers, 2 ÷ 1 (does a core do as much work
 * when two listeners share the port, whatever CPU wrk and the rest of the machine take).
 */
import { withChildren } from '../child.js';
import { num, str, type Fields } from '../protocol.js';
import type { Options } from '../options.js';
import { failureNote, interleave, pick, type Row, type RunContext, type Scenario, type Target } from '../scenario.js';
import { ensureTool } from '../peers/load-tools.js';
import { parseWrkReport } from '../peers/wrk-report.js';
import { describeRun, runTool } from '../peers/tool-process.js';
import { rejectProblems } from './peer-harness.js';

const NAME = 'cluster-echo';

/** 2 workers must serve at least this many times what 1 serves. */
const SCALE_TARGET: Target = { kind: 'ratio', op: '>=', value: 1.6 };

/** Forking the workers (each loads tsx and @sock) + stopping them, seconds (for the ETA). */
const RUN_OVERHEAD_SECONDS = 2.5;

async function clusterRun(context: RunContext, server: string, workers: number): Promise<Fields> {
  const { clusterSeconds: seconds, peerConnections: connections } = context.options;
  const budgetMs = seconds * 1000 + 30_000;
  return withChildren(async (spawn) => {
    // Nothing is pinned, not even under --pin (the workers would inherit the primary's one CPU):
    // pinning measured no better on 2 cores when the machine was quiet, and worse when other work
    // ran (a pinned worker cannot leave a busy core). See bench/README.md.
    const child = spawn('cluster-server', { server, workers, deadlineMs: budgetMs + 30_000 }, { ...context.spawnOptions(NAME, server.includes('sock'), budgetMs + 30_000), cpu: undefined });
    const port = num(await child.expect('ready', 30_000), 'port');
    const run = await runTool('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s', `http://127.0.0.1:${port}/`], { timeoutMs: budgetMs });
    if (run.timedOut || run.code !== 0) throw new Error(describeRun(run));
    const report = parseWrkReport(run.stdout);
    rejectProblems(report.problems);
    const stats = await child.stop();
    const errors = num(stats, 'errors');
    if (errors > 0) throw new Error(`the ${server} cluster counted ${errors} protocol errors; first: ${str(stats, 'firstError')}`);
    const cpuSeconds = num(stats, 'workerCpuSeconds');
    const fields: Fields = {
      requestsPerSec: report.requestsPerSec,
      p99Micros: (report.p99Ms ?? Number.NaN) * 1000,
      // Requests per CPU-second of the workers: what one core does, whoever else wanted the CPU.
      requestsPerCpuSecond: cpuSeconds > 0 ? num(stats, 'answered') / cpuSeconds : Number.NaN,
      workerCpuSeconds: cpuSeconds,
    };
    // Each worker's share: round-robin should split the connections evenly.
    for (let index = 0; index < workers; index++) fields[`answered${index}`] = num(stats, `answered${index}`);
    return fields;
  });
}

export const clusterEcho: Scenario = {
  name: NAME,
  estimateSeconds: (options: Options) => options.peerRounds * 4 * (options.clusterSeconds + RUN_OVERHEAD_SECONDS),
  async run(context) {
    const c = context.options.peerConnections;
    const metric = `requests/s (wrk -t1 -c${c}), 2 workers ÷ 1`;
    const perCpu = 'requests per worker CPU-second, 2 workers ÷ 1';
    const specs = [
      { metric, unit: 'req/s', subject: '@sock onBytes, 2 workers', baseline: '@sock onBytes, 1 worker', target: SCALE_TARGET },
      { metric, unit: 'req/s', subject: 'raw net, 2 workers', baseline: 'raw net, 1 worker', target: SCALE_TARGET },
      { metric: `requests/s (wrk -t1 -c${c}), 2 workers`, unit: 'req/s', subject: '@sock onBytes', baseline: 'raw net' },
      { metric: perCpu, unit: 'req/cpu-s', subject: '@sock onBytes, 2 workers', baseline: '@sock onBytes, 1 worker' },
      { metric: perCpu, unit: 'req/cpu-s', subject: 'raw net, 2 workers', baseline: 'raw net, 1 worker' },
    ] as const;
    const missing = await ensureTool('wrk', { install: context.options.install, log: context.log });
    if (missing !== undefined) {
      context.log(`${NAME}: skipped: ${missing}`);
      return specs.map((spec): Row => ({ scenario: NAME, ...spec, subjectSamples: [], baselineSamples: [], skipped: missing }));
    }
    const results = await interleave(
      context,
      NAME,
      {
        'sock-1': () => clusterRun(context, 'http-sock-push', 1),
        'sock-2': () => clusterRun(context, 'http-sock-push', 2),
        'raw-1': () => clusterRun(context, 'http-raw', 1),
        'raw-2': () => clusterRun(context, 'http-raw', 2),
      },
      context.options.peerRounds,
    );
    const note = failureNote(results);
    const rate = (name: keyof typeof results): number[] => pick(results[name], 'requestsPerSec');
    const perCpuSecond = (name: keyof typeof results): number[] => pick(results[name], 'requestsPerCpuSecond');
    const samples = [
      [rate('sock-2'), rate('sock-1')],
      [rate('raw-2'), rate('raw-1')],
      [rate('sock-2'), rate('raw-2')],
      [perCpuSecond('sock-2'), perCpuSecond('sock-1')],
      [perCpuSecond('raw-2'), perCpuSecond('raw-1')],
    ] as const;
    return specs.map((spec, index): Row => ({
      scenario: NAME,
      ...spec,
      subjectSamples: samples[index]![0],
      baselineSamples: samples[index]![1],
      ...(note === undefined ? {} : { note }),
    }));
  },
};
