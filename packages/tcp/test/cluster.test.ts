// Multi-core: examples/src/cluster.ts (one Listener per node:cluster worker) run as it ships, and
// `reusePort` on its own.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { framed, lines } from '@sock/core';
import { Client, Listener, isSocketError, reusePortSupported } from '../src/index.js';
import type { ClusterReport } from '../../../examples/src/cluster.js';
import { BOUND_IN_MILLIS, rejection, within } from './fault-checks.js';
import { connect, counter, echoService, listen, track } from './helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/src/cluster.ts', import.meta.url));
const TS_LOADER = fileURLToPath(new URL('../../../tooling/ts-loader/register.mjs', import.meta.url));
// Starting three processes that load TypeScript sources: generous, only a hang reaches it.
const START_IN_MILLIS = 30_000;

interface RunningCluster {
  readonly primary: ChildProcess;
  /** The next report of `type` from the primary; rejects if it exits first or the bound passes. */
  next<T extends ClusterReport['type']>(type: T, timeoutInMillis?: number): Promise<Extract<ClusterReport, { type: T }>>;
  /** Resolves with how the primary exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: () => string;
}

/** Forks the example's primary with `args`, as `tsx --conditions=@sock/source` would run it; killed after the test. */
function startCluster(args: readonly string[]): RunningCluster {
  // The workers are forked with the primary's execArgv, so they load the sources the same way.
  const primary = fork(EXAMPLE, [...args], { execArgv: ['--conditions=@sock/source', '--import', TS_LOADER], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  primary.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-8000)));
  primary.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-8000)));
  const inbox: ClusterReport[] = [];
  const wakers = new Set<() => void>();
  primary.on('message', (message: ClusterReport) => {
    inbox.push(message);
    for (const wake of [...wakers]) wake();
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    primary.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      for (const wake of [...wakers]) wake();
    });
  });
  // The primary kills its workers when it goes; SIGKILL leaves them to notice the lost channel, which they do.
  track({
    close: async () => {
      if (exit === undefined) primary.kill('SIGKILL');
      await exited;
    },
  });
  return {
    primary,
    exited,
    output: () => output,
    next: (type, timeoutInMillis = BOUND_IN_MILLIS) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const index = inbox.findIndex((message) => message.type === type);
          if (index >= 0) {
            resolve(inbox.splice(index, 1)[0] as never);
            return true;
          }
          if (exit !== undefined) {
            reject(new Error(`the cluster exited (code ${exit.code}, signal ${exit.signal}) before '${type}':\n${output}`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          wakers.delete(wake);
          reject(new Error(`no '${type}' from the cluster within ${timeoutInMillis} ms:\n${output}`));
        }, timeoutInMillis);
        const wake = (): void => {
          if (!check()) return;
          clearTimeout(timer);
          wakers.delete(wake);
        };
        wakers.add(wake);
      }),
  };
}

/** A line client of the cluster: `ask(line)` resolves with the worker id that answered, after checking the echo. */
async function lineClient(port: number) {
  const client = await connect(port, { readTimeoutInMillis: BOUND_IN_MILLIS });
  const frames = framed(client, lines({ maxFrameBytes: 1024 }));
  return {
    client,
    async ask(line: string): Promise<number> {
      await frames.writeFrame(line);
      const answer = (await frames.readFrame())?.toString();
      const match = /^worker (\d+): (.*)$/.exec(answer ?? '');
      expect(match?.[2], `the answer to '${line}'`).toBe(line);
      return Number(match![1]);
    },
  };
}

describe.each([
  { mode: 'one shared socket (node:cluster round robin)', reusePort: false },
  { mode: 'reusePort: each worker binds the port', reusePort: true },
])('examples/src/cluster.ts, $mode', ({ reusePort }) => {
  it.skipIf(reusePort && !reusePortSupported())(
    '2 workers both serve; SIGTERM mid-traffic: in-flight round trips complete, new connects are refused, every process exits 0',
    async () => {
      const cluster = startCluster(['--workers', '2', '--port', '0', '--host', '127.0.0.1', '--grace', '5000', ...(reusePort ? ['--reuse-port'] : [])]);
      const { port, workers } = await cluster.next('listening', START_IN_MILLIS);
      expect(workers).toBe(2);

      // Connect until both workers have answered (a shared socket alternates; the kernel's reuseport
      // hash spreads by source port), bounded.
      const clients: Array<Awaited<ReturnType<typeof lineClient>> & { worker: number }> = [];
      for (let i = 0; i < 64 && (clients.length < 6 || new Set(clients.map((c) => c.worker)).size < 2); i++) {
        const client = await lineClient(port);
        clients.push({ ...client, worker: await client.ask(`hello ${i}`) });
      }
      expect(new Set(clients.map((c) => c.worker)).size).toBe(2);

      // Every client keeps asking; SIGTERM lands in the middle of that; after the workers report they
      // stopped accepting, each client asks 5 more times on its open connection, then leaves.
      let drained = false;
      const midTraffic = counter(clients.length);
      const traffic = clients.map(async (c, index) => {
        let afterDrain = 0;
        for (let round = 0; round < 100_000 && afterDrain < 5; round++) {
          if (round === 3) midTraffic.tick();
          if (drained) afterDrain += 1;
          // Same connection, same worker, to the end.
          expect(await c.ask(`client ${index} round ${round}`)).toBe(c.worker);
        }
        await c.client.close();
      });
      await within(midTraffic.done, BOUND_IN_MILLIS, 'every client mid-traffic');
      cluster.primary.kill('SIGTERM');
      await cluster.next('draining');
      drained = true;

      const refused = await rejection(Client.connect({ host: '127.0.0.1', port }), 'a connect after the workers stopped accepting');
      expect(refused.code).toBe('CONNECTION_REFUSED');

      await within(Promise.all(traffic), BOUND_IN_MILLIS, 'the in-flight round trips');
      expect(await within(cluster.exited, BOUND_IN_MILLIS, 'the primary to exit')).toEqual({ code: 0, signal: null });
      // Each worker logged its own clean exit.
      expect(cluster.output().match(/worker \d+ exited \(code 0\)/g)).toHaveLength(2);
    },
  );
});

describe('reusePort', () => {
  it.skipIf(reusePortSupported())(`is refused with INVALID_ARGUMENT on this runtime (Node.js ${process.versions.node})`, () => {
    let thrown: unknown;
    try {
      new Listener(0, { interface: '127.0.0.1', reusePort: true });
    } catch (error) {
      thrown = error;
    }
    expect(isSocketError(thrown, 'INVALID_ARGUMENT')).toBe(true);
  });

  it.skipIf(!reusePortSupported())('two listeners on one port both start and both receive connections', async () => {
    const first = await listen(echoService, { reusePort: true });
    const second = track(new Listener(first.port, { interface: '127.0.0.1', reusePort: true }));
    second.attach(echoService);
    await second.start();
    expect(second.address?.port).toBe(first.port);

    // The kernel picks a listener by a hash of the connection's addresses: connect until both got one.
    for (let i = 0; i < 200 && (first.connections === 0 || second.connections === 0); i++) {
      const client = await connect(first.port);
      await client.write('x');
      expect((await client.read(1)).toString()).toBe('x');
    }
    expect(first.connections).toBeGreaterThan(0);
    expect(second.connections).toBeGreaterThan(0);
  });

  it('without it, a second listener on a taken port is ADDRESS_IN_USE', async () => {
    const first = await listen(echoService);
    const second = new Listener(first.port, { interface: '127.0.0.1' });
    second.attach(echoService);
    expect((await rejection(second.start(), 'the second start')).code).toBe('ADDRESS_IN_USE');
  });
});
