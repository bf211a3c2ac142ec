/** What a scenario is and what it reports: rows comparing a subject (@sock) with a baseline. */
import { join } from 'node:path';
import type { Options } from './options.js';
import type { SpawnOptions } from './child.js';
import type { Fields } from './protocol.js';
import { BENCH_DIR } from './child.js';

export type Target =
  /** subject/baseline median must be `op` value. */
  | { kind: 'ratio'; op: '>=' | '<='; value: number }
  /** subject median must not exceed the baseline median by more than `slack` (same unit). */
  | { kind: 'not-worse'; slack: number };

export interface Row {
  scenario: string;
  metric: string;
  unit: string;
  subject: string;
  baseline: string;
  subjectSamples: number[];
  baselineSamples: number[];
  target?: Target;
  /** Set when the scenario could not run; the row shows it instead of numbers. */
  skipped?: string;
  note?: string;
}

export interface RunContext {
  options: Options;
  /** True when children are pinned to CPUs. */
  pinned: boolean;
  log(message: string): void;
  /** Spawn options for a child; `sock` children get CPU-profiled under --profile. */
  spawnOptions(scenario: string, sock: boolean, deadlineMs: number, extra?: Partial<SpawnOptions>): SpawnOptions;
  /** Called by `interleave` after each round (1-based), for the progress line. */
  roundDone(scenario: string, round: number, rounds: number): void;
}

export interface Scenario {
  name: string;
  run(context: RunContext): Promise<Row[]>;
  /** Rough wall-clock seconds of the whole scenario with these options, for the progress ETA. */
  estimateSeconds(options: Options): number;
}

/** With --pin (opt-in, 2+ CPUs): servers/receivers run on CPU 0, clients/senders on CPU 1. */
export const SERVER = { cpu: 0 } as const;
export const CLIENT = { cpu: 1 } as const;

export const PROFILE_DIR = join(BENCH_DIR, 'results', 'profiles');

/**
 * Info rows (no target) comparing @sock's runs with the baseline's on per-operation figures, one per
 * `[metric, field]`: each side's CPU time per round trip, per connection, per request.
 */
export function infoRows(
  base: { scenario: string; subject: string; baseline: string },
  results: { sock: Array<Fields | undefined>; raw: Array<Fields | undefined> },
  metrics: ReadonlyArray<readonly [metric: string, field: string]>,
  unit = 'µs',
): Row[] {
  return metrics.map(([metric, field]) => ({ ...base, metric, unit, subjectSamples: pick(results.sock, field), baselineSamples: pick(results.raw, field) }));
}

/** Pulls one numeric field out of each round's result (NaN where the round failed). */
export function pick(results: Array<Fields | undefined>, key: string, scale = 1): number[] {
  return results.map((fields) => {
    const value = fields?.[key];
    return typeof value === 'number' ? value * scale : Number.NaN;
  });
}

/**
 * Runs every variant once per round, rotating which goes first so that drift (thermal, page cache,
 * other load) spreads evenly. A failed run is logged and counted as a missing sample.
 */
export async function interleave<K extends string>(
  context: RunContext,
  scenario: string,
  variants: Record<K, () => Promise<Fields>>,
  rounds = context.options.rounds,
): Promise<Record<K, Array<Fields | undefined>>> {
  const names = Object.keys(variants) as K[];
  const results = Object.fromEntries(names.map((name) => [name, [] as Array<Fields | undefined>])) as Record<K, Array<Fields | undefined>>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      const started = performance.now();
      try {
        const result = await variants[name]();
        results[name].push(result);
        context.log(`${scenario} round ${round + 1}/${rounds} ${name}: ${summarizeFields(result)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      } catch (error) {
        // A failed run is a missing sample (`pick` gives NaN) that remembers why, for the row's note.
        results[name].push({ failed: error instanceof Error ? error.message : String(error) });
        context.log(`${scenario} round ${round + 1}/${rounds} ${name}: FAILED ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    context.roundDone(scenario, round + 1, rounds);
  }
  return results;
}

/**
 * A note for the rows of a scenario whose runs failed in some rounds: how many per variant, and
 * the first reason; undefined when every run succeeded.
 */
export function failureNote(results: Record<string, Array<Fields | undefined>>): string | undefined {
  const parts: string[] = [];
  for (const [name, runs] of Object.entries(results)) {
    const failed = runs.filter((fields) => fields === undefined || typeof fields.failed === 'string');
    if (failed.length === 0) continue;
    const reason = failed.map((fields) => fields?.failed).find((value) => typeof value === 'string') ?? 'no result';
    parts.push(`${name}: ${failed.length}/${runs.length} runs failed (${String(reason).slice(0, 200)})`);
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}

function summarizeFields(fields: Fields): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? +value.toPrecision(4) : String(value)}`)
    .join(' ');
}
