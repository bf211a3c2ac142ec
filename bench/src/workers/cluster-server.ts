/**
 * cluster-echo's server: this child is a node:cluster primary that only forks. Each of its
 * `workers` workers runs one of the peer servers (`server`: a role such as `http-sock-push` or
 * `http-raw`, the same code peer-http-wrk measures), listening on 127.0.0.1 port 0: under
 * cluster every worker's first listen(0) on the same address shares the primary's handle, and on
 * Linux the primary hands accepted connections to the workers round-robin. Protocol towards the
 * bench: `ready {port}` once every worker listens (on the same port, checked), then `stop` stops
 * the workers and the result sums their counters (`answered`, `errors`, `firstError`, `faults`),
 * with each worker's share and the CPU seconds the workers used meanwhile.
 */
import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMessage, num, str, type Fields } from '../protocol.js';
import type { Context } from './context.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** How long a worker may take to start (tsx, imports, listen) or to stop. */
const WORKER_TIMEOUT_MS = 20_000;

/** user + system CPU seconds a process has used so far (Linux /proc), NaN where unreadable. */
function cpuSeconds(pid: number | undefined): number {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name.
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The next message of `type` from a worker; rejects if it exits or takes too long. */
function fromWorker(worker: Worker, type: string, timeoutMs: number): Promise<Fields> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`cluster worker ${String(worker.process.pid)}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: unknown): void => {
      if (!isMessage(message)) return;
      if (message.type === 'error') finish(new Error(`cluster worker failed: ${String(message.data.message)}`));
      else if (message.type === type) finish(undefined, message.data);
    };
    const onExit = (code: number | null): void => finish(new Error(`cluster worker exited (code ${String(code)}) before "${type}"`));
    const finish = (error: Error | undefined, data?: Fields): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      if (error === undefined) resolve(data!);
      else reject(error);
    };
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
}

/** Node flags for worker `index`: the primary's, with a CPU profile name of its own under --profile. */
function workerExecArgv(server: string, index: number): string[] {
  return process.execArgv.map((flag) => (flag.startsWith('--cpu-prof-name=') ? `--cpu-prof-name=${server}-worker${index}-${Date.now()}-${process.pid}.cpuprofile` : flag));
}

/**
 * The primary: forks the workers, serves until `stop`, then collects every worker's counters.
 *
 * Params: `server` (role), `workers` (count), `deadlineMs` (the workers' own deadline).
 *
 * @example
 * ```ts
 * spawn('cluster-server', { server: 'http-sock-push', workers: 2, deadlineMs: 60_000 }, options);
 * ```
 */
export async function clusterServer(context: Context): Promise<Fields> {
  const { params } = context;
  const server = str(params, 'server');
  const count = num(params, 'workers');
  // Round-robin is Linux's default; set it so that the scenario does not depend on NODE_CLUSTER_SCHED_POLICY.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const workers: Worker[] = [];
  let stopped = false;
  try {
    for (let index = 0; index < count; index++) {
      cluster.setupPrimary({ exec: WORKER, args: [server, '{}', String(num(params, 'deadlineMs'))], execArgv: workerExecArgv(server, index) });
      workers.push(cluster.fork());
    }
    const ports = (await Promise.all(workers.map((worker) => fromWorker(worker, 'ready', WORKER_TIMEOUT_MS)))).map((ready) => num(ready, 'port'));
    const port = ports[0]!;
    if (ports.some((other) => other !== port)) throw new Error(`cluster workers listen on different ports (${ports.join(', ')}): the handle is not shared`);
    const cpuBefore = workers.map((worker) => cpuSeconds(worker.process.pid));
    context.send('ready', { port });
    await context.next('stop');
    const cpuAfter = workers.map((worker) => cpuSeconds(worker.process.pid));
    const results = await Promise.all(
      workers.map((worker) => {
        const result = fromWorker(worker, 'result', WORKER_TIMEOUT_MS);
        worker.send({ type: 'stop', data: {} });
        return result;
      }),
    );
    const fields: Fields = { answered: 0, errors: 0, faults: 0, firstError: '', workerCpuSeconds: 0 };
    results.forEach((result, index) => {
      fields.answered = num(fields, 'answered') + num(result, 'answered');
      fields.errors = num(fields, 'errors') + num(result, 'errors');
      fields.faults = num(fields, 'faults') + num(result, 'faults');
      if (fields.firstError === '' && typeof result.firstError === 'string') fields.firstError = result.firstError;
      fields[`answered${index}`] = num(result, 'answered');
      fields.workerCpuSeconds = num(fields, 'workerCpuSeconds') + (cpuAfter[index]! - cpuBefore[index]!);
    });
    stopped = true;
    return fields;
  } finally {
    // Stopped workers exit by themselves once their result is out; after a failure nobody waits for them.
    if (!stopped) for (const worker of workers) worker.process.kill('SIGKILL');
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.process.exitCode !== null || worker.process.signalCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), 5_000);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }
}
