import { Buffer } from 'node:buffer';
import { GenericError } from '../errors.js';
import { emptyArray } from '../util/empty-array.js';
import type { FrameDecoder, FrameDecoderOptions } from './codec.js';
import { wrongType, pushAfterEnd } from './frame-errors.js';
import { describe } from './options.js';

/** Where a decoder is: taking bytes, past `end()`, or stopped by an error it keeps reporting. */
type DecoderState = 'open' | 'ended' | 'failed';

/** The empty frame, shared: a zero-length Buffer has no bytes anyone could change. */
export const EMPTY_FRAME = Buffer.alloc(0);

/**
 * What every {@link FrameDecoder} shares: the queue of complete frames, the lifecycle
 * (open → ended | failed) and the rule that an error comes out of `next()` only after the frames
 * that arrived before it. Subclasses only cut bytes into frames (`decode`, `finish`) and call
 * `emit` for each one.
 *
 * @example
 * ```ts
 * class EveryByte extends FrameDecoderBase {
 *   constructor() { super('everyByte', undefined); }
 *   protected decode(chunk: Buffer): void { for (let i = 0; i < chunk.length; i++) this.emit(chunk.subarray(i, i + 1)); }
 *   protected finish(): void {}
 *   protected discard(): void {}
 *   protected get partialBytes(): number { return 0; }
 * }
 * ```
 */
export abstract class FrameDecoderBase implements FrameDecoder {
  /** The codec's name, for messages. */
  protected readonly codec: string;
  /** Names the peer in messages; undefined when the owner gave none. */
  protected readonly endpoint: (() => string) | undefined;
  #frames: Buffer[] = [];
  #head = 0;
  #queuedBytes = 0;
  #state: DecoderState = 'open';
  #error: GenericError | undefined;

  protected constructor(codec: string, options: FrameDecoderOptions | undefined) {
    this.codec = codec;
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null) throw wrongType('decoder options', 'an object', describe(options));
      if (options.endpoint !== undefined && typeof options.endpoint !== 'function') {
        throw wrongType('decoder option endpoint', 'a function', describe(options.endpoint));
      }
    }
    this.endpoint = options?.endpoint;
  }

  get bufferedBytes(): number {
    return this.#queuedBytes + this.partialBytes;
  }

  push(chunk: Uint8Array): void {
    if (this.#state !== 'open') throw this.#error ?? pushAfterEnd(this.codec);
    let buffer: Buffer;
    if (Buffer.isBuffer(chunk)) buffer = chunk;
    else if (chunk instanceof Uint8Array) buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else throw wrongType(`a chunk pushed into a ${this.codec} decoder`, 'a Uint8Array or Buffer', describe(chunk));
    if (buffer.length === 0) return;
    try {
      this.decode(buffer);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  next(): Buffer | undefined {
    const frames = this.#frames;
    if (this.#head < frames.length) {
      const frame = frames[this.#head]!;
      // Let the frame (and the chunk it may be a view of) be collected once the consumer drops it.
      frames[this.#head++] = EMPTY_FRAME;
      this.#queuedBytes -= frame.length;
      if (this.#head === frames.length) {
        emptyArray(frames);
        this.#head = 0;
      } else if (this.#head > 1024 && this.#head * 2 > frames.length) {
        this.#frames = frames.slice(this.#head);
        this.#head = 0;
      }
      return frame;
    }
    if (this.#error !== undefined) throw this.#error;
    return undefined;
  }

  end(): void {
    if (this.#state === 'ended') return;
    if (this.#error !== undefined) throw this.#error;
    try {
      this.finish();
    } catch (error) {
      throw this.#fail(error);
    }
    this.#state = 'ended';
  }

  /** Queues a complete frame for `next()`. */
  protected emit(frame: Buffer): void {
    this.#frames.push(frame);
    this.#queuedBytes += frame.length;
  }

  /** Cuts frames out of a non-empty chunk; throws a GenericError when the stream is bad. */
  protected abstract decode(chunk: Buffer): void;
  /** End of stream: emits or refuses what is left of the partial frame. */
  protected abstract finish(): void;
  /** Forgets the partial frame: after an error it will never complete. */
  protected abstract discard(): void;
  /** Bytes of the frame being gathered. */
  protected abstract get partialBytes(): number;

  #fail(error: unknown): GenericError {
    // Anything but our own GenericError is a defect of the decoder; it still must not leave the
    // decoder half-updated, so it is kept and reported like a bad stream.
    const failure =
      error instanceof GenericError
        ? error
        : new GenericError('GENERIC', `${this.codec} decoder failed: ${error instanceof Error ? error.message : String(error)}`, error);
    this.#state = 'failed';
    this.#error = failure;
    this.discard();
    return failure;
  }
}
