import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMessage, type Fields, type Message } from './protocol.js';

/** The bench package directory: children run there so that `--import tsx` resolves. */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./workers/worker.ts', import.meta.url));

export interface SpawnOptions {
  /** Hard limit on the child's life; it exits itself then, and is killed shortly after. */
  deadlineMs: number;
  /** Run with --expose-gc (memory measurements). */
  exposeGc?: boolean;
  /** Write a V8 CPU profile of this child into this directory. */
  profileDir?: string | undefined;
  /** Extra V8/Node flags. */
  nodeFlags?: string[];
  /** Pin every thread of the child to this CPU (taskset), so that a ping-pong pair does not share a core. */
  cpu?: number | undefined;
}

interface Waiter {
  type: string;
  resolve: (data: Fields) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const live = new Set<Child>();

/** Kills every child still running (used on SIGINT and on the global deadline). */
export function killAllChildren(): void {
  for (const child of live) child.kill();
}

/**
 * One forked worker process running one role (see workers/roles.ts), with a typed mailbox over IPC.
 * It always ends: it exits by itself at its deadline and is SIGKILLed a little later if it did not.
 */
export class Child {
  readonly name: string;
  readonly #process: ChildProcess;
  readonly #inbox: Message[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #exited: Promise<number | null>;
  readonly #killTimer: ReturnType<typeof setTimeout>;
  #exitCode: number | null | undefined;
  #failure: Error | undefined;

  constructor(role: string, params: Fields, options: SpawnOptions) {
    this.name = role;
    // The bench's own TypeScript runs through tsx; @sock itself is loaded from the built dist/
    // (no @sock/source condition), as users run it: tsx's transform adds a name-keeping wrapper
    // to every function, which would inflate @sock's memory and CPU figures.
    const execArgv = ['--import', 'tsx'];
    if (options.exposeGc === true) execArgv.push('--expose-gc');
    if (options.profileDir !== undefined) {
      mkdirSync(options.profileDir, { recursive: true });
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${role}-${Date.now()}-${process.pid}.cpuprofile`);
    }
    if (options.nodeFlags !== undefined) execArgv.push(...options.nodeFlags);
    const deadlineMs = Math.ceil(options.deadlineMs);
    this.#process = fork(WORKER, [role, JSON.stringify(params), String(deadlineMs)], {
      cwd: BENCH_DIR,
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    live.add(this);
    if (options.cpu !== undefined && this.#process.pid !== undefined) {
      spawnSync('taskset', ['-a', '-c', '-p', String(options.cpu), String(this.#process.pid)], { stdio: 'ignore' });
    }
    this.#killTimer = setTimeout(() => this.kill(), deadlineMs + 5_000);
    this.#process.on('message', (message: unknown) => this.#deliver(message));
    this.#exited = new Promise((resolve) => {
      this.#process.once('exit', (code) => {
        clearTimeout(this.#killTimer);
        live.delete(this);
        this.#exitCode = code;
        this.#fail(new Error(`${role} exited (code ${String(code)}) before sending the expected message`));
        resolve(code);
      });
    });
    this.#process.on('error', (error) => this.#fail(error));
  }

  send(type: string, data: Fields = {}): void {
    if (this.#exitCode !== undefined || !this.#process.connected) return;
    this.#process.send({ type, data } satisfies Message);
  }

  /** The next message of `type` (earlier ones of other types stay queued). */
  expect(type: string, timeoutMs: number): Promise<Fields> {
    const index = this.#inbox.findIndex((message) => message.type === type);
    if (index !== -1) return Promise.resolve(this.#inbox.splice(index, 1)[0]!.data);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        type,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new Error(`${this.name}: no "${type}" message within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Sends a command and waits for its reply (`<type>:reply`). */
  async request(type: string, data: Fields, timeoutMs: number): Promise<Fields> {
    const reply = this.expect(`${type}:reply`, timeoutMs);
    this.send(type, data);
    return reply;
  }

  /** Waits for the process to exit; kills it if it takes longer than `timeoutMs`. */
  async exit(timeoutMs = 10_000): Promise<number | null> {
    if (this.#exitCode !== undefined) return this.#exitCode;
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const code = await this.#exited;
    clearTimeout(timer);
    return code;
  }

  /** Asks the role to stop, takes its final result, and waits for the exit. */
  async stop(timeoutMs = 15_000): Promise<Fields> {
    const result = this.expect('result', timeoutMs);
    this.send('stop');
    try {
      return await result;
    } finally {
      await this.exit(5_000);
    }
  }

  kill(): void {
    if (this.#exitCode === undefined) this.#process.kill('SIGKILL');
  }

  #deliver(raw: unknown): void {
    if (!isMessage(raw)) return;
    if (raw.type === 'error') {
      this.#fail(new Error(`${this.name} failed: ${String(raw.data.message)}`));
      return;
    }
    const index = this.#waiters.findIndex((waiter) => waiter.type === raw.type);
    if (index === -1) {
      this.#inbox.push(raw);
      return;
    }
    const [waiter] = this.#waiters.splice(index, 1);
    clearTimeout(waiter!.timer);
    waiter!.resolve(raw.data);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.#failure);
    }
  }
}

/** Runs `body` with children it spawns, always killing them afterwards. */
export async function withChildren<T>(body: (spawn: (role: string, params: Fields, options: SpawnOptions) => Child) => Promise<T>): Promise<T> {
  const spawned: Child[] = [];
  try {
    return await body((role, params, options) => {
      const child = new Child(role, params, options);
      spawned.push(child);
      return child;
    });
  } finally {
    for (const child of spawned) child.kill();
    await Promise.all(spawned.map((child) => child.exit(5_000)));
  }
}
