import { Buffer } from 'node:buffer';
import { toBuffer, validateObject } from '../validate.js';
import { handlerFailed, publishAccept, publishClose, publishConnect, publishError, warnUnhandled } from '../diagnostics.js';
import { connectionClosed, GenericError, invalidArgument, type SocketError } from '../errors.js';
import { ClientTls } from '../tls/client-tls.js';
import { resolveClientSecureSocket, resolveListenerSecureSocket, type ClientSecureSocket, type ListenerSecureSocket } from '../tls/secure-socket.js';
import { ServerTls } from '../tls/server-tls.js';
import type { TransportFeatures } from '../tls/tls-module.js';
import type { ProxyHeader } from '../proxy/proxy-header.js';
import type { Caller, ReadOptions, Service, WriteOptions } from '../service.js';
import { nextId } from '../util/id.js';
import { handled, isThenable, noop, rejected, RESOLVED } from '../util/promises.js';
import type { Delivery } from './delivery.js';
import { ReadQueue, type ReadQueueOptions } from './read-queue.js';
import { kAbort, kAttach, kClosed, kDestroy, kDone, kOpen, kState, kWire, kWritev } from './symbols.js';
import { kWireClose, kWireData, kWireDrain, kWireEnd, kWireError, peerName, type TlsInfo, type Wire, type WireHandler } from './wire.js';

/**
 * Options of a {@link Connection}. A listener passes one object to all its connections, so keep
 * per-connection values out of it.
 *
 * @example
 * ```ts
 * const options: ConnectionOptions = { service, delivery: chooseDelivery(service, undefined), readTimeoutInMillis: 300_000,
 *   maxBufferedBytes: 64 << 20, idleTimeoutInMillis: 0, writeTimeoutInMillis: 0 };
 * ```
 */
export interface ConnectionOptions {
  /** The service driven by this connection, if any (a client without a callback service has none). */
  readonly service: Service | undefined;
  /** How data reaches the service (chosen once, shared). */
  readonly delivery: Delivery;
  readonly readTimeoutInMillis: number;
  readonly maxBufferedBytes: number;
  /** No byte either way for this long closes the connection with `IDLE_TIMED_OUT`; 0: never. */
  readonly idleTimeoutInMillis: number;
  /** A write that cannot be handed to the OS for this long closes the connection with `WRITE_TIMED_OUT`; 0: never. */
  readonly writeTimeoutInMillis: number;
  /** Names the peer before the wire knows its address (a client that is still connecting). */
  readonly target?: string;
  /** Which side of the connection this is: a client dialled it, a listener accepted it (for STARTTLS). */
  readonly role: 'client' | 'server';
  /** A client's host, which a server certificate must name at STARTTLS. */
  readonly host?: string;
  /** What the transport brings (`node:tls` for STARTTLS). */
  readonly features?: TransportFeatures | undefined;
  /** The wire closed (the connection is no longer open). */
  readonly onClosed?: ((connection: Connection) => void) | undefined;
  /** Closed, and `onClose` (if any) has settled. */
  readonly onDone?: ((connection: Connection) => void) | undefined;
}

/**
 * The lifecycle of a connection, one value: `connecting` (a client dialling) → `open` → `closing`
 * (this side is closing it) → `closed` (the socket is gone, whoever closed it).
 *
 * @example
 * ```ts
 * if (connection[kState] === 'open') await connection.write('ping');
 * ```
 */
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
type Lifecycle = typeof CONNECTING | typeof OPEN | typeof CLOSING | typeof CLOSED;
const STATE_NAMES: readonly ConnectionState[] = ['connecting', 'open', 'closing', 'closed'];

// Marks of dispatch and flow, in one small bit set: 10k idle connections are normal, so each field
// counts. Each is read and written only through the names below.
const BUSY = 1 << 0; // a resource's promise is pending
const PUMPING = 1 << 1; // inside #pump: re-entrant calls only mark work
const CONNECT_DUE = 1 << 2; // onConnect has not run yet
const FAULT_DISPATCHED = 1 << 3;
const CLOSE_DISPATCHED = 1 << 4;
const WARNED = 1 << 5; // one SocketWarning per connection
const PAUSED = 1 << 6; // the wire is paused: too much is unread
const PEER_ENDED = 1 << 7; // FIN received
const WRITE_SHUT = 1 << 8; // FIN sent or queued
const LOCAL_CLOSE = 1 << 9; // this side called close()/destroy(), or closed it on a fault
const DONE = 1 << 10;
const UNOPENED = 1 << 14; // accepted, but its owner has not opened it yet: events wait
const UPGRADING = 1 << 15; // a STARTTLS handshake is under way: writes wait for it

/**
 * Marks a {@link Delivery} may use for its own per-connection state (pull: "stalled", "arrived",
 * "end dispatched").
 */
export const DELIVERY_MARK_A = 1 << 11;
export const DELIVERY_MARK_B = 1 << 12;
export const DELIVERY_MARK_C = 1 << 13;

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
  closed?: Promise<void>;
  done?: Promise<void>;
  resolveDone?: () => void;
  idleTimer?: ReturnType<typeof setTimeout>;
  writeTimer?: ReturnType<typeof setTimeout>;
  /** A delivery's own state (the frame decoder). */
  slot?: unknown;
  /** The STARTTLS handshake under way. */
  upgrading?: Promise<void>;
}

/**
 * What a {@link Delivery} may do to a connection: module-private entry points, filled in by the
 * Connection's static block, so that strategies in other files reach its state without any of it
 * being public.
 */
export interface ConnectionHooks {
  /** Nothing is running, nothing is due before data (onConnect), nothing is queued. */
  idle(connection: Connection): boolean;
  /** The push fast path: call `resource(caller, arg)` right now, from inside the wire's event. */
  deliverNow(connection: Connection, resource: string, arg: unknown): void;
  /**
   * Calls a resource; true when it returned a promise (the connection is busy until it settles).
   * `settled(connection, noted)` runs once the resource is done, synchronously or not: a function
   * made once, with what it needs (`noted`) passed back, so that a run makes no closure.
   */
  invoke(connection: Connection, resource: string, arg?: unknown, settled?: Settled, noted?: number): boolean;
  queue(connection: Connection): ReadQueue | undefined;
  enqueue(connection: Connection, chunk: Buffer): void;
  has(connection: Connection, mark: number): boolean;
  mark(connection: Connection, mark: number): void;
  unmark(connection: Connection, mark: number): void;
  /** The peer's stream is over (FIN, or the connection closed). */
  streamOver(connection: Connection): boolean;
  faulted(connection: Connection): boolean;
  slot(connection: Connection): unknown;
  setSlot(connection: Connection, value: unknown): void;
  /** A local fault (a frame too large, a time-out): route it, then close the connection now. */
  fail(connection: Connection, error: SocketError): void;
  /** `host:port` of the peer. */
  peer(connection: Connection): string;
}

/**
 * What a delivery runs when a resource it invoked is done (see {@link ConnectionHooks.invoke}).
 *
 * @example
 * ```ts
 * const settled: Settled = (connection, before) => console.log(hooks.queue(connection)!.consumed - before);
 * ```
 */
export type Settled = (connection: Connection, noted: number) => void;

// The resource a connection is waiting for. Made on the first resource that returns a promise and
// reused for every later one, so that a run allocates no closure for its promise's callbacks.
interface Running {
  resource: string;
  settled: Settled | undefined;
  noted: number;
  readonly fulfilled: () => void;
  readonly rejected: (error: unknown) => void;
}

/** @internal */
export let hooks: ConnectionHooks;

// The socket stops reading once this much is unread (or maxBufferedBytes if lower), unless a
// pending read(n) needs more. It resumes below half of it, so a lagging reader does not flip the
// socket on every read. Enough to keep a fast reader busy, small enough for 10k idle peers.
const READ_HIGH_WATER_MARK = 1024 * 1024;

/**
 * How long `close()` waits for queued bytes to reach a peer that does not read, when no
 * `writeTimeoutInMillis` is set, before it drops them and closes anyway: a close never hangs.
 */
export const CLOSE_LINGER_IN_MILLIS = 30_000;

// Module-private entry points to the Connection's #private members, for its read-queue options.
let enter: {
  consumed(connection: Connection): void;
  peer(connection: Connection): string;
};

// What a connection's read queue is told (made with the queue: an idle connection has neither).
// The limits are read through from the options every connection of a listener shares.
class QueueEvents implements ReadQueueOptions {
  readonly #connection: Connection;
  readonly #options: ConnectionOptions;

  constructor(connection: Connection, options: ConnectionOptions) {
    this.#connection = connection;
    this.#options = options;
  }
  get readTimeoutInMillis(): number {
    return this.#options.readTimeoutInMillis;
  }
  get maxReadLength(): number {
    return this.#options.maxBufferedBytes;
  }
  onConsume(): void {
    enter.consumed(this.#connection);
  }
  endpoint(): string {
    return enter.peer(this.#connection);
  }
}

/**
 * The one {@link Caller}: a connection over a {@link Wire}, dispatching the service contract. Every
 * transport (tcp, TLS, the test kit) uses it as it is; they only supply the wire.
 *
 * The service contract, in the order the connection applies it (its private `step`):
 * 1. `onConnect` runs first, once.
 * 2. A resource that threw or rejected is reported to `onError` as `HANDLER_FAILED`, in order.
 * 3. Data reaches the service as its delivery decides (push, pull, frames).
 * 4. A socket fault goes to `onError` once, after the data that arrived before it.
 * 5. `onClose` runs exactly once, last.
 * Resources of one connection never overlap: a returned promise is awaited before the next call.
 * Nothing a service does can reject unhandled or crash the process.
 *
 * Around it: backpressure (the wire is paused while too much is unread; writes wait for `drain`),
 * time-outs (idle, write), and end of stream (after the peer ends and the service has seen the end,
 * this side ends too).
 *
 * @example
 * ```ts
 * const caller = new Connection(options, wire);
 * caller[kOpen]();
 * ```
 */
export class Connection implements Caller, WireHandler {
  static {
    enter = {
      consumed: (connection) => connection.#consumed(),
      peer: (connection) => connection.#peer(),
    };
    hooks = {
      idle: (c) => (c.#marks & (BUSY | PUMPING | CONNECT_DUE | UNOPENED)) === 0 && (c.#queue === undefined || c.#queue.length === 0),
      deliverNow: (c, resource, arg) => c.#deliverNow(resource, arg),
      invoke: (c, resource, arg, settled, noted) => c.#invoke(resource, arg, settled, noted),
      queue: (c) => c.#queue,
      enqueue: (c, chunk) => c.#readQueue().push(chunk),
      has: (c, mark) => (c.#marks & mark) !== 0,
      mark: (c, mark) => void (c.#marks |= mark),
      unmark: (c, mark) => void (c.#marks &= ~mark),
      streamOver: (c) => (c.#marks & PEER_ENDED) !== 0 || c.#state === CLOSED,
      faulted: (c) => c.#rare?.fault !== undefined,
      slot: (c) => c.#rare?.slot,
      setSlot: (c, value) => void (c.#state_().slot = value),
      fail: (c, error) => c.#fail(error),
      peer: (c) => c.#peer(),
    };
  }

  readonly #options: ConnectionOptions;
  #wire: Wire | undefined;
  #state: Lifecycle;
  #marks = 0;
  #queue: ReadQueue | undefined;
  #id: string | undefined;
  #rare: Rare | undefined;
  #running: Running | undefined;

  /** Without a wire the connection starts out `connecting`; its owner attaches one once dialled. */
  constructor(options: ConnectionOptions, wire?: Wire) {
    this.#options = options;
    this.#state = wire === undefined ? CONNECTING : OPEN;
    if (wire !== undefined) {
      // Whatever the wire reports before its owner opens the connection waits, so that onConnect
      // still comes first.
      this.#marks = UNOPENED | (options.service !== undefined ? CONNECT_DUE : 0);
      this.#start(wire);
    }
  }

  /** @internal The wire's events (see {@link WireHandler}): the connection is its own handler. */
  [kWireData](chunk: Buffer): void {
    this.#onData(chunk);
  }
  /** @internal */
  [kWireEnd](): void {
    this.#onEnd();
  }
  /** @internal */
  [kWireError](error: SocketError): void {
    this.#onError(error);
  }
  /** @internal */
  [kWireClose](): void {
    this.#onClose();
  }
  /** @internal */
  [kWireDrain](): void {
    this.#onDrain();
  }

  /** Unique within the process. */
  get id(): string {
    return (this.#id ??= nextId());
  }
  get remoteAddress(): string {
    return this.#wire?.info.remoteAddress ?? '';
  }
  get remotePort(): number {
    return this.#wire?.info.remotePort ?? 0;
  }
  get localAddress(): string {
    return this.#wire?.info.localAddress ?? '';
  }
  get localPort(): number {
    return this.#wire?.info.localPort ?? 0;
  }
  /** The TLS session, or undefined on a plain connection. */
  get tls(): TlsInfo | undefined {
    return this.#wire?.info.tls;
  }
  /** Behind a PROXY-protocol balancer: the balancer's address (`remoteAddress` is then the client's). */
  get proxyAddress(): { host: string; port: number } | undefined {
    const proxy = this.#wire?.info.proxyAddress;
    return proxy === undefined ? undefined : { ...proxy };
  }

  /** The PROXY protocol header this connection began with, when its listener has `proxyProtocol`. */
  get proxyHeader(): ProxyHeader | undefined {
    return this.#wire?.info.proxyHeader;
  }

  /** @internal The lifecycle value. */
  get [kState](): ConnectionState {
    return STATE_NAMES[this.#state]!;
  }

  /** @internal The wire (an accept step's or startTls's business). */
  get [kWire](): Wire | undefined {
    return this.#wire;
  }

  /** @internal Resolves once the wire has closed (never waits for a service resource). */
  get [kClosed](): Promise<void> {
    if (this.#state === CLOSED) return RESOLVED;
    const rare = this.#state_();
    return (rare.closed ??= new Promise<void>((resolve) => (rare.closeWaiters ??= []).push(resolve)));
  }

  /** Resolves once connected; rejects with the connect error. */
  protected get opened(): Promise<void> {
    const rare = this.#rare;
    if (rare?.opened !== undefined) return rare.opened;
    if (this.#state === CONNECTING) {
      const state = this.#state_();
      // Marked handled only when it fails (#rejectOpened): a connect that succeeds costs one promise.
      state.opened = new Promise<void>((resolve, reject) => (state.openedWaiter = { resolve, reject }));
      return state.opened;
    }
    return RESOLVED;
  }

  /** @internal Resolves once the connection is closed and `onClose` (if any) has settled. */
  get [kDone](): Promise<void> {
    if ((this.#marks & DONE) !== 0) return RESOLVED;
    const state = this.#state_();
    return (state.done ??= new Promise<void>((resolve) => (state.resolveDone = resolve)));
  }

  /** @internal An accepted connection: publish it and start dispatching (`onConnect`, then data). */
  [kOpen](): void {
    this.#marks &= ~UNOPENED;
    publishAccept(this);
    this.#armIdle();
    this.#pump();
  }

  /** @internal A client's dial succeeded: take the wire, then dispatch as for an accepted connection. */
  [kAttach](wire: Wire): void {
    if (this.#state !== CONNECTING) {
      wire.destroy(); // given up meanwhile
      return;
    }
    this.#state = OPEN;
    this.#start(wire);
    if (this.#options.service !== undefined) this.#marks |= CONNECT_DUE;
    const rare = this.#rare;
    const waiter = rare?.openedWaiter;
    if (waiter !== undefined) {
      rare!.openedWaiter = undefined;
      waiter.resolve();
    }
    publishConnect(this);
    this.#armIdle();
    this.#pump();
  }

  /** @internal Connecting failed: every operation made so far and later rejects with `error`. */
  [kAbort](error: SocketError): void {
    if (this.#state !== CONNECTING) return;
    this.#state = CLOSED;
    // The connect error reaches the user through `ready` and the operations; a service that never
    // saw onConnect gets neither onError nor onClose.
    this.#marks |= FAULT_DISPATCHED | CLOSE_DISPATCHED | LOCAL_CLOSE | DONE;
    const state = this.#state_();
    state.fault = error;
    if (state.openedWaiter !== undefined) {
      this.#rejectOpened(state, error);
    } else {
      state.opened = rejected(error);
    }
    this.#queue?.fail(error);
    this.#rejectDrainWaiters();
    this.#resolveCloseWaiters();
    state.resolveDone?.();
    this.#options.onDone?.(this);
  }

  /** @internal Closes now, discarding unsent bytes (used by `immediateStop`). */
  [kDestroy](): Promise<void> {
    if (this.#state === CLOSED) return RESOLVED;
    const closed = this.close();
    this.#wire?.destroy();
    return closed;
  }

  /** @internal Writes several buffers as one (a frame's prefix and payload). */
  [kWritev](chunks: readonly Buffer[], length: number, options?: WriteOptions): Promise<number> {
    return this.#write(chunks, length, options);
  }

  /**
   * `for await (const chunk of caller)`: the chunks as they can be read, until the end of stream.
   * Leaving the loop early does not close the connection.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let chunk = await this.read(); chunk.length > 0; chunk = await this.read()) yield chunk;
  }

  read(length?: number, options?: ReadOptions): Promise<Buffer> {
    if (!this.#options.delivery.readable) {
      return Promise.reject(
        invalidArgument(`read() is not available on ${this.#peer()}: its service receives data with ${this.#options.delivery.resource}`),
      );
    }
    if ((this.#marks & LOCAL_CLOSE) !== 0) return Promise.reject(connectionClosed(this.#peer()));
    const queue = this.#readQueue();
    const result = queue.read(length, options);
    // A read(n) larger than the high-water mark may need the paused wire to flow again.
    if ((this.#marks & PAUSED) !== 0) this.#flow();
    return result;
  }

  write(data: Uint8Array | string, options?: WriteOptions): Promise<number> {
    let buffer: Buffer;
    try {
      buffer = toBuffer(data);
    } catch (error) {
      return rejected(error);
    }
    return this.#write(buffer, buffer.length, options);
  }

  shutdownWrite(): Promise<void> {
    if (this.#state === CONNECTING) return handled(this.opened.then(() => this.shutdownWrite()));
    if ((this.#marks & UPGRADING) !== 0) return handled(this.#rare!.upgrading!.then(() => this.shutdownWrite()));
    const state = this.#state_();
    if (state.shutdown !== undefined) return state.shutdown;
    if (this.#state !== OPEN) return rejected(state.fault ?? connectionClosed(this.#peer()));
    this.#marks |= WRITE_SHUT;
    state.shutdown = handled(
      new Promise<void>((resolve, reject) => {
        this.#wire!.shutdownWrite((error) => (error === undefined ? resolve() : reject(error)));
      }),
    );
    return state.shutdown;
  }

  /**
   * Upgrades this plain connection to TLS in place (SMTP, IMAP, PostgreSQL style STARTTLS): a client
   * runs the client handshake (`ClientSecureSocket`), a listener's caller the server handshake
   * (`ListenerSecureSocket`). Every byte written after the call is encrypted (writes made meanwhile
   * wait for the handshake); every byte read after it was encrypted. Plaintext bytes that arrived
   * before the call and were not read refuse the upgrade (`TLS_FAILED`): they could have been
   * injected. A failed handshake rejects `TLS_FAILED` and closes the connection.
   */
  startTls(secureSocket: ClientSecureSocket | ListenerSecureSocket): Promise<void> {
    const options = this.#options;
    const tls = options.features?.tls;
    const wire = this.#wire;
    if (tls === undefined || wire?.detach === undefined) return rejected(invalidArgument(`startTls is not available on ${this.#peer()}: its transport has no TLS`));
    if (this.#state !== OPEN || (this.#marks & (LOCAL_CLOSE | WRITE_SHUT)) !== 0) return rejected(this.#rare?.fault ?? connectionClosed(this.#peer()));
    if (wire.info.tls !== undefined || (this.#marks & UPGRADING) !== 0) return rejected(invalidArgument(`connection to ${this.#peer()} is already TLS`));
    if (options.delivery.buffered(this) > 0) {
      return rejected(
        new GenericError('TLS_FAILED', `plaintext bytes from ${this.#peer()} arrived after the point of STARTTLS and were not read; refusing to upgrade (they could be injected)`),
      );
    }
    let upgrade: (stream: ReturnType<NonNullable<Wire['detach']>>) => Promise<Wire>;
    try {
      if (options.role === 'client') {
        const client = ClientTls.for(tls, resolveClientSecureSocket(secureSocket));
        upgrade = (stream) => client.upgrade(stream, wire.info, options.host ?? wire.info.remoteAddress);
      } else {
        const server = ServerTls.for(tls, resolveListenerSecureSocket(secureSocket));
        upgrade = (stream) => server.accept(stream, wire.info);
      }
    } catch (error) {
      return rejected(error);
    }
    this.#marks |= UPGRADING;
    wire.pause();
    const done = upgrade(wire.detach()).then(
      (secured) => {
        this.#marks &= ~UPGRADING;
        this.#start(secured);
      },
      (error: unknown) => {
        this.#marks &= ~UPGRADING;
        // The old wire is detached: its close will not come, so this side closes the connection.
        this.#fail(error as SocketError);
        this.#onClose();
        throw error;
      },
    );
    this.#state_().upgrading = done.catch(() => undefined);
    return handled(done);
  }

  close(): Promise<void> {
    if (this.#state === CLOSED) return RESOLVED;
    const closed = this[kClosed];
    if ((this.#marks & LOCAL_CLOSE) === 0) {
      this.#marks |= LOCAL_CLOSE | WRITE_SHUT;
      // Errors are built only when someone waits for them: a clean close allocates none.
      const queue = this.#queue;
      if (queue !== undefined) {
        if (queue.waiting > 0 || queue.length > 0) queue.close(connectionClosed(this.#peer()));
        else queue.release(); // the timer its last read left armed
      }
      this.#rejectDrainWaiters();
      if (this.#state === CONNECTING) {
        this[kAbort](connectionClosed(this.#peer()));
      } else {
        this.#state = CLOSING;
        if (this.#wire!.close()) this.#lingerAtMost();
      }
    }
    return closed;
  }

  // A graceful close flushes what is queued first; a peer that never reads must not hold it for
  // ever. The write time-out (or, without one, the close linger) bounds it, then the socket is dropped.
  #lingerAtMost(): void {
    if (this.#state === CLOSED) return;
    const rare = this.#state_();
    if (rare.writeTimer !== undefined) return; // a stalled write's time-out already bounds it
    const limit = this.#options.writeTimeoutInMillis > 0 ? this.#options.writeTimeoutInMillis : CLOSE_LINGER_IN_MILLIS;
    rare.writeTimer = setTimeout(() => {
      rare.writeTimer = undefined;
      this.#wire?.reset();
    }, limit);
  }

  #write(data: Buffer | readonly Buffer[], length: number, options: WriteOptions | undefined): Promise<number> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      try {
        signal = checkWriteOptions(options);
      } catch (error) {
        return rejected(error);
      }
      if (signal?.aborted === true) return rejected(signal.reason);
    }
    const state = this.#state;
    if (state === CONNECTING) return handled(this.opened.then(() => this.#write(data, length, options)));
    if ((this.#marks & UPGRADING) !== 0) return handled(this.#rare!.upgrading!.then(() => this.#write(data, length, options)));
    const fault = this.#rare?.fault;
    if (fault !== undefined) return rejected(fault);
    if (state !== OPEN || (this.#marks & WRITE_SHUT) !== 0) return rejected(connectionClosed(this.#peer()));
    if (length === 0) return resolvedLength(0);
    this.#rare?.idleTimer?.refresh();
    const wire = this.#wire!;
    if (Buffer.isBuffer(data) ? wire.write(data) : wire.writev(data)) return resolvedLength(length);
    // Over the high-water mark: wait for drain (or the write time-out, or the caller's abort; the
    // bytes are the socket's now and still go out).
    const rare = this.#state_();
    const waiters = (rare.drainWaiters ??= []);
    const limit = this.#options.writeTimeoutInMillis;
    if (limit > 0 && rare.writeTimer === undefined) {
      rare.writeTimer = setTimeout(() => {
        rare.writeTimer = undefined;
        this.#fail(new GenericError('WRITE_TIMED_OUT', `write to ${this.#peer()} could not be handed to the OS within ${limit} ms`), true);
      }, limit);
    }
    return handled(
      new Promise<number>((resolve, reject) => {
        const waiter: Waiter = { resolve: () => resolve(length), reject };
        waiters.push(waiter);
        if (signal !== undefined) {
          const onAbort = (): void => {
            const index = waiters.indexOf(waiter);
            if (index !== -1) waiters.splice(index, 1);
            reject(signal.reason);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          waiter.resolve = () => {
            signal.removeEventListener('abort', onAbort);
            resolve(length);
          };
          waiter.reject = (error) => {
            signal.removeEventListener('abort', onAbort);
            reject(error);
          };
        }
      }),
    );
  }

  #start(wire: Wire): void {
    this.#wire = wire;
    wire.start(this);
  }

  #state_(): Rare {
    return (this.#rare ??= {});
  }

  // The queue is made when the first byte arrives or the first read is made: an idle connection
  // has none. A late queue starts in the state the connection is in.
  #readQueue(): ReadQueue {
    if (this.#queue !== undefined) return this.#queue;
    const queue = new ReadQueue(new QueueEvents(this, this.#options));
    this.#queue = queue;
    const fault = this.#rare?.fault;
    if (fault !== undefined) queue.fail(fault);
    else if ((this.#marks & PEER_ENDED) !== 0 || this.#state === CLOSED) queue.end();
    return queue;
  }

  #peer(): string {
    return peerName(this.#wire?.info, this.#options.target);
  }

  #armIdle(): void {
    const limit = this.#options.idleTimeoutInMillis;
    if (limit <= 0 || this.#state !== OPEN) return;
    this.#state_().idleTimer = setTimeout(() => {
      this.#rare!.idleTimer = undefined;
      this.#fail(new GenericError('IDLE_TIMED_OUT', `connection to ${this.#peer()} was idle for ${limit} ms`));
    }, limit);
  }

  #stopTimers(): void {
    const rare = this.#rare;
    if (rare === undefined) return;
    if (rare.idleTimer !== undefined) clearTimeout(rare.idleTimer);
    if (rare.writeTimer !== undefined) clearTimeout(rare.writeTimer);
    rare.idleTimer = rare.writeTimer = undefined;
  }

  #onData(chunk: Buffer): void {
    if ((this.#marks & LOCAL_CLOSE) !== 0) return;
    this.#rare?.idleTimer?.refresh();
    if (this.#options.delivery.data(this, chunk)) return;
    if ((this.#marks & PAUSED) === 0 && this.#options.delivery.buffered(this) >= this.#highWater()) this.#flow();
    this.#pump();
  }

  // The push fast path: nothing queued, nothing running, so hand the chunk over right here,
  // synchronously, without a promise or a copy.
  #deliverNow(resource: string, arg: unknown): void {
    this.#marks |= PUMPING;
    this.#invoke(resource, arg);
    this.#marks &= ~PUMPING;
    if ((this.#marks & BUSY) === 0 && this.#rare?.handlerErrors?.length) this.#pump(); // route a sync failure now
  }

  #onEnd(): void {
    this.#marks |= PEER_ENDED;
    this.#queue?.end(); // a queue made later starts ended
    this.#options.delivery.end(this);
    this.#pump();
  }

  #onError(error: SocketError): void {
    const state = this.#state_();
    if (state.fault !== undefined) return;
    state.fault = error;
    this.#queue?.fail(error);
    this.#rejectDrainWaiters();
    this.#pump();
  }

  // A fault found on this side (a time-out, a frame too large): route it like a socket fault, and
  // close the connection now — with a reset when queued bytes could not be delivered anyway.
  #fail(error: SocketError, abortive = false): void {
    if (this.#state === CLOSED) return;
    this.#onError(error);
    // Not a local close: bytes that arrived before the fault can still be read, then the fault.
    this.#marks |= WRITE_SHUT;
    this.#state = CLOSING;
    this.#stopTimers();
    if (abortive) this.#wire?.reset();
    else this.#wire?.destroy();
  }

  #onClose(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#stopTimers();
    const rare = this.#rare;
    if (rare !== undefined) {
      if (rare.openedWaiter !== undefined && rare.fault === undefined) this.#rejectOpened(rare, connectionClosed(this.#peer()));
      this.#rejectDrainWaiters();
    }
    // The peer closed without FIN (or we did): whoever still waits for bytes gets the end.
    if ((this.#marks & LOCAL_CLOSE) === 0 && rare?.fault === undefined) {
      this.#queue?.end();
      this.#options.delivery.end(this);
    }
    this.#resolveCloseWaiters();
    this.#options.onClosed?.(this);
    publishClose(this);
    this.#pump();
  }

  #rejectOpened(rare: Rare, error: SocketError): void {
    rare.opened?.catch(noop);
    rare.openedWaiter!.reject(error);
    rare.openedWaiter = undefined;
  }

  #resolveCloseWaiters(): void {
    const waiters = this.#rare?.closeWaiters;
    if (waiters !== undefined) for (const resolve of waiters.splice(0)) resolve();
  }

  #onDrain(): void {
    const rare = this.#rare;
    if (rare?.writeTimer !== undefined) {
      clearTimeout(rare.writeTimer);
      rare.writeTimer = undefined;
    }
    const waiters = rare?.drainWaiters;
    if (waiters === undefined || waiters.length === 0) return;
    for (const waiter of waiters.splice(0)) waiter.resolve();
  }

  #rejectDrainWaiters(): void {
    const waiters = this.#rare?.drainWaiters;
    if (waiters === undefined || waiters.length === 0) return;
    const error = this.#rare?.fault ?? connectionClosed(this.#peer());
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  }

  #consumed(): void {
    if ((this.#marks & PAUSED) !== 0) this.#flow();
    // The last unread bytes after the peer's FIN were read: time to end our side too.
    if ((this.#marks & PEER_ENDED) !== 0 && this.#queue!.length === 0) this.#pump();
  }

  #highWater(): number {
    return Math.min(this.#options.maxBufferedBytes, READ_HIGH_WATER_MARK);
  }

  // Pauses the wire while more is unread than we keep, resumes it once reads catch up.
  #flow(): void {
    const highWater = this.#highWater();
    const buffered = this.#options.delivery.buffered(this);
    const wanted = buffered + (this.#queue?.needed ?? 0);
    if ((this.#marks & PAUSED) !== 0) {
      if (buffered < Math.max(highWater / 2, wanted)) {
        this.#marks &= ~PAUSED;
        if (this.#state !== CLOSED) this.#wire?.resume();
      }
    } else if (buffered >= Math.max(highWater, wanted) && this.#state !== CLOSED) {
      this.#marks |= PAUSED;
      this.#wire?.pause();
    }
  }

  // Runs the next due resource, and the next, until one goes async or nothing is due.
  // Re-entrant calls (a sync resource that reads, closes, ...) only mark more work for the loop.
  #pump(): void {
    if ((this.#marks & (PUMPING | UNOPENED)) !== 0) return;
    this.#marks |= PUMPING;
    try {
      while ((this.#marks & BUSY) === 0 && this.#state !== CONNECTING) {
        if (!this.#step()) break;
      }
    } finally {
      this.#marks &= ~PUMPING;
    }
    if ((this.#marks & BUSY) !== 0) return;
    const service = this.#options.service;
    if (
      (this.#marks & (PEER_ENDED | WRITE_SHUT)) === PEER_ENDED &&
      this.#state === OPEN &&
      service !== undefined &&
      this.#options.delivery.endSeen(this)
    ) {
      // The peer is done and the service has seen it: end our side too (as Node's default
      // allowHalfOpen: false would), so a finished connection never lingers half-open. A connection
      // without a service (a plain client) is the user's to end. Nobody waits for this FIN.
      this.#marks |= WRITE_SHUT;
      this.#wire!.shutdownWrite();
    }
    if (this.#state === CLOSED && (this.#marks & DONE) === 0 && (service === undefined || (this.#marks & CLOSE_DISPATCHED) !== 0)) {
      this.#marks |= DONE;
      this.#rare?.resolveDone?.();
      this.#options.onDone?.(this);
    }
  }

  /**
   * One dispatch decision — the service contract in the order it is applied. False when nothing is due.
   */
  #step(): boolean {
    if (this.#options.service === undefined) return false;
    const marks = this.#marks;
    // 1. onConnect comes first, once.
    if ((marks & CONNECT_DUE) !== 0) {
      this.#marks &= ~CONNECT_DUE;
      this.#invoke('onConnect');
      return true;
    }
    // 2. A resource that threw or rejected is reported next, in order, as HANDLER_FAILED.
    const failure = this.#rare?.handlerErrors?.shift();
    if (failure !== undefined) {
      this.#route(failure);
      return true;
    }
    // 3. Data, as the delivery hands it over — unless this side is closing the connection.
    if ((marks & LOCAL_CLOSE) === 0 && this.#options.delivery.next(this)) return true;
    // 4. A socket fault, once, after the data that arrived before it.
    const fault = this.#rare?.fault;
    if (fault !== undefined && (marks & FAULT_DISPATCHED) === 0) {
      this.#marks |= FAULT_DISPATCHED;
      this.#route(fault);
      return true;
    }
    // 5. onClose, exactly once, last.
    if (this.#state === CLOSED && (marks & CLOSE_DISPATCHED) === 0) {
      this.#marks |= CLOSE_DISPATCHED;
      this.#invoke('onClose');
      return true;
    }
    return false;
  }

  // Calls a resource. True when it returned a promise (the connection is busy until it settles).
  #invoke(resource: string, arg?: unknown, settled?: Settled, noted = 0): boolean {
    const service = this.#options.service!;
    const fn = (service as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>)[resource];
    if (fn === undefined) {
      settled?.(this, noted);
      return false;
    }
    let result: unknown;
    try {
      result = arg === undefined ? fn.call(service, this) : fn.call(service, this, arg);
    } catch (error) {
      this.#failed(resource, error);
      settled?.(this, noted);
      return false;
    }
    if (!isThenable(result)) {
      settled?.(this, noted);
      return false;
    }
    this.#marks |= BUSY;
    const running = (this.#running ??= {
      resource: '',
      settled: undefined,
      noted: 0,
      fulfilled: () => this.#settle(),
      rejected: (error: unknown) => {
        this.#failed(this.#running!.resource, error);
        this.#settle();
      },
    });
    running.resource = resource;
    running.settled = settled;
    running.noted = noted;
    result.then(running.fulfilled, running.rejected);
    return true;
  }

  #settle(): void {
    this.#marks &= ~BUSY;
    const running = this.#running!;
    running.settled?.(this, running.noted);
    // Chunks held back while the resource ran may let the wire flow again.
    if ((this.#marks & PAUSED) !== 0) this.#flow();
    this.#pump();
  }

  #failed(resource: string, error: unknown): void {
    // A resource that lets this connection's own fault out of `await caller.read()` (or a write)
    // has no bug: the fault itself goes to onError (rule 4), and an untaken fault prints nothing.
    if (error !== undefined && error === this.#rare?.fault && resource !== 'onError') return;
    const failure = handlerFailed(resource, `connection ${this.#peer()}`, error);
    // onError and onClose have nothing after them to report to: publish and warn.
    if (resource === 'onError' || resource === 'onClose') this.#unhandled(failure);
    else (this.#state_().handlerErrors ??= []).push(failure);
  }

  // Routes an error to the service's onError — or, where none takes it, to the warning policy.
  #route(error: SocketError): void {
    publishError(this, error);
    const onError = this.#options.service?.onError;
    if (typeof onError !== 'function') {
      this.#warn(error);
      return;
    }
    this.#invoke('onError', error);
  }

  #unhandled(error: SocketError): void {
    publishError(this, error);
    this.#warn(error);
  }

  #warn(error: SocketError): void {
    if ((this.#marks & WARNED) !== 0) return;
    if (warnUnhandled(error)) this.#marks |= WARNED;
  }
}

function checkWriteOptions(options: WriteOptions): AbortSignal | undefined {
  validateObject(options, 'write options');
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('signal must be an AbortSignal');
  return signal;
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
