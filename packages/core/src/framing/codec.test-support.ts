// Helpers shared by the codec tests (lines, lengthPrefixed, the framing properties).
import { expect } from 'vitest';
import { GenericError, type SocketErrorCode } from '../errors.js';
import type { EncodedFrame, FrameDecoder } from './codec.js';

/** The wire bytes of an encoded frame as one Buffer. */
export function wire(encoded: EncodedFrame): Buffer {
  return Buffer.isBuffer(encoded) ? encoded : Buffer.concat(encoded);
}

/** Every frame the decoder has ready, as latin1 strings. */
export function drain(decoder: FrameDecoder): string[] {
  const out: string[] = [];
  for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) out.push(frame.toString('latin1'));
  return out;
}

/** Calls `fn` and returns the GenericError with `code` it must throw. */
export function caught(fn: () => unknown, code: SocketErrorCode): GenericError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(GenericError);
  expect((thrown as GenericError).code).toBe(code);
  return thrown as GenericError;
}
