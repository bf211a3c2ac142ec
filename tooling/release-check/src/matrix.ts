/**
 * `pnpm test:matrix [majors...]`: runs the whole suite (`pnpm test`, i.e. `turbo run typecheck
 * test`) once per Node.js major (default 20 22 24). The machine's node serves its own major; the
 * others come from the npm package `node` (`npm exec --package=node@22`), whose binary is put first
 * on PATH so that pnpm, turbo and every vitest child run on it. Turbo's cache is neither read nor
 * written (it does not key on the Node version). Prints one line per version and a summary line;
 * exits 1 if any version fails. Each run is bounded (`MATRIX_TIMEOUT_S` per version, default 900).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describeFailure, indent, killRunning, run } from './run.js';
import { parseTurboVitest, type SuiteCounts } from './suite-counts.js';
import { ROOT } from './workspace.js';

const started = performance.now();
const log = (message: string): void => void process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
const perVersionSeconds = Number(process.env['MATRIX_TIMEOUT_S'] ?? 900);
const majors = process.argv.slice(2).filter((arg) => /^\d+$/.test(arg));
const wanted = majors.length > 0 ? majors : ['20', '22', '24'];
const tmp = mkdtempSync(join(tmpdir(), 'sock-matrix-'));

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.once(signal, () => {
    killRunning();
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  });
}

/** The node binary for a major: this process's own, or the npm package `node@<major>`'s. */
async function nodeBinary(major: string): Promise<string> {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  // Run outside the workspace so npm does not read the repository's package.json.
  const result = await run('npm', ['exec', '--yes', `--package=node@${major}`, '--', 'node', '-p', 'process.execPath'], {
    cwd: tmp,
    timeoutInMillis: 300_000,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  const path = result.stdout.trim().split('\n').at(-1);
  if (result.code !== 0 || path === undefined || path === '') throw new Error(`cannot get node@${major}: ${describeFailure(result)}`);
  return path;
}

interface VersionResult {
  readonly major: string;
  readonly version: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly counts: SuiteCounts;
  readonly detail: string;
}

async function runOn(major: string): Promise<VersionResult> {
  const empty: SuiteCounts = { passed: 0, failed: 0, skipped: 0, failedTasks: [], failedTests: [] };
  let binary: string;
  try {
    binary = await nodeBinary(major);
  } catch (error) {
    return { major, version: `node@${major}`, ok: false, seconds: 0, counts: empty, detail: String(error) };
  }
  const env = { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env['PATH'] ?? ''}`, FORCE_COLOR: '0' };
  // Prove that a script started by pnpm resolves `node` to this binary, not to the machine's.
  const probe = await run('pnpm', ['exec', 'node', '-p', 'process.version'], { cwd: ROOT, timeoutInMillis: 60_000, env });
  const version = probe.stdout.trim();
  if (probe.code !== 0 || !version.startsWith(`v${major}.`)) {
    return { major, version: version || `node@${major}`, ok: false, seconds: 0, counts: empty, detail: `pnpm runs scripts on ${version}, not node ${major}: ${describeFailure(probe)}` };
  }
  log(`node ${version}: pnpm test (${binary})`);
  const result = await run('pnpm', ['test', '--cache=local:,remote:', '--continue=always'], { cwd: ROOT, timeoutInMillis: perVersionSeconds * 1000, env });
  const counts = parseTurboVitest(`${result.stdout}\n${result.stderr}`);
  const ok = result.code === 0 && counts.failed === 0 && counts.failedTasks.length === 0 && counts.passed > 0;
  return { major, version, ok, seconds: result.millis / 1000, counts, detail: ok ? '' : describeFailure(result, 60) };
}

function line(result: VersionResult): string {
  const { passed, failed, skipped } = result.counts;
  return `node ${result.version} ${result.ok ? 'PASS' : 'FAIL'} ${passed} passed, ${failed} failed, ${skipped} skipped in ${result.seconds.toFixed(0)} s`;
}

const results: VersionResult[] = [];
try {
  for (const major of wanted) {
    const result = await runOn(major);
    results.push(result);
    log(line(result));
    if (!result.ok) {
      const { failedTasks, failedTests } = result.counts;
      if (failedTasks.length > 0) log(`failed tasks:\n${indent(failedTasks.join('\n'))}`);
      if (failedTests.length > 0) log(`failed tests:\n${indent(failedTests.join('\n'))}`);
      log(result.detail);
    }
  }
} finally {
  killRunning();
  rmSync(tmp, { recursive: true, force: true });
}
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`test:matrix: ${results.every((result) => result.ok) ? 'PASS' : 'FAIL'} in ${seconds} s — ${results.map(line).join(' | ')}`);
if (!results.every((result) => result.ok)) process.exitCode = 1;
