import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkTs, mib, type TsChild } from '../../../tooling/test-child.js';
import { UdpClient } from '../src/index.js';
import type { FloodCommand, FloodReport } from './children/flood-receiver.js';
import { floodDatagram, marker } from './children/flood-datagrams.js';

// `SOCK_LOAD=full`: the hardening issue's 200,000; the CI default takes about two seconds.
const DATAGRAMS = process.env.SOCK_LOAD === 'full' ? 200_000 : 50_000;
// Of 50,000 × 4 KiB (200 MiB) the receiving socket takes in about a third before the kernel drops
// the rest: a queue that kept them all would pass the memory bound below.
const SIZE = 4096;
// Generous: maxQueuedDatagrams × SIZE is 4 MiB; the rest is garbage from dropped datagrams.
const RSS_BOUND = 100 * 1024 * 1024;
const IN_FLIGHT = 64;

let receiver: TsChild<FloodCommand, FloodReport>;
let listening: Extract<FloodReport, { type: 'listening' }>;

beforeAll(async () => {
  receiver = await forkTs(new URL('./children/flood-receiver.ts', import.meta.url), [], { execArgv: ['--expose-gc'] });
  listening = await receiver.next('listening');
});
afterAll(() => receiver.close());

describe(`a flood of ${DATAGRAMS.toLocaleString('en')} datagrams at a UDP client that does not receive`, () => {
  it('keeps its queue and memory bounded, counts what it dropped, and still works afterwards', async () => {
    const to = { host: '127.0.0.1', port: listening.port };
    const sender = new UdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
    try {
      receiver.send({ type: 'reset' });
      await receiver.next('stats');

      const started = performance.now();
      let next = 0;
      const flood = async (): Promise<void> => {
        while (next < DATAGRAMS) await sender.sendTo(floodDatagram(next++, SIZE), to);
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, flood));
      const seconds = (performance.now() - started) / 1000;

      receiver.send({ type: 'settle' });
      const settled = await receiver.next('settled');
      receiver.send({ type: 'drain' });
      await receiver.next('draining', 30_000);
      // The marker goes after the flood; if the kernel drops it, it is sent again.
      const drained = receiver.next('drained');
      const resend = setInterval(() => void sender.sendTo(marker(), to).catch(() => undefined), 500);
      try {
        await sender.sendTo(marker(), to);
        const result = await drained;
        const reply = await sender.receiveFrom(undefined, { timeoutInMillis: 10_000 });
        expect(reply.data.toString()).toBe('marker seen');

        // Bounded: what was queued when the flood ended is at most maxQueuedDatagrams, the newest
        // ones, in order and intact; everything else the socket took in was dropped and counted.
        expect(result.received).toBeGreaterThan(0);
        expect(result.received).toBeLessThanOrEqual(listening.maxQueuedDatagrams);
        expect(result.received).toBe(listening.maxQueuedDatagrams); // it was full when the flood ended
        expect(result.increasing).toBe(true);
        expect(result.intact).toBe(true);
        expect(settled.dropped).toBeGreaterThan(0);
        expect(settled.dropped + result.received).toBeLessThanOrEqual(DATAGRAMS);
        expect(result.dropped).toBe(settled.dropped);
        expect(settled.peak - settled.baseline).toBeLessThan(RSS_BOUND);

        // Still serving: a round trip after the flood.
        receiver.send({ type: 'echo' });
        await sender.sendTo('still there?', to);
        await receiver.next('echoed');
        let echo = await sender.receiveFrom(undefined, { timeoutInMillis: 10_000 });
        while (echo.data.toString() === 'marker seen') echo = await sender.receiveFrom(undefined, { timeoutInMillis: 10_000 });
        expect(echo.data.toString()).toBe('still there?');

        const taken = settled.dropped + result.received;
        console.log(
          `[udp flood] ${DATAGRAMS.toLocaleString('en')} × ${SIZE} B sent in ${seconds.toFixed(1)} s; the socket took in ${taken.toLocaleString('en')} ` +
            `(the kernel dropped the rest), queued ${result.received} (max ${listening.maxQueuedDatagrams}, seq ${result.first}..${result.last}), ` +
            `dropped and counted ${settled.dropped.toLocaleString('en')}; receiver RSS peak ${mib(settled.peak)} ` +
            `(+${mib(settled.peak - settled.baseline)} over ${mib(settled.baseline)}; Buffers at most ${mib(settled.peakArrayBuffers)})`,
        );
      } finally {
        clearInterval(resend);
      }
    } finally {
      await sender.close();
    }
  });
});
