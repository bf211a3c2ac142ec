/**
 * Multi-core: one @sock Listener per worker process under `node:cluster`, and a graceful shutdown.
 *
 * ```sh
 * pnpm --filter @sock/examples cluster --port 7000 --workers 4
 * printf 'hello\n' | nc -q1 127.0.0.1 7000      # worker 2: hello
 * kill -TERM <the primary's pid>                # open connections finish, then every process exits 0
 * ```
 *
 * Options: `--host` (default 127.0.0.1), `--port` (default 7000; 0 picks one), `--workers` (default
 * `os.availableParallelism()`), `--grace` (milliseconds open connections get at shutdown, default
 * 10000), `--reuse-port`.
 *
 * Two ways for N processes to serve one port:
 * - default (any Node.js): the cluster primary holds the listening socket and hands each accepted
 *   connection to a worker in turn (round robin); every worker's `new Listener(port)` shares it.
 * - `--reuse-port` (Node.js 22.12+ on Linux, see `reusePortSupported()`): each worker binds its own
 *   socket with `reusePort: true` (SO_REUSEPORT) and the kernel spreads connections; the primary
 *   takes no part in accepting. The first worker binds (port 0: an ephemeral one), the others
 *   join its port.
 *
 * Shutdown: SIGTERM (or SIGINT) to the primary makes it tell every worker to
 * `gracefulStop({ timeoutInMillis: grace })`: each stops accepting at once (new connects are
 * refused once all have), lets its open connections finish, closes what is left at the deadline
 * and exits 0. The primary waits for every worker, then exits 0 (1 if a worker did not exit
 * cleanly; a worker still running after the grace period and 2 s more is killed). A signal sent to
 * the whole process group (Ctrl-C) reaches the workers too; they stop the same way.
 *
 * The service answers every line with the worker that served it: `worker <id>: <line>`.
 *
 * A supervisor that forks the primary with an IPC channel (a test, a process manager) gets
 * {@link ClusterReport} messages: `listening` once every worker listens, `draining` once every
 * worker stopped accepting.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { lines, type Service } from '@sock/core';
import { Listener, reusePortSupported } from '@sock/tcp';

/** Worker to primary. */
type ToPrimary = { type: 'listening'; port: number } | { type: 'draining' };
/** Primary to worker. */
type ToWorker = { type: 'stop' };

/**
 * What the primary reports to a supervisor that forked it with an IPC channel.
 *
 * @example
 * ```ts
 * child.on('message', (message: ClusterReport) => { if (message.type === 'listening') connectTo(message.port); });
 * ```
 */
export type ClusterReport =
  | { type: 'listening'; port: number; workers: number; reusePort: boolean }
  | { type: 'draining' };

interface Options {
  host: string;
  port: number;
  workers: number;
  graceInMillis: number;
  reusePort: boolean;
}

// Workers are forked with the primary's argv, so both read the same options.
function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '7000' },
      workers: { type: 'string', default: String(availableParallelism()) },
      grace: { type: 'string', default: '10000' },
      'reuse-port': { type: 'boolean', default: false },
    },
  });
  const number = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`);
    return value;
  };
  return {
    host: values.host,
    port: number('port', values.port, 0),
    workers: number('workers', values.workers, 1),
    graceInMillis: number('grace', values.grace, 0),
    reusePort: values['reuse-port'],
  };
}

const workersText = (count: number): string => `${count} worker${count === 1 ? '' : 's'}`;
const log = (line: string): void => console.log(`[${cluster.isPrimary ? 'primary' : `worker ${cluster.worker?.id}`} ${process.pid}] ${line}`);

function primary(options: Options): void {
  if (options.reusePort && !reusePortSupported()) {
    log(`--reuse-port needs Node.js 22.12+ on Linux; this is ${process.version} on ${process.platform}`);
    process.exit(2);
  }
  let port: number | undefined;
  let stopping = false;
  let failed = false;
  const listening = new Set<number>();
  const draining = new Set<number>();
  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);

  // With reusePort on port 0 the first worker picks the port and the others join it; otherwise all
  // start at once (a shared socket on port 0 is one port for every worker).
  const joinFirst = options.reusePort && options.port === 0;
  const fork = (): void => {
    const worker = cluster.fork(port === undefined ? {} : { SOCK_CLUSTER_PORT: String(port) });
    worker.on('message', (message: ToPrimary) => {
      if (message.type === 'listening') {
        // A stop that came while it was starting (it could not take the message yet).
        if (stopping) return void worker.send({ type: 'stop' } satisfies ToWorker);
        const first = port === undefined;
        port = message.port;
        listening.add(worker.id);
        if (first && joinFirst) for (let i = 1; i < options.workers; i++) fork();
        if (listening.size === options.workers) {
          log(`${workersText(options.workers)} listening on ${options.host}:${port} (${options.reusePort ? 'each with reusePort' : 'one shared socket'})`);
          process.send?.({ type: 'listening', port, workers: options.workers, reusePort: options.reusePort } satisfies ClusterReport);
        }
      } else if (message.type === 'draining') {
        draining.add(worker.id);
        if (live().every((other) => draining.has(other.id))) process.send?.({ type: 'draining' } satisfies ClusterReport);
      }
    });
  };

  const exitWhenAllGone = (): void => {
    if (live().length > 0) return;
    log(failed ? 'stopped, with failures' : 'stopped');
    process.exit(failed ? 1 : 0);
  };

  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping ${workersText(live().length)}, ${options.graceInMillis} ms for open connections`);
    // Workers still starting get theirs once they report listening.
    for (const worker of live()) if (listening.has(worker.id)) worker.send({ type: 'stop' } satisfies ToWorker);
    // A worker that ignores the stop does not keep the primary up forever.
    setTimeout(() => {
      for (const worker of live()) {
        log(`worker ${worker.id} still running after the grace period: killing it`);
        worker.process.kill('SIGKILL');
      }
    }, options.graceInMillis + 2_000).unref();
    exitWhenAllGone();
  };

  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker.id);
    const how = `code ${code}${signal === null ? '' : `, signal ${signal}`}`;
    if (stopping) {
      if (code !== 0) failed = true;
      log(`worker ${worker.id} exited (${how})`);
    } else if (!wasListening) {
      // It never listened (the port is taken, a bad option): replacing it would fail the same way.
      log(`worker ${worker.id} failed to start (${how})`);
      failed = true;
      shutdown('a worker failed to start');
    } else {
      // A crash while serving: replace it, so the cluster keeps its size.
      log(`worker ${worker.id} died (${how}); forking a replacement`);
      fork();
    }
    if (stopping) exitWhenAllGone();
  });

  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  for (let i = 0; i < (joinFirst ? 1 : options.workers); i++) fork();
}

/** Answers each line with the worker's id, so a client (or a test) sees who served it. */
function whoServes(workerId: number): Service {
  return {
    async onFrame(caller, line) {
      await caller.write(`worker ${workerId}: ${line.toString()}\n`);
    },
    onError(caller, error) {
      if (error.code !== 'CONNECTION_RESET') log(`${caller.remoteAddress}:${caller.remotePort}: ${error.code} ${error.message}`);
    },
  };
}

async function worker(options: Options): Promise<void> {
  const id = cluster.worker!.id;
  const send = (message: ToPrimary): void => void process.send?.(message);
  const port = Number(process.env['SOCK_CLUSTER_PORT'] ?? options.port);
  const listener = new Listener(port, {
    interface: options.host,
    framing: lines({ maxFrameBytes: 16 * 1024 }),
    // Node.js 22.12+: this worker binds its own socket; the kernel balances between the workers.
    reusePort: options.reusePort,
  });
  listener.attach(whoServes(id));

  let stopping: Promise<void> | undefined;
  const stop = (): void => {
    stopping ??= (async () => {
      const stopped = listener.gracefulStop({ timeoutInMillis: options.graceInMillis });
      // gracefulStop closes the listening socket before the event loop turns: from here on this
      // worker accepts nothing (with a shared socket, the primary stops handing it connections).
      await new Promise((resolve) => setImmediate(resolve));
      send({ type: 'draining' });
      await stopped;
      log(`stopped: its connections are closed`);
      // With the listener gone nothing should keep the process up; if something does, it is not
      // ours to wait for.
      setTimeout(() => process.exit(0), 1_000).unref();
      cluster.worker!.disconnect();
    })();
  };
  process.on('message', (message: ToWorker) => {
    if (message.type === 'stop') stop();
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await listener.start();
  if (stopping === undefined) send({ type: 'listening', port: listener.address!.port });
}

const options = readOptions();
if (cluster.isPrimary) primary(options);
else await worker(options);
