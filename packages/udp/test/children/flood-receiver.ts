// A UDP client that nobody reads from while a test floods it, and whose memory the test watches.
// Run with --expose-gc so that the baseline is what is live.
import { setImmediate as turn } from 'node:timers/promises';
import { UdpClient } from '../../src/index.js';
import { MemorySampler, onCommand, report, type MemoryFigures } from '../../../../tooling/test-child.js';
import { floodDatagram, isMarker, SEQUENCE_BYTES } from './flood-datagrams.js';

/**
 * What the test tells the flood receiver.
 *
 * @example
 * ```ts
 * receiver.send({ type: 'settle' });
 * ```
 */
export type FloodCommand = { type: 'reset' } | { type: 'settle' } | { type: 'drain' } | { type: 'echo' };
/**
 * What the flood receiver reports.
 *
 * @example
 * ```ts
 * const { dropped } = await receiver.next('settled');
 * ```
 */
export type FloodReport =
  | { type: 'listening'; port: number; maxQueuedDatagrams: number }
  | ({ type: 'stats' } & MemoryFigures)
  | ({ type: 'settled'; dropped: number } & MemoryFigures)
  | { type: 'draining' }
  | { type: 'drained'; received: number; first: number; last: number; increasing: boolean; intact: boolean; dropped: number }
  | { type: 'echoed' }
  | { type: 'failed'; error: string };

const MAX_QUEUED_DATAGRAMS = 1024;
const memory = new MemorySampler();
const receiver = new UdpClient({ localAddress: { host: '127.0.0.1', port: 0 }, maxQueuedDatagrams: MAX_QUEUED_DATAGRAMS });
await receiver.ready;

onCommand<FloodCommand>(async (command) => {
  switch (command.type) {
    case 'reset':
      memory.reset();
      report<FloodReport>({ type: 'stats', ...memory.read() });
      break;
    case 'settle': {
      // Nothing reads; the socket keeps taking datagrams from the kernel into the bounded queue,
      // dropping the oldest. Once the drop count stands still for some turns of the event loop
      // (each one polls the socket), the kernel's buffer is empty: the queue holds what is left.
      let last = -1;
      for (let still = 0; still < 50; ) {
        await turn();
        const dropped = receiver.droppedDatagrams;
        if (dropped === last) still++;
        else {
          still = 0;
          last = dropped;
        }
      }
      report<FloodReport>({ type: 'settled', dropped: receiver.droppedDatagrams, ...memory.read() });
      break;
    }
    case 'drain': {
      // Everything queued came before the marker the test sends after the flood. The test sends it
      // once the first datagram is out, so the marker never finds a full queue and drops one.
      let received = 0;
      let first = -1;
      let last = -1;
      let increasing = true;
      let intact = true;
      for (;;) {
        const { data, address } = await receiver.receiveFrom(undefined, { timeoutInMillis: 30_000 });
        if (received === 0 && first < 0) report<FloodReport>({ type: 'draining' });
        if (isMarker(data)) {
          await receiver.sendTo('marker seen', address);
          break;
        }
        const sequence = data.readUInt32BE(0);
        if (sequence <= last) increasing = false;
        if (!data.equals(floodDatagram(sequence, data.length - SEQUENCE_BYTES))) intact = false;
        if (first < 0) first = sequence;
        last = sequence;
        received++;
      }
      report<FloodReport>({ type: 'drained', received, first, last, increasing, intact, dropped: receiver.droppedDatagrams });
      break;
    }
    case 'echo': {
      // Still serving after the flood: answer the next datagram that is not a (repeated) marker.
      for (;;) {
        const { data, address } = await receiver.receiveFrom(undefined, { timeoutInMillis: 30_000 });
        if (isMarker(data)) continue;
        await receiver.sendTo(data, address);
        break;
      }
      report<FloodReport>({ type: 'echoed' });
      break;
    }
  }
});
report<FloodReport>({ type: 'listening', port: receiver.localAddress!.port, maxQueuedDatagrams: MAX_QUEUED_DATAGRAMS });
