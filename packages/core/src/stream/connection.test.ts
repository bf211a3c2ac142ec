// Every dispatch rule of the service contract, tested where it lives: a Connection over a wire
// driven by hand. Transports only adapt a wire; the conformance suites prove they do it faithfully.
import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GenericError, isSocketError, type SocketError } from '../errors.js';
import { lengthPrefixed } from '../framing/length-prefixed.js';
import { lines } from '../framing/lines.js';
import type { Caller, Service } from '../service.js';
import { Connection } from './connection.js';
import { accepted, FakeWire, flush, options } from './fake-wire.test-support.js';
import { kAbort, kAttach, kClosed, kDone, kOpen, kState } from './symbols.js';

const reset = (): GenericError => new GenericError('CONNECTION_RESET', 'connection to 192.0.2.7:50000 was reset by the peer');

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function rejection(promise: Promise<unknown>): Promise<SocketError> {
  try {
    await promise;
  } catch (error) {
    return error as SocketError;
  }
  throw new Error('expected a rejection');
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('the order of the service contract', () => {
  it('onConnect runs first and once; data after it; onClose once, last', async () => {
    const events: string[] = [];
    const { connection, wire } = accepted({
      onConnect: () => void events.push('connect'),
      onBytes: (_, data) => void events.push(`bytes:${data.toString()}`),
      onClose: () => void events.push('close'),
    });
    wire.data('early'); // arrived before open: held until onConnect ran
    connection[kOpen]();
    wire.data('late');
    wire.fireClose();
    await flush();
    expect(events).toEqual(['connect', 'bytes:early', 'bytes:late', 'close']);
    void connection.close();
    await flush();
    expect(events.filter((e) => e === 'close')).toHaveLength(1);
  });

  it('resources of one connection never overlap: each promise is awaited before the next call', async () => {
    let running = 0;
    let overlapped = false;
    const gates = [deferred(), deferred(), deferred()];
    let call = 0;
    const { connection, wire } = accepted({
      async onConnect() {
        running++;
        await gates[0]!.promise;
        running--;
      },
      async onBytes() {
        if (running++ > 0) overlapped = true;
        await gates[++call]!.promise;
        running--;
      },
    });
    connection[kOpen]();
    wire.data('a');
    wire.data('b');
    for (const gate of gates) {
      gate.resolve();
      await flush();
    }
    expect(overlapped).toBe(false);
    expect(call).toBe(2);
  });

  it('a socket fault reaches onError after the data that came before it, then onClose', async () => {
    const events: string[] = [];
    const gate = deferred();
    const { connection, wire } = accepted({
      async onBytes(_, data) {
        events.push(`bytes:${data.toString()}`);
        await gate.promise;
      },
      onError: (_, error) => void events.push(`error:${error.code}`),
      onClose: () => void events.push('close'),
    });
    connection[kOpen]();
    wire.data('one');
    wire.data('two');
    wire.error(reset());
    wire.fireClose();
    gate.resolve();
    await flush(10);
    expect(events).toEqual(['bytes:one', 'bytes:two', 'error:CONNECTION_RESET', 'close']);
  });

  it('a resource that throws or rejects goes to onError as HANDLER_FAILED with its cause, once each; the connection keeps serving', async () => {
    const errors: SocketError[] = [];
    const boom = new Error('boom');
    let count = 0;
    const { connection, wire } = accepted({
      async onConnect() {
        throw boom;
      },
      onBytes(caller, data) {
        if (count++ === 0) throw new Error('sync');
        void caller.write(data);
      },
      onError: (_, error) => void errors.push(error),
    });
    connection[kOpen]();
    await flush();
    wire.data('x');
    wire.data('y');
    await flush();
    expect(errors.map((e) => e.code)).toEqual(['HANDLER_FAILED', 'HANDLER_FAILED']);
    expect(errors[0]!.cause).toBe(boom);
    expect(errors[0]!.detail.cause).toBe(boom);
    expect(wire.text).toBe('y');
  });

  it('each async resource that rejects is named in its HANDLER_FAILED, one after another on the same connection', async () => {
    const failures: string[] = [];
    const { connection, wire } = accepted({
      async onConnect() {
        throw new Error('connect');
      },
      async onBytes(_, data) {
        throw new Error(data.toString());
      },
      async onError(_, error) {
        failures.push(error.message);
      },
    });
    connection[kOpen]();
    wire.data('one');
    await flush(10);
    wire.data('two');
    await flush(10);
    expect(failures).toEqual([
      'service resource onConnect failed on connection 192.0.2.7:50000',
      'service resource onBytes failed on connection 192.0.2.7:50000',
      'service resource onBytes failed on connection 192.0.2.7:50000',
    ]);
  });

  it('a resource that lets the connection\'s own fault escape is that fault, once — not HANDLER_FAILED, and no warning', async () => {
    const errors: SocketError[] = [];
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { connection, wire } = accepted({
      async onConnect(caller) {
        await caller.read(); // rejects with the reset below, and the handler does not catch it
      },
      onError: (_, error) => void errors.push(error),
    });
    connection[kOpen]();
    const { connection: bare, wire: bareWire } = accepted({
      async onConnect(caller) {
        await caller.read();
        await caller.read();
      },
    });
    bare[kOpen]();
    wire.error(reset());
    wire.fireClose();
    bareWire.error(reset());
    bareWire.fireClose();
    await flush(10);
    expect(errors.map((e) => e.code)).toEqual(['CONNECTION_RESET']);
    expect(warning).not.toHaveBeenCalled();
  });
});

describe('push delivery (onBytes)', () => {
  it('hands a chunk over synchronously, without a copy, when nothing is pending', () => {
    const seen: Buffer[] = [];
    const { connection, wire } = accepted({ onBytes: (_, data) => void seen.push(data) });
    connection[kOpen]();
    const chunk = Buffer.from('now');
    wire.data(chunk);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(chunk);
  });

  it('replays chunks that arrived while a resource ran, in order and with their boundaries', async () => {
    const gate = deferred();
    const seen: string[] = [];
    const { connection, wire } = accepted({
      async onBytes(_, data) {
        seen.push(data.toString());
        if (seen.length === 1) await gate.promise;
      },
    });
    connection[kOpen]();
    wire.data('1');
    wire.data('22');
    wire.data('333');
    expect(seen).toEqual(['1']);
    gate.resolve();
    await flush(10);
    expect(seen).toEqual(['1', '22', '333']);
  });

  it('refuses read() with INVALID_ARGUMENT', async () => {
    const { connection } = accepted({ onBytes() {} });
    expect((await rejection(connection.read())).code).toBe('INVALID_ARGUMENT');
  });
});

describe('pull delivery (onReadReady)', () => {
  it('runs while unread data waits, and once more at end of stream where read() is empty', async () => {
    const reads: string[] = [];
    const { connection, wire } = accepted({
      async onReadReady(caller) {
        const data = await caller.read(2);
        reads.push(data.length === 0 ? '<end>' : data.toString());
      },
    });
    connection[kOpen]();
    wire.data('abcd');
    wire.end();
    await flush(20);
    expect(reads).toEqual(['ab', 'cd', '<end>']);
  });

  it('does not spin when a run reads nothing; runs again when new data arrives', async () => {
    let runs = 0;
    const { connection, wire } = accepted({
      onReadReady() {
        runs++;
      },
    });
    connection[kOpen]();
    wire.data('x');
    await flush(20);
    expect(runs).toBe(1);
    wire.data('y');
    await flush(20);
    expect(runs).toBe(2);
  });

  it('an async run that reads nothing waits for new data; a run during which data arrived runs again', async () => {
    let runs = 0;
    const gate = deferred();
    const { connection, wire } = accepted({
      async onReadReady() {
        if (runs++ === 1) await gate.promise;
        else await Promise.resolve();
      },
    });
    connection[kOpen]();
    wire.data('x');
    await flush(20);
    expect(runs).toBe(1); // read nothing, nothing new: stalled
    wire.data('y');
    await flush(20);
    expect(runs).toBe(2); // new data: runs again, and waits at the gate
    wire.data('z'); // arrives while the second run is still going
    gate.resolve();
    await flush(20);
    expect(runs).toBe(3); // read nothing, but data arrived meanwhile: once more, then stalled
    await flush(20);
    expect(runs).toBe(3);
  });

  it('after a fault the service hears of it through onError, not through an end-of-stream run', async () => {
    const events: string[] = [];
    const { connection, wire } = accepted({
      async onReadReady(caller) {
        events.push(`read:${(await caller.read()).toString()}`);
      },
      onError: (_, error) => void events.push(`error:${error.code}`),
    });
    connection[kOpen]();
    wire.error(reset());
    wire.fireClose();
    await flush(10);
    expect(events).toEqual(['error:CONNECTION_RESET']);
  });
});

describe('frame delivery (onFrame)', () => {
  it('hands over every frame in order, however the bytes are split', async () => {
    const frames: string[] = [];
    const { connection, wire } = accepted({ onFrame: (_, frame) => void frames.push(frame.toString()) }, { framing: lines({ maxFrameBytes: 16 }) });
    connection[kOpen]();
    for (const piece of ['he', 'llo\nwo', 'rld\n', '\nlast']) wire.data(piece);
    wire.end();
    await flush(10);
    expect(frames).toEqual(['hello', 'world', '', 'last']);
  });

  it('a frame too large: the frames before it are delivered, then FRAME_TOO_LARGE to onError, and only that connection closes', async () => {
    const events: string[] = [];
    const { connection, wire } = accepted(
      {
        onFrame: (_, frame) => void events.push(`frame:${frame.toString()}`),
        onError: (_, error) => void events.push(`error:${error.code}`),
        onClose: () => void events.push('close'),
      },
      { framing: lengthPrefixed({ maxFrameBytes: 4, lengthBytes: 1 }) },
    );
    connection[kOpen]();
    wire.data(Buffer.from([2, 0x6f, 0x6b, 200]));
    await flush(10);
    expect(events).toEqual(['frame:ok', 'error:FRAME_TOO_LARGE', 'close']);
    expect(wire.destroys).toBe(1);
  });

  it('refuses read() and a service without onFrame is refused by validation elsewhere', async () => {
    const { connection } = accepted({ onFrame() {} }, { framing: lines({ maxFrameBytes: 8 }) });
    expect((await rejection(connection.read())).code).toBe('INVALID_ARGUMENT');
  });
});

describe('end of stream', () => {
  it('a service that has seen the end ends this side too (no half-open connection)', async () => {
    const { connection, wire } = accepted({ onBytes() {} });
    connection[kOpen]();
    wire.data('bye');
    wire.end();
    await flush();
    expect(wire.shutdowns).toBe(1);
  });

  it('a service without a data resource that never reads still ends its side once idle', async () => {
    const { connection, wire } = accepted({ onConnect() {} });
    connection[kOpen]();
    wire.data('never read');
    wire.end();
    await flush();
    expect(wire.shutdowns).toBe(1);
  });

  it('a connection without a service stays open for writing after the peer ended: ending is its owner\'s call', async () => {
    const { connection, wire } = accepted(undefined);
    connection[kOpen]();
    wire.end();
    await flush();
    expect(wire.shutdowns).toBe(0);
    expect(await connection.write('still')).toBe(5);
    expect((await connection.read()).length).toBe(0);
  });
});

describe('warnings and diagnostics (SPEC "Warnings")', () => {
  it('a failing resource without onError: one SocketWarning per connection, and sock:error each time', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const published: unknown[] = [];
    const listener = (message: unknown): void => void published.push(message);
    diagnostics.subscribe('sock:error', listener);
    try {
      const { connection, wire } = accepted({
        onBytes() {
          throw new Error('bug');
        },
      });
      connection[kOpen]();
      wire.data('1');
      wire.data('2');
      await flush();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain('onBytes failed');
      expect(published).toHaveLength(2);
      expect((published[0] as { caller: unknown }).caller).toBe(connection);
    } finally {
      diagnostics.unsubscribe('sock:error', listener);
    }
  });

  it('a socket fault without onError prints nothing, but is published on sock:error', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const published: Array<{ error: SocketError }> = [];
    const listener = (message: unknown): void => void published.push(message as { error: SocketError });
    diagnostics.subscribe('sock:error', listener);
    try {
      const { connection, wire } = accepted({ onBytes() {} });
      connection[kOpen]();
      wire.error(reset());
      wire.fireClose();
      await flush();
      expect(warn).not.toHaveBeenCalled();
      expect(published.map((m) => m.error.code)).toEqual(['CONNECTION_RESET']);
    } finally {
      diagnostics.unsubscribe('sock:error', listener);
    }
  });

  it('an onError that fails is a warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { connection, wire } = accepted({
      onBytes() {
        throw new Error('first');
      },
      onError() {
        throw new Error('second');
      },
    });
    connection[kOpen]();
    wire.data('x');
    await flush();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('onError failed');
  });

  it('publishes sock:accept on open and sock:close when the wire closes', async () => {
    const seen: string[] = [];
    const onAccept = (): void => void seen.push('accept');
    const onClose = (): void => void seen.push('close');
    diagnostics.subscribe('sock:accept', onAccept);
    diagnostics.subscribe('sock:close', onClose);
    try {
      const { connection } = accepted({ onConnect() {} });
      connection[kOpen]();
      await connection.close();
      expect(seen).toEqual(['accept', 'close']);
    } finally {
      diagnostics.unsubscribe('sock:accept', onAccept);
      diagnostics.unsubscribe('sock:close', onClose);
    }
  });
});

describe('lifecycle', () => {
  it('is one value: connecting → open → closing → closed', async () => {
    const connection = new Connection(options(undefined));
    expect(connection[kState]).toBe('connecting');
    const write = connection.write('queued while connecting');
    const wire = new FakeWire();
    wire.fireClose = FakeWire.prototype.fireClose; // keep the default
    connection[kAttach](wire);
    expect(connection[kState]).toBe('open');
    expect(await write).toBe(23);
    wire.close = () => {
      wire.closes++; // the socket takes a while to close
      return false;
    };
    const closing = connection.close();
    expect(connection[kState]).toBe('closing');
    wire.fireClose();
    await closing;
    expect(connection[kState]).toBe('closed');
    expect((await rejection(connection.write('late'))).code).toBe('CONNECTION_CLOSED');
    expect((await rejection(connection.read())).code).toBe('CONNECTION_CLOSED');
  });

  it('a failed connect rejects what was queued with the connect error and calls no resource', async () => {
    const service: Service = { onConnect: vi.fn(), onClose: vi.fn(), onError: vi.fn() };
    const connection = new Connection(options(service));
    const write = connection.write('x');
    const read = connection.read();
    const refused = new GenericError('CONNECTION_REFUSED', 'connection refused by 192.0.2.7:9');
    connection[kAbort](refused);
    expect(await rejection(write)).toBe(refused);
    expect(await rejection(read)).toBe(refused);
    await connection[kDone];
    expect(service.onConnect).not.toHaveBeenCalled();
    expect(service.onError).not.toHaveBeenCalled();
    expect(service.onClose).not.toHaveBeenCalled();
  });

  it('kClosed resolves when the socket is gone even though onClose never settles', async () => {
    const { connection, wire } = accepted({ onClose: () => new Promise(() => {}) });
    connection[kOpen]();
    wire.fireClose();
    await connection[kClosed];
    let done = false;
    void connection[kDone].then(() => (done = true));
    await flush(10);
    expect(done).toBe(false);
  });
});

describe('writes and backpressure', () => {
  it('a write over the high-water mark waits for drain; close rejects it', async () => {
    const { connection, wire } = accepted(undefined);
    connection[kOpen]();
    wire.accepting = false;
    let settled = false;
    const first = connection.write('a').then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    wire.drain();
    await first;
    const second = connection.write('b');
    void connection.close();
    expect((await rejection(second)).code).toBe('CONNECTION_CLOSED');
  });

  it('an aborted write rejects with the signal reason; its bytes still go out and the connection stays usable', async () => {
    const { connection, wire } = accepted(undefined);
    connection[kOpen]();
    wire.accepting = false;
    const controller = new AbortController();
    const pending = connection.write('abc', { signal: controller.signal });
    const reason = new Error('stop waiting');
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
    expect(wire.text).toBe('abc');
    wire.accepting = true;
    expect(await connection.write('def')).toBe(3);
  });

  it('pauses the wire while too much is unread, and resumes once reads catch up', async () => {
    const { connection, wire } = accepted(undefined, { maxBufferedBytes: 8 });
    connection[kOpen]();
    wire.data('12345678');
    expect(wire.paused).toBe(true);
    await connection.read(6);
    expect(wire.paused).toBe(false);
  });
});

describe('time-outs', () => {
  it('idle: IDLE_TIMED_OUT goes to onError, then the connection closes and onClose runs', async () => {
    vi.useFakeTimers();
    const events: string[] = [];
    const { connection, wire } = accepted(
      { onError: (_, error) => void events.push(error.code), onClose: () => void events.push('close') },
      { idleTimeoutInMillis: 1000 },
    );
    connection[kOpen]();
    await vi.advanceTimersByTimeAsync(900);
    wire.data('activity resets the clock');
    await vi.advanceTimersByTimeAsync(900);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(events).toEqual(['IDLE_TIMED_OUT', 'close']);
    expect(wire.destroys).toBe(1);
  });

  it('idle, without a service: the pending read rejects IDLE_TIMED_OUT', async () => {
    vi.useFakeTimers();
    const { connection } = accepted(undefined, { idleTimeoutInMillis: 500 });
    connection[kOpen]();
    const read = rejection(connection.read());
    await vi.advanceTimersByTimeAsync(600);
    expect((await read).code).toBe('IDLE_TIMED_OUT');
  });

  it('write: a write that cannot be handed over in time rejects WRITE_TIMED_OUT and closes the connection', async () => {
    vi.useFakeTimers();
    const { connection, wire } = accepted(undefined, { writeTimeoutInMillis: 300 });
    connection[kOpen]();
    wire.accepting = false;
    const write = rejection(connection.write('stuck'));
    await vi.advanceTimersByTimeAsync(400);
    expect((await write).code).toBe('WRITE_TIMED_OUT');
    expect(wire.resets).toBe(1);
    expect(isSocketError(await rejection(connection.write('after')), 'WRITE_TIMED_OUT')).toBe(true);
  });
});

describe('a connection is its own caller', () => {
  it('reports the wire\'s addresses, a unique id, and iterates chunks until the end', async () => {
    const { connection, wire } = accepted(undefined);
    const caller: Caller = connection;
    expect([caller.remoteAddress, caller.remotePort, caller.localAddress, caller.localPort]).toEqual(['192.0.2.7', 50_000, '192.0.2.1', 7]);
    expect(caller.id).not.toBe(accepted(undefined).connection.id);
    connection[kOpen]();
    wire.data('a');
    wire.data('b');
    wire.end();
    const chunks: string[] = [];
    for await (const chunk of caller) chunks.push(chunk.toString());
    expect(chunks.join('')).toBe('ab');
  });
});
