import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import {
  encodeProxyHeaderV1,
  encodeProxyHeaderV2,
  GenericError,
  ReadTimedOutError,
  type Caller,
  type Client,
  type ClientConfig,
  type Listener,
  type ListenerConfig,
  type Service,
  type TcpTransport,
} from '@sock/core';
import { echoService } from '../fixtures/echo.js';
import { recordingService } from '../fixtures/recording.js';
import { deferred, rejectionOf, settled, turns, until, type RawPeers } from './helpers.js';
import { suiteScope } from './suite.js';

/**
 * Options of {@link tcpConformance}.
 *
 * @example
 * ```ts
 * tcpConformance('tcp', () => tcp, { rawPeers: () => nodeNetPeers });
 * ```
 */
export interface TcpConformanceOptions {
  /**
   * Peers outside the transport, used by the reset tests (a transport cannot reset its own
   * connections through its API). Without it those tests are reported as skipped.
   */
  rawPeers?: (transport: TcpTransport) => RawPeers;
  /** Runs after each test, after the suite closed everything it opened (e.g. `network.close()`). */
  teardown?: (transport: TcpTransport) => void | Promise<void>;
  /**
   * Bytes of the large-transfer test. Default 8 MiB; a transport shaped to deliver tiny chunks
   * (a loopback network with `chunkSize: 3`) may use less and still cross every boundary.
   */
  largeTransferBytes?: number;
}

/**
 * Registers vitest tests for every TCP behaviour of SPEC that a `TcpTransport` lets one observe:
 * refused connects, `ADDRESS_IN_USE`, port 0, numeric addresses, exact-length and available reads
 * across chunks, time-outs that keep bytes, aborts, end of stream, half-close, resets, close
 * ordering, `HANDLER_FAILED` routing, a large transfer, many connections and backpressure.
 * `makeTransport` runs before each test; the suite binds `127.0.0.1` port 0 and closes all it opens.
 *
 * @example
 * ```ts
 * // packages/tcp/src/conformance.test.ts
 * import { tcpConformance } from '@sock/testkit/conformance';
 * import { tcp } from './index.js';
 * tcpConformance('node:net', () => tcp);
 * ```
 */
export function tcpConformance(
  name: string,
  makeTransport: () => TcpTransport | Promise<TcpTransport>,
  options: TcpConformanceOptions = {},
): void {
  describe(`${name}: TCP conformance`, () => {
    const scope = suiteScope(makeTransport, options.teardown);

    async function listen(service: Service, config: ListenerConfig = {}): Promise<{ listener: Listener; port: number }> {
      const listener = scope.transport.createListener(0, { interface: '127.0.0.1', ...config });
      listener.attach(service);
      scope.cleanup(() => listener.immediateStop());
      await listener.start();
      const address = listener.address;
      if (address === undefined) throw new Error('listener.address is undefined after start()');
      return { listener, port: address.port };
    }

    async function connect(port: number, config: Partial<ClientConfig> = {}): Promise<Client> {
      const client = await scope.transport.connect({ host: '127.0.0.1', port, ...config });
      scope.cleanup(() => client.close());
      return client;
    }

    // A service that runs `script` once per connection, in onConnect.
    function onConnect(script: (caller: Caller) => Promise<void>): Service {
      return { onConnect: script };
    }

    async function readAll(caller: Caller): Promise<Buffer> {
      const parts: Buffer[] = [];
      for (;;) {
        const chunk = await caller.read();
        if (chunk.length === 0) return Buffer.concat(parts);
        parts.push(chunk);
      }
    }

    describe('connecting and listening', () => {
      it('port 0 binds an ephemeral port, reported by address', async () => {
        const a = await listen(echoService());
        const b = await listen(echoService());
        expect(a.listener.address).toEqual({ host: '127.0.0.1', port: a.port });
        expect(a.port).toBeGreaterThan(0);
        expect(a.port).toBeLessThanOrEqual(65535);
        expect(b.port).not.toBe(a.port);
      });

      it('a second listener on a bound port rejects ADDRESS_IN_USE', async () => {
        const { port } = await listen(echoService());
        const second = scope.transport.createListener(port, { interface: '127.0.0.1' });
        second.attach(echoService());
        scope.cleanup(() => second.immediateStop());
        const error = await rejectionOf(second.start());
        expect(error).toBeInstanceOf(GenericError);
        expect(error.code).toBe('ADDRESS_IN_USE');
        expect(second.address).toBeUndefined();
      });

      it('connecting where nobody listens rejects CONNECTION_REFUSED', async () => {
        const { listener, port } = await listen(echoService());
        await listener.immediateStop();
        const error = await rejectionOf(scope.transport.connect({ host: '127.0.0.1', port }));
        expect(error).toBeInstanceOf(GenericError);
        expect(error.code).toBe('CONNECTION_REFUSED');
      });

      it('an unknown host rejects HOST_NOT_FOUND', async () => {
        const error = await rejectionOf(scope.transport.connect({ host: 'no-such-host.invalid', port: 9 }));
        expect(error.code).toBe('HOST_NOT_FOUND');
      });

      it('a bad config is refused with INVALID_ARGUMENT', async () => {
        expect((await rejectionOf(scope.transport.connect({ host: '127.0.0.1', port: 0 }))).code).toBe('INVALID_ARGUMENT');
        expect((await rejectionOf(scope.transport.connect({ host: '', port: 80 }))).code).toBe('INVALID_ARGUMENT');
        expect(() => scope.transport.createListener(70000)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      });

      it('both ends report numeric addresses that match each other', async () => {
        const recorder = recordingService();
        const { port } = await listen(recorder);
        const client = await connect(port);
        const caller = await recorder.waitForConnect();
        expect(client.remoteAddress).toBe('127.0.0.1');
        expect(client.remotePort).toBe(port);
        expect(client.localAddress).toBe('127.0.0.1');
        expect(client.localPort).toBeGreaterThan(0);
        expect(caller.remoteAddress).toBe('127.0.0.1');
        expect(caller.remotePort).toBe(client.localPort);
        expect(caller.localAddress).toBe('127.0.0.1');
        expect(caller.localPort).toBe(port);
        expect(caller.id).not.toBe(client.id);
      });

      it('localhost reaches a listener bound to 127.0.0.1', async () => {
        const { port } = await listen(echoService());
        const client = await scope.transport.connect({ host: 'localhost', port });
        scope.cleanup(() => client.close());
        await client.write('ping');
        expect((await client.read(4)).toString()).toBe('ping');
      });
    });

    describe('reading', () => {
      it('read(n) gathers exactly n bytes across many chunks', async () => {
        const payload = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
        const { port } = await listen(
          onConnect(async (caller) => {
            for (let offset = 0; offset < payload.length; offset += 10) await caller.write(payload.subarray(offset, offset + 10));
          }),
        );
        const client = await connect(port);
        const parts: Buffer[] = [];
        for (let i = 0; i < 142; i++) {
          const part = await client.read(7);
          expect(part.length).toBe(7);
          parts.push(part);
        }
        parts.push(await client.read(6));
        expect(Buffer.concat(parts).equals(payload)).toBe(true);
      });

      it('read() resolves with the bytes available, at least one, and waits when there are none', async () => {
        const go = deferred();
        const { port } = await listen(
          onConnect(async (caller) => {
            await caller.write('hello');
            await go.promise;
            await caller.write('world');
          }),
        );
        const client = await connect(port);
        let got = Buffer.alloc(0);
        while (got.length < 5) {
          const chunk = await client.read();
          expect(chunk.length).toBeGreaterThanOrEqual(1);
          got = Buffer.concat([got, chunk]);
        }
        expect(got.toString()).toBe('hello');
        let settledValue: Buffer | undefined;
        const pending = client.read().then((chunk) => (settledValue = chunk));
        await turns(5);
        expect(settledValue).toBeUndefined();
        go.resolve();
        await pending;
        expect(settledValue!.length).toBeGreaterThanOrEqual(1);
        expect('world'.startsWith(settledValue!.toString())).toBe(true);
      });

      it('invalid lengths reject INVALID_ARGUMENT without waiting', async () => {
        const { port } = await listen(echoService());
        const client = await connect(port, { maxBufferedBytes: 1024 });
        for (const length of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1025, '3' as unknown as number]) {
          const error = await rejectionOf(client.read(length));
          expect(error.code, `read(${String(length)})`).toBe('INVALID_ARGUMENT');
        }
        // The connection is still fine afterwards.
        await client.write('ok');
        expect((await client.read(2)).toString()).toBe('ok');
      });

      it('a read that times out rejects READ_TIMED_OUT and keeps the bytes for the next read', async () => {
        const more = deferred();
        const { port } = await listen(
          onConnect(async (caller) => {
            await caller.write('abcd');
            await more.promise;
            await caller.write('efghij');
          }),
        );
        const client = await connect(port);
        const error = await rejectionOf(client.read(10, { timeoutInMillis: 100 }));
        expect(error).toBeInstanceOf(ReadTimedOutError);
        expect(error.code).toBe('READ_TIMED_OUT');
        expect(error.reason).toBe('ReadTimedOut');
        more.resolve();
        expect((await client.read(10)).toString()).toBe('abcdefghij');
      });

      it('the config read time-out applies to every read', async () => {
        const { port } = await listen(echoService());
        const client = await connect(port, { readTimeoutInMillis: 50 });
        expect((await rejectionOf(client.read())).code).toBe('READ_TIMED_OUT');
      });

      it('concurrent reads are served in call order', async () => {
        const { port } = await listen(onConnect(async (caller) => void (await caller.write('abcdefg'))));
        const client = await connect(port);
        const reads = [client.read(3), client.read(2), client.read(2)];
        expect((await Promise.all(reads)).map(String)).toEqual(['abc', 'de', 'fg']);
      });

      it('an aborted read rejects with the signal reason and keeps the bytes', async () => {
        const go = deferred();
        const { port } = await listen(
          onConnect(async (caller) => {
            await caller.write('ab');
            await go.promise;
            await caller.write('cde');
          }),
        );
        const client = await connect(port);
        const controller = new AbortController();
        const pending = client.read(5, { signal: controller.signal });
        const reason = new Error('stop');
        controller.abort(reason);
        expect(await rejectionOf(pending)).toBe(reason);
        go.resolve();
        expect((await client.read(5)).toString()).toBe('abcde');
      });

      it('write resolves with the number of bytes written; strings are UTF-8', async () => {
        const recorder = recordingService();
        const { port } = await listen(recorder);
        const client = await connect(port);
        expect(await client.write('héllo')).toBe(6);
        expect(await client.write(new Uint8Array([1, 2, 3]))).toBe(3);
        const got = await recorder.waitForBytes(9);
        expect(got.equals(Buffer.concat([Buffer.from('héllo'), Buffer.from([1, 2, 3])]))).toBe(true);
      });
    });

    describe('end of stream and half-close', () => {
      it('at end of stream read(n) gives what there was, then reads give an empty Buffer', async () => {
        const { port } = await listen(
          onConnect(async (caller) => {
            await caller.write('bye');
            await caller.close();
          }),
        );
        const client = await connect(port);
        expect((await client.read(10)).toString()).toBe('bye');
        expect((await client.read()).length).toBe(0);
        expect((await client.read(3)).length).toBe(0);
      });

      it('a peer that sends data and leaves is closed even if the service never reads it', async () => {
        const closed = deferred();
        const { listener, port } = await listen({ onConnect() {}, onClose: () => closed.resolve() });
        const client = await connect(port);
        await client.write('never read');
        await client.close();
        await closed.promise;
        expect(listener.connections).toBe(0);
      });

      it('a client without a service can still write after the peer ended its stream', async () => {
        const answer = deferred<string>();
        const { port } = await listen(
          onConnect(async (caller) => {
            await caller.write('question?');
            await caller.shutdownWrite();
            answer.resolve((await readAll(caller)).toString());
          }),
        );
        const client = await connect(port);
        expect((await client.read(9)).toString()).toBe('question?');
        expect((await client.read()).length).toBe(0);
        await client.write('answer!');
        await client.shutdownWrite();
        expect(await answer.promise).toBe('answer!');
      });

      it('half-close: the peer reads to the end of stream and can still answer', async () => {
        let ends = 0;
        const received: Buffer[] = [];
        const service: Service = {
          async onReadReady(caller) {
            const data = await caller.read();
            if (data.length > 0) {
              received.push(data);
              return;
            }
            ends += 1;
            await caller.write(`got:${Buffer.concat(received).toString()}`);
          },
        };
        const { port } = await listen(service);
        const client = await connect(port);
        await client.write('abc');
        await client.write('def');
        await client.shutdownWrite();
        expect((await rejectionOf(client.write('late'))).code).toBe('CONNECTION_CLOSED');
        expect((await readAll(client)).toString()).toBe('got:abcdef');
        expect(ends).toBe(1);
      });

      it('a service sees the end once, with an empty read, after all the data', async () => {
        const seen: string[] = [];
        const ended = deferred();
        const { port } = await listen({
          async onReadReady(caller) {
            const data = await caller.read(1);
            seen.push(data.length === 0 ? '<end>' : data.toString());
            if (data.length === 0) ended.resolve();
          },
        });
        const client = await connect(port);
        await client.write('xyz');
        await client.shutdownWrite();
        await ended.promise;
        await readAll(client);
        expect(seen).toEqual(['x', 'y', 'z', '<end>']);
      });

      it('after close: writes and reads reject CONNECTION_CLOSED; close is idempotent', async () => {
        const { port } = await listen(echoService());
        const client = await connect(port);
        await client.close();
        await client.close();
        expect((await rejectionOf(client.write('x'))).code).toBe('CONNECTION_CLOSED');
        expect((await rejectionOf(client.read())).code).toBe('CONNECTION_CLOSED');
        expect((await rejectionOf(client.shutdownWrite())).code).toBe('CONNECTION_CLOSED');
      });

      it('a write nobody awaits after close does not reject unhandled', async () => {
        const { port } = await listen(echoService());
        const client = await connect(port);
        await client.close();
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
        process.on('unhandledRejection', onUnhandled);
        try {
          void client.write('nobody listens');
          await turns(20);
        } finally {
          process.off('unhandledRejection', onUnhandled);
        }
        expect(unhandled).toEqual([]);
      });
    });

    describe('the service contract', () => {
      it('onConnect comes first and onClose exactly once, last', async () => {
        const recorder = recordingService();
        const { listener, port } = await listen(recorder);
        const client = await connect(port);
        await client.write('x');
        await recorder.waitForBytes(1);
        await client.close();
        await recorder.waitForClose();
        const caller = recorder.callers[0]!;
        await caller.close(); // closing again must not close twice
        await until(() => listener.connections === 0);
        const types = recorder.events.map((event) => event.type);
        expect(types[0]).toBe('connect');
        expect(types.at(-1)).toBe('close');
        expect(types.filter((type) => type === 'close')).toHaveLength(1);
        expect(types.filter((type) => type === 'connect')).toHaveLength(1);
      });

      it('a service that closes ends the client stream, and the listener forgets the connection', async () => {
        const recorder = recordingService({ onBytes: (caller) => caller.close() });
        const { listener, port } = await listen(recorder);
        const client = await connect(port);
        await client.write('x');
        expect((await client.read()).length).toBe(0);
        await recorder.waitForClose();
        await until(() => listener.connections === 0);
        expect(recorder.events.filter((event) => event.type === 'close')).toHaveLength(1);
      });

      it('onBytes receives every chunk in order; read() is refused there', async () => {
        const codes: unknown[] = [];
        const recorder = recordingService({
          onBytes: async (caller) => {
            if (codes.length === 0) codes.push((await rejectionOf(caller.read())).code);
          },
        });
        const { port } = await listen(recorder);
        const client = await connect(port);
        const expected = Array.from({ length: 100 }, (_, i) => `${i},`).join('');
        for (let i = 0; i < 100; i++) await client.write(`${i},`);
        expect((await recorder.waitForBytes(expected.length)).toString()).toBe(expected);
        expect(codes).toEqual(['INVALID_ARGUMENT']);
      });

      it('a resource that throws goes to onError as HANDLER_FAILED with the cause, once', async () => {
        const boom = new Error('boom');
        const recorder = recordingService({
          onBytes: () => {
            throw boom;
          },
        });
        const { port } = await listen(recorder);
        const client = await connect(port);
        await client.write('x');
        const error = await recorder.waitForError();
        expect(error).toBeInstanceOf(GenericError);
        expect(error.code).toBe('HANDLER_FAILED');
        expect(error.cause).toBe(boom);
        expect(error.detail.cause).toBe(boom);
        await client.close();
        await recorder.waitForClose();
        expect(recorder.errors.filter((e) => e.code === 'HANDLER_FAILED')).toHaveLength(1);
        expect(recorder.events.at(-1)?.type).toBe('close');
      });

      it('a resource that rejects goes to onError as HANDLER_FAILED, and the connection keeps serving', async () => {
        const boom = new Error('async boom');
        const errors: unknown[] = [];
        const { port } = await listen({
          onConnect: async () => {
            await Promise.resolve();
            throw boom;
          },
          async onReadReady(caller) {
            const data = await caller.read();
            if (data.length > 0) await caller.write(data);
          },
          onError: (_caller, error) => void errors.push(error),
        });
        const client = await connect(port);
        await client.write('still');
        expect((await client.read(5)).toString()).toBe('still');
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({ code: 'HANDLER_FAILED', cause: boom });
      });

      it("a client's callbackService gets the client as its caller", async () => {
        const { port } = await listen(onConnect(async (caller) => void (await caller.write('hey'))));
        const recorder = recordingService();
        const client = await connect(port, { callbackService: recorder });
        expect(await recorder.waitForConnect()).toBe(client);
        expect((await recorder.waitForBytes(3)).toString()).toBe('hey');
        await client.close();
        await recorder.waitForClose();
        expect(recorder.events.filter((event) => event.type === 'close')).toHaveLength(1);
      });
    });

    describe('resets', () => {
      const rawPeers = options.rawPeers;

      it.skipIf(rawPeers === undefined)('a peer reset reaches onError as CONNECTION_RESET, then onClose once', async () => {
        const recorder = recordingService();
        const { listener, port } = await listen(recorder);
        const peer = await rawPeers!(scope.transport).connect({ host: '127.0.0.1', port });
        await peer.write('abc');
        expect((await recorder.waitForBytes(3)).toString()).toBe('abc');
        peer.reset();
        await recorder.waitForClose();
        const types = recorder.events.map((event) => event.type);
        expect(recorder.errors.map((error) => error.code)).toContain('CONNECTION_RESET');
        expect(types.indexOf('error')).toBeLessThan(types.indexOf('close'));
        expect(types.filter((type) => type === 'close')).toHaveLength(1);
        await until(() => listener.connections === 0);
      });

      it.skipIf(rawPeers === undefined)('a reset rejects the pending read and later writes with CONNECTION_RESET', async () => {
        const server = await rawPeers!(scope.transport).listen();
        scope.cleanup(() => server.close());
        const client = await connect(server.address.port);
        const peer = await server.accepted();
        await peer.write('xy');
        expect((await client.read(2)).toString()).toBe('xy');
        const pending = client.read();
        peer.reset();
        expect((await rejectionOf(pending)).code).toBe('CONNECTION_RESET');
        expect((await rejectionOf(client.write('after'))).code).toBe('CONNECTION_RESET');
      });
    });

    describe('volume', () => {
      it('a large transfer arrives intact', async () => {
        const { port } = await listen(echoService());
        const client = await connect(port);
        const payload = randomBytes(options.largeTransferBytes ?? 8 * 1024 * 1024);
        const writing = (async () => {
          for (let offset = 0; offset < payload.length; offset += 100_000) await client.write(payload.subarray(offset, offset + 100_000));
        })();
        const [echoed] = await Promise.all([client.read(payload.length), writing]);
        expect(echoed.length).toBe(payload.length);
        expect(echoed.equals(payload)).toBe(true);
      });

      it('many connections at once are each served on their own', async () => {
        const recorder = recordingService({ onBytes: (caller, data) => caller.write(data).then(() => {}) });
        const { listener, port } = await listen(recorder);
        const count = 50;
        const clients = await Promise.all(Array.from({ length: count }, () => connect(port)));
        expect(new Set(clients.map((client) => client.localPort)).size).toBe(count);
        await recorder.waitForConnect(count);
        expect(listener.connections).toBe(count);
        const replies = await Promise.all(
          clients.map(async (client, i) => {
            const message = `client-${i}-${'x'.repeat(i)}`;
            await client.write(message);
            return (await client.read(Buffer.byteLength(message))).toString() === message;
          }),
        );
        expect(replies.every(Boolean)).toBe(true);
        await Promise.all(clients.map((client) => client.close()));
        await recorder.waitForClose(count);
        await until(() => listener.connections === 0);
      });

      it('a slow reader holds back the writer instead of buffering without bound', async () => {
        const limit = 64 * 1024 * 1024; // far beyond any kernel and @sock buffer: only backpressure stops the writer
        const target = deferred<number>(); // how much the reader takes once released
        const received = deferred<Buffer>();
        const { port } = await listen({
          async onReadReady(caller) {
            received.resolve(await caller.read(await target.promise));
          },
        });
        const client = await connect(port);
        let written = 0;
        let stopAt = limit;
        const piece = Buffer.alloc(256 * 1024, 7);
        const writing = (async () => {
          while (written < stopAt) {
            await client.write(piece);
            written += piece.length;
          }
        })();
        await until(() => written > 0);
        const stalledAt = await Promise.race([settled(() => written), writing.then(() => written)]);
        expect(stalledAt).toBeLessThan(limit);
        // Released, the reader takes everything and the writer goes on: it was held back, not broken.
        stopAt = stalledAt + 4 * piece.length;
        target.resolve(stopAt);
        await writing;
        expect(written).toBe(stopAt);
        const got = await received.promise;
        expect(got.length).toBe(stopAt);
        expect(got.every((byte) => byte === 7)).toBe(true);
      });
    });

    describe('time-outs and limits', () => {
      it('idle: a connection with no byte either way gets IDLE_TIMED_OUT in onError, then closes and onClose runs', async () => {
        const recorder = recordingService();
        const { listener, port } = await listen(recorder, { idleTimeoutInMillis: 150 });
        const client = await connect(port);
        await client.write('x');
        await recorder.waitForBytes(1);
        await recorder.waitForClose();
        expect(recorder.errors.map((error) => error.code)).toEqual(['IDLE_TIMED_OUT']);
        expect((await client.read()).length).toBe(0);
        await until(() => listener.connections === 0);
      });

      it('idle, on a client without a service: its pending read rejects IDLE_TIMED_OUT and it closes', async () => {
        const { port } = await listen({ onConnect() {} });
        const client = await connect(port, { idleTimeoutInMillis: 150 });
        expect((await rejectionOf(client.read())).code).toBe('IDLE_TIMED_OUT');
        expect((await rejectionOf(client.write('late'))).code).toBe('IDLE_TIMED_OUT');
      });

      it('maxConnections refuses at accept, before any service code, and counts the refusals', async () => {
        const connects = deferred();
        let connected = 0;
        const { listener, port } = await listen(
          {
            onConnect() {
              if (++connected === 2) connects.resolve();
            },
          },
          { maxConnections: 2 },
        );
        await connect(port);
        await connect(port);
        await connects.promise;
        const extra = await scope.transport.connect({ host: '127.0.0.1', port });
        scope.cleanup(() => extra.close());
        const seen = await extra.read().then(
          (chunk) => chunk.length,
          (error: { code?: unknown }) => error.code,
        );
        expect([0, 'CONNECTION_RESET']).toContain(seen);
        expect(connected).toBe(2);
        expect(listener.refusedConnections).toBe(1);
        expect(listener.connections).toBe(2);
      });
    });

    describe('PROXY protocol (listener proxyProtocol)', () => {
      // A @sock client plays the balancer: it writes the header the way HAProxy would, then the data.
      async function balancer(port: number, header: Buffer, data = ''): Promise<Client> {
        const client = await connect(port);
        await client.write(Buffer.concat([header, Buffer.from(data)]));
        return client;
      }

      function refusals(): { codes: unknown[]; stop(): void } {
        const codes: unknown[] = [];
        const listener = (message: unknown): void => void codes.push((message as { error?: { code?: unknown } }).error?.code);
        diagnostics.subscribe('sock:error', listener);
        return { codes, stop: () => diagnostics.unsubscribe('sock:error', listener) };
      }

      it('v1: the caller sees the real client as its remote address and the balancer as proxyAddress; the bytes after the header reach the service', async () => {
        const recorder = recordingService();
        const { port } = await listen(recorder, { proxyProtocol: 'v1' });
        const header = encodeProxyHeaderV1({ protocol: 'TCP4', source: { host: '203.0.113.7', port: 51000 }, destination: { host: '198.51.100.1', port: 443 } });
        const client = await balancer(port, header, 'hello');
        const caller = await recorder.waitForConnect();
        expect(caller.remoteAddress).toBe('203.0.113.7');
        expect(caller.remotePort).toBe(51000);
        expect((caller as Caller & { proxyAddress?: unknown }).proxyAddress).toEqual({ host: '127.0.0.1', port: client.localPort });
        expect((await recorder.waitForBytes(5)).toString()).toBe('hello');
      });

      it('v2 with TLVs: the header is readable on the caller; LOCAL (a health check) keeps the balancer address', async () => {
        const recorder = recordingService();
        const { port } = await listen(recorder, { proxyProtocol: 'any' });
        await balancer(
          port,
          encodeProxyHeaderV2({ command: 'PROXY', protocol: 'TCP6', source: { host: '2001:db8::1', port: 4000 }, destination: { host: '2001:db8::2', port: 443 }, authority: 'api.example', alpn: 'h2' }),
          'x',
        );
        const first = (await recorder.waitForConnect()) as Caller & { proxyHeader?: { authority?: string; alpn?: string } };
        expect(first.remoteAddress).toBe('2001:db8::1');
        expect(first.proxyHeader?.authority).toBe('api.example');
        expect(first.proxyHeader?.alpn).toBe('h2');
        const check = await balancer(port, encodeProxyHeaderV2({ command: 'LOCAL' }));
        await recorder.waitForConnect(2);
        const second = recorder.callers[1]!;
        expect(second.remoteAddress).toBe('127.0.0.1');
        expect(second.remotePort).toBe(check.localPort);
      });

      it('a connection without a valid header never reaches the service: closed, PROXY_PROTOCOL_INVALID on sock:error', async () => {
        const seen = refusals();
        try {
          const onConnect = { count: 0 };
          const { listener, port } = await listen({ onConnect: () => void onConnect.count++ }, { proxyProtocol: 'v2' });
          const plain = await balancer(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
          expect((await plain.read().catch(() => Buffer.alloc(0))).length).toBe(0);
          const v1 = await balancer(port, encodeProxyHeaderV1({ protocol: 'UNKNOWN' }));
          expect((await v1.read().catch(() => Buffer.alloc(0))).length).toBe(0);
          expect(onConnect.count).toBe(0);
          expect(listener.connections).toBe(0);
          await until(() => seen.codes.length >= 2);
          expect(seen.codes.every((code) => code === 'PROXY_PROTOCOL_INVALID')).toBe(true);
        } finally {
          seen.stop();
        }
      });

      it('a late header is refused at its deadline; an untrusted balancer before a byte is read', async () => {
        const seen = refusals();
        try {
          const { port } = await listen({ onConnect() {} }, { proxyProtocol: 'any', proxyHeaderTimeoutInMillis: 100 });
          const silent = await connect(port);
          expect((await silent.read().catch(() => Buffer.alloc(0))).length).toBe(0);
          const { port: guarded } = await listen({ onConnect() {} }, { proxyProtocol: 'any', trustedProxies: ['10.0.0.0/8'] });
          const stranger = await balancer(guarded, encodeProxyHeaderV1({ protocol: 'TCP4', source: { host: '1.2.3.4', port: 1 }, destination: { host: '5.6.7.8', port: 2 } }));
          expect((await stranger.read().catch(() => Buffer.alloc(0))).length).toBe(0);
          await until(() => seen.codes.length >= 2);
          expect(seen.codes).toEqual(['PROXY_PROTOCOL_INVALID', 'PROXY_PROTOCOL_INVALID']);
        } finally {
          seen.stop();
        }
      });
    });

    describe('stops that never hang', () => {
      it('immediateStop resolves even though a resource never settles; the socket is closed', async () => {
        const arrived = deferred();
        const { listener, port } = await listen({
          async onBytes() {
            arrived.resolve();
            await new Promise(() => {});
          },
        });
        const client = await connect(port);
        await client.write('x');
        await arrived.promise;
        await listener.immediateStop();
        expect(listener.connections).toBe(0);
        expect((await client.read()).length).toBe(0);
      });

      it('gracefulStop resolves at its deadline even though onConnect never settles', async () => {
        const entered = deferred();
        const { listener, port } = await listen({
          async onConnect() {
            entered.resolve();
            await new Promise(() => {});
          },
        });
        const client = await connect(port);
        await entered.promise;
        await listener.gracefulStop({ timeoutInMillis: 100 });
        expect(listener.connections).toBe(0);
        expect((await client.read()).length).toBe(0);
      });

      it('stops are idempotent and an immediate stop cuts a waiting graceful one short', async () => {
        const { listener, port } = await listen(echoService());
        await connect(port);
        await until(() => listener.connections === 1);
        const graceful = listener.gracefulStop({ timeoutInMillis: 60_000 });
        expect(listener.gracefulStop()).toBe(graceful);
        await listener.immediateStop();
        await graceful;
        expect(listener.connections).toBe(0);
      });
    });

    describe('stopping', () => {
      it('immediateStop closes open connections (the client sees the end) and refuses new ones', async () => {
        const recorder = recordingService();
        const { listener, port } = await listen(recorder);
        const client = await connect(port);
        await recorder.waitForConnect();
        await listener.immediateStop();
        expect(listener.connections).toBe(0);
        expect((await client.read()).length).toBe(0);
        await recorder.waitForClose();
        expect((await rejectionOf(scope.transport.connect({ host: '127.0.0.1', port }))).code).toBe('CONNECTION_REFUSED');
      });

      it('gracefulStop lets a connection finish, and closes what is left at its time-out', async () => {
        const recorder = recordingService();
        const { listener, port } = await listen(recorder);
        const leaving = await connect(port);
        const staying = await connect(port);
        await recorder.waitForConnect(2);
        const stopping = listener.gracefulStop({ timeoutInMillis: 200 });
        await leaving.close();
        await recorder.waitForClose(1);
        expect(recorder.events.filter((event) => event.type === 'close')).toHaveLength(1);
        await stopping;
        expect(listener.connections).toBe(0);
        expect((await staying.read()).length).toBe(0);
        await recorder.waitForClose(2);
      });
    });
  });
}
