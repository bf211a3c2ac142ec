import { afterEach, describe, expect, it, vi } from 'vitest';
import { GenericError, isSocketError, ReadTimedOutError } from '../errors.js';
import { ReadQueue, type ReadQueueOptions } from './read-queue.js';

const b = (text: string): Buffer => Buffer.from(text);

function queue(options: Partial<ReadQueueOptions> = {}): ReadQueue {
  return new ReadQueue({ readTimeoutInMillis: 0, maxReadLength: 1024, endpoint: () => 'test-peer', ...options });
}

afterEach(() => {
  // Spies first: a spy on a faked setTimeout would put the fake back after useRealTimers.
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('ReadQueue', () => {
  it('serves an exact-length read across chunk boundaries and keeps the rest', async () => {
    const q = queue();
    q.push(b('Hel'));
    q.push(b('lo wo'));
    q.push(b('rld!'));
    expect((await q.read(5)).toString()).toBe('Hello');
    expect((await q.read(4)).toString()).toBe(' wor');
    expect((await q.read(3)).toString()).toBe('ld!');
    expect(q.length).toBe(0);
  });

  it('serves exact lengths gathered from many one-byte chunks', async () => {
    const q = queue();
    const pending = q.read(100);
    for (let i = 0; i < 150; i++) q.push(Buffer.from([i]));
    const data = await pending;
    expect([...data]).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(q.length).toBe(50);
  });

  it('answers a read that fits in the first chunk with a view, not a copy', async () => {
    const q = queue();
    const chunk = b('abcdef');
    q.push(chunk);
    const data = await q.read(3);
    expect(data.buffer).toBe(chunk.buffer);
    expect(data.toString()).toBe('abc');
  });

  it('read() without length returns everything available, waiting when empty', async () => {
    const q = queue();
    const pending = q.read();
    q.push(b('one'));
    expect((await pending).toString()).toBe('one');
    q.push(b('two'));
    q.push(b('three'));
    expect((await q.read()).toString()).toBe('twothree');
  });

  it("read() in 'chunk' mode returns one chunk at a time", async () => {
    const q = queue({ unit: 'chunk' });
    q.push(b('first'));
    q.push(b('second'));
    expect((await q.read()).toString()).toBe('first');
    expect((await q.read()).toString()).toBe('second');
  });

  it('at end of stream a short read resolves with what there was, then empty buffers', async () => {
    const q = queue();
    q.push(b('abc'));
    const pending = q.read(10);
    q.end();
    expect((await pending).toString()).toBe('abc');
    expect((await q.read()).length).toBe(0);
    expect((await q.read(5)).length).toBe(0);
  });

  it('EOF in the middle of a pending exact read resolves it with the partial bytes', async () => {
    const q = queue();
    const pending = q.read(18);
    q.push(b('0123456789'));
    q.push(b('abcde'));
    q.end();
    expect((await pending).toString()).toBe('0123456789abcde');
  });

  it('serves concurrent reads in call order', async () => {
    const q = queue();
    const first = q.read(3);
    const second = q.read();
    const third = q.read(2);
    q.push(b('abcdefg'));
    expect((await first).toString()).toBe('abc');
    expect((await second).toString()).toBe('defg');
    q.push(b('xy'));
    expect((await third).toString()).toBe('xy');
  });

  it.each([0, -1, 1.5, Number.NaN, 2048, '4' as unknown as number])('rejects read(%s) with INVALID_ARGUMENT at once', async (length) => {
    const q = queue();
    q.push(b('data'));
    const error = await q.read(length).catch((e: unknown) => e);
    expect(isSocketError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(q.length).toBe(4);
  });

  it('rejects bad read options with INVALID_ARGUMENT', async () => {
    const q = queue();
    await expect(q.read(1, { timeoutInMillis: -5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(q.read(1, { signal: {} as AbortSignal })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a time-out rejects ReadTimedOutError and keeps every byte for the next read', async () => {
    vi.useFakeTimers();
    const q = queue({ readTimeoutInMillis: 1000 });
    const pending = q.read(18);
    const outcome = pending.catch((e: unknown) => e);
    q.push(b('012345678901234'));
    await vi.advanceTimersByTimeAsync(1000);
    const error = await outcome;
    expect(error).toBeInstanceOf(ReadTimedOutError);
    expect((error as ReadTimedOutError).code).toBe('READ_TIMED_OUT');
    expect(q.length).toBe(15);
    expect((await q.read()).toString()).toBe('012345678901234');
  });

  it('every chunk resets the time-out of a waiting read', async () => {
    vi.useFakeTimers();
    const q = queue({ readTimeoutInMillis: 100 });
    let settled = false;
    const pending = q.read(3).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(80);
    q.push(b('a'));
    await vi.advanceTimersByTimeAsync(80);
    q.push(b('b'));
    await vi.advanceTimersByTimeAsync(80);
    expect(settled).toBe(false);
    q.push(b('c'));
    expect((await pending).toString()).toBe('abc');
  });

  it('a per-read timeout overrides the default; 0 waits forever', async () => {
    vi.useFakeTimers();
    const q = queue({ readTimeoutInMillis: 10 });
    const quick = q.read(1, { timeoutInMillis: 5 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5);
    expect(isSocketError(await quick, 'READ_TIMED_OUT')).toBe(true);
    let settled = false;
    const forever = q.read(1, { timeoutInMillis: 0 }).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(settled).toBe(false);
    q.push(b('z'));
    expect((await forever).toString()).toBe('z');
  });

  it('a timed-out read at the head lets the reads behind it be served', async () => {
    vi.useFakeTimers();
    const q = queue();
    const big = q.read(10, { timeoutInMillis: 50 }).catch((e: unknown) => e);
    const small = q.read();
    q.push(b('abc'));
    await vi.advanceTimersByTimeAsync(50);
    expect(isSocketError(await big, 'READ_TIMED_OUT')).toBe(true);
    expect((await small).toString()).toBe('abc');
  });

  it('an abort rejects with the signal reason and keeps the bytes', async () => {
    const q = queue();
    const controller = new AbortController();
    const pending = q.read(10, { signal: controller.signal });
    q.push(b('12345'));
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect((await q.read(5)).toString()).toBe('12345');
    const already = AbortSignal.abort(new Error('already'));
    await expect(q.read(1, { signal: already })).rejects.toThrow('already');
  });

  it('fail() rejects waiting reads and later ones, but bytes queued can still be read', async () => {
    const q = queue();
    q.push(b('ab'));
    const pending = q.read(5);
    const reset = new GenericError('CONNECTION_RESET', 'reset by test-peer');
    q.fail(reset);
    await expect(pending).rejects.toBe(reset);
    expect((await q.read()).toString()).toBe('ab');
    await expect(q.read()).rejects.toBe(reset);
  });

  it('close() drops bytes and rejects everything with the given error', async () => {
    const q = queue();
    q.push(b('ab'));
    const pending = q.read(5);
    const closed = new GenericError('CONNECTION_CLOSED', 'closed');
    q.close(closed);
    await expect(pending).rejects.toBe(closed);
    expect(q.length).toBe(0);
    await expect(q.read()).rejects.toBe(closed);
  });

  it('drops the oldest chunks beyond maxChunks and counts them', async () => {
    const q = queue({ unit: 'chunk', maxChunks: 2 });
    q.push(b('1'));
    q.push(b('2'));
    q.push(b('3'));
    q.push(b('4'));
    expect(q.dropped).toBe(2);
    expect((await q.read()).toString()).toBe('3');
    expect((await q.read()).toString()).toBe('4');
  });

  it('tags reads with the tag of the last chunk they took bytes from', async () => {
    const q = new ReadQueue<string>({ readTimeoutInMillis: 0, maxReadLength: 1024, endpoint: () => 'x', unit: 'chunk' });
    q.push(b('aaaa'), 'A');
    q.push(b('bbbb'), 'B');
    const tagged = (data: Buffer, tag: string) => ({ data, tag });
    expect(await q.readAs(tagged, 6)).toEqual({ data: b('aaaabb'), tag: 'B' });
    expect(await q.readAs(tagged)).toEqual({ data: b('bb'), tag: 'B' });
  });

  it('shift() replays chunks with their original boundaries', () => {
    const q = queue();
    q.push(b('ab'));
    q.push(b('cde'));
    expect(q.shift()?.toString()).toBe('ab');
    expect(q.shift()?.toString()).toBe('cde');
    expect(q.shift()).toBeUndefined();
  });

  it('reports bytes still needed by the head read and calls onConsume when bytes leave', async () => {
    const consumed = vi.fn();
    const q = queue({ onConsume: consumed });
    const pending = q.read(10);
    q.push(b('abc'));
    expect(q.needed).toBe(7);
    q.push(b('defghij'));
    await pending;
    expect(consumed).toHaveBeenCalledTimes(1);
    expect(q.needed).toBe(0);
    expect(q.consumed).toBe(10);
  });

  it('does not grow its chunk list when it never fully drains', async () => {
    const q = queue();
    for (let i = 0; i < 5000; i++) {
      q.push(b('xy'));
      await q.read(2);
    }
    q.push(b('z'));
    for (let i = 0; i < 5000; i++) {
      q.push(b('xy'));
      expect((await q.read(2)).length).toBe(2);
    }
    expect(q.length).toBe(1);
  });
});

describe('ReadQueue read timer', () => {
  // A read that waits, then is served by a chunk `after` ms later.
  async function waitAndServe(q: ReadQueue, after: number): Promise<void> {
    const pending = q.read(1);
    await vi.advanceTimersByTimeAsync(after);
    q.push(b('x'));
    await pending;
  }

  // A read that waits now times out after exactly `ms`, not a millisecond earlier.
  async function expectReadTimesOutAfter(q: ReadQueue, ms: number): Promise<void> {
    let outcome: unknown;
    const pending = q.read(1).catch((error: unknown) => (outcome = error));
    await vi.advanceTimersByTimeAsync(ms - 1);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(outcome).toBeInstanceOf(ReadTimedOutError);
  }

  it('one timer serves a request/response loop: served reads leave it armed but holding no process open', async () => {
    vi.useFakeTimers();
    const made = vi.spyOn(globalThis, 'setTimeout');
    const q = queue({ readTimeoutInMillis: 1000 });
    for (let i = 0; i < 50; i++) await waitAndServe(q, 10);
    expect(made).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
    const timer = made.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    const pending = q.read(1);
    expect(timer.hasRef()).toBe(true);
    q.push(b('x'));
    await pending;
    q.release();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a read that takes over the timer gets its whole time-out from when it began', async () => {
    vi.useFakeTimers();
    const q = queue({ readTimeoutInMillis: 1000 });
    await waitAndServe(q, 900); // the timer was armed at 0, then left armed
    await expectReadTimesOutAfter(q, 1000);
  });

  it('a timer left armed that fires while nothing waits does nothing, and serves the next read after', async () => {
    vi.useFakeTimers();
    const q = queue({ readTimeoutInMillis: 100 });
    await waitAndServe(q, 10);
    await vi.advanceTimersByTimeAsync(500);
    expect(vi.getTimerCount()).toBe(0);
    await expectReadTimesOutAfter(q, 100);
    q.push(b('kept'));
    expect((await q.read()).toString()).toBe('kept');
  });

  it('a read waiting behind a timed one, or with another time-out, is timed on its own', async () => {
    vi.useFakeTimers();
    const q = queue({ readTimeoutInMillis: 1000 });
    const outcomes: unknown[] = [];
    const first = q.read(2).catch((error: unknown) => outcomes.push(['first', error]));
    const second = q.read(2, { timeoutInMillis: 300 }).catch((error: unknown) => outcomes.push(['second', error]));
    await vi.advanceTimersByTimeAsync(300);
    // The second read timed out while the first still waits: the first keeps its place.
    expect(outcomes).toEqual([['second', expect.any(ReadTimedOutError)]]);
    await vi.advanceTimersByTimeAsync(700);
    expect(outcomes).toHaveLength(2);
    await Promise.all([first, second]);
    // Another time-out than the queue's timer has: a new queue timer, with the new delay.
    let outcome: unknown;
    const third = q.read(1, { timeoutInMillis: 50 }).catch((error: unknown) => (outcome = error));
    await vi.advanceTimersByTimeAsync(50);
    await third;
    expect(outcome).toBeInstanceOf(ReadTimedOutError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('end, fail and close cancel the timer a served read left armed', async () => {
    vi.useFakeTimers();
    for (const finish of [(q: ReadQueue) => q.end(), (q: ReadQueue) => q.fail(new GenericError('CONNECTION_RESET', 'reset')), (q: ReadQueue) => q.close(new GenericError('CONNECTION_CLOSED', 'closed'))]) {
      const q = queue({ readTimeoutInMillis: 1000 });
      await waitAndServe(q, 10);
      expect(vi.getTimerCount()).toBe(1);
      finish(q);
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it('a timer left by a read on real timers is not reused under fake timers, nor cleared with their clearTimeout', async () => {
    const q = queue({ readTimeoutInMillis: 1000 });
    const first = q.read(1);
    q.push(b('x'));
    await first; // a real timer, left armed and unref'd
    const warn = vi.spyOn(console, 'warn');
    vi.useFakeTimers();
    let outcome: unknown;
    const pending = q.read(1).catch((error: unknown) => (outcome = error));
    await vi.advanceTimersByTimeAsync(1000);
    await pending;
    expect(outcome).toBeInstanceOf(ReadTimedOutError);
    q.release();
    expect(warn).not.toHaveBeenCalled();
  });

  it('release keeps the timer of a read still waiting', async () => {
    vi.useFakeTimers();
    const q = queue({ readTimeoutInMillis: 100 });
    const outcome = q.read(1).catch((error: unknown) => error);
    q.release();
    await vi.advanceTimersByTimeAsync(100);
    expect(await outcome).toBeInstanceOf(ReadTimedOutError);
  });
});
