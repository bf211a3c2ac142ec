// Test hosts in Linux network namespaces, for faults that loopback cannot show: a peer that
// vanishes without FIN or RST, SYNs that go unanswered.
//
// A host is a namespace with a veth link to the root namespace, addressed from the benchmarking
// range 198.18.0.0/15 with a fresh /30 per host: the root side gets the first address (the host's
// `gateway`), the host the second. Nothing else is ever addressed: a host has no default route, so
// it reaches nothing beyond its link.
//
// Making a host vanish removes its address inside its namespace and pins the root side's
// neighbour entry for it. Packets to it are still delivered over the link (the sender sees no
// local error, so TCP retransmits and probes as it would across a real network) and its kernel
// discards them silently (forwarding is off in a new namespace, so no ICMP answers). The host
// cannot send either: it has no address and no route. `ip link set ... down` would be simpler but
// is unsafe on the root side (the /30 route goes away and the root namespace would send the
// traffic out of its default route instead) and misleading on the host side (a veth whose peer is
// down drops locally, which TCP takes for local congestion and retries for ever instead of
// counting lost probes).
//
// Teardown (after each test, also when it failed): processes are killed, root-namespace sockets
// to the host are aborted (`ss -K`), the link and namespace deleted. A blackhole route with a
// marker metric stands behind each host's /30 while it exists, so a late packet to a host being
// torn down dies here instead of following the default route. Leftovers of a killed test
// process (its pid is in the namespace names) are swept when this module is next loaded.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, afterEach } from 'vitest';
import { LineProcess, scriptedPeer, type TestProcess } from './line-process.js';

/**
 * Whether this machine lets tests make network namespaces, and if not, why.
 *
 * @example
 * ```ts
 * if (!netns.available) console.warn(netns.reason);
 * ```
 */
export interface NetnsAvailability {
  readonly available: boolean;
  /** Why namespace tests are skipped here; undefined when they can run. */
  readonly reason: string | undefined;
}

export type { TestProcess };

/**
 * A network namespace with a veth link to the root namespace.
 *
 * @example
 * ```ts
 * const host = await createTestHost();
 * await host.vanish(); // connects to host.address now time out
 * await host.restore();
 * ```
 */
export interface TestHost {
  /** The namespace's name. */
  readonly name: string;
  /** This host's IPv4 address: where the test process reaches it. */
  readonly address: string;
  /** The root namespace's address on the link: bind a listener there to serve the host. */
  readonly gateway: string;
  /** Runs a program inside the namespace, line by line over stdin and stdout; killed at teardown. */
  spawn(command: string, args: readonly string[]): TestProcess;
  /** The scripted raw TCP peer (`scripted-peer.py`) inside the namespace. */
  spawnPeer(): TestProcess;
  /** Drops all of this host's traffic silently, without FIN, RST or ICMP; see the module notes. */
  vanish(): Promise<void>;
  /** Undoes `vanish`; connections that did not time out meanwhile carry on. */
  restore(): Promise<void>;
  /** Tears the host down: processes, sockets to it, link, namespace, guard route. Idempotent. */
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

const hosts = new Set<NamespaceHost>();
/** Root-namespace names this process made, so that `leftovers` can tell ours from another process's. */
const made = { devices: new Set<string>(), guards: new Set<string>() };

/** Device names inside every host's namespace. */
const HOST_DEVICE = 'veth0';

class NamespaceHost implements TestHost {
  readonly name: string;
  readonly address: string;
  readonly gateway: string;
  /** The root side of the link. */
  readonly #device: string;
  /** The host's /30, behind which the guard route stands. */
  readonly #network: string;
  readonly #processes = new Set<TestProcess>();
  #vanished = false;
  #destroyed: Promise<void> | undefined;

  constructor(name: string, device: string, slot: number) {
    const { network, first, second } = subnet(slot);
    this.name = name;
    this.gateway = first;
    this.address = second;
    this.#device = device;
    this.#network = network;
  }

  /** Addresses and brings up both ends; the root side's device exists already (it is the slot's lock). */
  async setUp(): Promise<void> {
    made.guards.add(this.#network);
    await ip(undefined, 'route', 'replace', 'blackhole', this.#network, 'metric', String(GUARD_METRIC));
    await ip(undefined, 'addr', 'add', `${this.gateway}/30`, 'dev', this.#device);
    await ip(undefined, 'link', 'set', this.#device, 'up');
    await ip(this.name, 'addr', 'add', `${this.address}/30`, 'dev', HOST_DEVICE);
    await ip(this.name, 'link', 'set', HOST_DEVICE, 'up');
    await ip(this.name, 'link', 'set', 'lo', 'up');
  }

  spawn(command: string, args: readonly string[]): TestProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, command, ...args], { stdio: 'pipe' });
    const running = new LineProcess(child, `${command} in ${this.name}`);
    this.#processes.add(running);
    return running;
  }

  spawnPeer(): TestProcess {
    return this.spawn('python3', [scriptedPeer]);
  }

  async vanish(): Promise<void> {
    if (this.#vanished) return;
    this.#vanished = true;
    const [link] = JSON.parse(await ip(this.name, '-j', 'link', 'show', 'dev', HOST_DEVICE)) as Array<{ address: string }>;
    // Pinned first, so that the root side never asks for the address (a failed ARP lookup would
    // turn the silence into a fast EHOSTUNREACH).
    await ip(undefined, 'neigh', 'replace', this.address, 'lladdr', link!.address, 'dev', this.#device, 'nud', 'permanent');
    await ip(this.name, 'addr', 'del', `${this.address}/30`, 'dev', HOST_DEVICE);
  }

  async restore(): Promise<void> {
    if (!this.#vanished) return;
    this.#vanished = false;
    await ip(this.name, 'addr', 'add', `${this.address}/30`, 'dev', HOST_DEVICE);
    await ip(undefined, 'neigh', 'del', this.address, 'dev', this.#device);
  }

  destroy(): Promise<void> {
    this.#destroyed ??= this.#teardown();
    return this.#destroyed;
  }

  async #teardown(): Promise<void> {
    hosts.delete(this);
    await Promise.all([...this.#processes].map((running) => running.kill()));
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>): Promise<void> => {
      await step().catch((error: unknown) => errors.push(error));
    };
    // Sockets of this process still open to the host would otherwise retransmit into the guard.
    await attempt(() => exec('ss', ['-K', 'dst', this.address]));
    await attempt(() => ip(undefined, 'link', 'del', this.#device)); // both ends of the veth
    await attempt(() => ip(undefined, 'netns', 'del', this.name));
    await attempt(() => ip(undefined, 'route', 'del', 'blackhole', this.#network, 'metric', String(GUARD_METRIC)));
    if (errors.length > 0) throw new AggregateError(errors, `teardown of test host ${this.name} failed`);
  }

  /** Synchronous last resort at process exit. */
  destroySync(): void {
    ipSync('link', 'del', this.#device);
    ipSync('netns', 'del', this.name);
    ipSync('route', 'del', 'blackhole', this.#network, 'metric', String(GUARD_METRIC));
  }
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
  if (!netns.available) throw new Error(`network namespaces are not available: ${netns.reason}`);
  const name = `${NAMESPACE_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  await ip(undefined, 'netns', 'add', name);
  // The root side's device name is the lock on the /30: creating it fails while another test
  // process holds the slot.
  for (let attempt = 1; ; attempt++) {
    const slot = 1 + randomInt(SLOTS - 1);
    const device = `${ROOT_DEVICE_PREFIX}${slot}`;
    try {
      await ip(undefined, 'link', 'add', device, 'type', 'veth', 'peer', 'name', HOST_DEVICE, 'netns', name);
    } catch (error) {
      if (attempt < 20 && /exists/i.test(String(error))) continue;
      await ip(undefined, 'netns', 'del', name).catch(() => undefined);
      throw error;
    }
    made.devices.add(device);
    const host = new NamespaceHost(name, device, slot);
    hosts.add(host);
    try {
      await host.setUp();
    } catch (error) {
      await host.destroy().catch(() => undefined);
      throw error;
    }
    return host;
  }
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
  const results = await Promise.allSettled([...hosts].map((host) => host.destroy()));
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
    for (const host of hosts) host.destroySync();
  });
}
