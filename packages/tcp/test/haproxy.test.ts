// @sock listeners with `proxyProtocol` behind a real HAProxy (Debian's 2.6): the balancer is not our
// code, so what it sends (v1 and v2 headers, health checks) is what production will send.
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { spawnSync } from 'node:child_process';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeProxyHeaderV1, encodeProxyHeaderV2, ProxyHeaderParser, type ProxyHeader } from '@sock/core';
import { Client, SOCK_CHANNELS, type Caller, type ListenerConfig, type SocketError } from '../src/index.js';
import { BOUND_IN_MILLIS, eventually, openTcpHandles, within } from './fault-checks.js';
import { deferred, listen, track } from './helpers.js';
import { startHaproxy, type SendProxy } from './haproxy.js';

// `caller.proxyHeader`: the parsed header the connection began with.
type ProxiedCaller = Caller & { readonly proxyHeader?: ProxyHeader };

/** What one backend's service saw of one connection. */
interface Seen {
  readonly backend: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly proxyAddress: { host: string; port: number } | undefined;
  readonly header: ProxyHeader | undefined;
  /** Bytes the service read on it (updated as they come). */
  bytes: number;
  closed: boolean;
}

/** An echo listener on 127.0.0.1 that records every connection it serves. */
async function backend(name: string, config: ListenerConfig) {
  const seen: Seen[] = [];
  const byCaller = new WeakMap<Caller, Seen>();
  const listener = await listen(
    {
      onConnect(caller: ProxiedCaller) {
        const entry: Seen = {
          backend: name,
          remoteAddress: caller.remoteAddress,
          remotePort: caller.remotePort,
          localPort: caller.localPort,
          proxyAddress: caller.proxyAddress,
          header: caller.proxyHeader,
          bytes: 0,
          closed: false,
        };
        seen.push(entry);
        byCaller.set(caller, entry);
      },
      async onReadReady(caller) {
        const data = await caller.read();
        const entry = byCaller.get(caller);
        if (entry !== undefined) entry.bytes += data.length;
        if (data.length > 0) await caller.write(data);
      },
      // Health checks reset: the echo's write then fails, which is theirs, not the service's fault.
      onError() {},
      onClose(caller) {
        const entry = byCaller.get(caller);
        if (entry !== undefined) entry.closed = true;
      },
    },
    { readTimeoutInMillis: BOUND_IN_MILLIS, ...config },
  );
  return {
    name,
    listener,
    port: listener.port,
    seen,
    /** The connection whose real client (from the header) has this port. */
    client: (port: number): Seen | undefined => seen.find((entry) => entry.remotePort === port && entry.proxyAddress !== undefined),
  };
}

/** Connections refused before they became a caller (`sock:error` with no caller), from now on. */
function refusals(): Array<{ code: string; remote: string | undefined }> {
  const seen: Array<{ code: string; remote: string | undefined }> = [];
  const onMessage = (message: unknown): void => {
    const { caller, error, remote } = message as { caller?: object; error: SocketError; remote?: string };
    if (caller === undefined) seen.push({ code: error.code, remote });
  };
  diagnostics.subscribe(SOCK_CHANNELS.error, onMessage);
  track({ close: async () => void diagnostics.unsubscribe(SOCK_CHANNELS.error, onMessage) });
  return seen;
}

/** A client of the frontend, closed after the test. */
function dial(port: number): Promise<Client> {
  return within(Client.connect({ host: '127.0.0.1', port, readTimeoutInMillis: BOUND_IN_MILLIS }), BOUND_IN_MILLIS, 'a connect').then((client) => track(client));
}

/** Waits until an async `condition` holds (HAProxy's state has no event to wait for); bounded. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + BOUND_IN_MILLIS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${BOUND_IN_MILLIS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How a connection the other side dropped looks to our client: its read ends, or is reset. */
async function droppedByPeer(client: Client): Promise<string> {
  return within(
    client.read().then(
      (data) => (data.length === 0 ? 'ended' : `got ${data.length} bytes`),
      (error: SocketError) => error.code,
    ),
    BOUND_IN_MILLIS,
    'the connection to be dropped',
  );
}

const variants: Array<{ name: string; sendProxy: readonly [SendProxy, SendProxy]; accept: NonNullable<ListenerConfig['proxyProtocol']> }> = [
  { name: 'send-proxy (v1)', sendProxy: ['v1', 'v1'], accept: 'v1' },
  { name: 'send-proxy-v2', sendProxy: ['v2', 'v2'], accept: 'v2' },
  { name: 'one v1 and one v2 server, listeners accepting any', sendProxy: ['v1', 'v2'], accept: 'any' },
];

describe('@sock listeners behind a real HAProxy', () => {
  it.each(variants)('$name: services see their clients\' real addresses and HAProxy as proxyAddress; data round-trips intact; both backends get clients', async ({ sendProxy, accept }) => {
    const config: ListenerConfig = { proxyProtocol: accept, trustedProxies: ['127.0.0.1/32'] };
    const backends = [await backend('s1', config), await backend('s2', config)];
    const haproxy = await startHaproxy({
      servers: backends.map((b, i) => ({ name: b.name, port: b.port, sendProxy: sendProxy[i]! })),
    });
    const refused = refusals();

    const CLIENTS = 10;
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => dial(haproxy.port)));
    await Promise.all(
      clients.map(async (client) => {
        const payload = randomBytes(32 * 1024);
        await client.write(payload.subarray(0, 1000));
        await client.write(payload.subarray(1000));
        expect((await client.read(payload.length)).equals(payload)).toBe(true);
      }),
    );

    for (const client of clients) {
      const served = backends.map((b) => b.client(client.localPort)).filter((entry) => entry !== undefined);
      expect(served, `the client on port ${client.localPort} was served exactly once`).toHaveLength(1);
      const entry = served[0]!;
      // The client as it sees itself, not HAProxy: the header's source became the remote address.
      expect(entry.remoteAddress).toBe(client.localAddress);
      expect(entry.remotePort).toBe(client.localPort);
      // HAProxy's own socket towards the backend is the balancer's address.
      expect(entry.proxyAddress?.host).toBe('127.0.0.1');
      expect(entry.proxyAddress?.port).not.toBe(client.localPort);
      expect(entry.header?.command).toBe('PROXY');
      expect(entry.header?.version).toBe(sendProxy[entry.backend === 's1' ? 0 : 1] === 'v1' ? 1 : 2);
      // Where the client connected: HAProxy's frontend.
      expect(entry.header?.destination).toEqual({ host: '127.0.0.1', port: haproxy.port });
      expect(entry.localPort).toBe(backends.find((b) => b.name === entry.backend)!.port);
    }
    const perBackend = backends.map((b) => clients.filter((client) => b.client(client.localPort) !== undefined).length);
    expect(perBackend[0]).toBeGreaterThan(0);
    expect(perBackend[1]).toBeGreaterThan(0);
    expect(perBackend[0]! + perBackend[1]!).toBe(CLIENTS);
    expect(refused).toEqual([]);
  });

  it('HAProxy 2.6 health checks, on the wire: v1 sends a PROXY TCP4 line naming its own check socket, v2 a LOCAL header, and nothing else', async () => {
    // Plain node:net servers record the raw bytes: what HAProxy sends, before @sock parses anything.
    // (strace shows the rest: connect, the header, SO_LINGER 0, close — an RST right after the
    // header, usually before Node has even accepted the socket.)
    const recorder = async () => {
      const checks: Buffer[] = [];
      const two = deferred();
      const server = createServer((socket: Socket) => {
        let bytes = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => (bytes = Buffer.concat([bytes, chunk])));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          checks.push(bytes);
          if (checks.length === 2) two.resolve();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      track({ close: () => new Promise((resolve) => server.close(resolve)) });
      return { checks, two: two.promise, port: (server.address() as { port: number }).port };
    };
    const v1 = await recorder();
    const v2 = await recorder();
    await startHaproxy({
      servers: [
        { name: 's1', port: v1.port, sendProxy: 'v1', check: true },
        { name: 's2', port: v2.port, sendProxy: 'v2', check: true },
      ],
    });
    await within(Promise.all([v1.two, v2.two]), BOUND_IN_MILLIS, 'two health checks on each server');

    for (const bytes of v1.checks) {
      // Not `PROXY UNKNOWN`: the source is HAProxy's own check socket, the destination the server.
      expect(bytes.toString('latin1')).toMatch(new RegExp(`^PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ ${v1.port}\r\n$`));
    }
    for (const bytes of v2.checks) {
      const parsed = new ProxyHeaderParser({ version: 'v2' }).push(bytes);
      expect(parsed.done).toBe(true);
      if (!parsed.done) continue;
      expect(parsed.header.command).toBe('LOCAL');
      expect(parsed.header.protocol).toBe('UNKNOWN');
      expect(parsed.rest.length).toBe(0);
    }
  });

  it.each([
    { version: 'v1', label: 'send-proxy' },
    { version: 'v2', label: 'send-proxy-v2' },
  ] as const)('$label health checks next to real clients: no check hands the service a byte, checks that reach it are known by their header, HAProxy keeps both servers UP', async ({ version, label }) => {
    const config: ListenerConfig = { proxyProtocol: version, trustedProxies: ['127.0.0.1/32'] };
    const backends = [await backend('s1', config), await backend('s2', config)];
    const refused = refusals();
    const haproxy = await startHaproxy({
      servers: backends.map((b) => ({ name: b.name, port: b.port, sendProxy: version, check: true })),
    });
    await until(async () => [...(await haproxy.servers()).values()].every((server) => server.checkStatus === 'L4OK'), 'a passed check on each server');

    const clients = await Promise.all(Array.from({ length: 6 }, () => dial(haproxy.port)));
    for (const client of clients) {
      await client.write(`client ${client.localPort}`);
      expect((await client.read(`client ${client.localPort}`.length)).toString()).toBe(`client ${client.localPort}`);
    }
    await until(async () => [...(await haproxy.servers()).values()].every((server) => server.checkStatus === 'L4OK' && server.status === 'UP'), 'both servers still UP');

    const realPorts = new Set(clients.map((client) => client.localPort));
    for (const b of backends) {
      for (const entry of b.seen) {
        if (entry.proxyAddress !== undefined && realPorts.has(entry.remotePort)) continue;
        // Anything else is a health check that got through: no data, and a header that says so.
        expect(entry.bytes).toBe(0);
        expect(entry.header?.command).toBe(version === 'v2' ? 'LOCAL' : 'PROXY');
      }
    }
    // Every real client was served, once.
    for (const client of clients) expect(backends.filter((b) => b.client(client.localPort) !== undefined)).toHaveLength(1);
    // What the checks looked like to @sock (see the replayed check below for why they are refused).
    const checks = backends.reduce((sum, b) => sum + b.seen.length, 0) - clients.length;
    console.log(`[haproxy] ${label} checks: ${checks} reached a service, ${refused.length} were refused (${[...new Set(refused.map((r) => `${r.code} from ${r.remote}`))].join('; ')})`);
  });

  it('gracefulStop of one backend mid-stream: every open connection finishes all its round trips, new clients go to the other backend', async () => {
    const config: ListenerConfig = { proxyProtocol: 'v2', trustedProxies: ['127.0.0.1/32'] };
    const s1 = await backend('s1', config);
    const s2 = await backend('s2', config);
    const haproxy = await startHaproxy({
      servers: [
        { name: 's1', port: s1.port, sendProxy: 'v2', check: true },
        { name: 's2', port: s2.port, sendProxy: 'v2', check: true },
      ],
    });

    const CLIENTS = 8;
    const ROUNDS = 20;
    const STOP_AT = 5;
    const stopIssued = deferred();
    const midStream = deferred();
    let atStopRound = 0;
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => dial(haproxy.port)));
    const answered = clients.map(() => 0);
    const streams = clients.map(async (client, index) => {
      for (let round = 0; round < ROUNDS; round++) {
        if (round === STOP_AT) {
          if (++atStopRound === CLIENTS) midStream.resolve();
          await stopIssued.promise;
        }
        const request = randomBytes(4096 + index * 100 + round);
        await client.write(request);
        expect((await client.read(request.length)).equals(request)).toBe(true);
        answered[index]! += 1;
      }
      await client.close();
    });

    // Every client has its answers so far and waits: s1 holds open connections mid-stream.
    await within(midStream.promise, BOUND_IN_MILLIS, 'every client mid-stream');
    const onS1 = clients.filter((client) => s1.client(client.localPort) !== undefined);
    expect(onS1.length).toBeGreaterThan(0);
    expect(s1.listener.connections).toBeGreaterThanOrEqual(onS1.length);
    const stopped = s1.listener.gracefulStop({ timeoutInMillis: 10_000 });
    stopIssued.resolve();

    // While s1 drains, its port refuses: HAProxy redispatches new clients to s2.
    const late = await Promise.all(Array.from({ length: 6 }, () => dial(haproxy.port)));
    await Promise.all(
      late.map(async (client) => {
        await client.write('late');
        expect((await client.read(4)).toString()).toBe('late');
      }),
    );
    for (const client of late) {
      expect(s2.client(client.localPort), `late client ${client.localPort} on s2`).toBeDefined();
      expect(s1.client(client.localPort)).toBeUndefined();
    }

    await within(Promise.all(streams), BOUND_IN_MILLIS, 'every stream finished');
    expect(answered).toEqual(clients.map(() => ROUNDS));
    await within(stopped, BOUND_IN_MILLIS, 'the graceful stop of s1');
    expect(s1.listener.connections).toBe(0);
    // And HAProxy's checks took s1 out (new clients no longer even try it first).
    await until(async () => (await haproxy.servers()).get('s1')?.status === 'DOWN', 'HAProxy marks s1 DOWN');
    expect((await haproxy.servers()).get('s2')?.status).toBe('UP');
  });

  it('a client that connects straight to a PROXY listener (no header) is refused: PROXY_PROTOCOL_INVALID, and the service never sees it', async () => {
    const direct = await backend('direct', { proxyProtocol: 'any', trustedProxies: ['127.0.0.1/32'], proxyHeaderTimeoutInMillis: 200 });
    const refused = refusals();

    const talker = await dial(direct.port);
    await talker.write('GET / HTTP/1.0\r\n\r\n');
    expect(['ended', 'CONNECTION_RESET']).toContain(await droppedByPeer(talker));
    // And one that sends nothing is dropped at the header deadline.
    const silent = await dial(direct.port);
    expect(['ended', 'CONNECTION_RESET']).toContain(await droppedByPeer(silent));

    await eventually(() => refused.length >= 2, 'both refusals published');
    expect(refused).toEqual([
      { code: 'PROXY_PROTOCOL_INVALID', remote: `127.0.0.1:${talker.localPort}` },
      { code: 'PROXY_PROTOCOL_INVALID', remote: `127.0.0.1:${silent.localPort}` },
    ]);
    expect(direct.seen).toEqual([]);
  });

  it('trustedProxies without 127.0.0.1 refuses HAProxy\'s connections: PROXY_PROTOCOL_INVALID naming HAProxy, the service never sees them', async () => {
    const config: ListenerConfig = { proxyProtocol: 'v2', trustedProxies: ['10.0.0.0/8', '::1'] };
    const s1 = await backend('s1', config);
    const s2 = await backend('s2', config);
    const refused = refusals();
    const haproxy = await startHaproxy({
      servers: [
        { name: 's1', port: s1.port, sendProxy: 'v2' },
        { name: 's2', port: s2.port, sendProxy: 'v2' },
      ],
    });

    const clients = await Promise.all(Array.from({ length: 4 }, () => dial(haproxy.port)));
    for (const client of clients) {
      await client.write('hello');
      expect(['ended', 'CONNECTION_RESET']).toContain(await droppedByPeer(client));
    }
    await eventually(() => refused.length >= clients.length, 'every refusal published');
    for (const refusal of refused) {
      expect(refusal.code).toBe('PROXY_PROTOCOL_INVALID');
      // The peer named is HAProxy's socket, never a client's port.
      expect(refusal.remote).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(clients.map((client) => `127.0.0.1:${client.localPort}`)).not.toContain(refusal.remote);
    }
    expect(s1.seen).toEqual([]);
    expect(s2.seen).toEqual([]);
  });
});

// HAProxy closes a health check with SO_LINGER 0 right after the header: on loopback the RST is in
// before Node accepts the socket, which then no longer knows its peer. Replayed here without the
// race: Python does HAProxy's exact sequence while spawnSync holds this process's event loop, so
// the listener accepts the socket only once it is gone.
const ABORTIVE_CHECK = [
  'import socket, struct, sys',
  "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
  's.sendall(bytes.fromhex(sys.argv[2]))',
  's.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))',
  's.close()',
].join('\n');

const CLIENT = { host: '192.0.2.7', port: 51000 };
const BALANCED = { host: '198.51.100.1', port: 443 };

function abortiveCheck(port: number, header: Buffer): void {
  const result = spawnSync('python3', ['-c', ABORTIVE_CHECK, String(port), header.toString('hex')], { timeout: BOUND_IN_MILLIS, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the replayed health check failed: ${result.error?.message ?? result.stderr}`);
}

/**
 * Replays one check on a fresh echo listener, then serves a real client (accepted after it); resolves
 * with what the service saw and what was refused.
 */
async function replayCheck(config: ListenerConfig, check: Buffer, clientHeader?: Buffer) {
  const b = await backend('s', config);
  const refused = refusals();
  abortiveCheck(b.port, check);
  // Then a real client (through a "balancer": the test writes its header).
  const client = await dial(b.port);
  if (clientHeader !== undefined) await client.write(clientHeader);
  await client.write('ping');
  expect((await client.read(4)).toString()).toBe('ping');
  await client.close();
  await eventually(() => b.seen.every((entry) => entry.closed), 'every connection the service saw closed');
  return { seen: b.seen, refused };
}

describe('a health check that is gone before Node accepts it (HAProxy\'s abortive close, replayed)', () => {
  // Such a socket has no peer address and nothing to serve: it must never become a Caller (with
  // remoteAddress '') nor, with trustedProxies, a PROXY_PROTOCOL_INVALID "untrusted balancer"
  // refusal — a false alarm at every check interval of every balancer.
  it('on a plain listener it never reaches the service', async () => {
    const { seen, refused } = await replayCheck({}, Buffer.from('x'));
    expect(seen.map((entry) => entry.remoteAddress)).toEqual(['127.0.0.1']);
    expect(refused).toEqual([]);
  });

  it('a send-proxy-v2 LOCAL check never reaches the service', async () => {
    const local = encodeProxyHeaderV2({ command: 'LOCAL' });
    const { seen, refused } = await replayCheck({ proxyProtocol: 'v2' }, local, encodeProxyHeaderV2({ protocol: 'TCP4', source: CLIENT, destination: BALANCED }));
    expect(seen.map((entry) => entry.remoteAddress)).toEqual(['192.0.2.7']);
    expect(refused).toEqual([]);
  });

  it('with trustedProxies a send-proxy check is dropped, not refused as an untrusted balancer', async () => {
    const check = encodeProxyHeaderV1({ protocol: 'TCP4', source: { host: '127.0.0.1', port: 40000 }, destination: BALANCED });
    const { seen, refused } = await replayCheck({ proxyProtocol: 'v1', trustedProxies: ['127.0.0.1/32'] }, check, encodeProxyHeaderV1({ protocol: 'TCP4', source: CLIENT, destination: BALANCED }));
    expect(seen.map((entry) => entry.remoteAddress)).toEqual(['192.0.2.7']);
    expect(refused.map((refusal) => refusal.code)).not.toContain('PROXY_PROTOCOL_INVALID');
  });
});

describe('gracefulStop and a connection still in its PROXY header step', () => {
  // A connection the kernel and Node had accepted, whose balancer was still sending the header, is
  // let finish within the grace period: behind a balancer, no request in flight is lost on a
  // rolling restart under load.
  it('a connection accepted before the stop, whose header arrives after it, is served', async () => {
    const b = await backend('s', { proxyProtocol: 'v1' });
    const before = openTcpHandles();
    const raw = netConnect(b.port, '127.0.0.1');
    track({ close: async () => void raw.destroy() });
    raw.on('error', () => undefined);
    const received: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    await eventually(() => openTcpHandles() >= before + 2, 'the listener accepted the socket');
    raw.write('PROXY TCP4 192.0.2.7 ');

    const stopped = b.listener.gracefulStop({ timeoutInMillis: BOUND_IN_MILLIS });
    raw.write('198.51.100.1 51000 443\r\nhello');
    await eventually(() => Buffer.concat(received).length >= 5 || raw.destroyed, 'an answer or a close');
    expect(Buffer.concat(received).toString()).toBe('hello');
    raw.end();
    await within(ended, BOUND_IN_MILLIS, 'the close');
    await within(stopped, BOUND_IN_MILLIS, 'the graceful stop');
    expect(b.seen.map((entry) => entry.remoteAddress)).toEqual(['192.0.2.7']);
  });
});
