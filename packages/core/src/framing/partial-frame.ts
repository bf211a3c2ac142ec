import { Buffer } from 'node:buffer';
/** Pieces shorter than this are copied together instead of being kept as views of their chunks. */
const COALESCE_BELOW = 512;
/** Size of the buffer small pieces are copied into (or the frame limit, if smaller). */
const SPARE_BYTES = 4096;

/**
 * The bytes of a frame that has not arrived whole: a list of pieces, copied into one Buffer only
 * when the frame is complete. Large pieces are kept as views of their chunks (no copy); small ones
 * are copied into a spare buffer, so that a peer sending one byte per packet cannot make the
 * decoder keep one Buffer object per byte: memory stays close to the bytes counted.
 *
 * @example
 * ```ts
 * const partial = new PartialFrame(1024);
 * partial.append(Buffer.from('hel'));
 * partial.append(Buffer.from('lo'));
 * partial.take(5, undefined); // <Buffer 'hello'>
 * ```
 */
export class PartialFrame {
  readonly #spareSize: number;
  #parts: Buffer[] = [];
  #length = 0;
  #spare: Buffer | undefined;
  #spareUsed = 0;
  // Whether the last part is a view of the spare ending at #spareUsed, which a small piece extends.
  #lastInSpare = false;
  #lastStart = 0;

  /** `maxBytes`: the most a frame can hold, which bounds the spare buffer. */
  constructor(maxBytes: number) {
    this.#spareSize = Math.min(SPARE_BYTES, maxBytes);
  }

  /** Bytes held. */
  get length(): number {
    return this.#length;
  }

  /** Adds a piece. It becomes the partial frame's (the caller must not change it). */
  append(piece: Buffer): void {
    this.#length += piece.length;
    if (piece.length >= COALESCE_BELOW) {
      this.#parts.push(piece);
      this.#lastInSpare = false;
      return;
    }
    let spare = this.#spare;
    if (spare === undefined || spare.length - this.#spareUsed < piece.length) {
      spare = this.#spare = Buffer.allocUnsafe(Math.max(this.#spareSize, piece.length));
      this.#spareUsed = 0;
      this.#lastInSpare = false;
    }
    piece.copy(spare, this.#spareUsed);
    const end = this.#spareUsed + piece.length;
    if (this.#lastInSpare) {
      this.#parts[this.#parts.length - 1] = spare.subarray(this.#lastStart, end);
    } else {
      this.#lastStart = this.#spareUsed;
      this.#parts.push(spare.subarray(this.#spareUsed, end));
      this.#lastInSpare = true;
    }
    // Frames already taken may be views of the spare before this point; it is only ever appended to.
    this.#spareUsed = end;
  }

  /**
   * The first `length` bytes held, followed by `extra`, as one Buffer (a view when they lie in one
   * piece, else one copy); then forgets everything held.
   */
  take(length: number, extra: Buffer | undefined): Buffer {
    const frame = gather(this.#parts, length, extra);
    this.clear();
    return frame;
  }

  /** Copies the last `count` bytes held into `target` at 0 (`count` at most `length`). */
  copyTail(target: Buffer, count: number): void {
    let end = count;
    for (let i = this.#parts.length - 1; end > 0; i--) {
      const part = this.#parts[i]!;
      const n = Math.min(end, part.length);
      part.copy(target, end - n, part.length - n);
      end -= n;
    }
  }

  /** Forgets everything held. */
  clear(): void {
    if (this.#length === 0) return;
    this.#parts = [];
    this.#length = 0;
    this.#lastInSpare = false;
  }
}

const EMPTY = Buffer.alloc(0);

// The first `length` bytes of `parts`, then `extra`: a view when that is all one piece, else a copy.
function gather(parts: readonly Buffer[], length: number, extra: Buffer | undefined): Buffer {
  const extraLength = extra === undefined ? 0 : extra.length;
  const first = parts[0];
  if (first === undefined || length === 0) return extra ?? EMPTY;
  if (extraLength === 0 && first.length >= length) return length === first.length ? first : first.subarray(0, length);
  const out = Buffer.allocUnsafe(length + extraLength);
  let filled = 0;
  for (let i = 0; filled < length; i++) {
    const part = parts[i]!;
    const count = Math.min(part.length, length - filled);
    part.copy(out, filled, 0, count);
    filled += count;
  }
  if (extra !== undefined) extra.copy(out, filled);
  return out;
}
