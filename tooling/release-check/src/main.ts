/**
 * `pnpm test:release`: proves that what `pnpm publish` would upload works for a downstream npm user.
 *
 * 1. builds every package from a clean `dist/` and packs each public one with `pnpm pack` (which
 *    applies `publishConfig` and rewrites `workspace:^`) into a temp folder outside the workspace;
 * 2. checks each tarball (manifest, files, exports, types, source maps, imports) and runs publint
 *    and attw on exactly those tarballs;
 * 3. installs them with `npm install` into scratch projects — all four, and @sock/core + @sock/tcp
 *    alone — and runs an echo program, a CommonJS `require()`, `tsc --noEmit` and (all four) vitest
 *    with the test kit's conformance suites;
 * 4. runs `changeset version` on scratch copies of the repository.
 *
 * Bounded: every command has a time-out and the whole run a deadline (`RELEASE_CHECK_TIMEOUT_S`,
 * default 900). Temp folders are removed on every exit path unless `RELEASE_CHECK_KEEP=1`.
 * Prints one summary line; exits 0 only when every check passed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkChangesetVersion } from './changeset-check.js';
import { runInstallScenario, type InstallScenario } from './install-scenario.js';
import { describeFailure, indent, killRunning, run } from './run.js';
import { readTarball } from './tar.js';
import { adviseTarball, checkTarball } from './tarball-checks.js';
import { catalog, catalogVersion, publicPackages, ROOT, rootEngines, type PublicPackage } from './workspace.js';

const started = performance.now();
const seconds = (): string => ((performance.now() - started) / 1000).toFixed(1);
const log = (message: string): void => void process.stderr.write(`[${seconds().padStart(6)} s] ${message}\n`);

const keep = process.env['RELEASE_CHECK_KEEP'] === '1';
const deadlineSeconds = Number(process.env['RELEASE_CHECK_TIMEOUT_S'] ?? 900);
const tmp = mkdtempSync(join(tmpdir(), 'sock-release-'));

function cleanUp(): void {
  killRunning();
  if (keep) process.stderr.write(`release-check: kept ${tmp}\n`);
  else rmSync(tmp, { recursive: true, force: true });
}

function abort(reason: string, exitCode: number): never {
  cleanUp();
  console.log(`release-check: FAIL after ${seconds()} s — ${reason}`);
  process.exit(exitCode);
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) process.once(signal, () => abort(`stopped by ${signal}`, code));
process.once('uncaughtException', (error) => abort(`crashed: ${error.stack ?? String(error)}`, 1));
process.once('unhandledRejection', (error) => abort(`crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1));
setTimeout(() => abort(`the whole run passed its ${deadlineSeconds} s deadline`, 1), deadlineSeconds * 1000).unref();

/** A named group of checks and what it found. */
interface Step {
  readonly name: string;
  readonly problems: string[];
  readonly notes: string[];
  /** Its part of the summary line when it passed. */
  readonly summary: string;
}

const steps: Step[] = [];

function record(name: string, problems: string[], notes: string[] = [], summary = name): Step {
  const step = { name, problems, notes, summary };
  steps.push(step);
  if (problems.length === 0) log(`${name}: ok${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
  else log(`${name}: ${problems.length} problem(s)\n${problems.map((problem) => indent(`- ${problem}`)).join('\n')}`);
  return step;
}

interface Packed {
  readonly pkg: PublicPackage;
  readonly tarball: string;
  readonly files: Map<string, Buffer>;
}

async function buildAndPack(packages: readonly PublicPackage[]): Promise<Packed[] | undefined> {
  // tsc never deletes, so a stale dist/ could be published: build from scratch, bypassing turbo's cache.
  for (const pkg of packages) rmSync(join(pkg.dir, 'dist'), { recursive: true, force: true });
  log('pnpm build --force');
  const build = await run('pnpm', ['build', '--force', '--output-logs=errors-only'], { cwd: ROOT, timeoutInMillis: 300_000 });
  if (build.code !== 0) {
    record('build', [describeFailure(build)]);
    return undefined;
  }
  const destination = join(tmp, 'tarballs');
  mkdirSync(destination);
  const packed: Packed[] = [];
  const problems: string[] = [];
  for (const pkg of packages) {
    const result = await run('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd: pkg.dir, timeoutInMillis: 120_000 });
    let tarball: string | undefined;
    try {
      tarball = (JSON.parse(result.stdout) as { filename?: string }).filename;
    } catch {
      tarball = undefined;
    }
    if (result.code !== 0 || tarball === undefined) {
      problems.push(`pnpm pack ${pkg.name}: ${describeFailure(result)}`);
      continue;
    }
    packed.push({ pkg, tarball, files: readTarball(readFileSync(tarball)) });
  }
  record('build and pack', problems, [`${packed.length} tarballs, build ${(build.millis / 1000).toFixed(0)} s`], `${packed.length} tarballs`);
  return problems.length === 0 ? packed : undefined;
}

async function checkTarballs(packed: readonly Packed[]): Promise<void> {
  const engines = rootEngines();
  const versions = new Map(packed.map(({ pkg }) => [pkg.name, pkg.version]));
  const problems = packed.flatMap(({ pkg, files }) => checkTarball({ name: pkg.name, version: pkg.version, files }, { engines, versions }));
  const sizes = packed.map(({ pkg, files }) => `${pkg.name} ${files.size} files`);
  const advice = packed.flatMap(({ pkg, files }) => adviseTarball({ name: pkg.name, version: pkg.version, files }));
  record('tarball contents', problems, sizes, `contents ok${advice.length > 0 ? ` (${advice.length} advisories)` : ''}`);
  if (advice.length > 0) log(`advisories (not failures):\n${advice.map((line) => indent(`- ${line}`)).join('\n')}`);

  // publint and attw on exactly the bytes that would be published (pnpm lint runs them on the
  // workspace folders; attw --pack there uses npm pack, which ignores publishConfig).
  const linters: string[] = [];
  for (const { pkg, tarball, files } of packed) {
    const unpacked = join(tmp, 'unpacked', pkg.name);
    for (const [path, bytes] of files) {
      mkdirSync(dirname(join(unpacked, path)), { recursive: true });
      writeFileSync(join(unpacked, path), bytes);
    }
    const bin = join(pkg.dir, 'node_modules/.bin');
    const publint = await run(join(bin, 'publint'), [unpacked, '--strict', '--pack', 'false'], { cwd: pkg.dir, timeoutInMillis: 120_000 });
    if (publint.code !== 0) linters.push(`publint ${pkg.name}: ${describeFailure(publint)}`);
    const attw = await run(join(bin, 'attw'), [tarball, '--profile', 'esm-only', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped'], {
      cwd: pkg.dir,
      timeoutInMillis: 120_000,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    if (attw.code !== 0) linters.push(`attw ${pkg.name}: ${describeFailure(attw)}`);
  }
  record('publint + attw on the tarballs', linters, [], 'publint + attw clean');
}

async function installScenarios(packed: readonly Packed[], all: readonly PublicPackage[]): Promise<void> {
  const versions = catalog();
  const context = {
    tmp,
    tarballs: new Map(packed.map(({ pkg, tarball }) => [pkg.name, tarball])),
    manifests: new Map(packed.map(({ pkg, files }) => [pkg.name, files.get('package.json')?.toString('utf8') ?? ''])),
    tools: {
      typescript: catalogVersion(versions, 'typescript'),
      typesNode: catalogVersion(versions, '@types/node'),
      vitest: catalogVersion(versions, 'vitest'),
    },
    log,
  };
  const scenarios: InstallScenario[] = [
    { id: 'core+tcp', packages: ['@sock/core', '@sock/tcp'], programs: ['tcp-echo.mjs'], typeFiles: ['types-tcp.ts'], testFiles: [] },
    {
      id: 'all four',
      packages: all.map((pkg) => pkg.name),
      programs: ['tcp-echo.mjs', 'udp-echo.mjs'],
      typeFiles: ['types-tcp.ts', 'types-all.ts'],
      testFiles: ['kit.test.ts'],
    },
  ];
  for (const scenario of scenarios) {
    const outcome = await runInstallScenario(scenario, context);
    const short = outcome.notes.filter((note) => !note.startsWith('npm install')).join(', ');
    record(`install ${scenario.id}`, outcome.problems, outcome.notes, `${scenario.id}: ${scenario.programs.join(' + ')} ok, ${short}`);
  }
}

async function changesets(packages: readonly PublicPackage[]): Promise<void> {
  const bin = join(ROOT, 'node_modules/@changesets/cli/bin.js');
  for (const pending of [false, true]) {
    const { problems, note } = await checkChangesetVersion(ROOT, tmp, packages, bin, { pending });
    record(pending ? 'changeset version, pending + throwaway' : 'changeset version, throwaway only', problems, [note], `changeset version ${note} (${pending ? 'pending + throwaway' : 'throwaway'})`);
  }
}

async function main(): Promise<void> {
  log(`temp folder ${tmp} (node ${process.version})`);
  const packages = publicPackages();
  const packed = await buildAndPack(packages);
  if (packed !== undefined) {
    await checkTarballs(packed);
    await installScenarios(packed, packages);
  }
  await changesets(packages);
}

try {
  await main();
} finally {
  cleanUp();
}
const failed = steps.filter((step) => step.problems.length > 0);
if (failed.length === 0) {
  console.log(`release-check: PASS in ${seconds()} s — ${steps.map((step) => step.summary).join('; ')}`);
} else {
  const count = failed.reduce((sum, step) => sum + step.problems.length, 0);
  console.log(`release-check: FAIL in ${seconds()} s — ${count} problem(s) in ${failed.map((step) => step.name).join(', ')} (details above)`);
  process.exitCode = 1;
}
