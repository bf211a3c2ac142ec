// A real HAProxy (not our code) in front of @sock listeners, for the scale-out tests: started as a
// child process with a config written to a temp dir, stopped after the test whether it passed or not.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOUND_IN_MILLIS } from './fault-checks.js';
import { track } from './helpers.js';

/** Which PROXY protocol version HAProxy sends to a server: `send-proxy` (v1) or `send-proxy-v2`. */
export type SendProxy = 'v1' | 'v2';

/**
 * One `server` line of the backend.
 *
 * @example
 * ```ts
 * const server: BackendServer = { name: 's1', port: listener.port, sendProxy: 'v2', check: true };
 * ```
 */
export interface BackendServer {
  readonly name: string;
  /** On 127.0.0.1. */
  readonly port: number;
  /** Omitted: plain TCP, no PROXY header. */
  readonly sendProxy?: SendProxy;
  /** Health checks (`check`): with `send-proxy*` on the line they send the header too. */
  readonly check?: boolean;
}

/**
 * What the test asks of HAProxy.
 *
 * @example
 * ```ts
 * const options: HaproxyOptions = { servers: [s1, s2], checkIntervalInMillis: 100 };
 * ```
 */
export interface HaproxyOptions {
  readonly servers: readonly BackendServer[];
  /** `inter` of the health checks; default 100 (HAProxy's own default is 2000). */
  readonly checkIntervalInMillis?: number;
}

/**
 * A server's row of HAProxy's `show stat`.
 *
 * @example
 * ```ts
 * expect((await haproxy.servers()).get('s1')?.status).toBe('DOWN');
 * ```
 */
export interface ServerStat {
  /** `UP`, `DOWN`, `no check`, ... */
  readonly status: string;
  /** `L4OK`, `L4CON` (refused), `INI` (no check yet), or empty without checks. */
  readonly checkStatus: string;
  /** Sessions HAProxy sent to it so far (`stot`). */
  readonly sessions: number;
}

/**
 * A running HAProxy.
 *
 * @example
 * ```ts
 * const haproxy = await startHaproxy({ servers: [{ name: 's1', port, sendProxy: 'v2' }] });
 * const client = await connect(haproxy.port);
 * ```
 */
export interface Haproxy {
  /** The frontend's port on 127.0.0.1: clients connect here. */
  readonly port: number;
  /** The configuration it runs with. */
  readonly config: string;
  /** What it printed so far (stdout and stderr). */
  readonly output: string;
  /** The backend's servers as HAProxy sees them now, by name. */
  servers(): Promise<Map<string, ServerStat>>;
  /** Stops it (SIGTERM, then SIGKILL if it lingers) and removes its temp dir; idempotent. */
  stop(): Promise<void>;
}

/**
 * The configuration the tests run HAProxy with: a TCP frontend, one round-robin backend of @sock
 * listeners, each sent a PROXY header (unless `sendProxy` is omitted). `frontend` is a `bind` address (`fd@3`: a socket inherited
 * from the test, see {@link startHaproxy}).
 *
 * @example
 * ```ts
 * haproxyConfig({ frontend: '127.0.0.1:8080', servers: [{ name: 's1', port: 9001, sendProxy: 'v2', check: true }] });
 * ```
 */
export function haproxyConfig(options: HaproxyOptions & { frontend: string; statsSocket?: string }): string {
  const inter = options.checkIntervalInMillis ?? 100;
  const servers = options.servers.map((server) => {
    const proxy = server.sendProxy === undefined ? '' : server.sendProxy === 'v1' ? ' send-proxy' : ' send-proxy-v2';
    // fall 1 / rise 1: one failed check takes a server out, one good one brings it back (tests
    // should not wait for three); HAProxy's defaults are fall 3, rise 2.
    const check = server.check === true ? ` check inter ${inter} fall 1 rise 1` : '';
    return `  server ${server.name} 127.0.0.1:${server.port}${proxy}${check}`;
  });
  return [
    'global',
    ...(options.statsSocket === undefined ? [] : [`  stats socket ${options.statsSocket} mode 600 level admin`]),
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    // A server whose port refuses (a backend that stopped accepting) is not the end: the connect is
    // retried on another server at once, before any check has noticed.
    '  retries 2',
    '  option redispatch 1',
    'frontend socks',
    `  bind ${options.frontend}`,
    '  default_backend sock_listeners',
    'backend sock_listeners',
    '  balance roundrobin',
    ...servers,
    '',
  ].join('\n');
}

// The frontend socket is bound here, on port 0, and inherited by HAProxy as fd 3 (`bind fd@3`):
// no window in which another process could take the port between picking it and binding it.
async function bindFrontend(): Promise<{ server: Server; port: number; fd: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
  });
  const address = server.address();
  // node:net has no public accessor for a listening socket's descriptor; `_handle.fd` is it on Unix.
  const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (address === null || typeof address === 'string' || typeof fd !== 'number' || fd < 0) {
    server.close();
    throw new Error('could not get the descriptor of the frontend socket to hand to HAProxy');
  }
  return { server, port: address.port, fd };
}

/** One command on HAProxy's stats socket; resolves with its answer (the socket closes after it). */
function ask(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(socketPath);
    let answer = '';
    const timer = setTimeout(() => socket.destroy(new Error(`HAProxy did not answer '${command}' within ${BOUND_IN_MILLIS} ms`)), BOUND_IN_MILLIS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.end(`${command}\n`);
  });
}

function parseStat(csv: string): Map<string, ServerStat> {
  const [header = '', ...rows] = csv.split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const at = (name: string): number => columns.indexOf(name);
  const servers = new Map<string, ServerStat>();
  for (const row of rows) {
    const cells = row.split(',');
    const name = cells[at('svname')];
    if (cells[at('pxname')] !== 'sock_listeners' || name === undefined || name === 'BACKEND') continue;
    servers.set(name, {
      status: cells[at('status')] ?? '',
      checkStatus: cells[at('check_status')] ?? '',
      sessions: Number(cells[at('stot')] ?? 0),
    });
  }
  return servers;
}

/**
 * Starts HAProxy 127.0.0.1-only with {@link haproxyConfig}, resolves once its stats socket answers
 * (so it runs, with the frontend open), and stops it after the current test. Rejects with what
 * HAProxy printed if it exits or does not come up within the bound.
 *
 * @example
 * ```ts
 * const haproxy = await startHaproxy({ servers: [{ name: 's1', port: s1.port, sendProxy: 'v1' }] });
 * ```
 */
export async function startHaproxy(options: HaproxyOptions): Promise<Haproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'sock-haproxy-'));
  const statsSocket = join(dir, 'admin.sock');
  const config = haproxyConfig({ ...options, frontend: 'fd@3', statsSocket });
  const configFile = join(dir, 'haproxy.cfg');
  await writeFile(configFile, config);

  const frontend = await bindFrontend().catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  let child: ChildProcess;
  try {
    // -db: stay in the foreground, so the child is HAProxy itself and a signal reaches it.
    child = spawn('haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe', frontend.fd] });
  } finally {
    // HAProxy has its own copy of the descriptor; ours must go before Node accepts on it.
    frontend.server.close();
  }
  let output = '';
  const keep = (chunk: string): void => {
    output = (output + chunk).slice(-8000);
  };
  child.stdout?.setEncoding('latin1').on('data', keep);
  child.stderr?.setEncoding('latin1').on('data', keep);
  let exitedAs: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      exitedAs ??= `code ${code}, signal ${signal}`;
      resolve();
    });
    // Not installed, or not runnable: there is no process to wait for.
    child.once('error', (error) => {
      keep(`\n[spawn failed: ${error.message}]`);
      exitedAs ??= `spawn failed: ${error.message}`;
      resolve();
    });
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (exitedAs === undefined && child.pid !== undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })());
  track({ close: stop });

  const deadline = Date.now() + BOUND_IN_MILLIS;
  for (;;) {
    if (exitedAs !== undefined) throw new Error(`HAProxy exited (${exitedAs}) before it was ready:\n${output}\n--- config\n${config}`);
    const answer = await ask(statsSocket, 'show stat').catch(() => undefined);
    if (answer !== undefined && parseStat(answer).size === options.servers.length) break;
    if (Date.now() > deadline) throw new Error(`HAProxy was not ready within ${BOUND_IN_MILLIS} ms:\n${output}\n--- config\n${config}`);
    // The stats socket has no event to wait for: HAProxy creates it once its config is loaded.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  return {
    port: frontend.port,
    config,
    get output() {
      return output;
    },
    servers: async () => parseStat(await ask(statsSocket, 'show stat')),
    stop,
  };
}
