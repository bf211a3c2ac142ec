import { spawn, type ChildProcess } from 'node:child_process';

/** How an external program's run ended. */
export interface ToolRun {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last `maxOutputBytes` of each stream (the tools print their summary at the end). */
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface ToolRunOptions {
  /** Hard limit: the process is SIGKILLed then. */
  timeoutMs: number;
  /** Pin the process to this CPU with taskset. */
  cpu?: number | undefined;
  env?: NodeJS.ProcessEnv;
  maxOutputBytes?: number;
}

const live = new Set<ChildProcess>();

/** Kills every external program still running (on SIGINT and at the bench's global deadline). */
export function killAllTools(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Keeps the last `limit` bytes written to it. */
class Tail {
  #chunks: Buffer[] = [];
  #bytes = 0;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes - this.#chunks[0]!.length >= this.#limit) this.#bytes -= this.#chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.#chunks);
    return all.subarray(Math.max(0, all.length - this.#limit)).toString('utf8');
  }
}

/**
 * Runs an external program (a load generator, apt-get) to its end, with a hard time limit, and
 * never rejects: a program that cannot be started resolves with code null and the reason in
 * `stderr`. Every such process is tracked so that the bench can kill it whatever happens.
 *
 * @example
 * ```ts
 * const run = await runTool('wrk', ['-t1', '-c50', '-d5s', url], { timeoutMs: 35_000 });
 * if (run.timedOut || run.code !== 0) throw new Error(describeRun(run));
 * ```
 */
export function runTool(command: string, args: readonly string[], options: ToolRunOptions): Promise<ToolRun> {
  const [file, argv] = options.cpu === undefined ? [command, [...args]] : ['taskset', ['-c', String(options.cpu), command, ...args]];
  const display = [command, ...args].join(' ');
  const limit = options.maxOutputBytes ?? 1024 * 1024;
  const stdout = new Tail(limit);
  const stderr = new Tail(limit);
  const started = performance.now();
  return new Promise((resolve) => {
    let timedOut = false;
    let child: ChildProcess;
    try {
      child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    } catch (error) {
      resolve({ command: display, code: null, signal: null, stdout: '', stderr: `could not start: ${error instanceof Error ? error.message : String(error)}`, timedOut: false, ms: 0 });
      return;
    }
    live.add(child);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));
    let startError: Error | undefined;
    child.once('error', (error) => {
      startError = error;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      const errorText = startError === undefined ? '' : `could not start: ${startError.message}\n`;
      // A program that never started has no exit code of its own (Node reports the errno).
      resolve({ command: display, code: startError === undefined ? code : null, signal, stdout: stdout.text(), stderr: errorText + stderr.text(), timedOut, ms: performance.now() - started });
    });
  });
}

/** One line saying how a run ended, with the end of its error output. */
export function describeRun(run: ToolRun): string {
  const how = run.timedOut ? `was killed at its time limit after ${(run.ms / 1000).toFixed(1)} s` : run.code === null ? `ended by ${run.signal ?? 'failure to start'}` : `exited with code ${run.code}`;
  const detail = (run.stderr.trim() || run.stdout.trim()).split('\n').slice(-3).join(' | ').slice(0, 300);
  return `${run.command.split(' ')[0]} ${how}${detail === '' ? '' : `: ${detail}`}`;
}
