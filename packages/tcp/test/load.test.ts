import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { forkTs, type TsChild } from '../../../tooling/test-child.js';
import { Client, isSocketError, Listener, type Caller, type Service } from '../src/index.js';
import type { ManyClientsCommand, ManyClientsReport } from './children/many-clients.js';
import type { SoakCommand, SoakReport } from './children/soak-clients.js';
import { counter, echoService, track } from './helpers.js';
import { pattern } from './children/patterns.js';

// Sizes: the CI default runs in a few seconds; `SOCK_LOAD=full` is the hardening issue's figure.
const FULL = process.env.SOCK_LOAD === 'full';
const CONNECTIONS = FULL ? 10_000 : 1_000;
// `SOCK_SOAK=1`: the million round trips.
const ROUND_TRIPS = process.env.SOCK_SOAK === '1' ? 1_000_000 : 20_000;

/** The soft limit on open files of this process, from /proc (Node has no API for it). */
function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

describe(`${CONNECTIONS.toLocaleString('en')} concurrent connections to one listener`, () => {
  let clients: TsChild<ManyClientsCommand, ManyClientsReport>;

  beforeAll(async () => {
    clients = await forkTs(new URL('./children/many-clients.ts', import.meta.url));
  });
  afterAll(() => clients.close());

  it('echoes every connection\'s own payload byte for byte while all of them are open at once', async () => {
    // Each process holds one side of every connection; both need room for all of them.
    expect(openFileLimit(), 'ulimit -n of the test process').toBeGreaterThan(CONNECTIONS + 500);

    const connected = counter(CONNECTIONS);
    const closed = counter(CONNECTIONS);
    let peak = 0;
    const listener = track(new Listener(0, { interface: '127.0.0.1', backlog: 1024 }));
    const service: Service = {
      onConnect() {
        connected.tick();
        peak = Math.max(peak, listener.connections);
      },
      onReadReady: (caller: Caller) => echoService.onReadReady!(caller),
      onClose: () => closed.tick(),
    };
    listener.attach(service);
    await listener.start();

    const started = performance.now();
    clients.send({ type: 'open', port: listener.address!.port, count: CONNECTIONS, concurrency: 256 });
    const held = await clients.next('held');
    await connected.done;

    expect(held.failures).toEqual([]);
    expect(held.mismatched).toBe(0);
    expect(held.verified).toBe(CONNECTIONS);
    expect(held.open).toBe(CONNECTIONS);
    // Every echo was checked before any connection closed: all of them are open now, together.
    expect(listener.connections).toBe(CONNECTIONS);
    expect(peak).toBe(CONNECTIONS);
    console.log(
      `[load] ${listener.connections.toLocaleString('en')} connections held open at once; ${held.verified.toLocaleString('en')} echoes verified by sha256 ` +
        `(${held.seconds.toFixed(1)} s to open and verify all)`,
    );

    clients.send({ type: 'close' });
    await clients.next('closed');
    await closed.done;
    expect(listener.connections).toBe(0);
    console.log(`[load] all ${CONNECTIONS.toLocaleString('en')} closed; ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  });
});

describe(`a soak of ${ROUND_TRIPS.toLocaleString('en')} echo round trips on 50 connections`, () => {
  it('loses, reorders and corrupts nothing, with a pull (onReadReady) and a push (onBytes) echo', async () => {
    const pull = track(new Listener(0, { interface: '127.0.0.1' }));
    pull.attach(echoService);
    const push = track(new Listener(0, { interface: '127.0.0.1' }));
    push.attach({
      async onBytes(caller, data) {
        await caller.write(data);
      },
    });
    await Promise.all([pull.start(), push.start()]);
    const clients = track(await forkTs<SoakCommand, SoakReport>(new URL('./children/soak-clients.ts', import.meta.url)));

    clients.send({ type: 'soak', ports: [pull.address!.port, push.address!.port], connections: 50, roundTrips: ROUND_TRIPS, window: 16 });
    const soaked = await clients.next('soaked', 600_000);

    expect(soaked.failures).toEqual([]);
    expect(soaked.outOfOrder).toBe(0);
    expect(soaked.corrupted).toBe(0);
    expect(soaked.verified).toBe(ROUND_TRIPS);
    console.log(
      `[soak] ${soaked.verified.toLocaleString('en')} round trips verified (sequence and content) on 50 connections, ` +
        `16 in flight each, in ${soaked.seconds.toFixed(1)} s`,
    );
  }, 900_000);
});

describe('gracefulStop under load', () => {
  it('50 connections mid-traffic: answered round trips are complete and correct, the stop resolves, every socket closes', async () => {
    const listener = track(new Listener(0, { interface: '127.0.0.1' }));
    listener.attach(echoService);
    await listener.start();
    const port = listener.address!.port;
    const body = pattern(0x9a11, 64 * 1024);

    /** One client's round trips: `limit` of them then a clean close, or (no limit) until the server ends it. */
    interface Outcome {
      answered: number;
      corrupted: number;
      /** How the loop ended when the server cut it: a short reply (a prefix of the request, or not) or an error code. */
      end: string;
      closed: boolean;
    }
    const warmedUp = counter(50);
    const run = async (index: number, limit: number | undefined): Promise<Outcome> => {
      const client = await Client.connect({ host: '127.0.0.1', port, readTimeoutInMillis: 10_000 });
      const outcome: Outcome = { answered: 0, corrupted: 0, end: 'finished', closed: false };
      try {
        for (let seq = 0; limit === undefined || seq < limit; seq++) {
          const length = 1 + ((seq * 7919 + index * 31) % (16 * 1024));
          const request = Buffer.concat([Buffer.from(`${index}:${seq}:`), body.subarray(0, length)]);
          await client.write(request);
          const reply = await client.read(request.length);
          if (reply.length < request.length) {
            // The stop cut this round trip: what came back is still exactly the start of what was sent.
            outcome.end = request.subarray(0, reply.length).equals(reply) ? 'prefix' : 'not-a-prefix';
            break;
          }
          if (!reply.equals(request)) outcome.corrupted++;
          outcome.answered++;
          if (outcome.answered === 20) warmedUp.tick();
        }
      } catch (error) {
        outcome.end = isSocketError(error) ? error.code : String(error);
      }
      if (outcome.answered < 20) warmedUp.tick();
      await client.close();
      outcome.closed = true;
      return outcome;
    };

    // Half of the clients finish their work within the grace period; the other half would go on
    // for ever and are closed by the time-out.
    const finishers = Array.from({ length: 25 }, (_, i) => run(i, 200));
    const runners = Array.from({ length: 25 }, (_, i) => run(25 + i, undefined));
    await warmedUp.done; // every client is mid-traffic
    expect(listener.connections).toBeGreaterThanOrEqual(25); // the runners at least

    const stopped = listener.gracefulStop({ timeoutInMillis: 2000 });
    // Stopped accepting at once: a newcomer is refused while the open connections carry on.
    await expect(Client.connect({ host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await stopped;
    expect(listener.connections).toBe(0);

    const finished = await Promise.all(finishers);
    const cut = await Promise.all(runners);
    for (const outcome of finished) expect(outcome).toEqual({ answered: 200, corrupted: 0, end: 'finished', closed: true });
    for (const outcome of cut) {
      expect(outcome.corrupted).toBe(0);
      expect(outcome.answered).toBeGreaterThanOrEqual(20);
      expect(outcome.closed).toBe(true);
      // The cut shows as an end of stream in the middle of a reply, or as a reset/closed socket.
      expect(['prefix', 'CONNECTION_RESET', 'CONNECTION_CLOSED']).toContain(outcome.end);
    }
    const answered = [...finished, ...cut].reduce((sum, outcome) => sum + outcome.answered, 0);
    console.log(`[graceful] ${answered.toLocaleString('en')} answered round trips all intact; 25 clients finished, 25 cut at the 2 s time-out (${cut.map((o) => o.end).filter((e) => e !== 'prefix').length} saw a reset)`);
  });
});
