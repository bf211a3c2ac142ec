import { createHash } from 'node:crypto';

/**
 * Deterministic bytes for load tests: the same `(seed, length)` always gives the same bytes, and
 * different seeds give different bytes, so both ends can check what arrived without shipping it.
 *
 * @example
 * ```ts
 * const payload = pattern(42, 1000);
 * ```
 */
export function pattern(seed: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  // xorshift32: cheap, and good enough that a misplaced or repeated chunk shows up in a checksum.
  let x = (seed * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes.writeUInt32LE(x, i);
  }
  for (; i < length; i++) bytes[i] = (seed + i) & 0xff;
  return bytes;
}

/**
 * Hex sha256 of some bytes.
 *
 * @example
 * ```ts
 * sha256(Buffer.from('abc')); // 'ba7816bf…'
 * ```
 */
export function sha256(...parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/**
 * A stream of `total` deterministic bytes cut into `chunkSize` pieces, with its running sha256:
 * what a sender pushes and what the receiver must see, byte for byte.
 *
 * @example
 * ```ts
 * const stream = new PatternStream(7, 1 << 20, 64 * 1024);
 * for (let chunk = stream.next(); chunk; chunk = stream.next()) await client.write(chunk);
 * stream.digest(); // compare with the receiver's sha256
 * ```
 */
export class PatternStream {
  readonly #hash = createHash('sha256');
  readonly #blocks: Buffer[];
  readonly #total: number;
  #offset = 0;

  constructor(seed: number, total: number, chunkSize: number) {
    this.#total = total;
    // A handful of distinct blocks, cycled: generating 1 GiB of fresh pattern would cost more than sending it.
    this.#blocks = Array.from({ length: 7 }, (_, i) => pattern(seed * 31 + i, chunkSize));
  }

  get sent(): number {
    return this.#offset;
  }

  /** The next chunk (hashed as it goes out), or undefined when all `total` bytes were handed out. */
  next(): Buffer | undefined {
    if (this.#offset >= this.#total) return undefined;
    const block = this.#blocks[(this.#offset / this.#blocks[0]!.length) % this.#blocks.length | 0]!;
    const chunk = block.subarray(0, Math.min(block.length, this.#total - this.#offset));
    this.#offset += chunk.length;
    this.#hash.update(chunk);
    return chunk;
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}
