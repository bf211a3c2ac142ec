import { GenericError } from '@sock/core';

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const DEFAULT_MAX_HEAD_BYTES = 8 * 1024;

/** What one request head says about the connection. */
interface RequestHead {
  keepAlive: boolean;
  bodyBytes: number;
}

/**
 * Finds the HTTP/1.x requests in a connection's byte stream, however the stream is cut: a head may
 * arrive split over several chunks, and a chunk may hold several pipelined requests. It counts the
 * requests that are complete and tells whether the connection must close after the last one
 * (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`). Bytes after a
 * request that closes the connection are ignored. A `Content-Length` body is skipped.
 *
 * Bytes are only copied when a head straddles two chunks (the unfinished part is kept).
 *
 * @example
 * ```ts
 * const scanner = new HttpRequestScanner();
 * scanner.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HT')); // 1
 * scanner.push(Buffer.from('TP/1.0\r\n\r\n'));                           // 1, and then:
 * scanner.wantsClose;                                                       // true
 * ```
 */
export class HttpRequestScanner {
  readonly #maxHeadBytes: number;
  /** The start of a head whose end has not arrived yet. */
  #carry: Buffer | undefined;
  /** Body bytes of the current request still to skip. */
  #bodyLeft = 0;
  #wantsClose = false;

  constructor(maxHeadBytes = DEFAULT_MAX_HEAD_BYTES) {
    this.#maxHeadBytes = maxHeadBytes;
  }

  /** True once a request asked for the connection to close after its response. */
  get wantsClose(): boolean {
    return this.#wantsClose;
  }

  /**
   * Takes the next chunk; returns how many requests it completed. Throws a `GenericError` (code
   * `FRAME_TOO_LARGE` for a head over the limit, `GENERIC` for a malformed head).
   */
  push(chunk: Buffer): number {
    if (this.#wantsClose) return 0;
    let data = chunk;
    if (this.#carry !== undefined) {
      data = Buffer.concat([this.#carry, chunk]);
      this.#carry = undefined;
    }
    let offset = 0;
    let count = 0;
    while (offset < data.length) {
      if (this.#bodyLeft > 0) {
        const skip = Math.min(this.#bodyLeft, data.length - offset);
        this.#bodyLeft -= skip;
        offset += skip;
        continue;
      }
      const end = data.indexOf(HEAD_END, offset);
      if (end === -1) {
        if (data.length - offset > this.#maxHeadBytes) throw headTooLarge(this.#maxHeadBytes);
        // A copy, so that the rest of a large chunk is not kept alive by a few bytes.
        this.#carry = Buffer.from(data.subarray(offset));
        break;
      }
      if (end - offset > this.#maxHeadBytes) throw headTooLarge(this.#maxHeadBytes);
      const head = parseHead(data.toString('latin1', offset, end));
      offset = end + HEAD_END.length;
      // Only blank lines (allowed between requests): no request yet.
      if (head === undefined) continue;
      count++;
      if (!head.keepAlive) {
        this.#wantsClose = true;
        break;
      }
      this.#bodyLeft = head.bodyBytes;
    }
    return count;
  }
}

function headTooLarge(limit: number): GenericError {
  return new GenericError('FRAME_TOO_LARGE', `HTTP request head is longer than ${limit} bytes`);
}

function malformed(what: string): GenericError {
  return new GenericError('GENERIC', `malformed HTTP request: ${what}`);
}

/** The head's meaning, or undefined for blank lines alone. */
function parseHead(text: string): RequestHead | undefined {
  // Clients may send empty lines between requests (RFC 9112 section 2.2).
  const start = text.search(/[^\r\n]/);
  if (start === -1) return undefined;
  const lineEnd = text.indexOf('\r\n', start);
  const requestLine = lineEnd === -1 ? text.slice(start) : text.slice(start, lineEnd);
  const parts = requestLine.split(' ');
  if (parts.length !== 3 || parts[0] === '' || parts[1] === '') throw malformed(`request line ${JSON.stringify(requestLine.slice(0, 80))}`);
  const version = parts[2];
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') throw malformed(`unsupported version ${JSON.stringify(version?.slice(0, 20))}`);
  let connection = '';
  let bodyBytes = 0;
  if (lineEnd !== -1) {
    for (const line of text.slice(lineEnd + 2).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformed(`header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'connection') connection += `,${value.toLowerCase()}`;
      else if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) throw malformed(`Content-Length ${JSON.stringify(value.slice(0, 20))}`);
        bodyBytes = Number(value);
      } else if (name === 'transfer-encoding') throw malformed('Transfer-Encoding bodies are not supported');
    }
  }
  const tokens = connection.split(',').map((token) => token.trim());
  const keepAlive = version === 'HTTP/1.1' ? !tokens.includes('close') : tokens.includes('keep-alive');
  return { keepAlive, bodyBytes };
}
