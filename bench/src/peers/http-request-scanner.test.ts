import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from './code-of.test-support.js';
import { HttpRequestScanner } from './http-request-scanner.js';
import { CLOSE_REPLY, httpReplies, KEEP_ALIVE_REPLY } from './http-replies.js';

const WRK = 'GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n';
const AB_KEEP_ALIVE = 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n';
const AB_CLOSE = 'GET / HTTP/1.0\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n';

function feed(scanner: HttpRequestScanner, ...chunks: string[]): number[] {
  return chunks.map((chunk) => scanner.push(Buffer.from(chunk, 'latin1')));
}

describe('HttpRequestScanner', () => {
  it('counts one request per head and keeps HTTP/1.1 alive', () => {
    const scanner = new HttpRequestScanner();
    expect(feed(scanner, WRK, WRK)).toEqual([1, 1]);
    expect(scanner.wantsClose).toBe(false);
  });

  it('counts pipelined requests in one chunk', () => {
    const scanner = new HttpRequestScanner();
    expect(feed(scanner, WRK.repeat(16))).toEqual([16]);
  });

  it('finds a head split at every possible byte', () => {
    const stream = WRK + AB_KEEP_ALIVE + WRK;
    for (let cut = 1; cut < stream.length; cut++) {
      const scanner = new HttpRequestScanner();
      const counts = feed(scanner, stream.slice(0, cut), stream.slice(cut));
      expect(counts[0]! + counts[1]!).toBe(3);
    }
  });

  it('counts the same requests however the stream is cut (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(WRK, AB_KEEP_ALIVE), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (requests, cuts) => {
        const stream = Buffer.from(requests.join(''), 'latin1');
        const points = [...new Set(cuts.map((cut) => cut % stream.length))].sort((a, b) => a - b);
        const scanner = new HttpRequestScanner();
        let total = 0;
        let from = 0;
        for (const point of [...points, stream.length]) {
          total += scanner.push(stream.subarray(from, point));
          from = point;
        }
        expect(total).toBe(requests.length);
      }),
    );
  });

  it('keeps HTTP/1.0 alive only with Connection: keep-alive', () => {
    const keep = new HttpRequestScanner();
    expect(feed(keep, AB_KEEP_ALIVE)).toEqual([1]);
    expect(keep.wantsClose).toBe(false);
    const close = new HttpRequestScanner();
    expect(feed(close, AB_CLOSE)).toEqual([1]);
    expect(close.wantsClose).toBe(true);
  });

  it('closes HTTP/1.1 on Connection: close, in any case and among other tokens', () => {
    const scanner = new HttpRequestScanner();
    expect(feed(scanner, 'GET / HTTP/1.1\r\nhost: a\r\nCONNECTION: TE, Close\r\n\r\n')).toEqual([1]);
    expect(scanner.wantsClose).toBe(true);
  });

  it('ignores everything after a request that closes the connection', () => {
    const scanner = new HttpRequestScanner();
    expect(feed(scanner, WRK + AB_CLOSE + WRK, WRK)).toEqual([2, 0]);
  });

  it('skips a Content-Length body, even split across chunks', () => {
    const scanner = new HttpRequestScanner();
    const post = 'POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n';
    expect(feed(scanner, post + '01234', '56789' + WRK)).toEqual([1, 1]);
    // A body that contains a blank line is not taken for a request.
    expect(feed(scanner, 'POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n\r\n\r\n')).toEqual([1]);
  });

  it('accepts empty lines between requests', () => {
    expect(feed(new HttpRequestScanner(), WRK + '\r\n' + WRK, '\r\n\r\n\r\n', WRK)).toEqual([2, 0, 1]);
  });

  it('refuses a head over the limit with FRAME_TOO_LARGE, whether or not its end has come', () => {
    const long = `GET / HTTP/1.1\r\nX: ${'a'.repeat(200)}\r\n\r\n`;
    expect(codeOf(() => new HttpRequestScanner(100).push(Buffer.from(long)))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => new HttpRequestScanner(100).push(Buffer.from(long.slice(0, 150))))).toBe('FRAME_TOO_LARGE');
  });

  it.each([
    ['a request line without a version', 'GET /\r\n\r\n'],
    ['HTTP/2', 'GET / HTTP/2.0\r\n\r\n'],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nnonsense\r\n\r\n'],
    ['a non-numeric Content-Length', 'GET / HTTP/1.1\r\nContent-Length: ten\r\n\r\n'],
    ['a chunked body', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'],
  ])('refuses %s with GENERIC', (_what, head) => {
    expect(codeOf(() => new HttpRequestScanner().push(Buffer.from(head)))).toBe('GENERIC');
  });
});

describe('httpReplies', () => {
  it('is one keep-alive reply per request', () => {
    expect(httpReplies(1, false)).toBe(KEEP_ALIVE_REPLY);
    expect(httpReplies(3, false)).toEqual(Buffer.concat([KEEP_ALIVE_REPLY, KEEP_ALIVE_REPLY, KEEP_ALIVE_REPLY]));
    expect(httpReplies(100, false).length).toBe(100 * KEEP_ALIVE_REPLY.length);
  });

  it('ends with the closing reply when the last request closes', () => {
    expect(httpReplies(1, true)).toBe(CLOSE_REPLY);
    expect(httpReplies(2, true)).toEqual(Buffer.concat([KEEP_ALIVE_REPLY, CLOSE_REPLY]));
  });

  it('says what it is and how long', () => {
    const text = KEEP_ALIVE_REPLY.toString('latin1');
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain('Connection: keep-alive');
    expect(head).toContain(`Content-Length: ${body!.length}`);
    expect(CLOSE_REPLY.toString('latin1')).toContain('Connection: close');
  });
});
