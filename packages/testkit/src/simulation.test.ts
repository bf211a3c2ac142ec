import { afterEach, describe, expect, it } from 'vitest';
import type { Caller, Service } from '@sock/core';
import { createSimulation, echoService, recordingService, SimulationError, testCertificates, type SimHost, type Simulation, type SimulationOptions } from './index.js';
import { deferred, rejectionOf } from './conformance/index.js';

const sims: Simulation[] = [];
function simulation(options?: SimulationOptions): Simulation {
  const made = createSimulation(options);
  sims.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(host: SimHost, service: Service, port = 7000, iface?: string) {
  const listener = host.tcp.createListener(port, iface === undefined ? {} : { interface: iface });
  listener.attach(service);
  await listener.start();
  return listener;
}

describe('hosts and addresses', () => {
  it('gives each host its own address from 192.0.2.0/24; host() hands out the same host again', () => {
    const sim = simulation({ seed: 1 });
    const a = sim.host('a');
    const b = sim.host('b');
    expect(a.address).toBe('192.0.2.1');
    expect(b.address).toBe('192.0.2.2');
    expect(sim.host('a')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('hosts reach each other by name; both ends see numeric addresses; two hosts listen on one port', async () => {
    const sim = simulation({ seed: 1 });
    const [a, b, c] = [sim.host('a'), sim.host('b'), sim.host('c')];
    await sim.run(async () => {
      const onB = recordingService();
      await serve(b, onB, 7000);
      await serve(c, echoService(), 7000);
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      const caller = await onB.waitForConnect();
      expect([client.remoteAddress, client.remotePort, client.localAddress]).toEqual([b.address, 7000, a.address]);
      expect([caller.remoteAddress, caller.remotePort, caller.localAddress, caller.localPort]).toEqual([a.address, client.localPort, b.address, 7000]);
      const toC = await a.tcp.connect({ host: c.address, port: 7000 });
      await toC.write('hi');
      expect((await toC.read(2)).toString()).toBe('hi');
    });
  });

  it('a host reaches itself by its name, its address, localhost and 127.0.0.1', async () => {
    const sim = simulation({ seed: 1 });
    const a = sim.host('a');
    await sim.run(async () => {
      await serve(a, echoService(), 80);
      for (const [target, seen] of [['a', a.address], [a.address, a.address], ['localhost', '127.0.0.1'], ['127.0.0.1', '127.0.0.1']]) {
        const client = await a.tcp.connect({ host: target!, port: 80 });
        expect(client.remoteAddress, target).toBe(seen);
        expect(client.localAddress, target).toBe(seen);
        await client.write('x');
        expect((await client.read(1)).toString()).toBe('x');
        await client.close();
      }
    });
  });

  it('a listener bound to 127.0.0.1 is reachable only from its own host', async () => {
    const sim = simulation({ seed: 1 });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      await serve(b, echoService(), 80, '127.0.0.1');
      expect((await rejectionOf(a.tcp.connect({ host: 'b', port: 80 }))).code).toBe('CONNECTION_REFUSED');
      const local = await b.tcp.connect({ host: 'localhost', port: 80 });
      expect(local.remoteAddress).toBe('127.0.0.1');
      // Bound to its own name: reachable from others, not through loopback.
      await serve(b, echoService(), 81, 'b');
      expect((await a.tcp.connect({ host: 'b', port: 81 })).remoteAddress).toBe(b.address);
      expect((await rejectionOf(b.tcp.connect({ host: '127.0.0.1', port: 81 }))).code).toBe('CONNECTION_REFUSED');
      // Another host's address is not this host's to bind.
      const foreign = b.tcp.createListener(82, { interface: 'a' });
      foreign.attach(echoService());
      expect((await rejectionOf(foreign.start())).code).toBe('INVALID_ARGUMENT');
    });
  });

  it('a name never made is HOST_NOT_FOUND; an address no host has refuses TCP and loses UDP', async () => {
    const sim = simulation({ seed: 1 });
    const a = sim.host('a');
    await sim.run(async () => {
      expect((await rejectionOf(a.tcp.connect({ host: 'nobody', port: 80 }))).code).toBe('HOST_NOT_FOUND');
      expect((await rejectionOf(a.tcp.connect({ host: '192.0.2.99', port: 80 }))).code).toBe('CONNECTION_REFUSED');
      const socket = a.udp.createUdpClient();
      await socket.ready;
      expect((await rejectionOf(socket.sendTo('x', { host: 'nobody', port: 9 }))).code).toBe('HOST_NOT_FOUND');
      expect(await socket.sendTo('lost', { host: '198.51.100.7', port: 9 })).toBe(4);
      await sleep(10);
    });
    expect(sim.trace.filter((event) => event.kind === 'udp:unreachable')).toEqual([{ at: 0, kind: 'udp:unreachable', from: 'a', to: '198.51.100.7', bytes: 4 }]);
  });

  it('refuses names that are not host names', () => {
    const sim = simulation({ seed: 1 });
    for (const name of ['', 'localhost', '10.0.0.1', '::1', 'two words', 7 as unknown as string]) {
      expect(() => sim.host(name), String(name)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('UDP between hosts: the sender is seen by its address; datagrams to a crashed or absent port are lost', async () => {
    const sim = simulation({ seed: 1 });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const listener = b.udp.createListener(53);
      listener.attach({ onDatagram: (datagram, caller) => void caller.reply(`re:${datagram.data.toString()}`) });
      await listener.start();
      const client = a.udp.createUdpClient();
      await client.ready;
      await client.sendTo('q', { host: 'b', port: 53 });
      const reply = await client.receiveFrom();
      expect(reply.data.toString()).toBe('re:q');
      expect(reply.address).toEqual({ host: b.address, port: 53 });
    });
  });
});

describe('TLS', () => {
  it('runs over the links between simulated hosts, inside run (node:tls over the kit’s pipes)', async () => {
    const sim = simulation({ seed: 1, link: { latencyInMillis: { min: 1, max: 10 } } });
    const { ca, server } = testCertificates;
    const reply = await sim.run(async () => {
      const listener = sim.host('b').tcp.createListener(443, { secureSocket: { cert: server.cert, key: server.key } });
      listener.attach(echoService());
      await listener.start();
      const client = await sim.host('a').tcp.connect({ host: 'b', port: 443, secureSocket: { ca, servername: 'localhost' } });
      expect(client.tls?.authorized).toBe(true);
      await client.write('hello');
      return (await client.read(5)).toString();
    });
    expect(reply).toBe('hello');
  });
});

describe('the virtual clock', () => {
  it('a 60 s read time-out fires at once: virtual time jumps when nothing is runnable', { timeout: 1000 }, async () => {
    const sim = simulation({ seed: 1 });
    const [a, b] = [sim.host('a'), sim.host('b')];
    const started = process.hrtime.bigint();
    const code = await sim.run(async () => {
      await serve(b, { onConnect() {} });
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      const start = sim.now;
      const error = await rejectionOf(client.read(1, { timeoutInMillis: 60_000 }));
      expect(sim.now - start).toBe(60_000);
      return error.code;
    });
    expect(code).toBe('READ_TIMED_OUT');
    console.log(`a 60 s read time-out took ${Number(process.hrtime.bigint() - started) / 1e6} ms of real time`);
  });

  it('Date, performance.now, timers and Math.random follow the simulation inside run, and are restored after (also on a throw)', async () => {
    const sim = simulation({ seed: 5 });
    const real = { setTimeout: globalThis.setTimeout, Date: globalThis.Date, random: Math.random, now: performance.now };
    const seen = await sim.run(async () => {
      const date = Date.now();
      const perf = performance.now();
      let ticks = 0;
      const interval = setInterval(() => ticks++, 100);
      await sleep(1_050);
      clearInterval(interval);
      await new Promise((resolve) => setImmediate(resolve));
      return { date, perf, ticks, later: Date.now(), random: [Math.random(), Math.random()] };
    });
    expect(seen.date).toBe(Date.UTC(2000, 0, 1));
    expect(seen.perf).toBe(0);
    expect(seen.ticks).toBe(10);
    expect(seen.later - seen.date).toBe(1_050);
    expect(sim.now).toBe(1_050);
    expect(globalThis.setTimeout).toBe(real.setTimeout);
    expect(globalThis.Date).toBe(real.Date);
    expect(Math.random).toBe(real.random);
    expect(performance.now).toBe(real.now);
    await rejectionOf(sim.run(() => Promise.reject(new Error('boom'))));
    expect(globalThis.setTimeout).toBe(real.setTimeout);
    expect(globalThis.Date).toBe(real.Date);
    // Seeded: another simulation with the same seed draws the same numbers.
    const again = simulation({ seed: 5 });
    const drawn = await again.run(async () => {
      await sleep(1_000);
      return [Math.random(), Math.random()];
    });
    expect(drawn).toEqual(seen.random);
  });

  it('the clock moves only inside run; a later run continues from sim.now, with the timers left pending', async () => {
    const sim = simulation({ seed: 1 });
    const fired = deferred<number>();
    await sim.run(async () => {
      setTimeout(() => fired.resolve(sim.now), 5_000);
      await sleep(1_000);
    });
    expect(sim.now).toBe(1_000);
    await new Promise((resolve) => setTimeout(resolve, 20)); // real time passes; virtual time does not
    expect(sim.now).toBe(1_000);
    expect(await sim.run(() => fired.promise)).toBe(5_000);
  });

  it('rejects naming the seed and how to replay, with fn’s error as cause', async () => {
    const sim = simulation({ seed: 42 });
    const boom = new Error('boom');
    const error = await rejectionOf(sim.run(async () => {
      await sleep(250);
      throw boom;
    }));
    expect(error).toBeInstanceOf(SimulationError);
    expect(error.code).toBe('FAILED');
    expect(error.message).toContain('seed 42');
    expect(error.message).toContain('createSimulation({ seed: 42 })');
    expect(error.cause).toBe(boom);
    expect((error as SimulationError).at).toBe(250);
  });

  it('rejects TIMED_OUT when the virtual time-out passes (10 minutes by default)', async () => {
    const sim = simulation({ seed: 3 });
    const error = await rejectionOf(sim.run(() => sleep(11 * 60_000)));
    expect(error.code).toBe('TIMED_OUT');
    expect(error.message).toContain('createSimulation({ seed: 3 })');
    expect(sim.now).toBe(10 * 60_000);
    expect((await rejectionOf(sim.run(() => sleep(5_000), { timeoutInMillis: 1_000 }))).code).toBe('TIMED_OUT');
    expect(sim.now).toBe(10 * 60_000 + 1_000);
  });

  it('rejects DEADLOCKED when fn can never settle: nothing runnable, no timer', async () => {
    const sim = simulation({ seed: 9 });
    const error = await rejectionOf(sim.run(() => new Promise<void>(() => {})));
    expect(error.code).toBe('DEADLOCKED');
    expect(error.message).toContain('seed 9');
  });

  it("unref'd timers do not hold a run open (DEADLOCKED at once), but fire when the clock passes them", async () => {
    const sim = simulation({ seed: 4 });
    const fired: string[] = [];
    const error = await rejectionOf(
      sim.run(() => {
        setTimeout(() => fired.push(`a@${sim.now}`), 1_000).unref();
        const later = setTimeout(() => fired.push(`b@${sim.now}`), 1_500);
        later.unref();
        later.ref().unref(); // toggling while scheduled keeps the count right
        return new Promise<void>(() => {});
      }),
    );
    expect(error.code).toBe('DEADLOCKED');
    expect(sim.now).toBe(0);
    await sim.run(async () => {
      setTimeout(() => fired.push(`c@${sim.now}`), 500).unref();
      await sleep(2_000);
    });
    expect(fired).toEqual(['c@500', 'a@1000', 'b@1500']);
    expect(sim.now).toBe(2_000);
  });

  it('a client that connected and read leaves no timer that holds a run open: waiting for nothing is DEADLOCKED at once', async () => {
    const sim = simulation({ seed: 5, link: { latencyInMillis: 10 } });
    const [a, b] = [sim.host('a'), sim.host('b')];
    const error = await rejectionOf(
      sim.run(async () => {
        await serve(b, echoService());
        const client = await a.tcp.connect({ host: 'b', port: 7000 }); // a connect time-out, given back
        await client.write('hi');
        await client.read(2); // a read time-out, given back
        await new Promise<void>(() => {});
      }),
    );
    expect(error.code).toBe('DEADLOCKED');
    expect(sim.now).toBeLessThan(1_000); // not after the 30 s connect or 300 s read time-out
  });

  it('a timer callback that throws fails the run (CALLBACK_THREW); runs do not nest; bad options are refused', async () => {
    const sim = simulation({ seed: 2 });
    const boom = new Error('from a timer');
    const error = await rejectionOf(sim.run(async () => {
      setTimeout(() => {
        throw boom;
      }, 10);
      await sleep(100);
    }));
    expect(error.code).toBe('CALLBACK_THREW');
    expect(error.cause).toBe(boom);
    expect((await rejectionOf(sim.run(() => sim.run(async () => 1)))).cause).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await rejectionOf(sim.run(async () => 1, { timeoutInMillis: -1 }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejectionOf(sim.run('nope' as unknown as () => Promise<void>))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('partitions', () => {
  it('TCP over a partition stalls (what is in flight too), time-outs fire, and it resumes in order on repair', async () => {
    const sim = simulation({ seed: 1, link: { latencyInMillis: 50 } });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const recorder = recordingService();
      await serve(b, recorder);
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      await client.write('one,');
      await sleep(10);
      sim.partition('a', 'b'); // 'one,' is still in flight
      await client.write('two,');
      await client.write('three');
      await sleep(1_000);
      expect(recorder.received().length).toBe(0);
      expect((await rejectionOf(client.read(1, { timeoutInMillis: 500 }))).code).toBe('READ_TIMED_OUT');
      sim.repair('a', 'b');
      expect((await recorder.waitForBytes(13)).toString()).toBe('one,two,three');
    });
    const kinds = sim.trace.map((event) => event.kind);
    expect(kinds.indexOf('repair')).toBeLessThan(kinds.indexOf('tcp:data'));
  });

  it('one way: what a sends to b stalls, what b sends to a arrives; repair heals both ways whatever made it', async () => {
    const sim = simulation({ seed: 1 });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const server = deferred<Caller>();
      await serve(b, { onConnect: (caller) => server.resolve(caller) });
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      const caller = await server.promise;
      sim.partition('b', 'a', { oneWay: true });
      await caller.write('from b');
      await client.write('from a');
      expect((await caller.read(6)).toString()).toBe('from a');
      expect((await rejectionOf(client.read(6, { timeoutInMillis: 1_000 }))).code).toBe('READ_TIMED_OUT');
      sim.repair('a', 'b');
      expect((await client.read(6)).toString()).toBe('from b');
    });
  });

  it('UDP over a partition is dropped, in flight included', async () => {
    const sim = simulation({ seed: 1, link: { latencyInMillis: 20 } });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const receiver = b.udp.createUdpClient({ localAddress: { host: 'b', port: 5000 } });
      const sender = a.udp.createUdpClient();
      await Promise.all([receiver.ready, sender.ready]);
      await sender.sendTo('in flight', { host: 'b', port: 5000 });
      sim.partition('a', 'b');
      await sender.sendTo('during', { host: 'b', port: 5000 });
      await sleep(100);
      sim.repair('a', 'b');
      await sender.sendTo('after', { host: 'b', port: 5000 });
      expect((await receiver.receiveFrom()).data.toString()).toBe('after');
    });
    expect(sim.trace.filter((event) => event.kind === 'udp:partitioned').map((event) => event.bytes)).toEqual([9, 6]);
  });

  it('a connect over a partition times out, and never reaches onConnect once given up', async () => {
    const sim = simulation({ seed: 1, link: { latencyInMillis: 5 } });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      let connects = 0;
      await serve(b, { onConnect: () => void connects++ });
      sim.partition('a', 'b');
      expect((await rejectionOf(a.tcp.connect({ host: 'b', port: 7000, connectTimeoutInMillis: 2_000 }))).code).toBe('CONNECT_TIMED_OUT');
      sim.repair('a', 'b');
      await sleep(1_000);
      expect(connects).toBe(0);
      // The answer of a connect lost on its way back: the client gives up, the server never accepts.
      sim.partition('b', 'a', { oneWay: true });
      expect((await rejectionOf(a.tcp.connect({ host: 'b', port: 7000, connectTimeoutInMillis: 2_000 }))).code).toBe('CONNECT_TIMED_OUT');
      sim.repair('a', 'b');
      await sleep(1_000);
      expect(connects).toBe(0);
      await a.tcp.connect({ host: 'b', port: 7000 });
      await sleep(10);
      expect(connects).toBe(1);
    });
  });

  it('a simulated TCP connection keeps at most 4 MiB in flight per direction: past that write() waits', async () => {
    const sim = simulation({ seed: 1 });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const recorder = recordingService();
      await serve(b, recorder);
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      await recorder.waitForConnect();
      sim.partition('a', 'b');
      const piece = Buffer.alloc(256 * 1024, 1);
      let written = 0;
      const writing = (async () => {
        for (let i = 0; i < 64; i++) {
          await client.write(piece);
          written += piece.length;
        }
      })();
      await sleep(1_000);
      expect(written).toBe(4 * 1024 * 1024 - piece.length); // the write that reached 4 MiB waits
      sim.repair('a', 'b');
      await writing;
      expect((await recorder.waitForBytes(64 * piece.length)).length).toBe(64 * piece.length);
    });
  });
});

describe('hold and release', () => {
  it('keeps what a sends to b in flight, one direction only, and delivers it in order on release', async () => {
    const sim = simulation({ seed: 4, link: { latencyInMillis: { min: 1, max: 30 } } });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const server = deferred<Caller>();
      const recorder = recordingService({ onConnect: (caller) => server.resolve(caller) });
      await serve(b, recorder);
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      const caller = await server.promise;
      sim.hold('a', 'b');
      for (let i = 0; i < 10; i++) {
        await client.write(`${i};`);
        await sleep(1);
      }
      await caller.write('back');
      expect((await client.read(4)).toString()).toBe('back'); // b → a flows
      await sleep(1_000);
      expect(recorder.received().length).toBe(0);
      sim.release('a', 'b');
      expect((await recorder.waitForBytes(20)).toString()).toBe('0;1;2;3;4;5;6;7;8;9;');
    });
    const released = sim.trace.find((event) => event.kind === 'release')!;
    const delivered = sim.trace.filter((event) => event.kind === 'tcp:data' && event.from === 'a' && event.at >= released.at);
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.every((event) => event.at === released.at)).toBe(true);
  });

  it('held datagrams wait too, and arrive in the order they came due', async () => {
    const sim = simulation({ seed: 4, link: { latencyInMillis: 5 } });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const receiver = b.udp.createUdpClient({ localAddress: { host: 'b', port: 5000 } });
      const sender = a.udp.createUdpClient();
      await Promise.all([receiver.ready, sender.ready]);
      sim.hold('a', 'b');
      for (let i = 0; i < 10; i++) await sender.sendTo(`d${i}`, { host: 'b', port: 5000 });
      expect((await rejectionOf(receiver.receiveFrom(undefined, { timeoutInMillis: 1_000 }))).code).toBe('READ_TIMED_OUT');
      sim.release('a', 'b');
      const datagrams: string[] = [];
      for (let i = 0; i < 10; i++) datagrams.push((await receiver.receiveFrom()).data.toString());
      expect(datagrams).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9']);
      expect(receiver.droppedDatagrams).toBe(0);
    });
  });
});

describe('crash and restart', () => {
  it('a crashed host goes silent; its own sockets reject CONNECTION_CLOSED; after the restart a peer that sends gets a reset', async () => {
    const sim = simulation({ seed: 1, link: { latencyInMillis: 2 } });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const server = deferred<Caller>();
      const closed = deferred();
      const errors: string[] = [];
      const listener = await serve(b, {
        onConnect: (caller) => server.resolve(caller),
        onError: (_caller, error) => void errors.push(error.code),
        onClose: () => closed.resolve(),
      });
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      const caller = await server.promise;
      const pending = caller.read(1, { timeoutInMillis: 0 });
      sim.crash('b');
      expect((await rejectionOf(pending)).code).toBe('CONNECTION_CLOSED');
      expect((await rejectionOf(caller.write('x'))).code).toBe('CONNECTION_CLOSED');
      await closed.promise;
      expect(errors).toEqual(['CONNECTION_CLOSED']);
      expect(listener.connections).toBe(0);
      // Silence: a's writes go nowhere, nothing comes back, no FIN, no RST.
      expect(await client.write('anyone?')).toBe(7);
      expect((await rejectionOf(client.read(1, { timeoutInMillis: 5_000 }))).code).toBe('READ_TIMED_OUT');
      expect(sim.trace.filter((event) => event.kind === 'tcp:data' && event.to === 'b')).toEqual([]);
      expect((await rejectionOf(a.tcp.connect({ host: 'b', port: 7000, connectTimeoutInMillis: 1_000 }))).code).toBe('CONNECT_TIMED_OUT');
      sim.restart('b');
      // What a kept in flight reaches b, which knows no such connection: RST.
      expect((await rejectionOf(client.read())).code).toBe('CONNECTION_RESET');
      expect((await rejectionOf(a.tcp.connect({ host: 'b', port: 7000 }))).code).toBe('CONNECTION_REFUSED');
      // The host is usable again: no sockets, its ports free.
      await serve(b, echoService());
      const again = await a.tcp.connect({ host: 'b', port: 7000 });
      await again.write('ok');
      expect((await again.read(2)).toString()).toBe('ok');
    });
    const kinds = sim.trace.map((event) => event.kind);
    expect(kinds.filter((kind) => kind === 'crash' || kind === 'restart')).toEqual(['crash', 'restart']);
    expect(kinds.slice(kinds.indexOf('restart'))).toContain('tcp:reset');
  });

  it('a peer with nothing in flight hears of the crash only when it sends after the restart', async () => {
    const sim = simulation({ seed: 1 });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      await serve(b, echoService());
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      await client.write('x');
      expect((await client.read(1)).toString()).toBe('x');
      sim.crash('b');
      sim.restart('b');
      await sleep(100);
      const reading = client.read();
      await client.write('after');
      expect((await rejectionOf(reading)).code).toBe('CONNECTION_RESET');
    });
  });

  it('a crashed client host: its connects, reads, UDP receives and listeners end with CONNECTION_CLOSED', async () => {
    const sim = simulation({ seed: 1, link: { latencyInMillis: 10 } });
    const [a, b] = [sim.host('a'), sim.host('b')];
    await sim.run(async () => {
      const recorder = recordingService();
      await serve(b, recorder);
      const client = await a.tcp.connect({ host: 'b', port: 7000 });
      const reading = client.read();
      const connecting = a.tcp.connect({ host: 'b', port: 7000 });
      const socket = a.udp.createUdpClient();
      await socket.ready;
      const receiving = socket.receiveFrom();
      const udpListener = a.udp.createListener(53);
      udpListener.attach({ onDatagram() {} });
      await udpListener.start();
      sim.crash('a');
      for (const pending of [reading, connecting, receiving]) expect((await rejectionOf(pending)).code).toBe('CONNECTION_CLOSED');
      // Later operations too (once the crash has reached them: never inside crash() itself).
      expect((await rejectionOf(client.write('late'))).code).toBe('CONNECTION_CLOSED');
      expect((await rejectionOf(socket.sendTo('late', { host: 'b', port: 9 }))).code).toBe('CONNECTION_CLOSED');
      expect((await rejectionOf(a.tcp.connect({ host: 'b', port: 7000 }))).code).toBe('CONNECTION_CLOSED');
      expect((await rejectionOf(udpListener.start())).code).toBe('CONNECTION_CLOSED');
      await sleep(100);
      expect(recorder.events.filter((event) => event.type === 'connect')).toHaveLength(1); // the connect given up never arrived
      sim.restart('a');
      const fresh = a.udp.createUdpClient({ localAddress: { host: 'a', port: 53 } }); // the port is free again
      await fresh.ready;
    });
  });
});

describe('links', () => {
  it('setLink: a latency range is drawn per delivery; oneWay changes one direction', async () => {
    const sim = simulation({ seed: 11 });
    const [a, b] = [sim.host('a'), sim.host('b')];
    sim.setLink('a', 'b', { latencyInMillis: { min: 100, max: 200 } }, { oneWay: true });
    await sim.run(async () => {
      const receiver = b.udp.createUdpClient({ localAddress: { host: 'b', port: 5000 } });
      const echo = a.udp.createUdpClient({ localAddress: { host: 'a', port: 5000 } });
      await Promise.all([receiver.ready, echo.ready]);
      const sent: number[] = [];
      for (let i = 0; i < 20; i++) {
        sent.push(sim.now);
        await echo.sendTo(String(i), { host: 'b', port: 5000 });
        await sleep(1);
      }
      await receiver.receiveFrom();
      await sleep(300);
      await receiver.sendTo('back', { host: 'a', port: 5000 });
      const start = sim.now;
      await echo.receiveFrom();
      expect(sim.now - start).toBe(0);
    });
    const delays = sim.trace.filter((event) => event.kind === 'udp' && event.from === 'a').map((event, i) => event.at - i);
    expect(delays).toHaveLength(20);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...delays)).toBeLessThanOrEqual(200);
    expect(new Set(delays).size).toBeGreaterThan(5);
  });

  it('UDP rates of a link apply between hosts, seeded', async () => {
    const lost = async (seed: number): Promise<string[]> => {
      const sim = simulation({ seed });
      const [a, b] = [sim.host('a'), sim.host('b')];
      sim.setLink('a', 'b', { dropRate: 0.3, duplicateRate: 0.2, reorderRate: 0.2 });
      return sim.run(async () => {
        const receiver = b.udp.createUdpClient({ localAddress: { host: 'b', port: 5000 } });
        const sender = a.udp.createUdpClient();
        await Promise.all([receiver.ready, sender.ready]);
        for (let i = 0; i < 100; i++) await sender.sendTo(String(i), { host: 'b', port: 5000 });
        await sleep(10);
        const got: string[] = [];
        for (;;) {
          const next = await receiver.receiveFrom(undefined, { timeoutInMillis: 100 }).catch(() => undefined);
          if (next === undefined) return got;
          got.push(next.data.toString());
        }
      });
    };
    const first = await lost(1);
    expect(first.length).toBeGreaterThan(50);
    expect(first).not.toEqual(Array.from({ length: first.length }, (_, i) => String(i)));
    expect(await lost(1)).toEqual(first);
    expect(await lost(2)).not.toEqual(first);
  });
});

describe('determinism', () => {
  // Random latencies, UDP faults, chaos and Math.random: everything that could differ between runs.
  async function scenario(seed: number): Promise<string> {
    const sim = simulation({ seed, link: { latencyInMillis: { min: 1, max: 40 }, dropRate: 0.1, duplicateRate: 0.1, reorderRate: 0.1 } });
    const hosts = ['a', 'b', 'c'].map((name) => sim.host(name));
    await sim.run(async () => {
      for (const host of hosts) await serve(host, echoService());
      const chaos = sim.chaos({ durationInMillis: 3_000, meanIntervalInMillis: 200, faults: { partition: 1, oneWayPartition: 1, hold: 1 } });
      await Promise.all(
        hosts.map(async (host, i) => {
          const peer = hosts[(i + 1) % hosts.length]!;
          const client = await host.tcp.connect({ host: peer.name, port: 7000 });
          const socket = host.udp.createUdpClient();
          await socket.ready;
          for (let n = 0; n < 30; n++) {
            await client.write(`${host.name}:${n}:${Math.random().toFixed(6)};`);
            await socket.sendTo(String(n), { host: peer.name, port: 9 });
            await sleep(Math.floor(Math.random() * 50));
          }
          await client.close();
        }),
      );
      await chaos;
    });
    return JSON.stringify(sim.trace);
  }

  it('the same seed gives the same trace, byte for byte; another seed another one', async () => {
    const first = await scenario(123);
    expect(first.length).toBeGreaterThan(1000);
    expect(await scenario(123)).toBe(first);
    expect(await scenario(124)).not.toBe(first);
  });
});

describe('chaos', () => {
  it('injects seeded faults for a while, heals them all, and restarts crashed hosts through onRestart', async () => {
    const sim = simulation({ seed: 8 });
    for (const name of ['a', 'b', 'c']) sim.host(name);
    const restarted: string[] = [];
    await sim.run(async () => {
      await sim.chaos({
        durationInMillis: 10_000,
        meanIntervalInMillis: 300,
        faults: { partition: 1, hold: 1, crash: 1 },
        onRestart: (host) => void restarted.push(host),
      });
      expect(sim.now).toBe(10_000);
    });
    const count = (kind: string): number => sim.trace.filter((event) => event.kind === kind).length;
    expect(count('partition')).toBeGreaterThan(0);
    expect(count('hold')).toBeGreaterThan(0);
    expect(count('crash')).toBeGreaterThan(0);
    expect(count('repair')).toBe(count('partition'));
    expect(count('release')).toBe(count('hold'));
    expect(count('restart')).toBe(count('crash'));
    expect(restarted).toHaveLength(count('crash'));
  });

  it('runs inside run only, and checks its options', async () => {
    const sim = simulation({ seed: 1 });
    sim.host('a');
    expect((await rejectionOf(sim.chaos({ durationInMillis: 100 }))).code).toBe('INVALID_ARGUMENT');
    await sim.run(async () => {
      expect((await rejectionOf(sim.chaos({ durationInMillis: -1 }))).code).toBe('INVALID_ARGUMENT');
      expect((await rejectionOf(sim.chaos({ durationInMillis: 100, hosts: ['nobody'] }))).code).toBe('HOST_NOT_FOUND');
      expect((await rejectionOf(sim.chaos({ durationInMillis: 100, faults: { crash: -1 } }))).code).toBe('INVALID_ARGUMENT');
      expect((await rejectionOf(sim.chaos({ durationInMillis: 100, faultDurationInMillis: { min: 5, max: 1 } }))).code).toBe('INVALID_ARGUMENT');
      expect((await rejectionOf(sim.chaos({ durationInMillis: 100, typo: 1 } as never))).code).toBe('INVALID_ARGUMENT');
    });
  });
});

describe('controls validate their input', () => {
  it('a host never made is HOST_NOT_FOUND, naming it', () => {
    const sim = simulation({ seed: 1 });
    sim.host('a');
    const controls: Array<[string, () => void]> = [
      ['partition', () => sim.partition('a', 'ghost')],
      ['repair', () => sim.repair('ghost', 'a')],
      ['hold', () => sim.hold('a', 'ghost')],
      ['release', () => sim.release('ghost', 'a')],
      ['setLink', () => sim.setLink('a', 'ghost', { latencyInMillis: 1 })],
      ['crash', () => sim.crash('ghost')],
      ['restart', () => sim.restart('ghost')],
    ];
    for (const [name, control] of controls) {
      expect(control, name).toThrow(expect.objectContaining({ code: 'HOST_NOT_FOUND', message: expect.stringContaining('"ghost"') }));
    }
  });

  it('setLink refuses a negative latency, min > max, a rate outside 0..1 and unknown fields; nothing changes then', () => {
    const sim = simulation({ seed: 1 });
    sim.host('a');
    sim.host('b');
    const bad = [
      { latencyInMillis: -1 },
      { latencyInMillis: { min: 10, max: 5 } },
      { latencyInMillis: { min: -1, max: 5 } },
      { dropRate: 1.5 },
      { duplicateRate: -0.1 },
      { reorderRate: Number.NaN },
      { latency: 5 },
    ];
    for (const link of bad) {
      expect(() => sim.setLink('a', 'b', link as never), JSON.stringify(link)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(sim.trace).toEqual([]);
    expect(() => sim.setLink('a', 'b', { dropRate: 1, latencyInMillis: { min: 0, max: 0 } })).not.toThrow();
    expect(() => sim.partition('a', 'a')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => sim.partition('a', 'b', { oneway: true } as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('createSimulation refuses a bad seed or options; without a seed it picks one and tells it', () => {
    for (const options of [{ seed: -1 }, { seed: 1.5 }, { seed: '1' }, { sed: 1 }, { link: { dropRate: 2 } }]) {
      expect(() => createSimulation(options as never), JSON.stringify(options)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    const sim = simulation();
    expect(Number.isSafeInteger(sim.seed)).toBe(true);
  });
});

describe('closing', () => {
  it('close() closes every socket and listener of every host; await using works', async () => {
    const sim = createSimulation({ seed: 1 });
    const [a, b] = [sim.host('a'), sim.host('b')];
    const { client, listener } = await sim.run(async () => {
      const started = await serve(b, echoService());
      return { client: await a.tcp.connect({ host: 'b', port: 7000 }), listener: started };
    });
    {
      await using _disposed = sim;
    }
    expect(listener.connections).toBe(0);
    expect((await rejectionOf(client.write('x'))).code).toBe('CONNECTION_CLOSED');
    expect((await rejectionOf(a.tcp.connect({ host: 'b', port: 7000 }))).code).toBe('CONNECTION_REFUSED');
  });
});
