import { spawn, type ChildProcess } from 'node:child_process';

/** What a finished command left behind. */
export interface RunResult {
  readonly command: string;
  /** Exit code, or `null` when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly millis: number;
}

/** How to run one command. */
export interface RunOptions {
  readonly cwd: string;
  /** Killed (with its whole process group) after this long. */
  readonly timeoutInMillis: number;
  readonly env?: NodeJS.ProcessEnv;
}

const running = new Set<ChildProcess>();

/**
 * Runs a command without a shell and without standard input (nothing may prompt), in its own
 * process group so that a time-out also ends the grandchildren npm and pnpm start. Never rejects
 * for a non-zero exit: the caller decides what a failure means.
 *
 * @example
 * ```ts
 * const result = await run('npm', ['--version'], { cwd: tmp, timeoutInMillis: 30_000 });
 * ```
 */
export function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const command = [file, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutInMillis);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const finish = (code: number | null, signal: NodeJS.Signals | null, extra = ''): void => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        command,
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8') + extra,
        millis: performance.now() - started,
      });
    };
    child.once('error', (error) => finish(null, null, `\n${error.message}`));
    child.once('close', (code, signal) => finish(code, signal));
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is gone already; make sure the leader is too
  }
}

/**
 * Kills every command still running (their process groups), for the exit paths: a deadline, a
 * signal, a crash. Only processes this module started are touched.
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => { killRunning(); process.exit(143); });
 * ```
 */
export function killRunning(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

/**
 * The result as a failure message: the command, how it ended and the tail of its output.
 *
 * @example
 * ```ts
 * if (result.code !== 0) throw new Error(describeFailure(result));
 * ```
 */
export function describeFailure(result: RunResult, lines = 40): string {
  const how = result.timedOut
    ? `timed out after ${(result.millis / 1000).toFixed(0)} s`
    : result.code === null
      ? `ended by ${result.signal ?? 'an error'}`
      : `exited with ${result.code}`;
  const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join('\n');
  return `\`${result.command}\` ${how}\n${indent(output)}`;
}

/**
 * Every line indented, so that a command's output reads as belonging to the message above it.
 *
 * @example
 * ```ts
 * console.log(indent('a\nb')); // "    a\n    b"
 * ```
 */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
