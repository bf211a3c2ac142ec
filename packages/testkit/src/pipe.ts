import { Buffer } from 'node:buffer';
import { GenericError, kWireClose, kWireData, kWireDrain, kWireEnd, kWireError, peerName, type SocketError, type Wire, type WireHandler, type WireInfo } from '@sock/core/internal';
import type { Host } from './host.js';
import type { Link } from './link.js';
import { PipeDuplex } from './pipe-duplex.js';
import { DEFAULT_SEGMENT_BYTES } from './shaping.js';

interface Segment {
  /** One write, or `undefined` for the FIN. */
  readonly data: Buffer | undefined;
  /** Delivered in chunks of at most this many bytes. */
  readonly chunkSize: number;
  /** Bytes of `data` already delivered. */
  offset: number;
  ready: boolean;
}

/**
 * One end of an in-memory TCP connection: a {@link Wire} that `@sock/core`'s `Connection` drives,
 * exactly as it drives a `node:net` socket. Each end sends over its own {@link Link} (its host →
 * the peer's host), whose latency, partitions and holds every segment and FIN obeys.
 *
 * - Every handler call happens asynchronously (a microtask, or a `setTimeout` when there is
 *   latency), never from inside `write()`, `shutdownWrite()` or `close()`.
 * - Segments leave in order. One that is due while its link is blocked (partitioned, held, a host
 *   down) stays queued, and the end is parked on the link: it flushes, in order, once the link opens.
 *   Nothing is lost; the bytes count as in flight, so a writer is held back past the high-water mark.
 * - Bytes a peer has not taken (it paused) stay in flight; past the high-water mark `write()`
 *   returns false and `drain` follows when the peer takes them: a slow reader holds back the writer.
 * - `close()` sends FIN after the queued bytes and closes once it is delivered; `destroy()` closes
 *   at once (queued bytes and the FIN still reach the peer, as the kernel would send them).
 * - Bytes arriving at an end that is closed reset the sender (the kernel answers them with RST).
 *
 * Made by the loopback network; tests normally meet it only through a `Caller`.
 *
 * @example
 * ```ts
 * const a = new PipeEnd(network.link(host, host), host);
 * const b = new PipeEnd(network.link(host, host), host);
 * PipeEnd.connect(a, { host: '127.0.0.1', port: 50000 }, b, { host: '127.0.0.1', port: 7 });
 * ```
 */
export class PipeEnd implements Wire {
  readonly info: WireInfo = { remoteAddress: '', remotePort: 0, localAddress: '', localPort: 0 };
  /** The host this end lives on. */
  readonly host: Host;
  readonly #link: Link;
  readonly #target: string | undefined;
  #peer: PipeEnd | undefined;
  #handler: WireHandler | undefined;

  #outgoing: Segment[] = [];
  #outgoingBytes = 0;
  #flushScheduled = false;
  #parked = false;
  #needDrain = false;
  #paused = false;

  #finQueued = false;
  #finDelivered = false;
  #endReceived = false;
  #closeRequested = false;
  #closed = false;
  #closeEmitted = false;
  #errored = false;
  #shutdownWaiters: Array<(error?: SocketError) => void> = [];
  #onClosed: (() => void) | undefined;

  /** `link` carries what this end sends; `target` names the peer while the end is not connected yet. */
  constructor(link: Link, host: Host, target?: string) {
    this.#link = link;
    this.host = host;
    this.#target = target;
  }

  /**
   * Connects two ends: `a` at `aAddress` talks to `b` at `bAddress`.
   *
   * @example
   * ```ts
   * PipeEnd.connect(clientEnd, clientAddress, serverEnd, serverAddress);
   * ```
   */
  static connect(a: PipeEnd, aAddress: { host: string; port: number }, b: PipeEnd, bAddress: { host: string; port: number }): void {
    a.#peer = b;
    b.#peer = a;
    a.info.localAddress = b.info.remoteAddress = aAddress.host;
    a.info.localPort = b.info.remotePort = aAddress.port;
    b.info.localAddress = a.info.remoteAddress = bAddress.host;
    b.info.localPort = a.info.remotePort = bAddress.port;
  }

  /** True once this end has closed (or was destroyed before it connected). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes written by this end that its peer has not taken yet. */
  get bufferedBytes(): number {
    return this.#outgoingBytes;
  }

  /** Runs once when this end closes (the network forgets the connection then). */
  set onClosed(callback: () => void) {
    this.#onClosed = callback;
  }

  start(handler: WireHandler): void {
    this.#handler = handler;
    this.#paused = false;
    // Anything that arrived before the handler was there (a fast peer) can flow now.
    if (this.#peer !== undefined) this.#peer.#scheduleFlush();
    if (this.#closed) this.#emitClose();
  }

  write(chunk: Buffer): boolean {
    if (this.#closed || this.#finQueued) return true; // Connection refuses writes after close; nothing to send.
    const shaping = this.#link.shaping;
    this.#enqueue({ data: chunk, chunkSize: shaping.chunkSize ?? DEFAULT_SEGMENT_BYTES, offset: 0, ready: false });
    this.#outgoingBytes += chunk.length;
    if (this.#outgoingBytes >= shaping.highWaterMark) {
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  writev(chunks: readonly Buffer[]): boolean {
    // One write on the wire, as cork/uncork makes it on a socket.
    return this.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  }

  unshift(chunk: Buffer): void {
    // Back in front of what the peer sends next, as `socket.unshift` puts it back in the read buffer.
    const peer = this.#peer;
    if (peer === undefined || chunk.length === 0) return;
    peer.#outgoing.unshift({ data: chunk, chunkSize: chunk.length, offset: 0, ready: true });
    peer.#outgoingBytes += chunk.length;
    if (!this.#paused) peer.#scheduleFlush();
  }

  shutdownWrite(done: (error?: SocketError) => void = () => {}): void {
    if (this.#finDelivered) {
      queueMicrotask(() => done());
      return;
    }
    if (this.#closed && !this.#finQueued) {
      const error = new GenericError('CONNECTION_CLOSED', `connection to ${this.#endpoint()} closed before its end could be sent`);
      queueMicrotask(() => done(error));
      return;
    }
    this.#shutdownWaiters.push(done);
    this.#queueFin();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#peer !== undefined) this.#peer.#scheduleFlush();
  }

  close(): boolean {
    if (this.#closed || this.#closeRequested) return false;
    this.#closeRequested = true;
    if (this.#peer === undefined) {
      this.#markClosed();
      return false;
    }
    if (this.#finDelivered) this.#markClosed();
    else this.#queueFin();
    return this.#outgoingBytes > 0;
  }

  destroy(): void {
    if (this.#closed) return;
    // What was written is already "in the kernel" and still reaches the peer, then the FIN.
    if (this.#peer !== undefined) this.#queueFin();
    this.#markClosed();
  }

  /** Hands this end over as a Node `Duplex` (for TLS over the pipe); the wire's own handler gets nothing more. */
  detach(): PipeDuplex {
    return new PipeDuplex(this);
  }

  /**
   * Aborts the connection like a TCP RST: bytes in flight both ways are lost, and each end that is
   * still open reports `CONNECTION_RESET` and closes.
   */
  reset(): void {
    const peer = this.#peer;
    this.#abort();
    if (peer !== undefined) this.#sendReset(peer);
  }

  /**
   * The host crashed: this end vanishes without FIN or RST. What it had queued is gone; its owner
   * gets `error` (`CONNECTION_CLOSED`) for pending and later operations; the peer hears nothing.
   */
  crash(error: SocketError): void {
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    if (this.#closed) return;
    this.#errored = true;
    const handler = this.#handler;
    if (handler !== undefined) queueMicrotask(() => handler[kWireError](error));
    for (const done of this.#shutdownWaiters.splice(0)) queueMicrotask(() => done(error));
    this.#markClosed();
  }

  #endpoint(): string {
    return peerName(this.info, this.#target);
  }

  // Segments leave in order: one that is ready waits behind one still under way.
  #enqueue(segment: Segment): void {
    this.#outgoing.push(segment);
    const delay = this.#link.delay();
    if (delay <= 0) {
      segment.ready = true;
      this.#scheduleFlush();
    } else {
      setTimeout(() => {
        segment.ready = true;
        this.#flush();
      }, delay);
    }
  }

  // A reset from this end reaches `peer` over the link (a simulation), or at once (the loopback network).
  #sendReset(peer: PipeEnd): void {
    const link = this.#link;
    if (!this.host.network.replies) {
      peer.#abort();
      return;
    }
    link.send(() => {
      if (link.tracing && !peer.#closed) link.record('tcp:reset');
      peer.#abort();
    });
  }

  readonly #resume = (): void => {
    this.#parked = false;
    this.#flush();
  };

  #queueFin(): void {
    if (this.#finQueued) return;
    this.#finQueued = true;
    this.#enqueue({ data: undefined, chunkSize: 0, offset: 0, ready: false });
  }

  // The network runs every flush due in one microtask (see Network#defer); the task is made once
  // per end, not per flush.
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.host.network.defer(this.#flushTask);
  }

  readonly #flushTask = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  // Hands ready segments to the peer, in order, while it takes them. Always runs in its own task.
  #flush(): void {
    const peer = this.#peer;
    if (peer === undefined) return;
    const link = this.#link;
    while (this.#outgoing.length > 0) {
      const segment = this.#outgoing[0]!;
      if (!segment.ready) break;
      if (link.blocked) {
        // Partitioned, held, or a host is down: it waits, in order, until the link opens.
        if (!this.#parked) {
          this.#parked = true;
          link.park(this.#resume);
        }
        break;
      }
      if (peer.#closed) {
        this.#outgoing.shift();
        if (segment.data === undefined) this.#finArrived();
        else {
          // The peer's kernel answers bytes for a closed socket with RST.
          this.#outgoing = [];
          this.#outgoingBytes = 0;
          peer.#sendReset(this);
        }
        continue;
      }
      if (peer.#handler === undefined || (peer.#paused && segment.data !== undefined)) break;
      if (segment.data === undefined) {
        this.#outgoing.shift();
        if (link.tracing) link.record('tcp:fin');
        peer.#endReceived = true;
        peer.#handler[kWireEnd]();
        this.#finArrived();
        peer.#maybeClose();
      } else {
        // One chunk at a time: the peer may pause after any of them.
        const { data, offset } = segment;
        const end = Math.min(data.length, offset + segment.chunkSize);
        const piece = offset === 0 && end === data.length ? data : data.subarray(offset, end);
        if (end === data.length) this.#outgoing.shift();
        else segment.offset = end;
        this.#outgoingBytes -= piece.length;
        if (link.tracing) link.record('tcp:data', piece.length);
        peer.#handler[kWireData](piece);
      }
    }
    if (this.#needDrain && this.#outgoingBytes < this.#link.shaping.highWaterMark) {
      this.#needDrain = false;
      if (!this.#closed) this.#handler?.[kWireDrain]();
    }
  }

  #finArrived(): void {
    this.#finDelivered = true;
    for (const done of this.#shutdownWaiters.splice(0)) done();
    this.#maybeClose();
  }

  #maybeClose(): void {
    if (this.#closed) return;
    if (this.#finDelivered && (this.#closeRequested || this.#endReceived)) this.#markClosed();
  }

  #abort(): void {
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    if (this.#closed) return;
    const error = new GenericError('CONNECTION_RESET', `connection to ${this.#endpoint()} was reset by the peer`);
    this.#errored = true;
    const handler = this.#handler;
    if (handler !== undefined) queueMicrotask(() => handler[kWireError](error));
    for (const done of this.#shutdownWaiters.splice(0)) queueMicrotask(() => done(error));
    this.#markClosed();
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new GenericError('CONNECTION_CLOSED', `connection to ${this.#endpoint()} closed before its end could be sent`);
    if (!this.#finQueued || this.#errored) for (const done of this.#shutdownWaiters.splice(0)) queueMicrotask(() => done(error));
    this.#onClosed?.();
    // After the peer: it may hold a segment for us that must now reset it.
    if (this.#peer !== undefined) this.#peer.#scheduleFlush();
    if (this.#handler !== undefined) this.#emitClose();
  }

  #emitClose(): void {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    const handler = this.#handler!;
    queueMicrotask(() => handler[kWireClose]());
  }
}
