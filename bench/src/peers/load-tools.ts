import { spawnSync } from 'node:child_process';
import { describeRun, runTool } from './tool-process.js';

/** The load generators the real-peer scenarios drive, and the Debian package of each. */
export const LOAD_TOOLS = {
  wrk: 'wrk',
  ab: 'apache2-utils',
  dnsperf: 'dnsperf',
  'redis-benchmark': 'redis-tools',
} as const;

export type LoadTool = keyof typeof LOAD_TOOLS;

export interface InstallOptions {
  /** Try `apt-get install -y` for a missing tool (only as root). */
  install: boolean;
  log(message: string): void;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
let aptUpdated: Promise<string | undefined> | undefined;
const outcomes = new Map<LoadTool, Promise<string | undefined>>();

/** `apt-get update`, once per bench run; the reason it failed, if it did. */
function aptUpdate(log: (message: string) => void): Promise<string | undefined> {
  aptUpdated ??= (async () => {
    log('apt-get update (once, to install missing load generators)');
    const run = await runTool('apt-get', ['update'], { timeoutMs: 180_000, env: APT_ENV });
    return run.code === 0 ? undefined : `apt-get update failed: ${describeRun(run)}`;
  })();
  return aptUpdated;
}

async function install(tool: LoadTool, options: InstallOptions): Promise<string | undefined> {
  const pkg = LOAD_TOOLS[tool];
  const missing = `${tool} is not installed (Debian package ${pkg})`;
  if (!options.install) return `${missing}; --no-install given`;
  if (process.getuid?.() !== 0) return `${missing}; the bench installs it only when run as root (apt-get install -y ${pkg})`;
  if (!onPath('apt-get')) return `${missing} and there is no apt-get to install it`;
  const updateFailure = await aptUpdate(options.log);
  options.log(`apt-get install -y ${pkg} (for ${tool})`);
  const run = await runTool('apt-get', ['install', '-y', '--no-install-recommends', pkg], { timeoutMs: 300_000, env: APT_ENV });
  if (onPath(tool)) return undefined;
  return `${missing}; apt-get install failed: ${describeRun(run)}${updateFailure === undefined ? '' : ` (${updateFailure})`}`;
}

/**
 * Makes sure a load generator is on the PATH, installing its Debian package if it is missing (as
 * root, after one `apt-get update` per run). Resolves with undefined when the tool can be used,
 * else with the reason, for the scenario to report its rows as skipped. Never rejects.
 *
 * @example
 * ```ts
 * const missing = await ensureTool('wrk', { install: true, log: console.error });
 * if (missing !== undefined) return [{ ...row, skipped: missing }];
 * ```
 */
export function ensureTool(tool: LoadTool, options: InstallOptions): Promise<string | undefined> {
  let outcome = outcomes.get(tool);
  if (outcome === undefined) {
    outcome = onPath(tool) ? Promise.resolve(undefined) : install(tool, options).catch((error: unknown) => `${tool} could not be installed: ${error instanceof Error ? error.message : String(error)}`);
    outcomes.set(tool, outcome);
  }
  return outcome;
}
