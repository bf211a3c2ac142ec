import { Buffer } from 'node:buffer';
import { invalidArgument } from '../errors.js';
import type { EncodedFrame, FrameCodec, FrameDecoder, FrameDecoderOptions } from './codec.js';
import { EMPTY_FRAME, FrameDecoderBase } from './decoder-base.js';
import { endedInsideFrame, frameTooLarge, outgoingFrameTooLarge } from './frame-errors.js';
import { checkMaxFrameBytes, checkOptions, describe } from './options.js';
import { PartialFrame } from './partial-frame.js';
import { COPY_LIMIT, payloadBytes } from './payload.js';

/**
 * Size of the length prefix: 1, 2 or 4 bytes, or `'varint'`: unsigned LEB128 as in Protocol
 * Buffers (groups of 7 bits, least significant first, the high bit set on every byte but the last).
 *
 * @example
 * ```ts
 * const size: LengthBytes = 'varint';
 * ```
 */
export type LengthBytes = 1 | 2 | 4 | 'varint';

/**
 * Options of {@link lengthPrefixed}.
 *
 * @example
 * ```ts
 * const options: LengthPrefixedOptions = { maxFrameBytes: 65535, lengthBytes: 2, endian: 'little' };
 * ```
 */
export interface LengthPrefixedOptions {
  /**
   * Largest payload, in bytes (the prefix not counted). Mandatory: an integer from 1 to 2**31 - 1,
   * and at most 255 with a 1-byte prefix, 65535 with a 2-byte one.
   */
  maxFrameBytes: number;
  /** Size of the length prefix. Default 4. */
  lengthBytes?: LengthBytes;
  /** Byte order of a 2- or 4-byte prefix. Default `'big'` (network order). */
  endian?: 'big' | 'little';
}

const NAME = 'lengthPrefixed';
const OPTIONS = ['maxFrameBytes', 'lengthBytes', 'endian'] as const;
const FIXED_LIMIT = { 1: 0xff, 2: 0xffff, 4: 0xffff_ffff } as const;

/**
 * A {@link FrameCodec} of length-prefixed frames: each frame is its payload's length (1, 2 or 4 bytes
 * in the given byte order, or a varint), then the payload. Zero-length frames are valid.
 *
 * A frame is refused with `FRAME_TOO_LARGE` as soon as its prefix is read, before any payload byte
 * is taken: when the length is over `maxFrameBytes`, or a varint runs longer than the bytes needed
 * to state `maxFrameBytes`. At end of stream, a frame cut short is `CONNECTION_CLOSED`.
 *
 * Bad options are `INVALID_ARGUMENT` naming the option.
 *
 * @example
 * ```ts
 * const codec = lengthPrefixed({ maxFrameBytes: 1 << 20, lengthBytes: 'varint' });
 * codec.encode('hi'); // <Buffer 02 68 69>
 * const decoder = codec.decoder();
 * decoder.push(Buffer.from([0x02, 0x68]));
 * decoder.push(Buffer.from([0x69, 0x00]));
 * decoder.next()?.toString(); // 'hi'
 * decoder.next(); // <Buffer > (an empty frame)
 * ```
 */
export function lengthPrefixed(options: LengthPrefixedOptions): FrameCodec {
  const record = checkOptions(options, NAME, OPTIONS);
  const maxFrameBytes = checkMaxFrameBytes(record.maxFrameBytes, NAME);
  const lengthBytes = record.lengthBytes ?? 4;
  if (lengthBytes !== 1 && lengthBytes !== 2 && lengthBytes !== 4 && lengthBytes !== 'varint') {
    throw invalidArgument(`lengthPrefixed() option lengthBytes must be 1, 2, 4 or 'varint', got ${describe(lengthBytes)}`);
  }
  const endian = record.endian ?? 'big';
  if (endian !== 'big' && endian !== 'little') {
    throw invalidArgument(`lengthPrefixed() option endian must be 'big' or 'little', got ${describe(endian)}`);
  }
  if (lengthBytes !== 'varint' && maxFrameBytes > FIXED_LIMIT[lengthBytes]) {
    throw invalidArgument(
      `lengthPrefixed() option maxFrameBytes must be at most ${FIXED_LIMIT[lengthBytes]} with lengthBytes ${lengthBytes} (the largest length its prefix can state), got ${maxFrameBytes}`,
    );
  }
  return new LengthPrefixedCodec(maxFrameBytes, lengthBytes, endian === 'little');
}

/**
 * Bytes of the varint of `value` (a non-negative integer below 2**35).
 *
 * @example
 * ```ts
 * varintSize(127); // 1
 * varintSize(128); // 2
 * ```
 */
export function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** The codec made by {@link lengthPrefixed}: its settings, shared by every decoder it makes. */
class LengthPrefixedCodec implements FrameCodec {
  readonly name = NAME;
  readonly maxFrameBytes: number;
  readonly #lengthBytes: LengthBytes;
  readonly #littleEndian: boolean;
  // Longest prefix a valid frame can have: a varint longer than this states too much.
  readonly #maxPrefix: number;

  constructor(maxFrameBytes: number, lengthBytes: LengthBytes, littleEndian: boolean) {
    this.maxFrameBytes = maxFrameBytes;
    this.#lengthBytes = lengthBytes;
    this.#littleEndian = littleEndian;
    this.#maxPrefix = lengthBytes === 'varint' ? varintSize(maxFrameBytes) : lengthBytes;
  }

  decoder(options?: FrameDecoderOptions): FrameDecoder {
    return new LengthPrefixedDecoder(this.maxFrameBytes, this.#lengthBytes === 'varint' ? 0 : this.#lengthBytes, this.#littleEndian, this.#maxPrefix, options);
  }

  encode(frame: Uint8Array | string): EncodedFrame {
    const payload = typeof frame === 'string' ? undefined : payloadBytes(frame, NAME);
    const size = payload === undefined ? Buffer.byteLength(frame, 'utf8') : payload.length;
    if (size > this.maxFrameBytes) throw outgoingFrameTooLarge(NAME, this.maxFrameBytes, size);
    const prefixSize = this.#lengthBytes === 'varint' ? varintSize(size) : this.#lengthBytes;
    if (size <= COPY_LIMIT) {
      const out = Buffer.allocUnsafe(prefixSize + size);
      this.#writePrefix(out, size, prefixSize);
      if (payload === undefined) out.write(frame as string, prefixSize, size, 'utf8');
      else payload.copy(out, prefixSize);
      return out;
    }
    const prefix = Buffer.allocUnsafe(prefixSize);
    this.#writePrefix(prefix, size, prefixSize);
    return [prefix, payload ?? Buffer.from(frame as string, 'utf8')];
  }

  #writePrefix(out: Buffer, size: number, prefixSize: number): void {
    switch (this.#lengthBytes) {
      case 1:
        out[0] = size;
        return;
      case 2:
        if (this.#littleEndian) out.writeUInt16LE(size, 0);
        else out.writeUInt16BE(size, 0);
        return;
      case 4:
        if (this.#littleEndian) out.writeUInt32LE(size, 0);
        else out.writeUInt32BE(size, 0);
        return;
      case 'varint': {
        let rest = size;
        for (let i = 0; i < prefixSize - 1; i++) {
          out[i] = (rest & 0x7f) | 0x80;
          rest >>>= 7;
        }
        out[prefixSize - 1] = rest;
        return;
      }
    }
  }
}

/** Which part of a frame the decoder is reading. */
type Phase = 'prefix' | 'payload';

/**
 * Cuts length-prefixed frames out of chunks. The prefix is read byte by byte into a number (it may
 * be split across chunks); the payload is a view of its chunk when it lies in one, else its pieces
 * are kept in a {@link PartialFrame} and copied together once, when the last one arrives. Nothing is allocated for a frame
 * before its bytes are here, so a peer that states a large length gains nothing by it.
 */
class LengthPrefixedDecoder extends FrameDecoderBase {
  readonly #max: number;
  // 1, 2 or 4; 0 for a varint.
  readonly #fixedBytes: number;
  readonly #littleEndian: boolean;
  readonly #maxPrefix: number;
  #phase: Phase = 'prefix';
  #prefixRead = 0;
  #length = 0;
  // Weight of the next prefix byte (little-endian and varint prefixes fill from the low end).
  #scale = 1;
  readonly #payload: PartialFrame;

  constructor(maxFrameBytes: number, fixedBytes: number, littleEndian: boolean, maxPrefix: number, options: FrameDecoderOptions | undefined) {
    super(NAME, options);
    this.#max = maxFrameBytes;
    this.#fixedBytes = fixedBytes;
    this.#littleEndian = littleEndian;
    this.#maxPrefix = maxPrefix;
    this.#payload = new PartialFrame(maxFrameBytes);
  }

  protected get partialBytes(): number {
    return this.#prefixRead + this.#payload.length;
  }

  protected decode(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#phase === 'prefix') {
        pos = this.#readPrefix(chunk, pos);
        if (this.#phase === 'prefix') return;
        if (this.#length === 0) {
          this.emit(EMPTY_FRAME);
          this.discard();
          continue;
        }
      }
      const payload = this.#payload;
      const need = this.#length - payload.length;
      const available = chunk.length - pos;
      if (payload.length === 0 && available >= need) {
        this.emit(chunk.subarray(pos, pos + need));
        this.discard();
        pos += need;
        continue;
      }
      const count = Math.min(need, available);
      payload.append(pos === 0 && count === chunk.length ? chunk : chunk.subarray(pos, pos + count));
      pos += count;
      if (payload.length === this.#length) {
        const frame = payload.take(this.#length, undefined);
        this.discard();
        this.emit(frame);
      }
    }
  }

  protected finish(): void {
    if (this.#phase === 'payload') {
      throw endedInsideFrame(NAME, `${this.#payload.length} of ${this.#length} bytes`, this.endpoint);
    }
    if (this.#prefixRead > 0) {
      const of = this.#fixedBytes === 0 ? 'a varint length prefix' : `the ${this.#fixedBytes}-byte length prefix`;
      throw endedInsideFrame(NAME, `${this.#prefixRead} byte(s) of ${of}`, this.endpoint);
    }
  }

  protected discard(): void {
    this.#phase = 'prefix';
    this.#prefixRead = 0;
    this.#length = 0;
    this.#scale = 1;
    this.#payload.clear();
  }

  // Reads prefix bytes from `pos`; returns where it stopped. Moves to 'payload' once the length is known.
  #readPrefix(chunk: Buffer, pos: number): number {
    const fixed = this.#fixedBytes;
    while (pos < chunk.length) {
      const byte = chunk[pos++]!;
      this.#prefixRead++;
      if (fixed === 0) {
        this.#length += (byte & 0x7f) * this.#scale;
        this.#scale *= 0x80;
        if (byte < 0x80) {
          if (this.#length > this.#max) throw this.#tooLarge(`its length prefix states ${this.#length} bytes`);
          this.#phase = 'payload';
          return pos;
        }
        // Before its last allowed byte a varint cannot state more than the limit (#maxPrefix is the
        // fewest bytes that can), so only its length needs checking until it ends.
        if (this.#prefixRead === this.#maxPrefix) {
          throw this.#tooLarge(`its varint length prefix runs past ${this.#maxPrefix} byte(s)`);
        }
      } else {
        if (this.#littleEndian) {
          this.#length += byte * this.#scale;
          this.#scale *= 0x100;
        } else {
          this.#length = this.#length * 0x100 + byte;
        }
        if (this.#prefixRead === fixed) {
          if (this.#length > this.#max) throw this.#tooLarge(`its length prefix states ${this.#length} bytes`);
          this.#phase = 'payload';
          return pos;
        }
      }
    }
    return pos;
  }

  #tooLarge(detail: string): Error {
    return frameTooLarge(NAME, this.#max, detail, this.endpoint);
  }
}
