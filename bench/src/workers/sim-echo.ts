/**
 * sim-echo: the echo loop of testkit-echo inside `sim.run` of a test-kit simulation — a listener on
 * host `server`, the clients on host `client`, every link with a fixed virtual latency. Virtual time
 * stands in for `performance.now()` inside the run, so the measured window is kept in real time
 * with `process.hrtime` (which the simulation leaves real).
 */
import { createSimulation } from '@sock/testkit';
import { num, type Fields } from '../protocol.js';
import { LatencyRecorder } from '../stats.js';
import { MAX_ITERATIONS, request } from './echo-window.js';
import type { Context } from './context.js';

const realMicros = (): number => Number(process.hrtime.bigint() / 1000n);

export async function simEcho(context: Context): Promise<Fields> {
  const { params } = context;
  const latency = num(params, 'latency');
  const sim = createSimulation({ seed: 1, link: { latencyInMillis: latency } });
  const server = sim.host('server');
  const client = sim.host('client');
  const start = realMicros();
  const warmupEnd = start + num(params, 'warmup') * 1e6;
  const end = warmupEnd + num(params, 'seconds') * 1e6;
  const recorder = new LatencyRecorder();
  let roundTrips = 0;
  let errors = 0;
  let virtualStart = 0;
  let virtualEnd = 0;
  const req = request(params);
  await sim.run(
    async () => {
      const listener = server.tcp.createListener(7);
      listener.attach({
        onBytes(caller, data) {
          void caller.write(data);
        },
      });
      await listener.start();
      const clients = await Promise.all(Array.from({ length: num(params, 'connections') }, () => client.tcp.connect({ host: 'server', port: 7 })));
      await Promise.all(
        clients.map(async (connection) => {
          for (let i = 0; i < MAX_ITERATIONS; i++) {
            const t0 = realMicros();
            if (t0 >= end) break;
            if (t0 >= warmupEnd && virtualStart === 0) virtualStart = sim.now;
            await connection.write(req);
            const reply = await connection.read(req.length);
            if (reply.length !== req.length) {
              errors++;
              break;
            }
            const t1 = realMicros();
            if (t0 >= warmupEnd && t1 <= end) {
              roundTrips++;
              recorder.record(t1 - t0);
            }
          }
          await connection.close();
        }),
      );
      virtualEnd = sim.now;
      await listener.immediateStop();
    },
    { timeoutInMillis: 2_000_000_000 },
  );
  await sim.close();
  const seconds = num(params, 'seconds');
  const [p50 = Number.NaN, p99 = Number.NaN] = recorder.percentiles(0.5, 0.99);
  return { roundTrips, rtPerSec: roundTrips / seconds, p50, p99, errors, virtualSeconds: (virtualEnd - virtualStart) / 1000 };
}
