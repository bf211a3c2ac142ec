import type { SocketError } from './errors.js';

/**
 * Options of one read.
 *
 * @example
 * ```ts
 * await caller.read(4, { timeoutInMillis: 1000, signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface ReadOptions {
  /** Overrides the connection's `readTimeoutInMillis` for this read; 0 waits forever. */
  timeoutInMillis?: number;
  /** Aborting rejects the read with the signal's reason; the bytes stay queued. */
  signal?: AbortSignal;
}

/**
 * One TCP connection as a service sees it: the seed's `socket:Caller`.
 *
 * @example
 * ```ts
 * const echo: Service = {
 *   async onReadReady(caller) {
 *     const data = await caller.read();
 *     if (data.length > 0) await caller.write(data);
 *   },
 * };
 * ```
 */
export interface Caller {
  /** Unique within the process. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /**
   * No `length`: the bytes available now (at least one), waiting if there are none. `length` n:
   * exactly n bytes, or fewer if the stream ends first. At end of stream: an empty Buffer.
   */
  read(length?: number, options?: ReadOptions): Promise<Buffer>;
  /** Resolves with the number of bytes written; waits for the socket to drain when it is full. */
  write(data: Uint8Array | string): Promise<number>;
  /** Half-close: send FIN, keep reading. */
  shutdownWrite(): Promise<void>;
  /** Idempotent; resolves when the socket is closed. */
  close(): Promise<void>;
}

/**
 * The resources a listener (per accepted connection) or a client's callback service may define.
 * Calls for one connection never overlap.
 *
 * @example
 * ```ts
 * const service: Service = {
 *   onConnect(caller) { console.log('connect:', caller.remotePort); },
 *   async onBytes(caller, data) { await caller.write(data); },
 *   onClose(caller) { console.log('closed', caller.id); },
 * };
 * ```
 */
export interface Service {
  /** Once per connection, before any data resource. */
  onConnect?(caller: Caller): void | Promise<void>;
  /** Pull style: unread data is waiting (or the stream ended); call `caller.read()`. */
  onReadReady?(caller: Caller): void | Promise<void>;
  /** Push style: every chunk in order. Not together with `onReadReady`. */
  onBytes?(caller: Caller, data: Buffer): void | Promise<void>;
  /** Exactly once, after the connection is closed by either side or by a fault. */
  onClose?(caller: Caller): void | Promise<void>;
  /** Socket faults and `HANDLER_FAILED` (a resource threw). */
  onError?(caller: Caller, error: SocketError): void | Promise<void>;
}
