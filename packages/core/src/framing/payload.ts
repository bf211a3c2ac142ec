import { Buffer } from 'node:buffer';
import { wrongType } from './frame-errors.js';
import { describe } from './options.js';

/**
 * Largest payload that `encode` copies together with its prefix or delimiter into one Buffer.
 * Below it one small copy beats a second write; above it the payload is passed on uncopied.
 */
export const COPY_LIMIT = 16 * 1024;

/**
 * The bytes of a payload given as a Uint8Array: a Buffer as it is, any other view without copying.
 * Anything else (strings are handled by each codec, which writes them in place) is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * payloadBytes(new Uint8Array([1, 2]), 'lines'); // <Buffer 01 02>, same memory
 * ```
 */
export function payloadBytes(frame: unknown, codec: string): Buffer {
  if (Buffer.isBuffer(frame)) return frame;
  if (frame instanceof Uint8Array) return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  throw wrongType(`a ${codec} frame to encode`, 'a Uint8Array, Buffer or string', describe(frame));
}
