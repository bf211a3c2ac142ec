import { GenericError, invalidArgument } from '../errors.js';

// Every error the codecs make is made here, so their codes and wording stay in one place.

function from(endpoint: (() => string) | undefined): string {
  return endpoint === undefined ? '' : ` from ${endpoint()}`;
}

/** A frame that arrived, or is being gathered, is over the limit; `detail` says how we know. */
export function frameTooLarge(codec: string, maxFrameBytes: number, detail: string, endpoint: (() => string) | undefined): GenericError {
  return new GenericError('FRAME_TOO_LARGE', `${codec} frame${from(endpoint)} is larger than maxFrameBytes (${maxFrameBytes}): ${detail}`);
}

/** A frame to send is over the limit. */
export function outgoingFrameTooLarge(codec: string, maxFrameBytes: number, size: number): GenericError {
  return new GenericError('FRAME_TOO_LARGE', `cannot send a ${codec} frame of ${size} bytes: more than maxFrameBytes (${maxFrameBytes})`);
}

/** The stream stopped in the middle of a frame; `detail` says how far it got. */
export function endedInsideFrame(codec: string, detail: string, endpoint: (() => string) | undefined): GenericError {
  return new GenericError('CONNECTION_CLOSED', `the stream${from(endpoint)} ended inside a ${codec} frame: ${detail}`);
}

/** `push()` after `end()`: a mistake of the caller, reported like any use of a closed stream. */
export function pushAfterEnd(codec: string): GenericError {
  return new GenericError('CONNECTION_CLOSED', `cannot push bytes into a ${codec} decoder after end()`);
}

/** An argument has the wrong type; `expected` says what is accepted. */
export function wrongType(what: string, expected: string, shown: string): GenericError {
  return invalidArgument(`${what} must be ${expected}, got ${shown}`);
}
