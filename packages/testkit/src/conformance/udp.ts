import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  GenericError,
  ReadTimedOutError,
  type SocketError,
  type UdpClient,
  type UdpClientConfig,
  type UdpConnectedClient,
  type UdpListener,
  type UdpService,
  type UdpTransport,
} from '@sock/core';
import { deferred, rejectionOf, until } from './helpers.js';
import { suiteScope } from './suite.js';

/**
 * Options of {@link udpConformance}.
 *
 * @example
 * ```ts
 * udpConformance('loopback', () => (network = createLoopbackNetwork()).udp, { teardown: () => network.close() });
 * ```
 */
export interface UdpConformanceOptions {
  /** Runs after each test, after the suite closed everything it opened. */
  teardown?: (transport: UdpTransport) => void | Promise<void>;
}

/**
 * Registers vitest tests for the UDP behaviour of SPEC that a `UdpTransport` lets one observe:
 * binding (port 0, `ADDRESS_IN_USE`), `sendTo`/`receiveFrom` with numeric sender addresses,
 * `receiveFrom(n)` across datagrams keeping the tail, time-outs, `DATAGRAM_TOO_LARGE`,
 * `HOST_NOT_FOUND`, the bounded receive queue, listeners that reply, `HANDLER_FAILED` routing,
 * close, and connected mode (`transport.connect`: peer-only traffic, `CONNECTION_REFUSED`). Everything binds `127.0.0.1` port 0 and is closed after each test. Faults are not
 * injected: on a loopback network run it with no drop/duplicate/reorder rates.
 *
 * @example
 * ```ts
 * import { udpConformance } from '@sock/testkit/conformance';
 * import { udp } from '@sock/udp';
 * udpConformance('node:dgram', () => udp);
 * ```
 */
export function udpConformance(
  name: string,
  makeTransport: () => UdpTransport | Promise<UdpTransport>,
  options: UdpConformanceOptions = {},
): void {
  describe(`${name}: UDP conformance`, () => {
    const scope = suiteScope(makeTransport, options.teardown);

    async function client(config: UdpClientConfig = {}): Promise<UdpClient> {
      const made = scope.transport.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 }, ...config });
      scope.cleanup(() => made.close());
      await made.ready;
      return made;
    }

    async function listen(service: UdpService): Promise<UdpListener> {
      const listener = scope.transport.createListener(0, { interface: '127.0.0.1' });
      listener.attach(service);
      scope.cleanup(() => listener.immediateStop());
      await listener.start();
      return listener;
    }

    it('binds an ephemeral port and reports the numeric address', async () => {
      const a = await client();
      const b = await client();
      expect(a.localAddress?.host).toBe('127.0.0.1');
      expect(a.localAddress!.port).toBeGreaterThan(0);
      expect(b.localAddress!.port).not.toBe(a.localAddress!.port);
    });

    it('binding a port in use rejects ADDRESS_IN_USE', async () => {
      const a = await client();
      const b = scope.transport.createUdpClient({ localAddress: { host: '127.0.0.1', port: a.localAddress!.port } });
      scope.cleanup(() => b.close());
      const error = await rejectionOf(b.ready);
      expect(error).toBeInstanceOf(GenericError);
      expect(error.code).toBe('ADDRESS_IN_USE');
      const listener = scope.transport.createListener(a.localAddress!.port, { interface: '127.0.0.1' });
      listener.attach({ onDatagram() {} });
      scope.cleanup(() => listener.immediateStop());
      expect((await rejectionOf(listener.start())).code).toBe('ADDRESS_IN_USE');
    });

    it('sendTo delivers one datagram; receiveFrom gives it with the numeric sender', async () => {
      const a = await client();
      const b = await client();
      expect(await a.sendTo('hello', { host: 'localhost', port: b.localAddress!.port })).toBe(5);
      const datagram = await b.receiveFrom();
      expect(datagram.data.toString()).toBe('hello');
      expect(datagram.address).toEqual({ host: '127.0.0.1', port: a.localAddress!.port });
    });

    it('receiveFrom() gives one datagram at a time', async () => {
      const a = await client();
      const b = await client();
      const to = b.localAddress!;
      await a.sendTo('one', to);
      await a.sendTo('two', to);
      expect((await b.receiveFrom()).data.toString()).toBe('one');
      expect((await b.receiveFrom()).data.toString()).toBe('two');
    });

    it('receiveFrom(n) gathers exactly n bytes across datagrams and keeps the tail', async () => {
      const a = await client();
      const b = await client();
      const to = b.localAddress!;
      await a.sendTo('abc', to);
      await a.sendTo('defg', to);
      const first = await b.receiveFrom(5);
      expect(first.data.toString()).toBe('abcde');
      expect(first.address.port).toBe(a.localAddress!.port);
      expect((await b.receiveFrom()).data.toString()).toBe('fg');
    });

    it('a receive that times out rejects READ_TIMED_OUT and loses nothing', async () => {
      const a = await client();
      const b = await client();
      const error = await rejectionOf(b.receiveFrom(undefined, { timeoutInMillis: 50 }));
      expect(error).toBeInstanceOf(ReadTimedOutError);
      expect(error.code).toBe('READ_TIMED_OUT');
      await a.sendTo('ab', b.localAddress!);
      expect(await rejectionOf(b.receiveFrom(4, { timeoutInMillis: 50 }))).toBeInstanceOf(ReadTimedOutError);
      await a.sendTo('cd', b.localAddress!);
      expect((await b.receiveFrom(4)).data.toString()).toBe('abcd');
    });

    it('refuses bad input before sending: DATAGRAM_TOO_LARGE, INVALID_ARGUMENT, HOST_NOT_FOUND', async () => {
      const a = await client();
      const to = { host: '127.0.0.1', port: a.localAddress!.port };
      expect((await rejectionOf(a.sendTo(Buffer.alloc(65_508), to))).code).toBe('DATAGRAM_TOO_LARGE');
      expect((await rejectionOf(a.sendTo('x', { host: '127.0.0.1', port: 0 }))).code).toBe('INVALID_ARGUMENT');
      expect((await rejectionOf(a.receiveFrom(0))).code).toBe('INVALID_ARGUMENT');
      expect((await rejectionOf(a.sendTo('x', { host: 'no-such-host.invalid', port: 9 }))).code).toBe('HOST_NOT_FOUND');
      expect(await a.sendTo(Buffer.alloc(65_507 - 1000), to)).toBe(64_507);
    });

    it('the receive queue is bounded: the oldest datagrams are dropped and counted', async () => {
      const a = await client();
      const b = await client({ maxQueuedDatagrams: 2 });
      for (let i = 0; i < 5; i++) await a.sendTo(`d${i}`, b.localAddress!);
      await until(() => b.droppedDatagrams === 3);
      expect((await b.receiveFrom()).data.toString()).toBe('d3');
      expect((await b.receiveFrom()).data.toString()).toBe('d4');
    });

    it('a listener answers each datagram through its caller', async () => {
      const listener = await listen({
        async onDatagram(datagram, caller) {
          await caller.reply(`re:${datagram.data.toString()}`);
        },
      });
      expect(listener.address?.host).toBe('127.0.0.1');
      const a = await client();
      await a.sendTo('ping', listener.address!);
      const reply = await a.receiveFrom();
      expect(reply.data.toString()).toBe('re:ping');
      expect(reply.address).toEqual(listener.address);
    });

    it('a throwing onDatagram goes to onError as HANDLER_FAILED; the listener keeps serving', async () => {
      const boom = new Error('boom');
      const failed = deferred<SocketError>();
      const listener = await listen({
        async onDatagram(datagram, caller) {
          if (datagram.data.toString() === 'bad') throw boom;
          await caller.reply('ok');
        },
        onError: (_caller, error) => failed.resolve(error),
      });
      const a = await client();
      await a.sendTo('bad', listener.address!);
      const error = await failed.promise;
      expect(error.code).toBe('HANDLER_FAILED');
      expect(error.cause).toBe(boom);
      await a.sendTo('good', listener.address!);
      expect((await a.receiveFrom()).data.toString()).toBe('ok');
    });

    it('after close: a pending receive and later calls reject CONNECTION_CLOSED; close is idempotent', async () => {
      const a = await client();
      const pending = a.receiveFrom();
      await a.close();
      await a.close();
      expect((await rejectionOf(pending)).code).toBe('CONNECTION_CLOSED');
      expect((await rejectionOf(a.receiveFrom())).code).toBe('CONNECTION_CLOSED');
      expect((await rejectionOf(a.sendTo('x', { host: '127.0.0.1', port: 9 }))).code).toBe('CONNECTION_CLOSED');
    });

    describe('connected mode (scope.transport.connect)', () => {
      async function connectTo(port: number): Promise<UdpConnectedClient> {
        const connected = await scope.transport.connect({ host: '127.0.0.1', port, localAddress: { host: '127.0.0.1', port: 0 } });
        scope.cleanup(() => connected.close());
        return connected;
      }

      it('writes to its peer and reads the replies, with numeric addresses on both sides', async () => {
        const seen: Array<{ host: string; port: number }> = [];
        const listener = await listen({
          async onDatagram(datagram, caller) {
            seen.push(datagram.address);
            await caller.reply(`re:${datagram.data.toString()}`);
          },
        });
        const connected = await connectTo(listener.address!.port);
        expect(connected.remoteAddress).toEqual({ host: '127.0.0.1', port: listener.address!.port });
        expect(connected.localAddress?.host).toBe('127.0.0.1');
        expect(await connected.write('ping')).toBe(4);
        expect((await connected.read()).toString()).toBe('re:ping');
        expect(seen).toEqual([connected.localAddress]);
      });

      it('ignores datagrams from anyone but its peer', async () => {
        const peer = await client();
        const stranger = await client();
        const connected = await connectTo(peer.localAddress!.port);
        await stranger.sendTo('not for you', connected.localAddress!);
        await peer.sendTo('for you', connected.localAddress!);
        expect((await connected.read()).toString()).toBe('for you');
        expect(await rejectionOf(connected.read(undefined, { timeoutInMillis: 50 }))).toBeInstanceOf(ReadTimedOutError);
      });

      it('read(n) gathers exactly n bytes across datagrams; a time-out loses nothing', async () => {
        const peer = await client();
        const connected = await connectTo(peer.localAddress!.port);
        await peer.sendTo('abc', connected.localAddress!);
        expect(await rejectionOf(connected.read(5, { timeoutInMillis: 50 }))).toBeInstanceOf(ReadTimedOutError);
        await peer.sendTo('defg', connected.localAddress!);
        expect((await connected.read(5)).toString()).toBe('abcde');
        expect((await connected.read()).toString()).toBe('fg');
      });

      it("a refused datagram (nothing listens at the peer's port) rejects the waiting read CONNECTION_REFUSED; the client stays usable", async () => {
        const gone = await client();
        const port = gone.localAddress!.port;
        await gone.close();
        const connected = await connectTo(port);
        // A real kernel sends "port unreachable" under a global ICMP rate limit that parallel tests
        // can use up: a read that times out is tried again, a bounded number of times.
        let code: unknown;
        for (let tries = 0; tries < 5 && (tries === 0 || code === 'READ_TIMED_OUT'); tries++) {
          const waiting = connected.read(undefined, { timeoutInMillis: 1000 });
          await connected.write('anyone there?');
          code = (await rejectionOf(waiting)).code;
        }
        expect(code).toBe('CONNECTION_REFUSED');
        expect(await connected.write('still usable')).toBe(12);
      });

      it('after close: reads and writes reject CONNECTION_CLOSED; close is idempotent', async () => {
        const peer = await client();
        const connected = await connectTo(peer.localAddress!.port);
        const pending = connected.read();
        await connected.close();
        await connected.close();
        expect((await rejectionOf(pending)).code).toBe('CONNECTION_CLOSED');
        expect((await rejectionOf(connected.read())).code).toBe('CONNECTION_CLOSED');
        expect((await rejectionOf(connected.write('x'))).code).toBe('CONNECTION_CLOSED');
      });

      it('a bad config is refused with INVALID_ARGUMENT', async () => {
        expect((await rejectionOf(scope.transport.connect({ host: '127.0.0.1', port: 0 }))).code).toBe('INVALID_ARGUMENT');
        expect((await rejectionOf(scope.transport.connect({ host: '', port: 9 }))).code).toBe('INVALID_ARGUMENT');
      });
    });

    it('gracefulStop stops receiving, waits for a running onDatagram, and resolves at its deadline if one never settles', async () => {
      const started = deferred();
      const finish = deferred();
      let finished = false;
      const listener = await listen({
        async onDatagram(datagram) {
          started.resolve();
          if (datagram.data.toString() === 'forever') await new Promise(() => {});
          await finish.promise;
          finished = true;
        },
      });
      const a = await client();
      await a.sendTo('work', listener.address!);
      await started.promise;
      const stopping = listener.gracefulStop({ timeoutInMillis: 5000 });
      finish.resolve();
      await stopping;
      expect(finished).toBe(true);

      const stuck = deferred();
      const second = await listen({
        async onDatagram() {
          stuck.resolve();
          await new Promise(() => {});
        },
      });
      await a.sendTo('forever', second.address!);
      await stuck.promise;
      await second.gracefulStop({ timeoutInMillis: 50 });
    });

    it('a stopped listener frees its port', async () => {
      const listener = await listen({ onDatagram() {} });
      const port = listener.address!.port;
      await listener.immediateStop();
      const again = scope.transport.createListener(port, { interface: '127.0.0.1' });
      again.attach({ onDatagram() {} });
      scope.cleanup(() => again.immediateStop());
      await again.start();
      expect(again.address?.port).toBe(port);
    });
  });
}
