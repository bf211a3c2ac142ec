/**
 * The bytes of one encoded frame, in wire order: one Buffer (prefix or delimiter copied together
 * with a small payload), or two Buffers for a large payload, so that the payload is not copied and
 * the caller can write both parts corked (or with `writev`). Tell them apart with `Buffer.isBuffer`.
 *
 * @example
 * ```ts
 * const encoded: EncodedFrame = lengthPrefixed({ maxFrameBytes: 1 << 20 }).encode('hello');
 * const parts = Buffer.isBuffer(encoded) ? [encoded] : encoded;
 * ```
 */
export type EncodedFrame = Buffer | readonly [Buffer, Buffer];

/**
 * Options of {@link FrameCodec.decoder}.
 *
 * @example
 * ```ts
 * const decoder = codec.decoder({ endpoint: () => '127.0.0.1:61598' });
 * ```
 */
export interface FrameDecoderOptions {
  /**
   * Names the peer in error messages, so that a `FRAME_TOO_LARGE` says whose frame it was.
   * Called only when an error is made.
   */
  endpoint?: () => string;
}

/**
 * A way of cutting a byte stream into frames and of putting frames on it; made by `lines(...)` or
 * `lengthPrefixed(...)`. A codec holds only its settings: it may be shared by every connection of a
 * listener, each of which takes its own {@link FrameDecoder}.
 *
 * @example
 * ```ts
 * const codec: FrameCodec = lines({ maxFrameBytes: 1024 });
 * const decoder = codec.decoder();
 * decoder.push(Buffer.from('PING\nPO'));
 * decoder.next(); // <Buffer 50 49 4e 47> ('PING')
 * decoder.next(); // undefined: 'PO' is not a whole line yet
 * socket.write(codec.encode('PONG') as Buffer); // 'PONG\n' (small frames are one Buffer)
 * ```
 */
export interface FrameCodec {
  /** `'lines'` or `'lengthPrefixed'`: names the codec in error messages. */
  readonly name: string;
  /** Largest payload of one frame, in bytes (without its length prefix or delimiter). */
  readonly maxFrameBytes: number;
  /** A fresh decoder; one per connection, since it keeps the state of a partly received frame. */
  decoder(options?: FrameDecoderOptions): FrameDecoder;
  /**
   * The bytes of one frame on the wire (a string is sent as UTF-8). See {@link EncodedFrame}: payloads
   * up to 16 KiB come back as one new Buffer, larger ones as `[prefix, payload]` (lines:
   * `[payload, delimiter]`) with the payload not copied.
   *
   * Throws `FRAME_TOO_LARGE` if the payload is over `maxFrameBytes`; `lines`: `INVALID_ARGUMENT` if the
   * payload contains the delimiter, or ends with bytes that would run into it (either would make
   * the peer cut the frame elsewhere); `INVALID_ARGUMENT` if `frame` is not a Uint8Array or string.
   */
  encode(frame: Uint8Array | string): EncodedFrame;
}

/**
 * Turns a stream of chunks into frames, for one connection. Chunks go in with `push` as they
 * arrive; complete frames come out with `next` when the consumer is ready.
 *
 * Errors: a frame over `maxFrameBytes` makes `push` (or `end`) throw a `GenericError` with code
 * `FRAME_TOO_LARGE` as soon as it is known: from the length prefix, or for lines as soon as more
 * bytes arrived without a delimiter than a frame may have — before the frame is held whole. The
 * decoder has then failed: frames completed before the bad one can still be taken with `next`,
 * after them `next` throws that error on every call, and `push`/`end` throw it at once. So a
 * consumer sees every good frame in order, then the error, exactly where it happened in the
 * stream.
 *
 * @example
 * ```ts
 * const decoder = lengthPrefixed({ maxFrameBytes: 1024 }).decoder();
 * decoder.push(Buffer.from([0, 0, 0, 2, 0x68]));
 * decoder.next(); // undefined: 1 of 2 payload bytes
 * decoder.push(Buffer.from([0x69]));
 * decoder.next(); // <Buffer 68 69> ('hi')
 * ```
 */
export interface FrameDecoder {
  /**
   * Feeds bytes. Ownership passes to the decoder: frames may be views of `chunk`, so the caller must
   * not reuse it. Empty chunks are ignored. Throws `FRAME_TOO_LARGE` (see above); after `end()`,
   * throws `CONNECTION_CLOSED`; a chunk that is not a Uint8Array is `INVALID_ARGUMENT` (and changes
   * nothing).
   */
  push(chunk: Uint8Array): void;
  /**
   * The next complete frame, or `undefined` if none is complete yet (or, after `end()`, none is
   * left). A frame that arrived inside one chunk is a view of it (no copy); a frame spread over
   * several chunks is copied once into a new Buffer.
   */
  next(): Buffer | undefined;
  /**
   * Bytes held: complete frames not yet taken plus what has arrived of the frame being gathered
   * (its prefix bytes included). For backpressure: pause the source while it is high.
   */
  readonly bufferedBytes: number;
  /**
   * End of stream; calling it again does nothing. `lines`: a last line without a delimiter becomes a
   * frame for the following `next()` calls (as Node's readline does; an empty one does not).
   * `lengthPrefixed`: if the stream stopped inside a frame, throws `CONNECTION_CLOSED` ("the stream
   * ended inside a frame: n of m bytes"), and `next()` throws it after the frames before.
   */
  end(): void;
}
