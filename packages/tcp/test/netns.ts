// Test hosts in Linux network namespaces, for faults that loopback cannot show: a peer that
// vanishes without FIN or RST, SYNs that go unanswered, per-host kernel settings.
//
// Every host is a namespace with a veth link, either to the root namespace (`createTestHost`) or
// to a second host (`createTestHostPair`), addressed from the benchmarking range 198.18.0.0/15 with
// a fresh /30 per link. Nothing else is ever addressed: a host has no default route, and no address
// outside its /30 is reachable from it.
//
// Making a host vanish removes its address inside its namespace and pins the other end's
// neighbour entry for it. Packets to it are then still delivered over the link (the sender sees
// no local error, so TCP keeps retransmitting and probing as it would across a real network) and
// its kernel silently discards them (forwarding is off in a new namespace, so no ICMP answers).
// The host cannot send either: it has no address and no route. `ip link set ... down` would be
// simpler but is unsafe on the root side (the host's /30 route goes away and the root namespace
// would send the traffic out of its default route instead) and misleading on the host side (a
// veth whose peer is down drops locally, which TCP takes for local congestion and retries for
// ever instead of counting as lost probes).
//
// Teardown (after each test, also when it failed): processes are killed, root-namespace sockets
// to the host are aborted (`ss -K`), links and namespaces deleted. A blackhole route with a
// marker metric stands behind each root-linked /30 while it exists, so a late packet to a host
// being torn down dies here instead of following the default route. Leftovers of a killed test
// process (its pid is in the names) are swept when this module is next loaded.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { LineProcess, scriptedPeer, type TestProcess } from './line-process.js';

/** Whether this machine lets tests make network namespaces, and if not, why. */
export interface NetnsAvailability {
  readonly available: boolean;
  /** Why namespace tests are skipped here; undefined when they can run. */
  readonly reason: string | undefined;
}

export type { TestProcess };

/** A network namespace with one veth link, to the root namespace or to its paired host. */
export interface TestHost {
  /** The namespace's name. */
  readonly name: string;
  /** This host's IPv4 address. */
  readonly address: string;
  /**
   * The address at the other end of its link: in the root namespace for `createTestHost` (bind a
   * listener there to serve the host), or the paired host's address.
   */
  readonly gateway: string;
  /** Runs a program inside the namespace, line by line over stdin and stdout. */
  spawn(command: string, args: readonly string[]): TestProcess;
  /** The scripted raw TCP peer (`scripted-peer.py`) inside the namespace. */
  spawnPeer(): TestProcess;
  /** A TypeScript program of this workspace (e.g. `waiting-client.ts`), run by node inside the namespace. */
  spawnTs(file: string, args: readonly string[]): TestProcess;
  /** Sets a sysctl inside the namespace only (e.g. `net.ipv4.tcp_keepalive_intvl`). */
  sysctl(name: string, value: string | number): Promise<void>;
  /** Drops all of this host's traffic silently, without FIN, RST or ICMP; see the module notes. */
  vanish(): Promise<void>;
  /** Undoes `vanish`; connections that did not time out meanwhile carry on. */
  restore(): Promise<void>;
  /** Tears down the host (and its pair): processes, sockets, links, namespaces. Idempotent. */
  destroy(): Promise<void>;
}

const NAMESPACE_PREFIX = 'sock-test-';
const ROOT_DEVICE_PREFIX = 'sockv';
/** Marks our guard routes, so that a sweep never touches anyone else's. */
const GUARD_METRIC = 4242;
/** 198.18.0.0/15 holds 32768 /30 subnets; slot 0 is left alone. */
const SLOTS = 32768;
const BASE = (198 << 24) | (18 << 16);
const COMMAND_TIMEOUT_IN_MILLIS = 5_000;

const tsHooks = fileURLToPath(new URL('./ts-hooks.mjs', import.meta.url));

function ipv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

function subnet(slot: number): { network: string; first: string; second: string } {
  const base = BASE + slot * 4;
  return { network: `${ipv4(base)}/30`, first: ipv4(base + 1), second: ipv4(base + 2) };
}

/** Runs a command to completion, bounded; rejects with its stderr. */
function exec(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: COMMAND_TIMEOUT_IN_MILLIS }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
    });
  });
}

/** `ip` in the root namespace, or inside `namespace`. */
function ip(namespace: string | undefined, ...args: string[]): Promise<string> {
  return exec('ip', namespace === undefined ? args : ['-n', namespace, ...args]);
}

function ipSync(...args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('ip', args, { timeout: COMMAND_TIMEOUT_IN_MILLIS, encoding: 'utf8' });
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: (result.stderr ?? '').trim() || String(result.error ?? '') };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what test processes that are gone left behind (killed before their teardown ran). */
function sweepStale(): void {
  for (const line of ipSync('netns', 'list').stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${NAMESPACE_PREFIX}(\\d+)-`).exec(name);
    if (match !== null && !alive(Number(match[1]))) ipSync('netns', 'del', name);
  }
  const devices = new Set(ipSync('-o', 'link', 'show').stdout.split('\n').map((line) => line.split(': ')[1]?.split('@')[0]));
  let routes: Array<{ dst?: string; metric?: number }> = [];
  try {
    routes = JSON.parse(ipSync('-j', 'route', 'show', 'type', 'blackhole').stdout || '[]') as typeof routes;
  } catch {
    routes = [];
  }
  for (const route of routes) {
    if (route.metric !== GUARD_METRIC || route.dst === undefined) continue;
    const [address] = route.dst.split('/');
    const octets = (address ?? '').split('.').map(Number);
    const slot = ((((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) - BASE) / 4;
    if (!devices.has(`${ROOT_DEVICE_PREFIX}${slot}`)) ipSync('route', 'del', 'blackhole', route.dst, 'metric', String(GUARD_METRIC));
  }
}

function probe(): NetnsAvailability {
  const unavailable = (reason: string): NetnsAvailability => ({ available: false, reason });
  if (process.platform !== 'linux') return unavailable('network namespaces need Linux');
  if (process.getuid?.() !== 0) return unavailable('making network namespaces needs root');
  for (const [tool, args, where] of [
    ['ip', ['-V'], 'the Debian package iproute2'],
    ['ss', ['-V'], 'the Debian package iproute2'],
    ['python3', ['--version'], 'Python 3'],
  ] as const) {
    const result = spawnSync(tool, args, { timeout: COMMAND_TIMEOUT_IN_MILLIS });
    if (result.error !== undefined || result.status !== 0) return unavailable(`${tool} is not usable (${result.error?.message ?? `exit ${result.status}`}); install ${where}`);
  }
  sweepStale();
  // A namespace with a veth pair inside it: everything a host needs, without touching the root namespace.
  const name = `${NAMESPACE_PREFIX}${process.pid}-probe`;
  const created = ipSync('netns', 'add', name);
  if (!created.ok) return unavailable(`ip netns add failed: ${created.stderr}`);
  try {
    const veth = ipSync('-n', name, 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1');
    if (!veth.ok) return unavailable(`veth links are not available: ${veth.stderr}`);
    return { available: true, reason: undefined };
  } finally {
    ipSync('netns', 'del', name);
  }
}

/**
 * Whether namespace tests can run here. Skip them with `it.skipIf(!netns.available)` and print
 * `netns.reason` (see `warnIfUnavailable`).
 *
 * @example
 * ```ts
 * it.skipIf(!netns.available)('detects a vanished peer', async () => { ... });
 * ```
 */
export const netns: NetnsAvailability = probe();

/**
 * Prints once, for a test file, why its namespace tests are skipped.
 *
 * @example
 * ```ts
 * warnIfUnavailable('vanishing-peer.test.ts');
 * ```
 */
export function warnIfUnavailable(file: string): void {
  if (!netns.available) console.warn(`${file}: network namespace tests skipped: ${netns.reason}`);
}

/** One end of a link: a device in a namespace (undefined: the root namespace) with its address. */
interface End {
  readonly namespace: string | undefined;
  readonly device: string;
  readonly address: string;
}

/** A veth link and the namespaces on it; owns their teardown. */
class Link {
  readonly #ends: readonly [End, End];
  readonly #namespaces: readonly string[];
  readonly #guard: string | undefined;
  readonly processes = new Set<TestProcess>();
  #destroyed: Promise<void> | undefined;

  constructor(ends: readonly [End, End], namespaces: readonly string[], guard: string | undefined) {
    this.#ends = ends;
    this.#namespaces = namespaces;
    this.#guard = guard;
  }

  other(end: End): End {
    return this.#ends[0] === end ? this.#ends[1] : this.#ends[0];
  }

  destroy(): Promise<void> {
    this.#destroyed ??= this.#teardown();
    return this.#destroyed;
  }

  async #teardown(): Promise<void> {
    links.delete(this);
    await Promise.all([...this.processes].map((running) => running.kill()));
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>): Promise<void> => {
      await step().catch((error: unknown) => errors.push(error));
    };
    const root = this.#ends.find((end) => end.namespace === undefined);
    if (root !== undefined) {
      // Sockets of this process still open to the host would otherwise retransmit into the guard.
      await attempt(() => exec('ss', ['-K', 'dst', this.other(root).address]));
      await attempt(() => ip(undefined, 'link', 'del', root.device));
    }
    for (const namespace of this.#namespaces) await attempt(() => ip(undefined, 'netns', 'del', namespace));
    const guard = this.#guard;
    if (guard !== undefined) await attempt(() => ip(undefined, 'route', 'del', 'blackhole', guard, 'metric', String(GUARD_METRIC)));
    if (errors.length > 0) throw new AggregateError(errors, 'test host teardown failed');
  }

  /** Synchronous last resort at process exit. */
  destroySync(): void {
    const root = this.#ends.find((end) => end.namespace === undefined);
    if (root !== undefined) ipSync('link', 'del', root.device);
    for (const namespace of this.#namespaces) ipSync('netns', 'del', namespace);
    if (this.#guard !== undefined) ipSync('route', 'del', 'blackhole', this.#guard, 'metric', String(GUARD_METRIC));
  }
}

const links = new Set<Link>();
/** Root-namespace names this process made, so that `leftovers` can tell ours from another process's. */
const made = { devices: new Set<string>(), guards: new Set<string>() };

class NamespaceHost implements TestHost {
  readonly name: string;
  readonly address: string;
  readonly gateway: string;
  readonly #end: End;
  readonly #link: Link;
  #vanished = false;

  constructor(end: End, link: Link) {
    this.name = end.namespace!;
    this.address = end.address;
    this.gateway = link.other(end).address;
    this.#end = end;
    this.#link = link;
  }

  spawn(command: string, args: readonly string[]): TestProcess {
    const running = new LineProcess(spawn('ip', ['netns', 'exec', this.name, command, ...args], { stdio: 'pipe' }), `${command} in ${this.name}`);
    this.#link.processes.add(running);
    return running;
  }

  spawnPeer(): TestProcess {
    return this.spawn('python3', [scriptedPeer]);
  }

  spawnTs(file: string, args: readonly string[]): TestProcess {
    return this.spawn(process.execPath, ['--conditions=@sock/source', '--import', tsHooks, file, ...args]);
  }

  async sysctl(name: string, value: string | number): Promise<void> {
    // Through /proc/sys as seen from inside the namespace: the sysctl tool itself may be missing.
    const path = `/proc/sys/${name.replaceAll('.', '/')}`;
    await exec('ip', ['netns', 'exec', this.name, 'sh', '-c', 'printf %s "$1" > "$2"', 'sh', String(value), path]);
  }

  async vanish(): Promise<void> {
    if (this.#vanished) return;
    this.#vanished = true;
    const other = this.#link.other(this.#end);
    const [link] = JSON.parse(await ip(this.name, '-j', 'link', 'show', 'dev', this.#end.device)) as Array<{ address: string }>;
    // Pinned first, so that the other end never asks for the address (a failed ARP lookup would
    // turn the silence into a fast EHOSTUNREACH).
    await ip(other.namespace, 'neigh', 'replace', this.address, 'lladdr', link!.address, 'dev', other.device, 'nud', 'permanent');
    await ip(this.name, 'addr', 'del', `${this.address}/30`, 'dev', this.#end.device);
  }

  async restore(): Promise<void> {
    if (!this.#vanished) return;
    this.#vanished = false;
    const other = this.#link.other(this.#end);
    await ip(this.name, 'addr', 'add', `${this.address}/30`, 'dev', this.#end.device);
    await ip(other.namespace, 'neigh', 'del', this.address, 'dev', other.device);
  }

  destroy(): Promise<void> {
    return this.#link.destroy();
  }
}

function namespaceName(): string {
  return `${NAMESPACE_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
}

async function bringUp(end: End): Promise<void> {
  await ip(end.namespace, 'addr', 'add', `${end.address}/30`, 'dev', end.device);
  await ip(end.namespace, 'link', 'set', end.device, 'up');
  if (end.namespace !== undefined) await ip(end.namespace, 'link', 'set', 'lo', 'up');
}

function requireAvailable(): void {
  if (!netns.available) throw new Error(`network namespaces are not available: ${netns.reason}`);
}

/**
 * A test host linked to the root namespace: the test process reaches it at `host.address` and it
 * reaches the test process at `host.gateway`. Torn down after the current test.
 *
 * @example
 * ```ts
 * const host = await createTestHost();
 * const listener = await listen(service, { interface: host.gateway });
 * const peer = host.spawnPeer();
 * await peer.request(`connect ${host.gateway} ${listener.port}`);
 * ```
 */
export async function createTestHost(): Promise<TestHost> {
  requireAvailable();
  const namespace = namespaceName();
  await ip(undefined, 'netns', 'add', namespace);
  // The root-side device's name is the lock on the /30: creating it fails if another test process holds the slot.
  for (let attempt = 0; ; attempt++) {
    const slot = 1 + randomInt(SLOTS - 1);
    const device = `${ROOT_DEVICE_PREFIX}${slot}`;
    try {
      await ip(undefined, 'link', 'add', device, 'type', 'veth', 'peer', 'name', 'veth0', 'netns', namespace);
    } catch (error) {
      if (attempt < 20 && /exists/i.test(String(error))) continue;
      await ip(undefined, 'netns', 'del', namespace).catch(() => undefined);
      throw error;
    }
    made.devices.add(device);
    const { network, first, second } = subnet(slot);
    made.guards.add(network);
    const root: End = { namespace: undefined, device, address: first };
    const end: End = { namespace, device: 'veth0', address: second };
    const link = new Link([root, end], [namespace], network);
    links.add(link);
    try {
      await ip(undefined, 'route', 'replace', 'blackhole', network, 'metric', String(GUARD_METRIC));
      await bringUp(root);
      await bringUp(end);
    } catch (error) {
      await link.destroy().catch(() => undefined);
      throw error;
    }
    return new NamespaceHost(end, link);
  }
}

/**
 * Two test hosts linked only to each other (no path to the root namespace or anywhere else), for
 * tests where both sides must run inside namespaces, e.g. to tune one side's kernel. Torn down
 * after the current test.
 *
 * @example
 * ```ts
 * const [client, server] = await createTestHostPair();
 * await client.sysctl('net.ipv4.tcp_keepalive_intvl', 1);
 * ```
 */
export async function createTestHostPair(): Promise<[TestHost, TestHost]> {
  requireAvailable();
  const names = [namespaceName(), namespaceName()] as const;
  const created: string[] = [];
  try {
    for (const name of names) {
      await ip(undefined, 'netns', 'add', name);
      created.push(name);
    }
  } catch (error) {
    for (const name of created) await ip(undefined, 'netns', 'del', name).catch(() => undefined);
    throw error;
  }
  // Isolated from every other link, so the /30 needs no lock.
  const { first, second } = subnet(1 + randomInt(SLOTS - 1));
  const a: End = { namespace: names[0], device: 'veth0', address: first };
  const b: End = { namespace: names[1], device: 'veth0', address: second };
  const link = new Link([a, b], names, undefined);
  links.add(link);
  try {
    await ip(names[0], 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth0', 'netns', names[1]);
    await bringUp(a);
    await bringUp(b);
  } catch (error) {
    await link.destroy().catch(() => undefined);
    throw error;
  }
  return [new NamespaceHost(a, link), new NamespaceHost(b, link)];
}

/**
 * Tears down every test host of this process (also run after each test and at exit).
 *
 * @example
 * ```ts
 * afterEach(destroyTestHosts);
 * ```
 */
export async function destroyTestHosts(): Promise<void> {
  const results = await Promise.allSettled([...links].map((link) => link.destroy()));
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) throw new AggregateError(failures.map((failure) => failure.reason), 'test host teardown failed');
}

/**
 * What this process's test hosts left in the system: namespaces, root-side devices and guard
 * routes that still exist. For tests of the teardown; empty after it.
 *
 * @example
 * ```ts
 * expect(await leftovers()).toEqual([]);
 * ```
 */
export async function leftovers(): Promise<string[]> {
  const mine = `${NAMESPACE_PREFIX}${process.pid}-`;
  const namespaces = (await ip(undefined, 'netns', 'list')).split('\n').map((line) => line.split(' ')[0] ?? '');
  const devices = (await ip(undefined, '-o', 'link', 'show')).split('\n').map((line) => line.split(': ')[1]?.split('@')[0] ?? '');
  const routes = JSON.parse((await ip(undefined, '-j', 'route', 'show', 'type', 'blackhole')) || '[]') as Array<{ dst?: string; metric?: number }>;
  return [
    ...namespaces.filter((name) => name.startsWith(mine)),
    ...devices.filter((device) => made.devices.has(device)),
    ...routes.filter((route) => route.metric === GUARD_METRIC && made.guards.has(route.dst ?? '')).map((route) => `blackhole ${route.dst}`),
  ];
}

if (netns.available) {
  afterEach(destroyTestHosts);
  afterAll(destroyTestHosts);
  process.once('exit', () => {
    for (const link of links) link.destroySync();
  });
}
