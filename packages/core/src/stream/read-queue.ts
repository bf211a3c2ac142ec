import { Buffer } from 'node:buffer';
import { invalidArgument, ReadTimedOutError, type SocketError } from '../errors.js';
import type { ReadOptions } from '../service.js';
import { emptyArray } from '../util/empty-array.js';
import { SpareTimer } from '../util/spare-timer.js';
import { describeValue, validateObject, validateTimeout } from '../validate.js';

/**
 * How a read without a length is served: TCP hands out every byte that is queued (`'bytes'`), UDP
 * one datagram at a time (`'chunk'`).
 *
 * @example
 * ```ts
 * new ReadQueue({ readTimeoutInMillis: 0, maxReadLength: 65_507, endpoint: () => 'peer', unit: 'chunk' });
 * ```
 */
export type ReadUnit = 'bytes' | 'chunk';

/**
 * Options of a {@link ReadQueue}.
 *
 * @example
 * ```ts
 * const options: ReadQueueOptions = { readTimeoutInMillis: 1000, maxReadLength: 1 << 20, endpoint: () => 'peer' };
 * ```
 */
export interface ReadQueueOptions {
  /** Default time-out of a read; 0 waits forever. */
  readTimeoutInMillis: number;
  /** Largest `length` a read may ask for. */
  maxReadLength: number;
  /** Names the peer in error messages. Called only when an error is made. */
  endpoint: () => string;
  /** See {@link ReadUnit}. Default `'bytes'`. */
  unit?: ReadUnit;
  /** Chunks kept at most; beyond it the oldest is dropped and counted. Default: no limit. */
  maxChunks?: number;
  /** Called after a read took bytes out, so the owner can resume a paused source. */
  onConsume?: () => void;
}

/**
 * Builds what a read resolves with from its bytes and the tag of the last chunk they came from.
 *
 * @example
 * ```ts
 * const asBytes: ReadResult<undefined, Buffer> = (data) => data;
 * ```
 */
export type ReadResult<T, R> = (data: Buffer, tag: T) => R;

interface PendingRead<T> {
  readonly length: number | undefined;
  readonly timeoutInMillis: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly build: ReadResult<T, unknown> | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const EMPTY = Buffer.alloc(0);

// `read()` hands over a first chunk this large as it is (no copy: a 16 KiB TLS record, a 64 KiB TCP
// read); smaller pieces are joined with whatever else is queued, in one copy.
const WHOLE_CHUNK_BYTES = 4096;

/**
 * The one implementation of `@sock`'s read semantics, shared by TCP, UDP and the test kit: chunks go
 * in, exact-length or available reads come out.
 *
 * - `read(n)` resolves with exactly n bytes gathered across any number of chunks, or with fewer
 *   (possibly none) when the stream ends first.
 * - `read()` resolves with what is queued (at least one byte; one chunk in `'chunk'` mode), waiting
 *   if there is nothing; at end of stream with an empty Buffer. A first chunk of 4 KiB or more is
 *   handed over alone and uncopied; smaller pieces are joined with the rest of the queue.
 * - Each read has a time-out that every arriving chunk resets. A time-out or an abort rejects that
 *   read and keeps every byte queued for the next one. The reads share one `SpareTimer`, so
 *   a request/response loop makes no timer per read; `end`, `fail`, `close` and `release` cancel it.
 * - Pending reads are served strictly in call order.
 *
 * Chunks are kept in a list with a cursor: a read that fits in the first chunk is a zero-copy view,
 * a read across chunks copies once into one new Buffer. Nothing is concatenated per chunk.
 *
 * @example
 * ```ts
 * const queue = new ReadQueue({ readTimeoutInMillis: 0, maxReadLength: 1024, endpoint: () => 'test' });
 * queue.push(Buffer.from('Hello '));
 * queue.push(Buffer.from('world'));
 * await queue.read(11); // <Buffer 'Hello world'>
 * ```
 */
export class ReadQueue<T = undefined> {
  readonly #options: ReadQueueOptions;
  readonly #unit: ReadUnit;
  readonly #maxChunks: number;
  #chunks: Buffer[] = [];
  // Only a tagged queue (UDP: the sender of each datagram) keeps tags; TCP pays nothing for them.
  #tags: T[] | undefined;
  #head = 0;
  #offset = 0;
  #length = 0;
  #consumed = 0;
  #dropped = 0;
  #lastTag: T = undefined as T;
  #pending: PendingRead<T>[] = [];
  #ended = false;
  #error: SocketError | undefined;
  // A one-off failure for the next read (UDP: a refused send with nobody waiting).
  #interrupted: SocketError | undefined;
  // The timer this queue's reads share (see the class notes), made when the first read waits.
  #spare: SpareTimer<PendingRead<T>> | undefined;

  constructor(options: ReadQueueOptions) {
    this.#options = options;
    this.#unit = options.unit ?? 'bytes';
    this.#maxChunks = options.maxChunks ?? Number.POSITIVE_INFINITY;
    if (this.#unit === 'chunk') this.#tags = [];
  }

  /** Bytes queued and not yet read. */
  get length(): number {
    return this.#length;
  }

  /** Bytes taken out by reads since the queue was made (a progress counter). */
  get consumed(): number {
    return this.#consumed;
  }

  /** Chunks dropped because more than `maxChunks` were queued. */
  get dropped(): number {
    return this.#dropped;
  }

  /** True once `end()` was called: no more bytes will come. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The error given to `fail()`, if any. */
  get error(): SocketError | undefined {
    return this.#error;
  }

  /** Reads waiting for bytes. */
  get waiting(): number {
    return this.#pending.length;
  }

  /** Bytes the oldest pending read still needs before it can be served (0 if none). */
  get needed(): number {
    const head = this.#pending[0];
    return head?.length === undefined ? 0 : Math.max(0, head.length - this.#length);
  }

  /** Appends a chunk (ignored after `end()` or `fail()`), serving waiting reads. */
  push(chunk: Buffer, tag?: T): void {
    if (this.#ended || this.#error !== undefined || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#tags?.push(tag as T);
    this.#length += chunk.length;
    if (this.#chunks.length - this.#head > this.#maxChunks) this.#dropOldest();
    if (this.#pending.length === 0) return;
    this.#serve();
    // Every chunk that arrives is progress: it resets the time-out of each read still waiting.
    const pending = this.#pending;
    for (let i = 0; i < pending.length; i++) pending[i]!.timer?.refresh();
  }

  /** End of stream: waiting reads resolve with what there is; later reads with an empty Buffer. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#serve();
    this.release();
  }

  /**
   * The source failed: waiting reads that queued bytes cannot serve reject with `error`, and so do
   * later ones. Bytes already queued can still be read.
   */
  fail(error: SocketError): void {
    if (this.#error !== undefined || this.#ended) return;
    this.#error = error;
    this.#serve();
    this.release();
  }

  /**
   * A transient failure (connected UDP: the peer's port refused a datagram): every waiting read
   * rejects with `error`, or, if none waits, the next read does. Queued bytes stay; the queue stays usable.
   */
  interrupt(error: SocketError): void {
    if (this.#pending.length === 0) {
      this.#interrupted = error;
      return;
    }
    for (const read of this.#pending.splice(0)) {
      this.#settle(read);
      read.reject(error);
    }
  }

  /** Drops every queued byte and rejects every waiting read with `error`. */
  close(error: SocketError): void {
    this.#chunks = [];
    if (this.#tags !== undefined) this.#tags = [];
    this.#head = 0;
    this.#offset = 0;
    this.#length = 0;
    this.#ended = false;
    this.#error = error;
    this.#serve();
    this.release();
  }

  /**
   * Cancels the read timer a served read left armed, when no read will wait any more (the owner
   * closed). A read that waits later makes a new one.
   */
  release(): void {
    this.#spare?.cancel();
  }

  /**
   * Takes the oldest chunk (or what is left of it) as it arrived, or `undefined` if none: the push
   * path replays queued chunks with their original boundaries.
   */
  shift(): Buffer | undefined {
    if (this.#length === 0) return undefined;
    return this.#take(this.#firstRemaining());
  }

  /**
   * Reads per the rules above. Bad `length` or options reject `INVALID_ARGUMENT` at once.
   */
  read(length?: number, options?: ReadOptions): Promise<Buffer> {
    return this.#read(length, options, undefined) as Promise<Buffer>;
  }

  /**
   * Like `read`, resolving with `build(bytes, tag)`: the owner's result object is made directly,
   * without a second promise to reshape it (UDP's `Datagram`).
   */
  readAs<R>(build: ReadResult<T, R>, length?: number, options?: ReadOptions): Promise<R> {
    return this.#read(length, options, build) as Promise<R>;
  }

  #read(length: number | undefined, options: ReadOptions | undefined, build: ReadResult<T, unknown> | undefined): Promise<unknown> {
    if (length !== undefined && (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > this.#options.maxReadLength)) {
      return Promise.reject(
        invalidArgument(`read length must be an integer from 1 to ${this.#options.maxReadLength} (maxBufferedBytes), got ${describeValue(length)}`),
      );
    }
    let timeoutInMillis = this.#options.readTimeoutInMillis;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      try {
        ({ timeoutInMillis, signal } = checkReadOptions(options, timeoutInMillis));
      } catch (error) {
        return Promise.reject(error);
      }
      if (signal?.aborted === true) return Promise.reject(signal.reason);
    }
    const interrupted = this.#interrupted;
    if (interrupted !== undefined) {
      this.#interrupted = undefined;
      return Promise.reject(interrupted);
    }
    // Fast path: nobody is ahead in line and the queue can answer now.
    if (this.#pending.length === 0) {
      const ready = this.#tryServe(length);
      if (ready !== undefined) return Promise.resolve(build === undefined ? ready : build(ready, this.#lastTag));
      if (this.#error !== undefined) return Promise.reject(this.#error);
    }
    return new Promise((resolve, reject) => {
      const read: PendingRead<T> = { length, timeoutInMillis, resolve, reject, build, timer: undefined, signal, onAbort: undefined };
      if (timeoutInMillis > 0) read.timer = this.#timerFor(read);
      if (signal !== undefined) {
        read.onAbort = () => this.#abandon(read, signal.reason);
        signal.addEventListener('abort', read.onAbort, { once: true });
      }
      this.#pending.push(read);
    });
  }

  // The answer to a read of `length` now (its tag in #lastTag), or undefined if it must wait.
  #tryServe(length: number | undefined): Buffer | undefined {
    if (length === undefined) {
      if (this.#length > 0) {
        const first = this.#firstRemaining();
        return this.#take(this.#unit === 'chunk' || first >= WHOLE_CHUNK_BYTES ? first : this.#length);
      }
      return this.#ended ? this.#empty() : undefined;
    }
    if (this.#length >= length) return this.#take(length);
    if (this.#ended) return this.#length === 0 ? this.#empty() : this.#take(this.#length);
    return undefined;
  }

  #empty(): Buffer {
    this.#lastTag = undefined as T;
    return EMPTY;
  }

  #serve(): void {
    while (this.#pending.length > 0) {
      const read = this.#pending[0]!;
      const ready = this.#tryServe(read.length);
      if (ready !== undefined) {
        this.#settle(read);
        read.resolve(read.build === undefined ? ready : read.build(ready, this.#lastTag));
      } else if (this.#error !== undefined) {
        this.#settle(read);
        read.reject(this.#error);
      } else {
        return;
      }
    }
  }

  // The queue's timer if no other read holds it, else a timer of the read's own.
  #timerFor(read: PendingRead<T>): ReturnType<typeof setTimeout> {
    const delay = read.timeoutInMillis;
    const spare = (this.#spare ??= new SpareTimer((timedOut) => this.#timeOut(timedOut)));
    return spare.take(read, delay) ?? setTimeout(() => this.#timeOut(read), delay);
  }

  #timeOut(read: PendingRead<T>): void {
    const error = new ReadTimedOutError(
      `read from ${this.#options.endpoint()} timed out after ${read.timeoutInMillis} ms with ${this.#length} byte(s) queued`,
    );
    this.#abandon(read, error);
  }

  #abandon(read: PendingRead<T>, reason: unknown): void {
    const index = this.#pending.indexOf(read);
    if (index === -1) return;
    this.#pending.splice(index, 1);
    this.#settle(read);
    read.reject(reason);
    // A read behind the abandoned one may be servable now (e.g. `read()` behind `read(18)`).
    if (index === 0) this.#serve();
  }

  #settle(read: PendingRead<T>): void {
    if (this.#pending[0] === read) this.#pending.shift();
    const timer = read.timer;
    if (timer !== undefined) {
      read.timer = undefined;
      // The queue's timer stays armed for the next read, holding no process open.
      this.#spare!.finish(read, timer);
    }
    if (read.onAbort !== undefined) read.signal?.removeEventListener('abort', read.onAbort);
  }

  #firstRemaining(): number {
    return this.#chunks[this.#head]!.length - this.#offset;
  }

  #take(n: number): Buffer {
    const first = this.#chunks[this.#head]!;
    const available = first.length - this.#offset;
    let out: Buffer;
    if (available >= n) {
      out = this.#offset === 0 && n === first.length ? first : first.subarray(this.#offset, this.#offset + n);
      this.#advance(n, available);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.#chunks[this.#head]!;
        const left = chunk.length - this.#offset;
        const count = Math.min(left, n - filled);
        chunk.copy(out, filled, this.#offset, this.#offset + count);
        filled += count;
        this.#advance(count, left);
      }
    }
    // The cursor has moved past the last chunk it touched unless it stopped inside it.
    if (this.#tags !== undefined) this.#lastTag = this.#tags[this.#offset > 0 ? this.#head : this.#head - 1] as T;
    this.#length -= n;
    this.#consumed += n;
    if (this.#length === 0) this.#reset();
    else if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) this.#compact();
    this.#options.onConsume?.();
    return out;
  }

  // Moves the cursor `count` bytes into the first chunk, which has `left` bytes remaining.
  #advance(count: number, left: number): void {
    if (count === left) {
      this.#head++;
      this.#offset = 0;
    } else {
      this.#offset += count;
    }
  }

  #reset(): void {
    // The common case: everything was read. Keep the arrays, forget the chunks.
    emptyArray(this.#chunks);
    if (this.#tags !== undefined) emptyArray(this.#tags);
    this.#head = 0;
    this.#offset = 0;
  }

  #dropOldest(): void {
    const first = this.#chunks[this.#head]!;
    this.#length -= first.length - this.#offset;
    this.#head++;
    this.#offset = 0;
    this.#dropped++;
    if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) this.#compact();
  }

  // Forgets the chunks already read, so a queue that never fully drains does not grow its list.
  #compact(): void {
    this.#chunks = this.#chunks.slice(this.#head);
    this.#tags = this.#tags?.slice(this.#head);
    this.#head = 0;
  }
}

function checkReadOptions(options: ReadOptions, fallback: number): { timeoutInMillis: number; signal: AbortSignal | undefined } {
  validateObject(options, 'read options');
  const timeoutInMillis = options.timeoutInMillis === undefined ? fallback : validateTimeout(options.timeoutInMillis, 'timeoutInMillis');
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('signal must be an AbortSignal');
  return { timeoutInMillis, signal };
}
