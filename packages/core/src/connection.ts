import { connectionClosed, formatEndpoint, GenericError, invalidArgument, type SocketError } from './errors.js';
import { ReadQueue } from './read-queue.js';
import { toBuffer } from './config.js';
import type { Caller, ReadOptions, Service } from './service.js';
import type { Wire, WireHandler } from './wire.js';
import { nextId } from './id.js';

/**
 * Options of a {@link Connection}.
 *
 * @example
 * ```ts
 * const options: ConnectionOptions = { readTimeoutInMillis: 300_000, maxBufferedBytes: 64 << 20 };
 * ```
 */
export interface ConnectionOptions {
  readTimeoutInMillis: number;
  maxBufferedBytes: number;
  /** The service driven by this connection, if any. */
  service?: Service | undefined;
  /** True while the transport is still connecting; it then calls `open()` or `abort()`. */
  connecting?: boolean;
  /** Names the peer before the wire knows its address (a client that is still connecting). */
  target?: string;
}

type Resource = 'onConnect' | 'onReadReady' | 'onBytes' | 'onClose' | 'onError';

// The socket stops reading once this much is unread (or maxBufferedBytes if lower), unless a
// pending read(n) needs more. Enough to keep a fast reader busy, small enough for 10k idle peers.
const READ_HIGH_WATER_MARK = 1024 * 1024;

const noop = (): void => {};

/** Marks a promise as handled: nobody has to await a write. Awaiting it still sees the rejection. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(noop);
  return promise;
}

function rejected<T>(error: unknown): Promise<T> {
  return handled(Promise.reject<T>(error));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The one {@link Caller}: a connection over a {@link Wire}, dispatching the service contract.
 *
 * - Resources of one connection never overlap; `onConnect` comes first, `onClose` exactly once, last.
 * - Push (`onBytes`): a chunk is handed over synchronously, without a promise or a copy, when nothing
 *   is pending; otherwise it is queued and replayed in order once the running resource settles.
 * - Pull (`onReadReady`): runs while unread data is waiting and the last run made progress, and
 *   once more at end of stream.
 * - A resource that throws goes to `onError` as `HANDLER_FAILED`; socket faults go there too, after
 *   the data received before them. Nothing a service does can reject unhandled or crash the process.
 * - Backpressure: the wire is paused while too much is unread; writes wait for `drain`.
 * - After the peer ends its stream and the service has seen the end, this side ends too.
 *
 * Transports (tcp, the test kit) subclass or construct it with their wire; they never re-implement it.
 *
 * @example
 * ```ts
 * const caller = new Connection(wire, { readTimeoutInMillis: 300_000, maxBufferedBytes: 64 << 20, service });
 * caller.open();
 * ```
 */
export class Connection implements Caller {
  readonly id: string = nextId();
  readonly #wire: Wire;
  readonly #service: Service | undefined;
  readonly #push: boolean;
  readonly #pull: boolean;
  readonly #queue: ReadQueue;
  readonly #highWater: number;
  readonly #target: string | undefined;

  #connecting: boolean;
  #opened: Promise<void>;
  #resolveOpened: () => void = noop;
  #rejectOpened: (error: unknown) => void = noop;

  // Dispatch state.
  #busy = false;
  #pumping = false;
  #connectPending = false;
  #handlerErrors: SocketError[] = [];
  #fault: SocketError | undefined;
  #faultDispatched = false;
  #stalled = false;
  #arrived = false;
  #eofDispatched = false;
  #closeDispatched = false;
  #warned = false;

  // Wire state.
  #paused = false;
  #peerEnded = false;
  #writeShut = false;
  #closing = false;
  #closed = false;
  #shutdown: Promise<void> | undefined;
  #drainWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #closeWaiters: Array<() => void> = [];
  #done: Promise<void>;
  #resolveDone: () => void = noop;

  constructor(wire: Wire, options: ConnectionOptions) {
    this.#wire = wire;
    this.#service = options.service;
    this.#push = typeof options.service?.onBytes === 'function';
    this.#pull = typeof options.service?.onReadReady === 'function';
    this.#target = options.target;
    this.#highWater = Math.min(options.maxBufferedBytes, READ_HIGH_WATER_MARK);
    this.#queue = new ReadQueue({
      readTimeoutInMillis: options.readTimeoutInMillis,
      maxReadLength: options.maxBufferedBytes,
      endpoint: () => this.#endpoint(),
      onConsume: () => this.#consumed(),
    });
    this.#connecting = options.connecting === true;
    this.#opened = this.#connecting
      ? new Promise<void>((resolve, reject) => {
          this.#resolveOpened = resolve;
          this.#rejectOpened = reject;
        })
      : Promise.resolve();
    this.#opened.catch(noop);
    this.#done = new Promise<void>((resolve) => (this.#resolveDone = resolve));
    wire.start(this.#handler());
    if (!this.#connecting) this.#connectPending = this.#service !== undefined;
  }

  get remoteAddress(): string {
    return this.#wire.remoteAddress;
  }
  get remotePort(): number {
    return this.#wire.remotePort;
  }
  get localAddress(): string {
    return this.#wire.localAddress;
  }
  get localPort(): number {
    return this.#wire.localPort;
  }

  /** Resolves once connected; rejects with the connect error. */
  protected get opened(): Promise<void> {
    return this.#opened;
  }

  /** Resolves once the connection is closed and `onClose` (if any) has settled. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** True once the wire has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Starts dispatching: runs `onConnect`, then whatever arrived. A listener calls it for each
   * accepted connection; a client once it is connected.
   */
  open(): void {
    if (this.#connecting) {
      this.#connecting = false;
      this.#resolveOpened();
      this.#connectPending = this.#service !== undefined && !this.#closed;
    }
    this.#pump();
  }

  /** Connecting failed: every operation made so far and later rejects with `error`. */
  abort(error: SocketError): void {
    if (!this.#connecting) return;
    this.#connecting = false;
    this.#fault = error;
    // The connect error reaches the user through `ready`; a service that never saw onConnect gets
    // neither onError nor onClose.
    this.#faultDispatched = true;
    this.#closeDispatched = true;
    this.#rejectOpened(error);
    this.#queue.fail(error);
    this.#wire.destroy();
  }

  read(length?: number, options?: ReadOptions): Promise<Buffer> {
    if (this.#push) {
      return Promise.reject(invalidArgument(`read() is not available on ${this.#endpoint()}: its service receives data with onBytes`));
    }
    if (this.#closing) return Promise.reject(connectionClosed(this.#endpoint()));
    const result = this.#queue.read(length, options);
    // A read(n) larger than the high-water mark may need the paused wire to flow again.
    if (this.#paused) this.#flow();
    return result;
  }

  write(data: Uint8Array | string): Promise<number> {
    let buffer: Buffer;
    try {
      buffer = toBuffer(data);
    } catch (error) {
      return rejected(error);
    }
    if (this.#connecting) return handled(this.#opened.then(() => this.write(buffer)));
    if (this.#fault !== undefined) return rejected(this.#fault);
    if (this.#writeShut || this.#closing || this.#closed) return rejected(connectionClosed(this.#endpoint()));
    const length = buffer.length;
    if (length === 0) return Promise.resolve(0);
    if (this.#wire.write(buffer)) return Promise.resolve(length);
    return handled(
      new Promise<number>((resolve, reject) => {
        this.#drainWaiters.push({ resolve: () => resolve(length), reject });
      }),
    );
  }

  shutdownWrite(): Promise<void> {
    if (this.#connecting) return handled(this.#opened.then(() => this.shutdownWrite()));
    if (this.#shutdown !== undefined) return this.#shutdown;
    if (this.#closing || this.#closed) return rejected(connectionClosed(this.#endpoint()));
    this.#writeShut = true;
    this.#shutdown = handled(
      new Promise<void>((resolve, reject) => {
        this.#wire.shutdownWrite((error) => (error === undefined ? resolve() : reject(error)));
      }),
    );
    return this.#shutdown;
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    if (!this.#closing) {
      this.#closing = true;
      this.#writeShut = true;
      this.#queue.close(connectionClosed(this.#endpoint()));
      this.#rejectDrainWaiters(connectionClosed(this.#endpoint()));
      if (this.#connecting) this.abort(connectionClosed(this.#target ?? this.#endpoint()));
      else this.#wire.close();
    }
    return closed;
  }

  /** Closes now, discarding unsent bytes (used by `immediateStop`). */
  destroy(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const closed = this.close();
    this.#wire.destroy();
    return closed;
  }

  /** `host:port` of the peer, for messages. */
  #endpoint(): string {
    const port = this.#wire.remotePort;
    return port > 0 ? formatEndpoint(this.#wire.remoteAddress, port) : (this.#target ?? 'an unconnected peer');
  }

  #handler(): WireHandler {
    return {
      data: (chunk) => this.#onData(chunk),
      end: () => this.#onEnd(),
      error: (error) => this.#onError(error),
      close: () => this.#onClose(),
      drain: () => this.#onDrain(),
    };
  }

  #onData(chunk: Buffer): void {
    if (this.#closing) return;
    // The push fast path: nothing queued, nothing running, so hand the chunk over right here,
    // synchronously, without a promise or a copy.
    if (this.#push && !this.#busy && !this.#pumping && !this.#connectPending && this.#queue.length === 0) {
      this.#pumping = true;
      this.#invoke('onBytes', chunk);
      this.#pumping = false;
      if (!this.#busy && this.#handlerErrors.length > 0) this.#pump(); // route a sync failure now
      return;
    }
    this.#queue.push(chunk);
    this.#arrived = true;
    this.#stalled = false;
    if (this.#queue.length >= this.#highWater) this.#flow();
    this.#pump();
  }

  #onEnd(): void {
    this.#peerEnded = true;
    this.#queue.end();
    this.#pump();
  }

  #onError(error: SocketError): void {
    if (this.#connecting) {
      this.abort(error);
      return;
    }
    if (this.#fault !== undefined) return;
    this.#fault = error;
    this.#queue.fail(error);
    this.#rejectDrainWaiters(error);
    this.#pump();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connecting = false;
    const closedError = this.#fault ?? connectionClosed(this.#endpoint());
    this.#rejectOpened(closedError);
    this.#rejectDrainWaiters(closedError);
    // The peer closed without FIN (or we did): whoever still waits for bytes gets the end.
    if (!this.#closing && this.#fault === undefined) this.#queue.end();
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
    this.#pump();
  }

  #onDrain(): void {
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #rejectDrainWaiters(error: SocketError): void {
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #consumed(): void {
    if (this.#paused) this.#flow();
    // The last unread bytes after the peer's FIN were read: time to end our side too.
    if (this.#peerEnded && this.#queue.length === 0) this.#pump();
  }

  // Pauses the wire while more is unread than we keep, resumes it once reads catch up.
  #flow(): void {
    const limit = Math.max(this.#highWater, this.#queue.length + this.#queue.needed);
    if (this.#queue.length >= limit) {
      if (!this.#paused && !this.#closed) {
        this.#paused = true;
        this.#wire.pause();
      }
    } else if (this.#paused) {
      this.#paused = false;
      if (!this.#closed) this.#wire.resume();
    }
  }

  // Runs the next due resource, and the next, until one goes async or nothing is due.
  // Re-entrant calls (a sync resource that reads, closes, ...) only mark more work for the loop.
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#busy && !this.#connecting) {
        if (!this.#step()) break;
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#busy) return;
    if (this.#peerEnded && !this.#writeShut && !this.#closed && this.#endSeen()) {
      // The peer is done and the service has seen it: end our side too (as Node's default
      // allowHalfOpen: false would), so a finished connection never lingers half-open.
      void this.shutdownWrite();
    }
    if (this.#closed && (this.#service === undefined || this.#closeDispatched)) this.#resolveDone();
  }

  #endSeen(): boolean {
    return this.#pull ? this.#eofDispatched : this.#queue.length === 0;
  }

  // One dispatch decision; false when nothing is due.
  #step(): boolean {
    const service = this.#service;
    if (service === undefined) return false;
    if (this.#connectPending) {
      this.#connectPending = false;
      this.#invoke('onConnect');
      return true;
    }
    const handlerError = this.#handlerErrors.shift();
    if (handlerError !== undefined) {
      this.#invokeOnError(handlerError);
      return true;
    }
    if (this.#push && !this.#closing) {
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        this.#invoke('onBytes', chunk);
        return true;
      }
    } else if (this.#pull && !this.#closing) {
      if (this.#queue.length > 0 && !this.#stalled) {
        this.#runReadReady();
        return true;
      }
      if ((this.#queue.ended || this.#closed) && !this.#eofDispatched) {
        this.#eofDispatched = true;
        this.#invoke('onReadReady');
        return true;
      }
    }
    if (this.#fault !== undefined && !this.#faultDispatched) {
      this.#faultDispatched = true;
      this.#invokeOnError(this.#fault);
      return true;
    }
    if (this.#closed && !this.#closeDispatched) {
      this.#closeDispatched = true;
      this.#invoke('onClose');
      return true;
    }
    return false;
  }

  // onReadReady with progress tracking: a run that read nothing while nothing new arrived makes
  // the connection wait for new data instead of spinning.
  #runReadReady(): void {
    const before = this.#queue.consumed;
    this.#arrived = false;
    const after = (): void => {
      if (this.#queue.consumed === before && !this.#arrived) this.#stalled = true;
    };
    if (this.#invoke('onReadReady', undefined, after)) return;
    after();
  }

  // Calls a resource. True when it returned a promise (the connection is busy until it settles).
  #invoke(resource: Resource, chunk?: Buffer, settled?: () => void): boolean {
    const service = this.#service!;
    const fn = service[resource];
    if (fn === undefined) return false;
    let result: unknown;
    try {
      result = resource === 'onBytes' ? service.onBytes!(this, chunk!) : (fn as (caller: Caller) => unknown).call(service, this);
    } catch (error) {
      this.#handlerFailed(resource, error);
      return false;
    }
    if (!isThenable(result)) return false;
    this.#busy = true;
    result.then(
      () => this.#settle(settled),
      (error: unknown) => {
        this.#handlerFailed(resource, error);
        this.#settle(settled);
      },
    );
    return true;
  }

  #settle(settled: (() => void) | undefined): void {
    this.#busy = false;
    settled?.();
    // Chunks held back while the resource ran may let the wire flow again.
    if (this.#paused) this.#flow();
    this.#pump();
  }

  #handlerFailed(resource: Resource, error: unknown): void {
    const failure = new GenericError('HANDLER_FAILED', `service resource ${resource} failed on connection ${this.#endpoint()}`, error);
    if (resource === 'onError' || resource === 'onClose') this.#warn(failure);
    else this.#handlerErrors.push(failure);
  }

  #invokeOnError(error: SocketError): void {
    if (typeof this.#service?.onError !== 'function') {
      this.#warn(error);
      return;
    }
    let result: unknown;
    try {
      result = this.#service.onError(this, error);
    } catch (failure) {
      this.#warn(new GenericError('HANDLER_FAILED', `service resource onError failed on connection ${this.#endpoint()}`, failure));
      return;
    }
    if (!isThenable(result)) return;
    this.#busy = true;
    result.then(
      () => this.#settle(undefined),
      (failure: unknown) => {
        this.#warn(new GenericError('HANDLER_FAILED', `service resource onError failed on connection ${this.#endpoint()}`, failure));
        this.#settle(undefined);
      },
    );
  }

  // The last resort for errors no service handled: a warning, never a crash, once per connection.
  #warn(error: SocketError): void {
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(`${error.message}: ${describeCause(error.cause)}`, { type: 'SocketWarning', code: error.code });
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? 'no cause' : String(cause);
}
