/**
 * `pnpm bench [--quick]`: measures @sock against raw node:net / node:dgram (and the test kit, and
 * promise-socket), interleaved over rounds, each side in its own child processes. Prints a table
 * and writes the same as JSON to bench/results/latest.json (a full run) or last-run.json (quick, --only). Run with --help for the flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { BENCH_DIR, killAllChildren } from './child.js';
import { outputPath, parseOptions, SCENARIOS, USAGE, type Options } from './options.js';
import { evaluate, machine, renderNotes, renderTable, type Result } from './report.js';
import { renderRatioChart } from './chart.js';
import { Progress } from './progress.js';
import { killAllTools } from './peers/tool-process.js';
import { PROFILE_DIR, type Row, type RunContext, type Scenario } from './scenario.js';
import { tcpBulk } from './scenarios/tcp-bulk.js';
import { tcpEcho } from './scenarios/tcp-echo.js';
import { tcpConnect } from './scenarios/tcp-connect.js';
import { udpThroughput } from './scenarios/udp-throughput.js';
import { memory } from './scenarios/memory.js';
import { testkitEcho } from './scenarios/testkit-echo.js';
import { simEcho } from './scenarios/sim-echo.js';
import { clientRead } from './scenarios/client-read.js';
import { udpRequest } from './scenarios/udp-request.js';
import { peerHttpAb, peerHttpClose, peerHttpWrk } from './scenarios/peer-http.js';
import { peerDns } from './scenarios/peer-dns.js';
import { peerResp } from './scenarios/peer-resp.js';
import { tlsBulk } from './scenarios/tls-bulk.js';
import { tlsEcho } from './scenarios/tls-echo.js';
import { tlsConnect } from './scenarios/tls-connect.js';
import { clusterEcho } from './scenarios/cluster-echo.js';

const ALL: Scenario[] = [
  tcpBulk,
  tcpEcho,
  tcpConnect,
  tlsBulk,
  tlsEcho,
  tlsConnect,
  udpThroughput,
  udpRequest,
  memory,
  testkitEcho,
  simEcho,
  clientRead,
  peerHttpWrk,
  peerHttpAb,
  peerHttpClose,
  peerDns,
  peerResp,
  clusterEcho,
];

function killEverything(): void {
  killAllChildren();
  killAllTools();
}

function context(options: Options, startedAt: number, progress: () => Progress | undefined): RunContext {
  const pin = options.pin && availableParallelism() >= 2 && spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  return {
    options,
    pinned: pin,
    log: (message) => process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}\n`),
    spawnOptions: (scenario, sock, deadlineMs, extra) => ({
      deadlineMs,
      ...extra,
      cpu: pin ? extra?.cpu : undefined,
      ...(options.profile && sock ? { profileDir: join(PROFILE_DIR, scenario) } : {}),
    }),
    roundDone: (scenario, round, rounds) => progress()?.roundDone(scenario, round, rounds),
  };
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const startedAt = performance.now();
  let progress: Progress | undefined = undefined;
  const run = context(options, startedAt, () => progress);
  // The whole run stops by itself, whatever happens: quick (about 3-4 min) within 10 minutes, full
  // (about 20) within 45 — room for a machine that is busy with other work.
  const hardLimitMs = (options.quick ? 10 : 45) * 60_000;
  const guard = setTimeout(() => {
    run.log(`hard time limit of ${hardLimitMs / 60_000} min reached; killing children and exiting`);
    killEverything();
    process.exit(4);
  }, hardLimitMs);
  guard.unref();
  process.once('SIGINT', () => {
    killEverything();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    killEverything();
    process.exit(143);
  });

  const selected = ALL.filter((scenario) => options.only === undefined || options.only.includes(scenario.name));
  progress = new Progress(
    selected.map((scenario) => ({ name: scenario.name, estimateSeconds: scenario.estimateSeconds(options) })),
    startedAt,
    run.log,
  );
  run.log(
    `${options.quick ? 'quick' : 'full'} run: ${selected.map((s) => s.name).join(', ')}; ${options.rounds} round(s), peer-* ${options.peerRounds}${run.pinned ? '; servers pinned to CPU 0, clients to CPU 1' : ''}`,
  );
  const rows: Row[] = [];
  for (const scenario of selected) {
    const began = performance.now();
    progress.started(scenario.name);
    try {
      rows.push(...(await scenario.run(run)));
    } catch (error) {
      run.log(`${scenario.name} FAILED: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      rows.push({ scenario: scenario.name, metric: '', unit: '', subject: '', baseline: '', subjectSamples: [], baselineSamples: [], skipped: `failed: ${error instanceof Error ? error.message : String(error)}` });
    }
    progress.finished(scenario.name);
    run.log(`${scenario.name} took ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
  killEverything();
  const results: Result[] = rows.map(evaluate);
  const table = renderTable(results);
  console.log(`\n@sock benchmark (${options.quick ? 'quick' : 'full'}, ${options.rounds} rounds, median (min–max); ratio = @sock side / baseline, medians)\n`);
  console.log(table);
  const notes = renderNotes(results);
  if (notes !== '') console.log(`\n${notes}`);
  const misses = results.filter((result) => result.verdict === 'miss').length;
  const skipped = results.filter((result) => result.verdict === 'skipped' || result.verdict === 'error').length;
  console.log(`\n${results.filter((r) => r.verdict === 'pass').length} pass, ${misses} miss, ${skipped} skipped/error; took ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);

  const out = outputPath(options, join(BENCH_DIR, 'results'));
  mkdirSync(dirname(out), { recursive: true });
  const { only, out: _out, ...sizes } = options;
  const document = {
    generatedAt: new Date().toISOString(),
    durationSeconds: (performance.now() - startedAt) / 1000,
    machine: machine(),
    options: { ...sizes, only: only ?? [...SCENARIOS] },
    results,
  };
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${out}`);
  const svg = out.replace(/(\.json)?$/, '.svg');
  const about = `${options.quick ? 'quick' : 'full'} run, ${options.rounds} rounds (peer-* ${options.peerRounds}), ${document.generatedAt.slice(0, 10)}; ${String(document.machine.cpus)} × ${String(document.machine.cpuModel)}, Node ${process.version}`;
  writeFileSync(svg, renderRatioChart(results, about));
  console.log(`wrote ${svg}`);
  clearTimeout(guard);
}

await main();
