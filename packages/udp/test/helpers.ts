import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import { isSocketError, type SocketError, type SocketErrorCode } from '../src/index.js';

type Closable = { close(): Promise<void> } | { immediateStop(): Promise<void> } | ChildProcessWithoutNullStreams;

const open: Closable[] = [];

/** Registers sockets, listeners and child processes that the current test's afterEach closes. */
export function track<T extends Closable>(value: T): T {
  open.push(value);
  return value;
}

afterEach(async () => {
  const all = open.splice(0);
  await Promise.all(
    all.map(async (item) => {
      if ('kill' in item) {
        if (item.exitCode === null && item.signalCode === null) {
          const exited = new Promise((resolve) => item.once('exit', resolve));
          item.kill('SIGKILL');
          await exited;
        }
      } else if ('immediateStop' in item) await item.immediateStop();
      else await item.close();
    }),
  );
});

/** Asserts that `promise` rejects with a SocketError of `code`, and returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: SocketErrorCode): Promise<SocketError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a rejection with ${code}, but it resolved`);
    },
    (reason: unknown) => reason,
  );
  if (!isSocketError(error, code)) expect.fail(`expected ${code}, got ${String(error)}`);
  return error;
}

/** Asserts that `run` throws a SocketError of `code` synchronously. */
export function throwsWith(run: () => unknown, code: SocketErrorCode): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  if (!isSocketError(thrown, code)) expect.fail(`expected a throw with ${code}, got ${String(thrown)}`);
}

const PEER = fileURLToPath(new URL('./peer.py', import.meta.url));

/** A running Python peer (test/peer.py) and the lines it prints after its port. */
export interface PythonPeer {
  readonly port: number;
  readonly child: ChildProcessWithoutNullStreams;
  nextLine(): Promise<string>;
}

/** Spawns test/peer.py with `args`, waits for the port it prints, and tracks it for afterEach. */
export async function startPythonPeer(args: string[]): Promise<PythonPeer> {
  const child = track(spawn('python3', [PEER, ...args], { stdio: 'pipe' }));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const next = waiting.shift();
    if (next === undefined) lines.push(line);
    else next(line);
  });
  const nextLine = (): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const line = lines.shift();
      if (line !== undefined) {
        resolve(line);
        return;
      }
      const timer = setTimeout(() => reject(new Error(`python peer printed nothing within 10 s; stderr: ${stderr}`)), 10_000);
      waiting.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  const port = Number(await nextLine());
  expect(port).toBeGreaterThan(0);
  return { port, child, nextLine };
}
