import type { FrameCodec } from './codec.js';

/**
 * True for a {@link FrameCodec} (made by `lines()`, `lengthPrefixed()`, or your own).
 *
 * @example
 * ```ts
 * if (!isFrameCodec(config.framing)) throw invalidArgument('framing must be a codec');
 * ```
 */
export function isFrameCodec(value: unknown): value is FrameCodec {
  if (typeof value !== 'object' || value === null) return false;
  const codec = value as Partial<FrameCodec>;
  return typeof codec.decoder === 'function' && typeof codec.encode === 'function' && typeof codec.maxFrameBytes === 'number';
}
