/** The measured time window shared by every echo loop of a run. */
import { num, type Fields } from '../protocol.js';
import { LatencyRecorder } from '../stats.js';
import type { Client } from '@sock/core';
import { CpuMeter, nowMicros } from './context.js';

/** No loop runs more than this many iterations, whatever the clock says. */
export const MAX_ITERATIONS = 100_000_000;

/** Shared time window of the echo loops: a warm-up that is not counted, then the measured part. */
export class EchoWindow {
  readonly recorder = new LatencyRecorder();
  roundTrips = 0;
  errors = 0;
  // Every round trip, warm-up included, and this process's CPU time over them: CPU per round trip.
  #completed = 0;
  readonly #cpu = new CpuMeter();
  readonly #warmupEnd: number;
  readonly #end: number;

  constructor(params: Fields) {
    const start = nowMicros();
    this.#warmupEnd = start + num(params, 'warmup') * 1e6;
    this.#end = this.#warmupEnd + num(params, 'seconds') * 1e6;
  }

  /** True while loops should keep going. */
  running(now: number): boolean {
    return now < this.#end;
  }

  /** Records a round trip that started at `t0` and ended at `t1` (µs), if inside the window. */
  complete(t0: number, t1: number): void {
    this.#completed++;
    if (t0 >= this.#warmupEnd && t1 <= this.#end) {
      this.roundTrips++;
      this.recorder.record(t1 - t0);
    }
  }

  result(params: Fields): Fields {
    const seconds = num(params, 'seconds');
    const [p50 = Number.NaN, p99 = Number.NaN] = this.recorder.percentiles(0.5, 0.99);
    return { roundTrips: this.roundTrips, rtPerSec: this.roundTrips / seconds, p50, p99, errors: this.errors, allRoundTrips: this.#completed, cpuMicros: this.#cpu.micros };
  }
}

export function request(params: Fields): Buffer {
  return Buffer.alloc(num(params, 'size'), 0x62);
}

/**
 * The @sock client side of an echo run: each client writes `request(params)` and reads the same
 * number of bytes back until the window closes, then closes. Shared by the real-TCP and the
 * test-kit scenarios so that both measure exactly the same loop.
 */
export async function runSockEchoClients(clients: readonly Client[], params: Fields, window: EchoWindow): Promise<void> {
  const req = request(params);
  const size = req.length;
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < MAX_ITERATIONS; i++) {
        const t0 = nowMicros();
        if (!window.running(t0)) break;
        await client.write(req);
        const reply = await client.read(size);
        if (reply.length !== size) {
          window.errors++;
          break;
        }
        window.complete(t0, nowMicros());
      }
      await client.close();
    }),
  );
}
