import { Buffer } from 'node:buffer';
import { invalidArgument } from '../errors.js';
import type { Caller, ReadOptions, WriteOptions } from '../service.js';
import { kWritev } from '../stream/symbols.js';
import type { FrameCodec, FrameDecoder } from './codec.js';
import { isFrameCodec } from './is-codec.js';

/**
 * Frames over a connection: what `framed(connection, codec)` gives.
 *
 * @example
 * ```ts
 * const rpc = framed(client, lengthPrefixed({ maxFrameBytes: 1 << 20 }));
 * await rpc.writeFrame('{"op":"ping"}');
 * const reply = await rpc.readFrame();
 * ```
 */
export interface Framed extends AsyncIterable<Buffer> {
  /**
   * The next frame, or `undefined` at end of stream. Rejects `FRAME_TOO_LARGE` (and closes the
   * connection) for a frame over `maxFrameBytes`, before it is held whole; `READ_TIMED_OUT` when no
   * byte arrives within the read time-out (nothing is lost: the next call goes on where it was).
   * Concurrent calls are served in order.
   */
  readFrame(options?: ReadOptions): Promise<Buffer | undefined>;
  /** Writes one frame (its prefix or delimiter and payload as one write). Resolves once written. */
  writeFrame(data: Uint8Array | string, options?: WriteOptions): Promise<void>;
}

interface WritevCapable {
  [kWritev]?(chunks: readonly Buffer[], length: number, options?: WriteOptions): Promise<number>;
}

class FramedConnection implements Framed {
  readonly #connection: Caller & WritevCapable;
  readonly #codec: FrameCodec;
  readonly #decoder: FrameDecoder;
  #ended = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(connection: Caller, codec: FrameCodec) {
    this.#connection = connection;
    this.#codec = codec;
    this.#decoder = codec.decoder({ endpoint: () => `${connection.remoteAddress}:${connection.remotePort}` });
  }

  readFrame(options?: ReadOptions): Promise<Buffer | undefined> {
    const next = this.#queue.then(() => this.#read(options));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #read(options: ReadOptions | undefined): Promise<Buffer | undefined> {
    for (;;) {
      let frame: Buffer | undefined;
      try {
        frame = this.#decoder.next();
      } catch (error) {
        // A frame too large (or cut short): only this connection is affected, and it closes.
        void this.#connection.close();
        throw error;
      }
      if (frame !== undefined) return frame;
      if (this.#ended) return undefined;
      const chunk = await this.#connection.read(undefined, options);
      if (chunk.length === 0) {
        this.#ended = true;
        try {
          this.#decoder.end();
        } catch {
          // next() throws it after the frames before.
        }
      } else {
        try {
          this.#decoder.push(chunk);
        } catch {
          // next() hands over the frames before the bad one, then throws.
        }
      }
    }
  }

  async writeFrame(data: Uint8Array | string, options?: WriteOptions): Promise<void> {
    const encoded = this.#codec.encode(data);
    if (Buffer.isBuffer(encoded)) {
      await this.#connection.write(encoded, options);
      return;
    }
    const writev = this.#connection[kWritev];
    if (writev !== undefined) await writev.call(this.#connection, encoded, encoded[0].length + encoded[1].length, options);
    else await this.#connection.write(Buffer.concat(encoded), options);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let frame = await this.readFrame(); frame !== undefined; frame = await this.readFrame()) yield frame;
  }
}

/**
 * Frames over any connection that can `read()` (a `Client`, a listener's `Caller` in pull style or
 * in `onConnect`, the test kit's connections): `readFrame()`, `writeFrame()` and `for await`.
 * Leaving a loop early does not close the connection.
 *
 * @example
 * ```ts
 * const chat = framed(caller, lines({ maxFrameBytes: 8192 }));
 * for await (const line of chat) await chat.writeFrame(`echo: ${line}`);
 * ```
 */
export function framed(connection: Caller, codec: FrameCodec): Framed {
  if (typeof connection !== 'object' || connection === null || typeof connection.read !== 'function' || typeof connection.write !== 'function') {
    throw invalidArgument('framed() needs a connection with read() and write()');
  }
  if (!isFrameCodec(codec)) throw invalidArgument('framed() needs a codec made by lines() or lengthPrefixed()');
  return new FramedConnection(connection, codec);
}
