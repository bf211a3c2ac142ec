// Child processes that tests talk to line by line: the scripted raw peer, programs run inside a
// test host's namespace. Killed, never awaited unbounded.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Path of `scripted-peer.py`, a raw TCP peer that is not our code (see its docstring for the commands).
 *
 * @example
 * ```ts
 * const peer = host.spawn('python3', [scriptedPeer]);
 * ```
 */
export const scriptedPeer = fileURLToPath(new URL('./scripted-peer.py', import.meta.url));

const LINE_TIMEOUT_IN_MILLIS = 10_000;
const EXIT_TIMEOUT_IN_MILLIS = 5_000;

/**
 * A child process that a test drives line by line over stdin and stdout.
 *
 * @example
 * ```ts
 * expect(await peer.request('send hi')).toBe('sent 2');
 * ```
 */
export interface TestProcess {
  /** Writes one line to its stdin. */
  send(line: string): void;
  /** The next line it prints; rejects when it exits first or after `timeoutInMillis`. */
  nextLine(timeoutInMillis?: number): Promise<string>;
  /** `send(line)`, then the reply line. */
  request(line: string, timeoutInMillis?: number): Promise<string>;
  /** Its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Kills it (SIGKILL) and waits, bounded, for it to exit. */
  kill(): Promise<void>;
}


/**
 * A {@link TestProcess} over a spawned child with piped stdio. Every wait is bounded.
 *
 * @example
 * ```ts
 * const peer = new LineProcess(spawn('python3', [scriptedPeer]), 'the scripted peer');
 * const [, port] = (await peer.request('listen 127.0.0.1 0')).split(' ');
 * ```
 */
export class LineProcess implements TestProcess {
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #what: string;
  readonly #lines: string[] = [];
  readonly #waiters: Array<(line: string | undefined) => void> = [];
  #stderr = '';
  #done = false;

  constructor(child: ChildProcessWithoutNullStreams, what: string) {
    this.#child = child;
    this.#what = what;
    child.stdin.on('error', () => {}); // a write to a process that died is reported by nextLine
    child.stderr.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#lines.push(line);
      else waiter(line);
    });
    this.exited = new Promise((resolve) => {
      child.once('error', () => resolve(null));
      child.once('close', (code) => resolve(code));
    });
    void this.exited.then(() => {
      this.#done = true;
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    });
  }

  send(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  nextLine(timeoutInMillis = LINE_TIMEOUT_IN_MILLIS): Promise<string> {
    const ready = this.#lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#done) return Promise.reject(new Error(`${this.#what} exited before printing a line: ${this.#stderr}`));
    return new Promise((resolve, reject) => {
      const waiter = (line: string | undefined): void => {
        clearTimeout(timer);
        if (line === undefined) reject(new Error(`${this.#what} exited before printing a line: ${this.#stderr}`));
        else resolve(line);
      };
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new Error(`${this.#what} printed nothing within ${timeoutInMillis} ms; stderr: ${this.#stderr}`));
      }, timeoutInMillis);
      this.#waiters.push(waiter);
    });
  }

  request(line: string, timeoutInMillis?: number): Promise<string> {
    this.send(line);
    return this.nextLine(timeoutInMillis);
  }

  async kill(): Promise<void> {
    if (!this.#done) this.#child.kill('SIGKILL');
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, EXIT_TIMEOUT_IN_MILLIS)))]);
    clearTimeout(timer);
  }
}

/**
 * The scripted raw peer on this host (loopback), killed by `close()`, so `track()` can own it.
 *
 * @example
 * ```ts
 * const peer = track(spawnScriptedPeer());
 * await peer.request('listen 127.0.0.1 0 0');
 * ```
 */
export function spawnScriptedPeer(): TestProcess & { close(): Promise<void> } {
  const peer = new LineProcess(spawn('python3', [scriptedPeer], { stdio: 'pipe' }), 'scripted-peer.py');
  return Object.assign(peer, { close: () => peer.kill() });
}
