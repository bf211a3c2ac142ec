import { describe, expect, it } from 'vitest';
import { tcp } from '@sock/tcp';
import { createSimulation, SimulationError, type SimEvent } from '@sock/testkit';
import { CounterClient, readValue, startBackup, startPrimary, type Acknowledge } from './replicated-counter.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The faults of the last run (partitions, holds, crashes ...), to show what led to a failure.
let lastFaults: SimEvent[] = [];
const FAULTS = new Set(['partition', 'repair', 'hold', 'release', 'crash', 'restart']);

/**
 * One seeded run: a client increments the counter for 4 s of virtual time while chaos cuts, holds
 * and delays the links between the three hosts and crashes the primary now and then (it restarts
 * and recovers from the backup). Then the primary crashes for good and the client reads the backup.
 * Invariants: acknowledged values only grow (an acknowledged increment is never lost), and the backup
 * has at least the last one. A violation throws inside `run`, which rejects naming the seed.
 */
async function chaosRun(seed: number, acknowledge: Acknowledge): Promise<{ acknowledged: number; backup: number; trace: string }> {
  const sim = createSimulation({ seed, link: { latencyInMillis: { min: 1, max: 15 } } });
  const client = sim.host('client');
  const primary = sim.host('primary');
  const backup = sim.host('backup');
  try {
    const result = await sim.run(async () => {
      await startBackup(backup.tcp, 7001);
      const startThePrimary = () => startPrimary(primary.tcp, { port: 7000, backup: { host: 'backup', port: 7001 }, acknowledge });
      await startThePrimary();
      const chaos = Promise.all([
        sim.chaos({ durationInMillis: 4_000, meanIntervalInMillis: 300, faults: { partition: 1, oneWayPartition: 1, hold: 2 } }),
        sim.chaos({ durationInMillis: 4_000, hosts: ['primary'], meanIntervalInMillis: 2_000, faultDurationInMillis: { min: 50, max: 400 }, faults: { crash: 1 }, onRestart: async () => void (await startThePrimary()) }),
      ]);
      let over = false;
      void chaos.then(() => (over = true));
      const counter = new CounterClient(client.tcp, { host: 'primary', port: 7000 });
      let last = 0;
      for (let i = 0; i < 100_000 && !over; i++) {
        const n = await counter.increment();
        if (n === undefined) continue;
        if (n <= last) throw new Error(`the counter acknowledged ${last}, then ${n}: an acknowledged increment was lost`);
        last = n;
      }
      await chaos;
      counter.close();
      await sleep(2_000); // all is healed: replication settles
      sim.crash('primary'); // fail over
      const kept = await readValue(client.tcp, { host: 'backup', port: 7001 });
      if (kept < last) throw new Error(`the backup has ${kept}, but ${last} was acknowledged`);
      return { acknowledged: last, backup: kept };
    });
    return { ...result, trace: JSON.stringify(sim.trace) };
  } finally {
    lastFaults = sim.trace.filter((event) => FAULTS.has(event.kind));
    await sim.close();
  }
}

describe('a replicated counter under seeded chaos', () => {
  it('runs unchanged on real TCP', async () => {
    const backup = await startBackup(tcp, 0);
    const primary = await startPrimary(tcp, { port: 0, backup: { host: '127.0.0.1', port: backup.listener.address!.port } });
    const counter = new CounterClient(tcp, { host: '127.0.0.1', port: primary.listener.address!.port });
    try {
      expect([await counter.increment(), await counter.increment(), await counter.increment()]).toEqual([1, 2, 3]);
      expect(await readValue(tcp, { host: '127.0.0.1', port: backup.listener.address!.port })).toBe(3);
    } finally {
      counter.close();
      await primary.stop();
      await backup.stop();
    }
  });

  it('finds the planted bug (acknowledging before the backup has it) and names the seed; the seed replays it', { timeout: 120_000 }, async () => {
    let failure: SimulationError | undefined;
    for (let seed = 1; seed <= 200 && failure === undefined; seed++) {
      await chaosRun(seed, 'before-backup').catch((error: unknown) => {
        if (!(error instanceof SimulationError)) throw error;
        failure = error;
      });
    }
    expect(failure).toBeDefined();
    const timeline = lastFaults.filter((event) => event.at <= failure!.at).map((event) => `  ${event.at} ms ${event.kind} ${event.from} -> ${event.to}`);
    console.log(`the planted bug, found: ${failure!.message}\nthe faults that led there:\n${timeline.join('\n')}`);
    // Replaying the seed fails again, the same way, at the same virtual time.
    const replay = await chaosRun(failure!.seed, 'before-backup').then(
      () => undefined,
      (error: unknown) => error as SimulationError,
    );
    expect(replay?.message).toBe(failure!.message);
    expect((replay?.cause as Error).message).toBe((failure!.cause as Error).message);
    // The fixed primary passes that seed.
    await chaosRun(failure!.seed, 'after-backup');
  });

  it('the fixed primary (acknowledging after the backup) keeps every acknowledged increment over 1,000 seeds', { timeout: 600_000 }, async () => {
    const seeds = Number(process.env.COUNTER_SEEDS ?? 1000);
    const started = process.hrtime.bigint();
    let increments = 0;
    for (let seed = 1; seed <= seeds; seed++) increments += (await chaosRun(seed, 'after-backup')).acknowledged;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`${seeds} seeds in ${seconds.toFixed(1)} s of real time: ${(seeds / seconds).toFixed(1)} seeds/s, ${increments} acknowledged increments, each seed 6 s of virtual time`);
    expect(increments).toBeGreaterThan(seeds);
  });

  it('the same seed gives the same trace', { timeout: 60_000 }, async () => {
    const first = await chaosRun(7, 'after-backup');
    expect((await chaosRun(7, 'after-backup')).trace).toBe(first.trace);
  });
});
