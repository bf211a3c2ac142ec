import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Every message between a test and its child has a `type`.
 *
 * @example
 * ```ts
 * const ready: Message = { type: 'ready' };
 * ```
 */
export interface Message {
  type: string;
}

/**
 * A child process running a TypeScript entry point against the workspace sources, with a typed
 * message channel. Load tests put one side of the traffic in a child so that each process has its
 * own file descriptors, its own core and its own memory to measure.
 *
 * @example
 * ```ts
 * const child = await forkTs<Command, Report>(new URL('./children/receiver.ts', import.meta.url));
 * const { port } = await child.next('listening');
 * child.send({ type: 'stop' });
 * await child.close();
 * ```
 */
export interface TsChild<In extends Message, Out extends Message> {
  readonly process: ChildProcess;
  send(message: In): void;
  /**
   * The next message of `type` (messages of other types stay queued); rejects if the child reports
   * `{ type: 'failed' }`, exits, or sends nothing of `type` within `timeoutInMillis`.
   */
  next<T extends Out['type']>(type: T, timeoutInMillis?: number): Promise<Extract<Out, { type: T }>>;
  /** Kills the child (if it still runs) and resolves once it has exited. */
  close(): Promise<void>;
}

const REGISTER = fileURLToPath(new URL('./ts-loader/register.mjs', import.meta.url));
const DEFAULT_WAIT_IN_MILLIS = 120_000;

/**
 * Forks `entry` (a `.ts` file) with the `@sock/source` condition and the TypeScript hooks, so it
 * imports the packages from their sources as the tests do, and resolves once the child called
 * {@link onCommand} (it sends `ready`).
 *
 * @example
 * ```ts
 * const child = await forkTs<{ type: 'go' }, { type: 'done'; count: number }>(new URL('./children/clients.ts', import.meta.url));
 * child.send({ type: 'go' });
 * const { count } = await child.next('done');
 * ```
 */
export async function forkTs<In extends Message, Out extends Message>(
  entry: URL,
  args: readonly string[] = [],
  options: { execArgv?: readonly string[] } = {},
): Promise<TsChild<In, Out>> {
  const child = fork(fileURLToPath(entry), [...args], {
    execArgv: ['--conditions=@sock/source', '--import', REGISTER, ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const inbox: Out[] = [];
  const waiters = new Set<() => void>();
  let exit: string | undefined;
  child.on('message', (message: Out) => {
    inbox.push(message);
    for (const wake of [...waiters]) wake();
  });
  child.on('exit', (code, signal) => {
    exit = `the child ${entry.pathname.split('/').pop()} exited (code ${code}, signal ${signal}); stderr: ${stderr}`;
    for (const wake of [...waiters]) wake();
  });
  child.on('error', () => {}); // surfaces as 'exit' or as a failed send below

  const next = <T extends Out['type']>(type: T, timeoutInMillis = DEFAULT_WAIT_IN_MILLIS): Promise<Extract<Out, { type: T }>> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const index = inbox.findIndex((message) => message.type === type);
        if (index >= 0) {
          const [message] = inbox.splice(index, 1);
          resolve(message as Extract<Out, { type: T }>);
          return true;
        }
        const failure = inbox.find((message) => message.type === 'failed') as { error?: unknown } | undefined;
        if (failure !== undefined) {
          reject(new Error(`waiting for '${type}', the child failed: ${String(failure.error)}`));
          return true;
        }
        if (exit !== undefined) {
          reject(new Error(`waiting for '${type}': ${exit}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no '${type}' from the child within ${timeoutInMillis} ms; stderr: ${stderr}`));
      }, timeoutInMillis);
      const wake = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(wake);
      };
      waiters.add(wake);
    });

  await next('ready' as Out['type']);
  return {
    process: child,
    send: (message) => {
      if (exit !== undefined) throw new Error(`cannot send '${message.type}': ${exit}`);
      child.send(message);
    },
    next,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Memory figures of a process, in bytes.
 *
 * @example
 * ```ts
 * const { baseline, peak } = memory.read(); console.log(mib(peak - baseline));
 * ```
 */
export interface MemoryFigures {
  /** Resident set size after `reset()`. */
  baseline: number;
  /** Highest resident set size sampled since `reset()`. */
  peak: number;
  /** Highest memory held by Buffers and ArrayBuffers since `reset()` (exact, unlike RSS, which rarely shrinks). */
  peakArrayBuffers: number;
}

/**
 * Peak memory of this process, sampled on a timer between `reset()` and `read()`. `reset()`
 * collects garbage first (when run with `--expose-gc`) so the baseline is what is live.
 *
 * @example
 * ```ts
 * const memory = new MemorySampler();
 * memory.reset();
 * await work();
 * const { baseline, peak } = memory.read();
 * ```
 */
export class MemorySampler {
  #figures: MemoryFigures = { baseline: 0, peak: 0, peakArrayBuffers: 0 };
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(intervalInMillis = 5) {
    this.reset();
    this.#timer = setInterval(() => this.#sample(), intervalInMillis);
    this.#timer.unref();
  }

  reset(): void {
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, arrayBuffers } = process.memoryUsage();
    this.#figures = { baseline: rss, peak: rss, peakArrayBuffers: arrayBuffers };
  }

  read(): MemoryFigures {
    this.#sample();
    return { ...this.#figures };
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sample(): void {
    const { rss, arrayBuffers } = process.memoryUsage();
    const figures = this.#figures;
    if (rss > figures.peak) figures.peak = rss;
    if (arrayBuffers > figures.peakArrayBuffers) figures.peakArrayBuffers = arrayBuffers;
  }
}

/**
 * The child's side of the channel: sends a message to the test (name the child's report type: `report<MyReport>(...)`).
 *
 * @example
 * ```ts
 * report<MyReport>({ type: 'listening', port: listener.address!.port });
 * ```
 */
export function report<Out extends Message>(message: Out): void {
  process.send?.(message);
}

/**
 * The child's side of the channel: calls `handle` for every message from the test, reports a
 * handler that fails as `{ type: 'failed' }`, and tells the test it is `ready`. The child exits
 * when the test does.
 *
 * @example
 * ```ts
 * onCommand<MyCommand>(async (command) => { if (command.type === 'stop') await listener.immediateStop(); });
 * ```
 */
export function onCommand<In extends Message>(handle: (message: In) => void | Promise<void>): void {
  process.on('message', (message: In) => {
    Promise.resolve()
      .then(() => handle(message))
      .catch((error: unknown) => {
        report({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } as Message);
      });
  });
  process.on('disconnect', () => process.exit(0));
  report({ type: 'ready' });
}

/**
 * Megabytes, for printed figures.
 *
 * @example
 * ```ts
 * mib(3 * 1024 * 1024); // '3.0 MiB'
 * ```
 */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
