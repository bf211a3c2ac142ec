// Shared by the peer parsers' tests: which SocketError code an action throws.
import { isSocketError } from '@sock/core';

/** The code of the SocketError `action` throws, `'not a SocketError'` for anything else, undefined if it returns. */
export function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isSocketError(error) ? error.code : 'not a SocketError';
  }
  return undefined;
}
