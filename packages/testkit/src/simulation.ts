import { setImmediate as realSetImmediate } from 'node:timers';
import {
  describeValue,
  GenericError,
  invalidArgument,
  validateBoolean,
  validateKeys,
  validateObject,
  validateTimeout,
  type TcpTransport,
  type UdpTransport,
} from '@sock/core/internal';
import { isIPLiteral } from './address-table.js';
import { planChaos, runChaos, type ChaosControls, type ChaosOptions } from './chaos.js';
import type { Host } from './host.js';
import { Network } from './network.js';
import { seededRandom } from './random.js';
import { applyLinkSettings, DEFAULT_SHAPING, SIMULATED_IN_FLIGHT_BYTES, type LinkSettings, type LinkShaping } from './shaping.js';
import { SimulationError } from './simulation-error.js';
import { TraceLog, type SimEvent } from './trace.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * Options of {@link createSimulation}.
 *
 * @example
 * ```ts
 * const sim = createSimulation({ seed: 42, link: { latencyInMillis: { min: 1, max: 10 } } });
 * ```
 */
export interface SimulationOptions {
  /**
   * Seeds every random decision: latencies drawn from ranges, UDP faults, chaos, and `Math.random`
   * inside `run`. A non-negative safe integer; default: a random one (read it back from `sim.seed`).
   */
  seed?: number;
  /** The settings every link starts with (each direction between two hosts, and a host to itself). Default: latency 0, no faults. */
  link?: LinkSettings;
}

/**
 * One machine of a simulation: its name and address, and its own transports. Code written against
 * `TcpTransport` / `UdpTransport` runs on it unchanged.
 *
 * @example
 * ```ts
 * const server = sim.host('server');
 * const listener = server.tcp.createListener(7000);
 * const client = await sim.host('client').tcp.connect({ host: 'server', port: 7000 });
 * client.remoteAddress; // server.address, e.g. '192.0.2.1'
 * ```
 */
export interface SimHost {
  readonly name: string;
  /** A numeric IP, distinct per host (`192.0.2.1`, `192.0.2.2`, ...), seen by peers as `remoteAddress`. */
  readonly address: string;
  readonly tcp: TcpTransport;
  readonly udp: UdpTransport;
}

/**
 * Options of {@link Simulation.run}.
 *
 * @example
 * ```ts
 * await sim.run(test, { timeoutInMillis: 60_000 });
 * ```
 */
export interface RunOptions {
  /** Virtual time `fn` may take before `run` rejects `TIMED_OUT`. Default 600000 (10 minutes). */
  timeoutInMillis?: number;
}

/**
 * A deterministic network of named hosts on a virtual clock (see {@link createSimulation}).
 *
 * @example
 * ```ts
 * await using sim = createSimulation({ seed: 7 });
 * sim.partition('a', 'b');
 * ```
 */
export interface Simulation {
  /** The seed: `createSimulation({ seed })` with it and the same code replays this run exactly. */
  readonly seed: number;
  /** Virtual milliseconds since the simulation began. */
  readonly now: number;
  /** The host named `name`, made on first use; other hosts reach it by its name. */
  host(name: string): SimHost;
  /**
   * Runs `fn` on the virtual clock: timers, `Date`, `performance.now()` and `Math.random` are the
   * simulation's; whenever nothing is runnable, time jumps to the next timer. Rejects with a
   * {@link SimulationError} naming the seed when `fn` rejects (its `cause`), when the virtual
   * time-out passes, or when `fn` can never settle. The real globals are back once it settles.
   */
  run<T>(fn: () => Promise<T>, options?: RunOptions): Promise<T>;
  /** Cuts `a` ↔ `b` (or `a` → `b` only): TCP stalls, UDP is dropped, what is in flight included. */
  partition(a: string, b: string, options?: { oneWay?: boolean }): void;
  /** Heals `a` ↔ `b` both ways, whatever made the partition; stalled TCP resumes, in order. */
  repair(a: string, b: string): void;
  /** Keeps what `a` sends to `b` in flight (one direction) ... */
  hold(a: string, b: string): void;
  /** ... and delivers it now, in order. */
  release(a: string, b: string): void;
  /** Changes the link `a` → `b` and, unless `oneWay`, `b` → `a`. Rates apply to UDP only. */
  setLink(a: string, b: string, link: LinkSettings, options?: { oneWay?: boolean }): void;
  /** Its sockets vanish without FIN or RST; its own pending and later operations reject `CONNECTION_CLOSED`; its listeners stop. */
  crash(host: string): void;
  /** The host is reachable again, with no sockets; a peer that sends on an old connection gets a reset. */
  restart(host: string): void;
  /** Seeded faults (partitions, holds, crashes) for a while; resolves once it is over and all is healed. Inside `run` only. */
  chaos(options: ChaosOptions): Promise<void>;
  /** Every delivery, drop and fault so far, in order. */
  readonly trace: readonly SimEvent[];
  /** Closes every socket and listener of every host. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const OPTION_KEYS = new Set(['seed', 'link']);
const RUN_KEYS = new Set(['timeoutInMillis']);
const ONE_WAY_KEYS = new Set(['oneWay']);
const DEFAULT_RUN_TIMEOUT_IN_MILLIS = 10 * 60 * 1000;
// Steps in a row without the clock moving before a run is called a livelock (a busy loop).
const MAX_STEPS_AT_ONE_INSTANT = 1_000_000;
// Turns in a row given to Node's own immediates (TLS streams, ...) before the clock moves anyway.
const MAX_FOREIGN_TURNS = 1000;

const networks = new WeakMap<Simulation, Network>();

/**
 * The topology under a simulation, for the kit's own tests (reset a connection from outside, as
 * the conformance suites' raw peers do). Not part of the public API.
 *
 * @example
 * ```ts
 * networkOf(sim)?.reset(client);
 * ```
 */
export function networkOf(sim: Simulation): Network | undefined {
  return networks.get(sim);
}

// One real turn of the event loop: every microtask (and nextTick) queued before it has run.
const realTurn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

// Immediates of Node's own modules (or made with node:timers) are real: let them run at this instant.
const realImmediatesPending = (): boolean => process.getActiveResourcesInfo().includes('Immediate');

// Any safe integer seeds the 32-bit generator; seeds below 2^32 are used as they are.
function mixSeed(seed: number): number {
  return (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b9);
}

function checkSeed(value: unknown): number {
  if (value === undefined) return Math.floor(Math.random() * 2 ** 32);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`seed must be a non-negative safe integer, got ${describeValue(value)}`);
  }
  return value;
}

function checkHostName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || /\s/.test(name)) throw invalidArgument(`a host name must be a non-empty string without spaces, got ${describeValue(name)}`);
  if (name.toLowerCase() === 'localhost' || isIPLiteral(name)) throw invalidArgument(`${JSON.stringify(name)} cannot name a host: every host reaches itself by it`);
  return name;
}

function oneWayOf(options: unknown): boolean {
  if (options === undefined) return false;
  const record = validateObject(options, 'options');
  validateKeys(record, ONE_WAY_KEYS, 'options');
  return record.oneWay === undefined ? false : validateBoolean(record.oneWay, 'oneWay');
}

/**
 * Makes a deterministic network of named hosts on a virtual clock, for testing distributed code
 * built on `@sock` the way FoundationDB and turmoil test theirs. Each host has its own address, port
 * tables and TCP/UDP transports (the kit's in-memory ones, which pass the same conformance suites
 * as the real ones); hosts reach each other by name. Links between hosts have latency (fixed or
 * drawn), partitions, holds and UDP faults; hosts crash and restart. Inside {@link Simulation.run}
 * time is virtual: a minute of time-outs passes in milliseconds, and the same seed gives the same
 * run, event for event ({@link Simulation.trace}).
 *
 * @example
 * ```ts
 * import { createSimulation, echoService } from '@sock/testkit';
 *
 * const sim = createSimulation({ seed: 1, link: { latencyInMillis: { min: 1, max: 20 } } });
 * await sim.run(async () => {
 *   const listener = sim.host('server').tcp.createListener(7);
 *   listener.attach(echoService());
 *   await listener.start();
 *   const client = await sim.host('client').tcp.connect({ host: 'server', port: 7 });
 *   sim.partition('client', 'server');
 *   const reading = client.read(4, { timeoutInMillis: 60_000 });
 *   await client.write('ping');                  // stalls in flight ...
 *   setTimeout(() => sim.repair('client', 'server'), 30_000);
 *   console.log((await reading).toString());      // ... 'ping', 30 s later (virtual)
 * });
 * await sim.close();
 * ```
 */
export function createSimulation(options: SimulationOptions = {}): Simulation {
  validateKeys(validateObject(options, 'simulation options'), OPTION_KEYS, 'simulation options');
  const seed = checkSeed(options.seed);
  const shaping: LinkShaping = { ...DEFAULT_SHAPING, highWaterMark: SIMULATED_IN_FLIGHT_BYTES };
  if (options.link !== undefined) applyLinkSettings(shaping, options.link);
  const random = seededRandom(mixSeed(seed));
  const clock = new VirtualClock(random);
  const log = new TraceLog();
  const network = new Network({ label: 'simulation', random, shaping, replies: true, trace: { log, now: () => clock.now } });
  const views = new Map<Host, SimHost>();
  let running = false;

  const get = (name: string): Host => {
    const host = typeof name === 'string' ? network.lookup(name) : undefined;
    if (host === undefined || host.name.toLowerCase() !== name.toLowerCase()) {
      throw new GenericError('HOST_NOT_FOUND', `host ${typeof name === 'string' ? JSON.stringify(name) : describeValue(name)} was never made in this simulation`);
    }
    return host;
  };
  const pair = (a: string, b: string): [Host, Host] => {
    const from = get(a);
    const to = get(b);
    if (from === to) throw invalidArgument(`a host cannot be cut off from itself (${from.name})`);
    return [from, to];
  };

  const sim: Simulation = {
    seed,
    get now() {
      return clock.now;
    },
    get trace() {
      return log.events;
    },
    host(name) {
      const existing = typeof name === 'string' ? network.lookup(name) : undefined;
      const host = existing !== undefined && existing.name.toLowerCase() === name.toLowerCase() ? existing : network.addHost(checkHostName(name), true);
      let view = views.get(host);
      if (view === undefined) {
        view = Object.freeze({ name: host.name, address: host.address!, tcp: host.tcpTransport, udp: host.udpTransport });
        views.set(host, view);
      }
      return view;
    },
    run(fn, runOptions) {
      return run(fn, runOptions);
    },
    partition(a, b, partitionOptions) {
      const [from, to] = pair(a, b);
      const oneWay = oneWayOf(partitionOptions);
      for (const [x, y] of oneWay ? [[from, to]] : [[from, to], [to, from]]) {
        network.link(x!, y!).setPartitioned(true);
        network.record('partition', x!, y!);
      }
    },
    repair(a, b) {
      const [from, to] = pair(a, b);
      for (const [x, y] of [[from, to], [to, from]] as const) {
        const link = network.link(x, y);
        if (!link.partitioned) continue;
        link.setPartitioned(false);
        network.record('repair', x, y);
      }
    },
    hold(a, b) {
      const [from, to] = pair(a, b);
      network.link(from, to).setHeld(true);
      network.record('hold', from, to);
    },
    release(a, b) {
      const [from, to] = pair(a, b);
      const link = network.link(from, to);
      if (!link.held) return;
      link.setHeld(false);
      network.record('release', from, to);
    },
    setLink(a, b, settings, linkOptions) {
      const from = get(a);
      const to = get(b);
      const oneWay = oneWayOf(linkOptions);
      const directions = oneWay || from === to ? [network.link(from, to)] : [network.link(from, to), network.link(to, from)];
      // All or nothing: every direction is checked before any changes.
      const next = directions.map((link) => {
        const copy = { ...link.shaping };
        applyLinkSettings(copy, settings);
        return copy;
      });
      directions.forEach((link, i) => {
        Object.assign(link.shaping, next[i]);
        network.record('link', link.from, link.to);
      });
    },
    crash(name) {
      const host = get(name);
      if (host.down) return;
      network.record('crash', host, host);
      host.crash();
    },
    restart(name) {
      const host = get(name);
      if (!host.down) return;
      network.record('restart', host, host);
      host.restart();
    },
    chaos(chaosOptions) {
      try {
        if (!clock.entered) throw invalidArgument('chaos() schedules its faults on the virtual clock: call it inside sim.run()');
        const controls: ChaosControls = {
          random,
          hosts: () => network.hosts.map((host) => host.name),
          partition: sim.partition,
          repair: sim.repair,
          hold: sim.hold,
          release: sim.release,
          crash: sim.crash,
          restart: sim.restart,
          check: (host) => void get(host),
        };
        return runChaos(planChaos(chaosOptions, controls), controls, () => clock.now);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close: () => network.close(),
    [Symbol.asyncDispose]: () => network.close(),
  };

  // The loop of a run: let every real microtask drain (one real turn of the event loop), then run
  // the next virtual immediate or timer — one per turn, so microtasks drain between two callbacks as
  // they do in Node — until `fn` settles, the time-out passes, or nothing is left to run.
  async function run<T>(fn: () => Promise<T>, runOptions?: RunOptions): Promise<T> {
    if (typeof fn !== 'function') throw invalidArgument(`run() needs a function, got ${describeValue(fn)}`);
    let timeout = DEFAULT_RUN_TIMEOUT_IN_MILLIS;
    if (runOptions !== undefined) {
      const record = validateObject(runOptions, 'run options');
      validateKeys(record, RUN_KEYS, 'run options');
      if (record.timeoutInMillis !== undefined) timeout = validateTimeout(record.timeoutInMillis, 'timeoutInMillis');
    }
    if (running) throw invalidArgument('a run of this simulation is already under way; runs do not nest or overlap');
    running = true;
    let outcome: { value: T } | { error: unknown } | undefined;
    let failure: SimulationError | undefined;
    clock.enter();
    try {
      const deadline = clock.now + timeout;
      new Promise<T>((resolve) => resolve(fn())).then(
        (value) => (outcome = { value }),
        (error: unknown) => (outcome = { error }),
      );
      let lastTime = clock.now;
      let steps = 0;
      let foreign = 0;
      for (;;) {
        await realTurn();
        if (outcome !== undefined) break;
        if (foreign < MAX_FOREIGN_TURNS && realImmediatesPending()) {
          foreign += 1;
          continue;
        }
        foreign = 0;
        const due = clock.nextDue;
        // Unref'd timers (a read time-out left armed between reads) fire if the run goes on, but
        // do not hold it open: Node would not stay alive for them either.
        if (due === undefined || !clock.alive) {
          failure = new SimulationError('DEADLOCKED', seed, clock.now, 'deadlocked: fn can never settle (nothing is runnable and no timer is pending that is not unref\'d)');
          break;
        }
        if (due > deadline) {
          clock.advanceTo(deadline);
          failure = new SimulationError('TIMED_OUT', seed, clock.now, `timed out: fn did not settle within ${timeout} ms of virtual time`);
          break;
        }
        try {
          clock.step();
        } catch (error) {
          failure = new SimulationError('CALLBACK_THREW', seed, clock.now, 'failed: a timer or immediate callback threw', error);
          break;
        }
        if (clock.now !== lastTime) {
          lastTime = clock.now;
          steps = 0;
        } else if (++steps > MAX_STEPS_AT_ONE_INSTANT) {
          failure = new SimulationError('LIVELOCKED', seed, clock.now, `livelocked: ${MAX_STEPS_AT_ONE_INSTANT} callbacks ran without the clock moving`);
          break;
        }
      }
    } finally {
      clock.exit();
      running = false;
    }
    if (outcome !== undefined && 'error' in outcome) {
      const error = outcome.error;
      const message = error instanceof Error ? error.message : String(error);
      throw new SimulationError('FAILED', seed, clock.now, `failed (${message})`, error);
    }
    if (failure !== undefined) throw failure;
    return (outcome as { value: T }).value;
  }

  const frozen = Object.freeze(sim);
  networks.set(frozen, network);
  return frozen;
}
