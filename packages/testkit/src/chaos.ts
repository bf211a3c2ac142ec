import { describeValue, invalidArgument, validateKeys, validateObject, validateTimeout } from '@sock/core/internal';
import type { LatencyRange } from './shaping.js';

/**
 * Relative weights of the kinds of fault `chaos()` injects (0 turns a kind off).
 *
 * @example
 * ```ts
 * const faults: ChaosFaults = { partition: 2, hold: 1, crash: 1 };
 * ```
 */
export interface ChaosFaults {
  /** A pair of hosts is cut both ways: TCP stalls, UDP is lost; then repaired. */
  partition?: number;
  /** One direction between two hosts is cut; then repaired. */
  oneWayPartition?: number;
  /** What one host sends another is held in flight; then released, in order. */
  hold?: number;
  /** A host crashes (its sockets vanish); then it restarts and `onRestart` runs. */
  crash?: number;
}

/**
 * Options of `sim.chaos()`: seeded faults on the virtual clock, for as long as `durationInMillis`.
 *
 * @example
 * ```ts
 * await sim.chaos({ durationInMillis: 10_000, faults: { partition: 1, crash: 1 }, hosts: ['primary', 'backup'],
 *   onRestart: (host) => startReplica(sim.host(host)) });
 * ```
 */
export interface ChaosOptions {
  /** How long faults keep coming, in virtual ms from the call; at the end every fault is healed. */
  durationInMillis: number;
  /** The hosts faults may touch (default: every host made so far). */
  hosts?: readonly string[];
  /** Mean virtual time between two faults (drawn uniformly from 0 to twice this). Default 250. */
  meanIntervalInMillis?: number;
  /** How long one fault lasts, fixed or drawn from a range (cut short at the end). Default `{ min: 50, max: 1000 }`. */
  faultDurationInMillis?: number | LatencyRange;
  /** Weights of the kinds of fault. Default `{ partition: 1, oneWayPartition: 1, hold: 1 }`: no crash unless asked. */
  faults?: ChaosFaults;
  /** Runs once a crashed host is back (restart your service there); awaited before that fault counts as healed. */
  onRestart?(host: string): void | Promise<void>;
}

/**
 * The controls chaos drives: the simulation's own, so that every fault is traced as if a test had
 * made it.
 *
 * @example
 * ```ts
 * const controls: ChaosControls = { random: network.random, hosts: () => names, partition, repair, hold, release, crash, restart };
 * ```
 */
export interface ChaosControls {
  readonly random: () => number;
  hosts(): string[];
  partition(a: string, b: string, options?: { oneWay?: boolean }): void;
  repair(a: string, b: string): void;
  hold(a: string, b: string): void;
  release(a: string, b: string): void;
  crash(host: string): void;
  restart(host: string): void;
  /** Throws `HOST_NOT_FOUND` for a host never made. */
  check(host: string): void;
}

const KEYS = new Set(['durationInMillis', 'hosts', 'meanIntervalInMillis', 'faultDurationInMillis', 'faults', 'onRestart']);
const FAULT_KEYS = new Set(['partition', 'oneWayPartition', 'hold', 'crash']);
const KINDS = ['partition', 'oneWayPartition', 'hold', 'crash'] as const;
type Kind = (typeof KINDS)[number];

interface Plan {
  readonly duration: number;
  readonly hosts: string[];
  readonly mean: number;
  readonly faultDuration: number | LatencyRange;
  readonly weights: Record<Kind, number>;
  readonly onRestart: ((host: string) => void | Promise<void>) | undefined;
}

function checkWeight(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidArgument(`faults.${name} must be a number >= 0, got ${describeValue(value)}`);
  return value;
}

function checkDuration(value: unknown): number | LatencyRange {
  if (typeof value === 'number') return validateTimeout(value, 'faultDurationInMillis');
  const range = validateObject(value, 'faultDurationInMillis');
  const min = validateTimeout(range.min, 'faultDurationInMillis.min');
  const max = validateTimeout(range.max, 'faultDurationInMillis.max');
  if (min > max) throw invalidArgument(`faultDurationInMillis.min must not exceed its max, got { min: ${min}, max: ${max} }`);
  return { min, max };
}

/**
 * Checks the options of `chaos()`: bad ones throw `INVALID_ARGUMENT`, hosts never made
 * `HOST_NOT_FOUND`, before anything happens.
 *
 * @example
 * ```ts
 * const plan = planChaos({ durationInMillis: 5000 }, controls);
 * ```
 */
export function planChaos(options: ChaosOptions, controls: ChaosControls): Plan {
  const record = validateObject(options, 'chaos options');
  validateKeys(record, KEYS, 'chaos options');
  const duration = validateTimeout(record.durationInMillis, 'durationInMillis');
  const mean = record.meanIntervalInMillis === undefined ? 250 : validateTimeout(record.meanIntervalInMillis, 'meanIntervalInMillis');
  if (mean === 0) throw invalidArgument('meanIntervalInMillis must be at least 1');
  const faultDuration = record.faultDurationInMillis === undefined ? { min: 50, max: 1000 } : checkDuration(record.faultDurationInMillis);
  const weights: Record<Kind, number> = { partition: 1, oneWayPartition: 1, hold: 1, crash: 0 };
  if (record.faults !== undefined) {
    const faults = validateObject(record.faults, 'faults');
    validateKeys(faults, FAULT_KEYS, 'faults');
    for (const kind of KINDS) weights[kind] = faults[kind] === undefined ? 0 : checkWeight(faults[kind], kind);
  }
  let hosts = controls.hosts();
  if (record.hosts !== undefined) {
    if (!Array.isArray(record.hosts)) throw invalidArgument(`hosts must be an array of host names, got ${describeValue(record.hosts)}`);
    hosts = (record.hosts as unknown[]).map((host) => {
      if (typeof host !== 'string') throw invalidArgument(`hosts must be host names, got ${describeValue(host)}`);
      controls.check(host);
      return host;
    });
  }
  const onRestart = record.onRestart;
  if (onRestart !== undefined && typeof onRestart !== 'function') throw invalidArgument(`onRestart must be a function, got ${describeValue(onRestart)}`);
  return { duration, hosts, mean, faultDuration, weights, onRestart: onRestart as Plan['onRestart'] };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Injects seeded faults while `plan.duration` virtual ms pass: at intervals drawn around the mean,
 * one fault of a kind drawn by weight, on hosts drawn from the plan's, each healed after its own
 * drawn duration (and all by the end). A pair or host already under a fault is left alone until it
 * heals. Resolves once the time is up and everything is healed (and every `onRestart` settled).
 * Every draw comes from the simulation's one generator, so a seed replays the same faults.
 *
 * @example
 * ```ts
 * await runChaos(planChaos({ durationInMillis: 5000 }, controls), controls, () => clock.now);
 * ```
 */
export async function runChaos(plan: Plan, controls: ChaosControls, now: () => number): Promise<void> {
  const { random } = controls;
  const end = now() + plan.duration;
  const busy = new Set<string>();
  const healing: Array<Promise<void>> = [];
  const draw = (count: number): number => Math.floor(random() * count);
  const lasting = (): number => {
    const d = plan.faultDuration;
    const length = typeof d === 'number' ? d : d.min + draw(d.max - d.min + 1);
    return Math.min(length, end - now());
  };
  const total = KINDS.reduce((sum, kind) => sum + plan.weights[kind], 0);
  const pickKind = (): Kind | undefined => {
    if (total === 0) return undefined;
    let point = random() * total;
    for (const kind of KINDS) {
      point -= plan.weights[kind];
      if (point < 0 && plan.weights[kind] > 0) return kind;
    }
    return undefined;
  };
  // One fault: apply it now, heal it later; the healing is awaited at the end.
  const inject = (kind: Kind): void => {
    const hosts = plan.hosts;
    if (kind === 'crash') {
      const host = hosts[draw(hosts.length)];
      if (host === undefined || busy.has(`host:${host}`)) return;
      busy.add(`host:${host}`);
      controls.crash(host);
      healing.push(
        sleep(lasting()).then(async () => {
          controls.restart(host);
          await plan.onRestart?.(host);
          busy.delete(`host:${host}`);
        }),
      );
      return;
    }
    if (hosts.length < 2) return;
    const i = draw(hosts.length);
    const j = draw(hosts.length - 1);
    const a = hosts[i]!;
    const b = hosts[j >= i ? j + 1 : j]!;
    if (a === b) return;
    const key = a < b ? `pair:${a}:${b}` : `pair:${b}:${a}`;
    if (busy.has(key)) return;
    busy.add(key);
    if (kind === 'hold') controls.hold(a, b);
    else controls.partition(a, b, { oneWay: kind === 'oneWayPartition' });
    healing.push(
      sleep(lasting()).then(() => {
        if (kind === 'hold') controls.release(a, b);
        else controls.repair(a, b);
        busy.delete(key);
      }),
    );
  };
  for (;;) {
    const gap = draw(2 * plan.mean + 1);
    if (now() + gap >= end) break;
    await sleep(gap);
    const kind = pickKind();
    if (kind !== undefined) inject(kind);
  }
  await Promise.all(healing);
  const left = end - now();
  if (left > 0) await sleep(left);
}
