/**
 * sim-echo: simulated echo round trips per second inside `sim.run` of a test-kit simulation (two
 * hosts, 50 connections), with a virtual latency of 0 (every delivery a microtask) vs 1 ms (every
 * delivery a virtual timer the run's clock jumps to). Information, no target: what a chaos test
 * built on the simulation can expect per second of real time.
 */
import type { Fields } from '../protocol.js';
import { failureNote, interleave, pick, type RunContext, type Scenario } from '../scenario.js';
import { inProcessEcho } from './in-process-echo.js';

const NAME = 'sim-echo';

function runOnce(context: RunContext, latency: number): Promise<Fields> {
  return inProcessEcho(context, NAME, 'sim-echo', { latency });
}

export const simEcho: Scenario = {
  name: NAME,
  estimateSeconds: (options) => options.rounds * 2 * (options.testkitSeconds + options.warmupSeconds + 1.5),
  async run(context) {
    const row = { scenario: NAME, metric: 'round trips/s', unit: 'rt/s', subject: 'simulation, latency 0', baseline: 'simulation, latency 1 ms' } as const;
    const results = await interleave(context, NAME, {
      zero: () => runOnce(context, 0),
      oneMs: () => runOnce(context, 1),
    });
    const note = failureNote(results);
    // The progress lines also show virtualSeconds: how much simulated time the measured window covered.
    return [{ ...row, subjectSamples: pick(results.zero, 'rtPerSec'), baselineSamples: pick(results.oneMs, 'rtPerSec'), ...(note === undefined ? {} : { note }) }];
  },
};
