import { spawn } from 'node:child_process';
import { track } from './helpers.js';

/** How long a test waits for an outside peer to print what it expects, by default. */
export const PEER_WAIT_IN_MILLIS = 8_000;

/** Where {@link PeerProcess.waitFor} looks, and for how long. */
export interface WaitOptions {
  on?: 'stdout' | 'stderr';
  timeoutInMillis?: number;
}

/**
 * A program that is not our code (openssl, python3), run as a child process and driven over its
 * stdin/stdout. It is killed after the current test, whether the test passed or not.
 */
export interface PeerProcess {
  /** For failure messages: the command line. */
  readonly name: string;
  /** Everything printed on stdout so far (latin1: one character per byte). */
  readonly stdout: string;
  /** Everything printed on stderr so far. */
  readonly stderr: string;
  /** Exit code (or the signal's name) once it has exited. */
  readonly exited: Promise<number | string>;
  /**
   * Resolves with the first match of `pattern` in stdout (or stderr: `options.on`), printed
   * already or later; rejects, with what the peer printed, after `options.timeoutInMillis` or when
   * it exits without printing it.
   */
  waitFor(pattern: RegExp, options?: WaitOptions): Promise<RegExpExecArray>;
  /** Writes to its stdin. */
  send(text: string): void;
  /** Closes its stdin. */
  end(): void;
  /** Kills it (SIGKILL) and resolves once it has exited; idempotent. */
  kill(): Promise<void>;
}

/**
 * Starts `command` with `args`; it is killed after the current test.
 *
 * @example
 * ```ts
 * const peer = startPeer('openssl', ['s_server', '-accept', '127.0.0.1:0', ...]);
 * const port = Number((await peer.waitFor(/^ACCEPT .*:(\d+)$/m))[1]);
 * ```
 */
export function startPeer(command: string, args: readonly string[]): PeerProcess {
  const child = spawn(command, args, { stdio: 'pipe' });
  const name = [command, ...args].join(' ');
  let stdout = '';
  let stderr = '';
  let exit: number | string | undefined;
  const waiters = new Set<() => void>();
  const exited = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
      resolve(exit);
      for (const wake of waiters) wake();
    });
  });
  // A peer that dies before we write (a failed handshake) must not turn into an EPIPE crash.
  child.stdin.on('error', () => undefined);
  child.on('error', (error) => {
    stderr += `\n[spawn failed: ${error.message}]`;
  });
  child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
    stdout += chunk;
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('latin1').on('data', (chunk: string) => {
    stderr += chunk;
    for (const wake of waiters) wake();
  });

  const kill = async (): Promise<void> => {
    if (exit === undefined && child.pid !== undefined) child.kill('SIGKILL');
    if (child.pid !== undefined) await exited;
  };
  track({ close: kill });

  return {
    name,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitFor(pattern, { on = 'stdout', timeoutInMillis = PEER_WAIT_IN_MILLIS } = {}) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(on === 'stdout' ? stdout : stderr);
          if (match !== null) finish(() => resolve(match));
          else if (exit !== undefined) finish(() => reject(new Error(`${name} exited (${exit}) without printing ${pattern} on ${on}\n${report()}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${pattern} on ${on} within ${timeoutInMillis} ms\n${report()}`))), timeoutInMillis);
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    send(text) {
      child.stdin.write(text);
    },
    end() {
      child.stdin.end();
    },
    kill,
  };

  function report(): string {
    return `--- stdout\n${stdout.slice(-2000)}\n--- stderr\n${stderr.slice(-2000)}`;
  }
}
