import { Buffer } from 'node:buffer';
import { invalidArgument } from '../errors.js';
import type { EncodedFrame, FrameCodec, FrameDecoder, FrameDecoderOptions } from './codec.js';
import { FrameDecoderBase } from './decoder-base.js';
import { frameTooLarge, outgoingFrameTooLarge } from './frame-errors.js';
import { checkMaxFrameBytes, checkOptions, describe } from './options.js';
import { PartialFrame } from './partial-frame.js';
import { COPY_LIMIT, payloadBytes } from './payload.js';

/**
 * Options of {@link lines}.
 *
 * @example
 * ```ts
 * const options: LinesOptions = { maxFrameBytes: 8192, delimiter: '\r\n' };
 * ```
 */
export interface LinesOptions {
  /** Largest line, in bytes, without its delimiter. Mandatory: an integer from 1 to 2**31 - 1. */
  maxFrameBytes: number;
  /** What ends a line: a string (as UTF-8) or bytes, 1 to 256 bytes long. Default `'\n'`. */
  delimiter?: string | Uint8Array;
}

const NAME = 'lines';
const OPTIONS = ['maxFrameBytes', 'delimiter'] as const;
/**
 * Longest delimiter accepted. A delimiter that may start in one chunk and end in the next is looked
 * for in a window of twice its length on every chunk; a bound keeps that work small.
 */
const MAX_DELIMITER_BYTES = 256;

/**
 * A {@link FrameCodec} of delimited lines: each frame is its bytes followed by the delimiter (default
 * `'\n'`; multi-byte ones such as `'\r\n'` may be split across chunks). Frames do not include the
 * delimiter, and `maxFrameBytes` counts a frame without it. At end of stream a last line without a
 * delimiter is still a frame, as with Node's readline.
 *
 * A line is refused with `FRAME_TOO_LARGE` as soon as `maxFrameBytes` + the delimiter's length bytes
 * arrived without a delimiter (for `'\n'`: as soon as more than `maxFrameBytes`), so a peer that
 * never sends one cannot make the decoder hold more than that.
 *
 * Bad options are `INVALID_ARGUMENT` naming the option.
 *
 * @example
 * ```ts
 * const codec = lines({ maxFrameBytes: 1024, delimiter: '\r\n' });
 * const decoder = codec.decoder();
 * decoder.push(Buffer.from('USER bob\r'));
 * decoder.push(Buffer.from('\nPASS'));
 * decoder.next()?.toString(); // 'USER bob'
 * decoder.end();
 * decoder.next()?.toString(); // 'PASS'
 * codec.encode('QUIT'); // <Buffer 'QUIT\r\n'>
 * ```
 */
export function lines(options: LinesOptions): FrameCodec {
  const record = checkOptions(options, NAME, OPTIONS);
  const maxFrameBytes = checkMaxFrameBytes(record.maxFrameBytes, NAME);
  return new LinesCodec(maxFrameBytes, checkDelimiter(record.delimiter));
}

function checkDelimiter(value: unknown): Buffer {
  if (value === undefined) return Buffer.from('\n');
  let bytes: Buffer;
  // A copy: the caller's Uint8Array could change under the codec later.
  if (typeof value === 'string') bytes = Buffer.from(value, 'utf8');
  else if (value instanceof Uint8Array) bytes = Buffer.from(value);
  else throw invalidArgument(`lines() option delimiter must be a string or a Uint8Array, got ${describe(value)}`);
  if (bytes.length === 0 || bytes.length > MAX_DELIMITER_BYTES) {
    throw invalidArgument(`lines() option delimiter must be 1 to ${MAX_DELIMITER_BYTES} bytes long, got ${bytes.length}`);
  }
  return bytes;
}

function show(delimiter: Buffer): string {
  const text = delimiter.toString('utf8');
  return Buffer.from(text, 'utf8').equals(delimiter) ? JSON.stringify(text) : `<${delimiter.toString('hex')}>`;
}

/** The codec made by {@link lines}: its settings, shared by every decoder it makes. */
class LinesCodec implements FrameCodec {
  readonly name = NAME;
  readonly maxFrameBytes: number;
  readonly #delimiter: Buffer;

  constructor(maxFrameBytes: number, delimiter: Buffer) {
    this.maxFrameBytes = maxFrameBytes;
    this.#delimiter = delimiter;
  }

  decoder(options?: FrameDecoderOptions): FrameDecoder {
    return new LinesDecoder(this.maxFrameBytes, this.#delimiter, options);
  }

  encode(frame: Uint8Array | string): EncodedFrame {
    const delimiter = this.#delimiter;
    const payload = typeof frame === 'string' ? undefined : payloadBytes(frame, NAME);
    const size = payload === undefined ? Buffer.byteLength(frame, 'utf8') : payload.length;
    if (size > this.maxFrameBytes) throw outgoingFrameTooLarge(NAME, this.maxFrameBytes, size);
    if (size <= COPY_LIMIT) {
      const out = Buffer.allocUnsafe(size + delimiter.length);
      if (payload === undefined) out.write(frame as string, 0, size, 'utf8');
      else payload.copy(out, 0);
      delimiter.copy(out, size);
      // On the whole wire form one search finds a delimiter inside the payload and one that a
      // payload's last bytes would start early, before the real one.
      const found = delimiter.length === 1 ? out.indexOf(delimiter[0]!) : out.indexOf(delimiter);
      if (found !== size) throw this.#splitAt(found);
      return out;
    }
    const bytes = payload ?? Buffer.from(frame as string, 'utf8');
    const found = firstDelimiter(bytes, delimiter);
    if (found !== -1) throw this.#splitAt(found);
    // A copy of the delimiter, so that a caller who changes what it was given cannot change the codec.
    return [bytes, Buffer.from(delimiter)];
  }

  #splitAt(index: number): Error {
    return invalidArgument(
      `a lines frame must not contain its delimiter ${show(this.#delimiter)}: one starts at byte ${index}, where the peer would cut the frame`,
    );
  }
}

/**
 * Where the first delimiter starts in `payload` followed by `delimiter`, if before the appended
 * one; else -1. Looks at the payload and a window of its last bytes, never copying the payload.
 */
function firstDelimiter(payload: Buffer, delimiter: Buffer): number {
  const inside = payload.indexOf(delimiter);
  if (inside !== -1 || delimiter.length === 1) return inside;
  const tail = Math.min(delimiter.length - 1, payload.length);
  const window = Buffer.concat([payload.subarray(payload.length - tail), delimiter]);
  const found = window.indexOf(delimiter);
  return found < tail ? payload.length - tail + found : -1;
}

/**
 * Cuts lines out of chunks. The partial line is a {@link PartialFrame}, copied together only when the
 * line is complete. It never contains a whole delimiter, so each chunk is searched once: a
 * delimiter is either inside the new chunk or starts in the last `delimiter.length - 1` bytes held
 * and ends in the new chunk, which a small window checks. That keeps a line that arrives one byte
 * at a time linear.
 */
class LinesDecoder extends FrameDecoderBase {
  readonly #max: number;
  readonly #delimiter: Buffer;
  // Room for `delimiter.length - 1` held bytes and as many new ones; absent for one-byte delimiters.
  readonly #window: Buffer | undefined;
  readonly #partial: PartialFrame;
  // Delimiters of one or two bytes are searched by their first byte, which Buffer#indexOf finds
  // several times faster given as a number; -1 when the delimiter is longer, or has no second byte.
  readonly #first: number;
  readonly #second: number;

  constructor(maxFrameBytes: number, delimiter: Buffer, options: FrameDecoderOptions | undefined) {
    super(NAME, options);
    this.#max = maxFrameBytes;
    this.#delimiter = delimiter;
    this.#first = delimiter.length <= 2 ? delimiter[0]! : -1;
    this.#second = delimiter.length === 2 ? delimiter[1]! : -1;
    this.#window = delimiter.length > 1 ? Buffer.allocUnsafe(2 * (delimiter.length - 1)) : undefined;
    this.#partial = new PartialFrame(maxFrameBytes + delimiter.length);
  }

  protected get partialBytes(): number {
    return this.#partial.length;
  }

  protected decode(chunk: Buffer): void {
    const delimiter = this.#delimiter;
    let pos = 0;
    if (this.#partial.length > 0) {
      const held = this.#delimiterStartedInPartial(chunk);
      if (held > 0) {
        this.#completeLine(this.#partial.length - held, undefined);
        pos = delimiter.length - held;
      } else {
        const end = this.#find(chunk, 0);
        if (end === -1) {
          this.#hold(chunk);
          return;
        }
        this.#completeLine(this.#partial.length, chunk.subarray(0, end));
        pos = end + delimiter.length;
      }
    }
    // Nothing is held here: every line inside the chunk is a view of it.
    while (pos < chunk.length) {
      const end = this.#find(chunk, pos);
      if (end === -1) {
        this.#hold(pos === 0 ? chunk : chunk.subarray(pos));
        return;
      }
      if (end - pos > this.#max) throw this.#tooLarge(`a line of ${end - pos} bytes arrived`);
      this.emit(chunk.subarray(pos, end));
      pos = end + delimiter.length;
    }
  }

  protected finish(): void {
    const length = this.#partial.length;
    if (length === 0) return;
    if (length > this.#max) throw this.#tooLarge(`the last line, ended by the end of the stream, has ${length} bytes`);
    this.emit(this.#partial.take(length, undefined));
  }

  protected discard(): void {
    this.#partial.clear();
  }

  // Where the first delimiter wholly inside `chunk` at or after `from` starts, or -1.
  #find(chunk: Buffer, from: number): number {
    const first = this.#first;
    if (first === -1) return chunk.indexOf(this.#delimiter, from);
    for (let at = chunk.indexOf(first, from); at !== -1; at = chunk.indexOf(first, at + 1)) {
      if (this.#second === -1) return at;
      // A first byte at the very end may start a delimiter the next chunk ends; the window finds that.
      if (at + 1 === chunk.length) return -1;
      if (chunk[at + 1] === this.#second) return at;
    }
    return -1;
  }

  // Bytes of the held line that are the start of a delimiter this chunk completes; 0 if none.
  #delimiterStartedInPartial(chunk: Buffer): number {
    const window = this.#window;
    if (window === undefined) return 0;
    const tail = Math.min(window.length / 2, this.#partial.length);
    const head = Math.min(window.length / 2, chunk.length);
    this.#partial.copyTail(window, tail);
    chunk.copy(window, tail, 0, head);
    const found = window.subarray(0, tail + head).indexOf(this.#delimiter);
    return found !== -1 && found < tail ? tail - found : 0;
  }

  #completeLine(heldBytes: number, rest: Buffer | undefined): void {
    const length = heldBytes + (rest === undefined ? 0 : rest.length);
    if (length > this.#max) throw this.#tooLarge(`a line of ${length} bytes arrived`);
    this.emit(this.#partial.take(heldBytes, rest));
  }

  #hold(part: Buffer): void {
    const length = this.#partial.length + part.length;
    // A line of at most max bytes has its delimiter start at byte max or before, so it is complete
    // once max + delimiter.length bytes are in; held bytes never contain a whole delimiter.
    if (length >= this.#max + this.#delimiter.length) throw this.#tooLarge(`${length} bytes arrived without a delimiter`);
    this.#partial.append(part);
  }

  #tooLarge(detail: string): Error {
    return frameTooLarge(NAME, this.#max, detail, this.endpoint);
  }
}
