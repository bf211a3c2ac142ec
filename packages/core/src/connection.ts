import { toBuffer } from './config.js';
import { connectionClosed, formatEndpoint, GenericError, invalidArgument, type SocketError } from './errors.js';
import { nextId } from './id.js';
import { handled, isThenable, noop, rejected, RESOLVED } from './promises.js';
import { ReadQueue, type ReadQueueOptions } from './read-queue.js';
import type { Caller, ReadOptions, Service } from './service.js';
import type { Wire, WireHandler } from './wire.js';

/**
 * Options of a {@link Connection}. A listener passes one object to all its connections, so keep
 * per-connection values out of it.
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
  /** Called once the connection is closed and `onClose` has settled (cheaper than `done` for many). */
  onDone?: (connection: Connection) => void;
}

type Resource = 'onConnect' | 'onReadReady' | 'onBytes' | 'onClose' | 'onError';

// The socket stops reading once this much is unread (or maxBufferedBytes if lower), unless a
// pending read(n) needs more. It resumes below half of it, so a lagging reader does not flip the
// socket on every read. Enough to keep a fast reader busy, small enough for 10k idle peers.
const READ_HIGH_WATER_MARK = 1024 * 1024;

// State lives in one bit set: an idle connection should cost little memory (10k of them are normal).
const PUSH = 1 << 0; // the service has onBytes
const PULL = 1 << 1; // the service has onReadReady
const CONNECTING = 1 << 2;
const BUSY = 1 << 3; // a resource's promise is pending
const PUMPING = 1 << 4; // inside #pump: re-entrant calls only mark work
const CONNECT_DUE = 1 << 5;
const STALLED = 1 << 6; // the last onReadReady read nothing: wait for new data
const ARRIVED = 1 << 7; // data arrived while onReadReady ran
const EOF_DISPATCHED = 1 << 8;
const FAULT_DISPATCHED = 1 << 9;
const CLOSE_DISPATCHED = 1 << 10;
const WARNED = 1 << 11;
const PAUSED = 1 << 12;
const PEER_ENDED = 1 << 13;
const WRITE_SHUT = 1 << 14;
const CLOSING = 1 << 15; // close() was called
const CLOSED = 1 << 16; // the wire closed
const DONE = 1 << 17;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

// What only some connections ever need, made on first use.
interface Rare {
  fault?: SocketError;
  handlerErrors?: SocketError[];
  drainWaiters?: Waiter[];
  closeWaiters?: Array<() => void>;
  shutdown?: Promise<void>;
  opened?: Promise<void>;
  openedWaiter?: Waiter;
  done?: Promise<void>;
  resolveDone?: () => void;
}

// Module-private entry points into a Connection, for the one small event object each connection
// hands to its wire and its read queue (instead of a closure per event).
let enter: {
  data(connection: Connection, chunk: Buffer): void;
  end(connection: Connection): void;
  error(connection: Connection, error: SocketError): void;
  close(connection: Connection): void;
  drain(connection: Connection): void;
  consumed(connection: Connection): void;
  endpoint(connection: Connection): string;
};

class ConnectionEvents implements WireHandler, ReadQueueOptions {
  readonly #connection: Connection;
  readonly readTimeoutInMillis: number;
  readonly maxReadLength: number;

  constructor(connection: Connection, options: ConnectionOptions) {
    this.#connection = connection;
    this.readTimeoutInMillis = options.readTimeoutInMillis;
    this.maxReadLength = options.maxBufferedBytes;
  }
  data(chunk: Buffer): void {
    enter.data(this.#connection, chunk);
  }
  end(): void {
    enter.end(this.#connection);
  }
  error(error: SocketError): void {
    enter.error(this.#connection, error);
  }
  close(): void {
    enter.close(this.#connection);
  }
  drain(): void {
    enter.drain(this.#connection);
  }
  onConsume(): void {
    enter.consumed(this.#connection);
  }
  endpoint(): string {
    return enter.endpoint(this.#connection);
  }
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
  static {
    enter = {
      data: (connection, chunk) => connection.#onData(chunk),
      end: (connection) => connection.#onEnd(),
      error: (connection, error) => connection.#onError(error),
      close: (connection) => connection.#onClose(),
      drain: (connection) => connection.#onDrain(),
      consumed: (connection) => connection.#consumed(),
      endpoint: (connection) => connection.#endpoint(),
    };
  }

  readonly #wire: Wire;
  readonly #options: ConnectionOptions;
  readonly #events: ConnectionEvents;
  #flags: number;
  #queue: ReadQueue | undefined;
  #id: string | undefined;
  #rare: Rare | undefined;

  constructor(wire: Wire, options: ConnectionOptions) {
    this.#wire = wire;
    this.#options = options;
    this.#events = new ConnectionEvents(this, options);
    const service = options.service;
    let flags = 0;
    if (typeof service?.onBytes === 'function') flags |= PUSH;
    if (typeof service?.onReadReady === 'function') flags |= PULL;
    if (options.connecting === true) flags |= CONNECTING;
    else if (service !== undefined) flags |= CONNECT_DUE;
    this.#flags = flags;
    wire.start(this.#events);
  }

  /** Unique within the process. */
  get id(): string {
    return (this.#id ??= nextId());
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
    const rare = this.#rare;
    if (rare?.opened !== undefined) return rare.opened;
    if (this.#has(CONNECTING)) {
      const state = this.#state();
      state.opened = handled(new Promise<void>((resolve, reject) => (state.openedWaiter = { resolve, reject })));
      return state.opened;
    }
    return RESOLVED;
  }

  /** Resolves once the connection is closed and `onClose` (if any) has settled. */
  get done(): Promise<void> {
    if (this.#has(DONE)) return RESOLVED;
    const state = this.#state();
    return (state.done ??= new Promise<void>((resolve) => (state.resolveDone = resolve)));
  }

  /** True once the wire has closed. */
  get closed(): boolean {
    return this.#has(CLOSED);
  }

  /**
   * Starts dispatching: runs `onConnect`, then whatever arrived. A listener calls it for each
   * accepted connection; a client once it is connected.
   */
  open(): void {
    if (this.#has(CONNECTING)) {
      this.#flags &= ~CONNECTING;
      if (this.#options.service !== undefined && !this.#has(CLOSED)) this.#flags |= CONNECT_DUE;
      const rare = this.#rare;
      const waiter = rare?.openedWaiter;
      if (waiter !== undefined) {
        // Settled for good: #onClose must not build a CONNECTION_CLOSED error for it later.
        rare!.openedWaiter = undefined;
        waiter.resolve();
      }
    }
    this.#pump();
  }

  /** Connecting failed: every operation made so far and later rejects with `error`. */
  abort(error: SocketError): void {
    if (!this.#has(CONNECTING)) return;
    this.#flags &= ~CONNECTING;
    // The connect error reaches the user through `ready` and the operations; a service that never
    // saw onConnect gets neither onError nor onClose.
    this.#flags |= FAULT_DISPATCHED | CLOSE_DISPATCHED;
    const state = this.#state();
    state.fault = error;
    if (state.openedWaiter !== undefined) {
      state.openedWaiter.reject(error);
      state.openedWaiter = undefined;
    } else {
      state.opened = rejected(error);
    }
    this.#queue?.fail(error);
    this.#wire.destroy();
  }

  read(length?: number, options?: ReadOptions): Promise<Buffer> {
    const flags = this.#flags;
    if ((flags & PUSH) !== 0) {
      return Promise.reject(invalidArgument(`read() is not available on ${this.#endpoint()}: its service receives data with onBytes`));
    }
    if ((flags & CLOSING) !== 0) return Promise.reject(connectionClosed(this.#endpoint()));
    const queue = this.#readQueue();
    const result = queue.read(length, options);
    // A read(n) larger than the high-water mark may need the paused wire to flow again.
    if ((flags & PAUSED) !== 0) this.#flow(queue);
    return result;
  }

  write(data: Uint8Array | string): Promise<number> {
    let buffer: Buffer;
    try {
      buffer = toBuffer(data);
    } catch (error) {
      return rejected(error);
    }
    const flags = this.#flags;
    if ((flags & CONNECTING) !== 0) return handled(this.opened.then(() => this.write(buffer)));
    const fault = this.#rare?.fault;
    if (fault !== undefined) return rejected(fault);
    if ((flags & (WRITE_SHUT | CLOSING | CLOSED)) !== 0) return rejected(connectionClosed(this.#endpoint()));
    const length = buffer.length;
    if (length === 0) return resolvedLength(0);
    if (this.#wire.write(buffer)) return resolvedLength(length);
    const waiters = (this.#state().drainWaiters ??= []);
    return handled(new Promise<number>((resolve, reject) => waiters.push({ resolve: () => resolve(length), reject })));
  }

  shutdownWrite(): Promise<void> {
    if (this.#has(CONNECTING)) return handled(this.opened.then(() => this.shutdownWrite()));
    const state = this.#state();
    if (state.shutdown !== undefined) return state.shutdown;
    if (this.#has(CLOSING | CLOSED)) return rejected(connectionClosed(this.#endpoint()));
    this.#flags |= WRITE_SHUT;
    state.shutdown = handled(
      new Promise<void>((resolve, reject) => {
        this.#wire.shutdownWrite((error) => (error === undefined ? resolve() : reject(error)));
      }),
    );
    return state.shutdown;
  }

  close(): Promise<void> {
    if (this.#has(CLOSED)) return RESOLVED;
    const state = this.#state();
    const waiters = (state.closeWaiters ??= []);
    const closed = new Promise<void>((resolve) => waiters.push(resolve));
    if (!this.#has(CLOSING)) {
      this.#flags |= CLOSING | WRITE_SHUT;
      // Errors are built only when someone waits for them: a clean close allocates none.
      const queue = this.#queue;
      if (queue !== undefined && (queue.waiting > 0 || queue.length > 0)) queue.close(connectionClosed(this.#endpoint()));
      this.#rejectDrainWaiters();
      if (this.#has(CONNECTING)) this.abort(connectionClosed(this.#options.target ?? this.#endpoint()));
      else this.#wire.close();
    }
    return closed;
  }

  /** Closes now, discarding unsent bytes (used by `immediateStop`). */
  destroy(): Promise<void> {
    if (this.#has(CLOSED)) return RESOLVED;
    const closed = this.close();
    this.#wire.destroy();
    return closed;
  }

  #has(bits: number): boolean {
    return (this.#flags & bits) !== 0;
  }

  #state(): Rare {
    return (this.#rare ??= {});
  }

  // The queue is made when the first byte arrives or the first read is made: an idle connection
  // has none. A late queue starts in the state the connection is in.
  #readQueue(): ReadQueue {
    if (this.#queue !== undefined) return this.#queue;
    const queue = new ReadQueue(this.#events);
    this.#queue = queue;
    const fault = this.#rare?.fault;
    if (fault !== undefined) queue.fail(fault);
    else if (this.#has(PEER_ENDED | CLOSED)) queue.end();
    return queue;
  }

  /** `host:port` of the peer, for messages. */
  #endpoint(): string {
    const port = this.#wire.remotePort;
    return port > 0 ? formatEndpoint(this.#wire.remoteAddress, port) : (this.#options.target ?? 'an unconnected peer');
  }

  #onData(chunk: Buffer): void {
    const flags = this.#flags;
    if ((flags & CLOSING) !== 0) return;
    // The push fast path: nothing queued, nothing running, so hand the chunk over right here,
    // synchronously, without a promise or a copy.
    if ((flags & (PUSH | BUSY | PUMPING | CONNECT_DUE)) === PUSH && (this.#queue === undefined || this.#queue.length === 0)) {
      this.#flags = flags | PUMPING;
      this.#invoke('onBytes', chunk);
      this.#flags &= ~PUMPING;
      if (!this.#has(BUSY) && this.#rare?.handlerErrors?.length) this.#pump(); // route a sync failure now
      return;
    }
    const queue = this.#readQueue();
    queue.push(chunk);
    this.#flags = (this.#flags | ARRIVED) & ~STALLED;
    if (queue.length >= this.#highWater()) this.#flow(queue);
    this.#pump();
  }

  #onEnd(): void {
    this.#flags |= PEER_ENDED;
    this.#queue?.end(); // a queue made later starts ended
    this.#pump();
  }

  #onError(error: SocketError): void {
    if (this.#has(CONNECTING)) {
      this.abort(error);
      return;
    }
    const state = this.#state();
    if (state.fault !== undefined) return;
    state.fault = error;
    this.#queue?.fail(error);
    this.#rejectDrainWaiters();
    this.#pump();
  }

  #onClose(): void {
    if (this.#has(CLOSED)) return;
    this.#flags = (this.#flags | CLOSED) & ~CONNECTING;
    const rare = this.#rare;
    if (rare !== undefined) {
      if (rare.openedWaiter !== undefined && rare.fault === undefined) {
        rare.openedWaiter.reject(connectionClosed(this.#endpoint()));
        rare.openedWaiter = undefined;
      }
      this.#rejectDrainWaiters();
    }
    // The peer closed without FIN (or we did): whoever still waits for bytes gets the end.
    if (!this.#has(CLOSING) && rare?.fault === undefined) this.#queue?.end();
    const waiters = rare?.closeWaiters;
    if (waiters !== undefined) for (const resolve of waiters.splice(0)) resolve();
    this.#pump();
  }

  #onDrain(): void {
    const waiters = this.#rare?.drainWaiters;
    if (waiters === undefined || waiters.length === 0) return;
    for (const waiter of waiters.splice(0)) waiter.resolve();
  }

  #rejectDrainWaiters(): void {
    const waiters = this.#rare?.drainWaiters;
    if (waiters === undefined || waiters.length === 0) return;
    const error = this.#rare?.fault ?? connectionClosed(this.#endpoint());
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  }

  #consumed(): void {
    const queue = this.#queue!;
    if (this.#has(PAUSED)) this.#flow(queue);
    // The last unread bytes after the peer's FIN were read: time to end our side too.
    if (this.#has(PEER_ENDED) && queue.length === 0) this.#pump();
  }

  #highWater(): number {
    return Math.min(this.#options.maxBufferedBytes, READ_HIGH_WATER_MARK);
  }

  // Pauses the wire while more is unread than we keep, resumes it once reads catch up.
  #flow(queue: ReadQueue): void {
    const highWater = this.#highWater();
    const wanted = queue.length + queue.needed;
    if (this.#has(PAUSED)) {
      if (queue.length < Math.max(highWater / 2, wanted)) {
        this.#flags &= ~PAUSED;
        if (!this.#has(CLOSED)) this.#wire.resume();
      }
    } else if (queue.length >= Math.max(highWater, wanted) && !this.#has(CLOSED)) {
      this.#flags |= PAUSED;
      this.#wire.pause();
    }
  }

  // Runs the next due resource, and the next, until one goes async or nothing is due.
  // Re-entrant calls (a sync resource that reads, closes, ...) only mark more work for the loop.
  #pump(): void {
    if (this.#has(PUMPING)) return;
    this.#flags |= PUMPING;
    try {
      while (!this.#has(BUSY | CONNECTING)) {
        if (!this.#step()) break;
      }
    } finally {
      this.#flags &= ~PUMPING;
    }
    if (this.#has(BUSY)) return;
    if ((this.#flags & (PEER_ENDED | WRITE_SHUT | CLOSED)) === PEER_ENDED && this.#endSeen()) {
      // The peer is done and the service has seen it: end our side too (as Node's default
      // allowHalfOpen: false would), so a finished connection never lingers half-open. Nobody
      // waits for this FIN, so no promise is made for it.
      this.#flags |= WRITE_SHUT;
      this.#wire.shutdownWrite();
    }
    if (this.#has(CLOSED) && !this.#has(DONE) && (this.#options.service === undefined || this.#has(CLOSE_DISPATCHED))) {
      this.#flags |= DONE;
      this.#rare?.resolveDone?.();
      this.#options.onDone?.(this);
    }
  }

  // Has the service seen the end of the peer's stream? Until then this side stays open, so it can
  // still answer after the peer's half-close. A pull service has once its last onReadReady ran; a
  // push service once every chunk was handed over; a service without a data resource once its
  // resources are idle (#pump checks that), even with bytes it never read: a peer that sent data
  // and left must not hold the socket half-open for ever. A connection without a service (a plain
  // client) is the user's to end: it stays open for writing until shutdownWrite() or close().
  #endSeen(): boolean {
    if (this.#has(PULL)) return this.#has(EOF_DISPATCHED);
    if (this.#has(PUSH)) return (this.#queue?.length ?? 0) === 0;
    return this.#options.service !== undefined;
  }

  // One dispatch decision; false when nothing is due.
  #step(): boolean {
    if (this.#options.service === undefined) return false;
    const flags = this.#flags;
    if ((flags & CONNECT_DUE) !== 0) {
      this.#flags &= ~CONNECT_DUE;
      this.#invoke('onConnect');
      return true;
    }
    const handlerError = this.#rare?.handlerErrors?.shift();
    if (handlerError !== undefined) {
      this.#invokeOnError(handlerError);
      return true;
    }
    const queue = this.#queue;
    const fault = this.#rare?.fault;
    if ((flags & CLOSING) === 0) {
      if ((flags & PUSH) !== 0) {
        const chunk = queue?.shift();
        if (chunk !== undefined) {
          this.#invoke('onBytes', chunk);
          return true;
        }
      } else if ((flags & PULL) !== 0) {
        if (queue !== undefined && queue.length > 0 && (flags & STALLED) === 0) {
          this.#runReadReady(queue);
          return true;
        }
        // The stream ended cleanly (FIN, or closed without a fault): one more run, where read()
        // resolves empty. After a fault the service hears of it through onError instead.
        if ((flags & (PEER_ENDED | CLOSED)) !== 0 && (flags & EOF_DISPATCHED) === 0 && fault === undefined) {
          this.#flags |= EOF_DISPATCHED;
          this.#invoke('onReadReady');
          return true;
        }
      }
    }
    if (fault !== undefined && (flags & FAULT_DISPATCHED) === 0) {
      this.#flags |= FAULT_DISPATCHED;
      this.#invokeOnError(fault);
      return true;
    }
    if ((flags & (CLOSED | CLOSE_DISPATCHED)) === CLOSED) {
      this.#flags |= CLOSE_DISPATCHED;
      this.#invoke('onClose');
      return true;
    }
    return false;
  }

  // onReadReady with progress tracking: a run that read nothing while nothing new arrived makes
  // the connection wait for new data instead of spinning.
  #runReadReady(queue: ReadQueue): void {
    const before = queue.consumed;
    this.#flags &= ~ARRIVED;
    const after = (): void => {
      if (queue.consumed === before && !this.#has(ARRIVED)) this.#flags |= STALLED;
    };
    if (this.#invoke('onReadReady', undefined, after)) return;
    after();
  }

  // Calls a resource. True when it returned a promise (the connection is busy until it settles).
  #invoke(resource: Resource, chunk?: Buffer, settled?: () => void): boolean {
    const service = this.#options.service!;
    const fn = service[resource];
    if (fn === undefined) return false;
    let result: unknown;
    try {
      result = chunk !== undefined ? service.onBytes!(this, chunk) : (fn as (caller: Caller) => unknown).call(service, this);
    } catch (error) {
      this.#handlerFailed(resource, error);
      return false;
    }
    if (!isThenable(result)) return false;
    this.#flags |= BUSY;
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
    this.#flags &= ~BUSY;
    settled?.();
    // Chunks held back while the resource ran may let the wire flow again.
    if (this.#has(PAUSED)) this.#flow(this.#readQueue());
    this.#pump();
  }

  #handlerFailed(resource: Resource, error: unknown): void {
    const failure = new GenericError('HANDLER_FAILED', `service resource ${resource} failed on connection ${this.#endpoint()}`, error);
    if (resource === 'onError' || resource === 'onClose') this.#warn(failure);
    else (this.#state().handlerErrors ??= []).push(failure);
  }

  #invokeOnError(error: SocketError): void {
    const service = this.#options.service;
    if (typeof service?.onError !== 'function') {
      this.#warn(error);
      return;
    }
    let result: unknown;
    try {
      result = service.onError(this, error);
    } catch (failure) {
      this.#onErrorFailed(failure);
      return;
    }
    if (!isThenable(result)) return;
    this.#flags |= BUSY;
    result.then(
      () => this.#settle(undefined),
      (failure: unknown) => {
        this.#onErrorFailed(failure);
        this.#settle(undefined);
      },
    );
  }

  #onErrorFailed(failure: unknown): void {
    this.#warn(new GenericError('HANDLER_FAILED', `service resource onError failed on connection ${this.#endpoint()}`, failure));
  }

  // The last resort for errors no service handled: a warning, never a crash, once per connection.
  #warn(error: SocketError): void {
    if (this.#has(WARNED)) return;
    this.#flags |= WARNED;
    process.emitWarning(`${error.message}: ${describeCause(error.cause)}`, { type: 'SocketWarning', code: error.code });
  }
}

// A settled promise can be shared: a loop that writes same-sized messages gets the one promise for
// that length instead of a new one per write.
let lastLength = -1;
let lastResolved: Promise<number> = Promise.resolve(-1);

function resolvedLength(length: number): Promise<number> {
  if (length !== lastLength) {
    lastLength = length;
    lastResolved = Promise.resolve(length);
  }
  return lastResolved;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? 'no cause' : String(cause);
}
