import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFailure, run, type RunResult } from './run.js';

const TEMPLATES = fileURLToPath(new URL('../scenarios/', import.meta.url));

/** One downstream project: which tarballs it installs and what it then runs. */
export interface InstallScenario {
  /** Folder name and label, e.g. `core+tcp`. */
  readonly id: string;
  /** The @sock packages installed (from their tarballs); nothing else of @sock may appear. */
  readonly packages: readonly string[];
  /** ES module programs from `scenarios/`, run with node; each must exit 0 by itself. */
  readonly programs: readonly string[];
  /** TypeScript files from `scenarios/` type-checked together. */
  readonly typeFiles: readonly string[];
  /** Test files from `scenarios/` run with the installed vitest; none means vitest is not installed. */
  readonly testFiles: readonly string[];
}

/** Where the tarballs are and which registry versions of the tools to install beside them. */
export interface InstallContext {
  readonly tmp: string;
  /** Package name → absolute tarball path. */
  readonly tarballs: ReadonlyMap<string, string>;
  /** Package name → the tarball's package.json text, to prove the installed copy is ours. */
  readonly manifests: ReadonlyMap<string, string>;
  /** Exact versions from the repository's catalog. */
  readonly tools: { readonly typescript: string; readonly typesNode: string; readonly vitest: string };
  readonly log: (message: string) => void;
}

/** What a scenario proved, for the summary line. */
export interface ScenarioOutcome {
  readonly id: string;
  readonly problems: string[];
  readonly notes: string[];
}

const PROGRAM_TIMEOUT = 60_000;

// The consumer's compiler settings: as strict as a careful user's, and with skipLibCheck off so
// that our .d.ts files themselves are checked, not only their use.
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    noEmit: true,
  },
};

/**
 * Makes a scratch npm project in `tmp/<id>`, installs the scenario's tarballs with `npm install`
 * (third-party tools from the registry), checks that exactly our @sock packages were installed, and
 * runs its programs, the CommonJS `require()` probe, `tsc --noEmit` and vitest. Never throws for a
 * failed check: failures come back as problems.
 *
 * @example
 * ```ts
 * const outcome = await runInstallScenario({ id: 'core+tcp', packages: ['@sock/core', '@sock/tcp'],
 *   programs: ['tcp-echo.mjs'], typeFiles: ['types-tcp.ts'], testFiles: [] }, context);
 * ```
 */
export async function runInstallScenario(scenario: InstallScenario, context: InstallContext): Promise<ScenarioOutcome> {
  const dir = join(context.tmp, scenario.id.replace(/[^a-z0-9-]+/gi, '-'));
  const problems: string[] = [];
  const notes: string[] = [];
  const outcome = { id: scenario.id, problems, notes };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'sock-release-scratch', private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ ...TSCONFIG, files: scenario.typeFiles }, null, 2)}\n`);
  for (const file of [...scenario.programs, 'require-tcp.cjs', ...scenario.typeFiles, ...scenario.testFiles]) copyFileSync(join(TEMPLATES, file), join(dir, file));

  const tarballs = scenario.packages.map((name) => {
    const path = context.tarballs.get(name);
    if (path === undefined) throw new Error(`no tarball for ${name}`);
    return path;
  });
  const tools = [`typescript@${context.tools.typescript}`, `@types/node@${context.tools.typesNode}`];
  if (scenario.testFiles.length > 0) tools.push(`vitest@${context.tools.vitest}`);
  context.log(`${scenario.id}: npm install ${scenario.packages.join(' ')} + ${tools.join(' ')}`);
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', ...tarballs, ...tools], {
    cwd: dir,
    timeoutInMillis: 300_000,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_yes: 'true' },
  });
  if (install.code !== 0) {
    problems.push(`npm install failed: ${describeFailure(install)}`);
    return outcome;
  }
  notes.push(`npm install ${(install.millis / 1000).toFixed(0)} s`);
  problems.push(...installedSockPackages(dir, scenario, context));

  for (const program of scenario.programs) {
    const result = await node(dir, [program]);
    if (result.code !== 0) problems.push(`${program}: ${describeFailure(result)}`);
  }
  problems.push(...(await requireProbe(dir, notes)));

  const tsc = await run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, timeoutInMillis: 180_000 });
  if (tsc.code !== 0) problems.push(`tsc --noEmit (nodenext, strict, skipLibCheck off): ${describeFailure(tsc)}`);
  else notes.push('tsc ok');

  if (scenario.testFiles.length > 0) problems.push(...(await vitest(dir, scenario, notes)));
  return outcome;
}

function node(dir: string, args: readonly string[]): Promise<RunResult> {
  return run(process.execPath, args, { cwd: dir, timeoutInMillis: PROGRAM_TIMEOUT });
}

// Only the tarballs may provide @sock: a registry package of the same name must never sneak in, and
// a selective install must not drag in the packages that were left out.
function installedSockPackages(dir: string, scenario: InstallScenario, context: InstallContext): string[] {
  const problems: string[] = [];
  const scope = join(dir, 'node_modules/@sock');
  const installed = existsSync(scope) ? readdirSync(scope).map((name) => `@sock/${name}`) : [];
  const expected = [...scenario.packages].sort();
  if (installed.sort().join() !== expected.join()) problems.push(`node_modules/@sock holds ${installed.join(', ') || 'nothing'}, expected ${expected.join(', ')}`);
  for (const name of scenario.packages) {
    const path = join(dir, 'node_modules', name, 'package.json');
    if (!existsSync(path)) continue;
    if (readFileSync(path, 'utf8') !== context.manifests.get(name)) problems.push(`node_modules/${name} is not the package from our tarball`);
  }
  return problems;
}

async function requireProbe(dir: string, notes: string[]): Promise<string[]> {
  const problems: string[] = [];
  const plain = await node(dir, ['require-tcp.cjs']);
  if (plain.code !== 0) return [`require-tcp.cjs: ${describeFailure(plain)}`];
  const outcome = plain.stdout.trim();
  notes.push(outcome);
  if (process.features.require_module === true) {
    // Take the other branch as well: what a Node without require(esm) does.
    const off = await node(dir, ['--no-experimental-require-module', 'require-tcp.cjs']);
    if (off.code !== 0) problems.push(`require-tcp.cjs with --no-experimental-require-module: ${describeFailure(off)}`);
    else if (off.stdout.trim() !== 'require: ERR_REQUIRE_ESM') problems.push(`without require(esm) the probe said ${JSON.stringify(off.stdout.trim())}`);
  }
  return problems;
}

interface VitestReport {
  numTotalTests?: number;
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
}

async function vitest(dir: string, scenario: InstallScenario, notes: string[]): Promise<string[]> {
  const reportPath = join(dir, 'vitest-report.json');
  const result = await run(
    process.execPath,
    [join(dir, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`, ...scenario.testFiles],
    { cwd: dir, timeoutInMillis: 300_000, env: { ...process.env, CI: 'true', NO_COLOR: '1' } },
  );
  let report: VitestReport = {};
  if (existsSync(reportPath)) report = JSON.parse(readFileSync(reportPath, 'utf8')) as VitestReport;
  const passed = report.numPassedTests ?? 0;
  const failed = report.numFailedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  notes.push(`vitest ${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (result.code !== 0 || failed > 0) return [`vitest: ${describeFailure(result, 80)}`];
  if (passed === 0) return ['vitest ran no test: the installed conformance suites registered nothing'];
  return [];
}
