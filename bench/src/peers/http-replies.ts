const BODY = 'Hello, world!\n';

function reply(connection: 'keep-alive' | 'close'): Buffer {
  return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\nConnection: ${connection}\r\n\r\n${BODY}`, 'latin1');
}

/** The fixed response to a request that keeps the connection open. */
export const KEEP_ALIVE_REPLY = reply('keep-alive');
/** The fixed response to a request that closes the connection. */
export const CLOSE_REPLY = reply('close');

const CACHED = 64;
const keepAliveRuns: Array<Buffer | undefined> = [];

/**
 * The bytes that answer `count` requests read from one chunk, as ONE buffer so that a pipelined
 * batch is one write: `count` keep-alive replies, or, when `close` is set, `count - 1` of them and a
 * closing one. Batches of up to 64 keep-alive replies are built once and reused.
 *
 * @example
 * ```ts
 * const count = scanner.push(chunk);
 * if (count > 0) socket.write(httpReplies(count, scanner.wantsClose));
 * ```
 */
export function httpReplies(count: number, close: boolean): Buffer {
  if (close) return count === 1 ? CLOSE_REPLY : Buffer.concat([httpReplies(count - 1, false), CLOSE_REPLY]);
  if (count === 1) return KEEP_ALIVE_REPLY;
  if (count > CACHED) return Buffer.concat(Array.from({ length: count }, () => KEEP_ALIVE_REPLY));
  let run = keepAliveRuns[count];
  if (run === undefined) {
    run = Buffer.concat(Array.from({ length: count }, () => KEEP_ALIVE_REPLY));
    keepAliveRuns[count] = run;
  }
  return run;
}
