import { describe, expect, it } from 'vitest';
import { caught, drain, wire } from './codec.test-support.js';
import { lines } from './lines.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('lines', () => {
  it('cuts lines on "\\n" and leaves the delimiter out', () => {
    const decoder = lines({ maxFrameBytes: 100 }).decoder();
    decoder.push(b('one\ntwo\n\nthr'));
    expect(drain(decoder)).toEqual(['one', 'two', '']);
    decoder.push(b('ee\n'));
    expect(drain(decoder)).toEqual(['three']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('returns a view of the chunk for a line inside one chunk, and one copy for a line across chunks', () => {
    const decoder = lines({ maxFrameBytes: 100 }).decoder();
    const chunk = b('abc\nde');
    decoder.push(chunk);
    const first = decoder.next()!;
    chunk[0] = 0x58;
    expect(first.toString()).toBe('Xbc');
    const last = b('f\n');
    decoder.push(last);
    const second = decoder.next()!;
    chunk[4] = 0x58;
    last[0] = 0x58;
    expect(second.toString()).toBe('def');
  });

  it('finds "\\r\\n" split across chunks at every position', () => {
    const stream = b('GET /\r\nHost: x\r\n\r\nbody\r\n');
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = lines({ maxFrameBytes: 100, delimiter: '\r\n' }).decoder();
      decoder.push(stream.subarray(0, cut));
      decoder.push(stream.subarray(cut));
      expect(drain(decoder)).toEqual(['GET /', 'Host: x', '', 'body']);
    }
  });

  it('finds a long delimiter fed one byte at a time, and keeps a lone "\\r" inside a line', () => {
    const decoder = lines({ maxFrameBytes: 100, delimiter: '\r\n' }).decoder();
    for (const byte of b('a\rb\r\r\nc\r\n')) decoder.push(Buffer.from([byte]));
    expect(drain(decoder)).toEqual(['a\rb\r', 'c']);
  });

  it('takes a self-overlapping delimiter at its first occurrence', () => {
    const decoder = lines({ maxFrameBytes: 100, delimiter: 'aa' }).decoder();
    decoder.push(b('xa'));
    decoder.push(b('aay'));
    decoder.push(b('aa'));
    expect(drain(decoder)).toEqual(['x', 'ay']);
  });

  it('accepts a delimiter given as bytes', () => {
    const codec = lines({ maxFrameBytes: 10, delimiter: new Uint8Array([0]) });
    const decoder = codec.decoder();
    decoder.push(wire(codec.encode('a')));
    decoder.push(wire(codec.encode(new Uint8Array([1, 2]))));
    expect(drain(decoder)).toEqual(['a', '\x01\x02']);
  });

  it('returns a last line without a delimiter at end(), as readline does, but no empty one', () => {
    const decoder = lines({ maxFrameBytes: 100 }).decoder();
    decoder.push(b('one\ntwo'));
    expect(drain(decoder)).toEqual(['one']);
    decoder.end();
    expect(drain(decoder)).toEqual(['two']);
    decoder.end();
    expect(decoder.next()).toBeUndefined();

    const clean = lines({ maxFrameBytes: 100 }).decoder();
    clean.push(b('one\n'));
    clean.end();
    expect(drain(clean)).toEqual(['one']);
  });

  it('keeps a partial delimiter in the last line at end()', () => {
    const decoder = lines({ maxFrameBytes: 100, delimiter: '\r\n' }).decoder();
    decoder.push(b('x\r'));
    decoder.end();
    expect(drain(decoder)).toEqual(['x\r']);
  });

  it('refuses push() after end() with CONNECTION_CLOSED', () => {
    const decoder = lines({ maxFrameBytes: 100 }).decoder();
    decoder.end();
    caught(() => decoder.push(b('x')), 'CONNECTION_CLOSED');
  });

  it('takes a line of exactly maxFrameBytes and refuses one byte more', () => {
    const ok = lines({ maxFrameBytes: 4 }).decoder();
    ok.push(b('abcd\n'));
    expect(drain(ok)).toEqual(['abcd']);

    const big = lines({ maxFrameBytes: 4 }).decoder();
    caught(() => big.push(b('abcde\n')), 'FRAME_TOO_LARGE');
  });

  it('refuses a line as soon as more than maxFrameBytes bytes arrived without "\\n"', () => {
    const decoder = lines({ maxFrameBytes: 4 }).decoder({ endpoint: () => '127.0.0.1:7' });
    decoder.push(b('ab'));
    decoder.push(b('cd'));
    expect(decoder.bufferedBytes).toBe(4);
    const error = caught(() => decoder.push(b('e')), 'FRAME_TOO_LARGE');
    expect(error.message).toContain('127.0.0.1:7');
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('with "\\r\\n" holds maxFrameBytes + 1 bytes, since the last may start the delimiter', () => {
    const decoder = lines({ maxFrameBytes: 4, delimiter: '\r\n' }).decoder();
    decoder.push(b('abcd\r'));
    decoder.push(b('\n'));
    expect(drain(decoder)).toEqual(['abcd']);
    decoder.push(b('abcde'));
    caught(() => decoder.push(b('f')), 'FRAME_TOO_LARGE');
  });

  it('refuses an over-long last line at end()', () => {
    const decoder = lines({ maxFrameBytes: 2, delimiter: '\r\n' }).decoder();
    decoder.push(b('ab\r'));
    caught(() => decoder.end(), 'FRAME_TOO_LARGE');
  });

  it('after FRAME_TOO_LARGE gives the lines before it, then the error on every call', () => {
    const decoder = lines({ maxFrameBytes: 3 }).decoder();
    const error = caught(() => decoder.push(b('ok\nfine\n')), 'FRAME_TOO_LARGE');
    expect(decoder.bufferedBytes).toBe(2);
    expect(decoder.next()?.toString()).toBe('ok');
    expect(() => decoder.next()).toThrow(error);
    expect(() => decoder.next()).toThrow(error);
    expect(() => decoder.push(b('x\n'))).toThrow(error);
    expect(() => decoder.end()).toThrow(error);
  });

  it('ignores empty chunks and accepts any Uint8Array', () => {
    const decoder = lines({ maxFrameBytes: 10 }).decoder();
    decoder.push(Buffer.alloc(0));
    decoder.push(new Uint8Array([0x61, 0x0a]));
    expect(drain(decoder)).toEqual(['a']);
    caught(() => decoder.push('a\n' as unknown as Buffer), 'INVALID_ARGUMENT');
    decoder.push(b('b\n'));
    expect(drain(decoder)).toEqual(['b']);
  });

  it('keeps thousands of queued lines in order while some are taken and more arrive', () => {
    const decoder = lines({ maxFrameBytes: 10 }).decoder();
    const numbers = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => String(from + i));
    decoder.push(b(numbers(0, 3000).join('\n') + '\n'));
    const taken = Array.from({ length: 2000 }, () => decoder.next()?.toString());
    decoder.push(b(numbers(3000, 4000).join('\n') + '\n'));
    expect([...taken, ...drain(decoder)]).toEqual(numbers(0, 4000));
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('counts complete and partial lines in bufferedBytes', () => {
    const decoder = lines({ maxFrameBytes: 10 }).decoder();
    decoder.push(b('abc\nde'));
    expect(decoder.bufferedBytes).toBe(5);
    decoder.next();
    expect(decoder.bufferedBytes).toBe(2);
  });

  it('takes a 100 kB line that arrives one byte at a time (the scan stays linear)', () => {
    // Linear scanning is what keeps this feasible; a quadratic one would rescan ~5·10^9 bytes.
    const decoder = lines({ maxFrameBytes: 100_000, delimiter: '\r\n' }).decoder();
    const one = Buffer.from('x');
    for (let i = 0; i < 100_000; i++) decoder.push(one);
    decoder.push(b('\r\n'));
    expect(decoder.next()?.length).toBe(100_000);
  });

  describe('encode', () => {
    it('appends the delimiter, in one Buffer up to 16 KiB', () => {
      const codec = lines({ maxFrameBytes: 100_000, delimiter: '\r\n' });
      expect(codec.encode('hi')).toEqual(b('hi\r\n'));
      expect(codec.encode('é')).toEqual(Buffer.from('é\r\n'));
      expect(Buffer.isBuffer(codec.encode(Buffer.alloc(16 * 1024, 0x61)))).toBe(true);
    });

    it('returns [payload, delimiter] without copying a payload over 16 KiB', () => {
      const codec = lines({ maxFrameBytes: 100_000 });
      const payload = Buffer.alloc(16 * 1024 + 1, 0x61);
      const encoded = codec.encode(payload);
      expect(Buffer.isBuffer(encoded)).toBe(false);
      const [first, second] = encoded as readonly [Buffer, Buffer];
      expect(first).toBe(payload);
      expect(second).toEqual(b('\n'));
      const fromString = codec.encode('a'.repeat(20_000)) as readonly [Buffer, Buffer];
      expect(fromString[0].length).toBe(20_000);
    });

    it('refuses a payload containing the delimiter, or running into it, with INVALID_ARGUMENT', () => {
      const codec = lines({ maxFrameBytes: 100_000, delimiter: '\r\n' });
      caught(() => codec.encode('a\r\nb'), 'INVALID_ARGUMENT');
      caught(() => codec.encode(Buffer.alloc(20_000, '\r\n')), 'INVALID_ARGUMENT');
      expect(codec.encode('a\r')).toEqual(b('a\r\r\n'));
      const overlapping = lines({ maxFrameBytes: 100_000, delimiter: 'aa' });
      caught(() => overlapping.encode('xa'), 'INVALID_ARGUMENT');
      caught(() => overlapping.encode('x'.repeat(20_000) + 'a'), 'INVALID_ARGUMENT');
      expect(wire(overlapping.encode('x'.repeat(20_000) + 'ab'))).toEqual(b('x'.repeat(20_000) + 'abaa'));
    });

    it('refuses a payload over maxFrameBytes with FRAME_TOO_LARGE, counting UTF-8 bytes', () => {
      const codec = lines({ maxFrameBytes: 3 });
      expect(codec.encode('abc')).toEqual(b('abc\n'));
      caught(() => codec.encode('abcd'), 'FRAME_TOO_LARGE');
      caught(() => codec.encode('éé'), 'FRAME_TOO_LARGE');
    });

    it('refuses what is not bytes or a string', () => {
      const codec = lines({ maxFrameBytes: 3 });
      caught(() => codec.encode(3 as unknown as string), 'INVALID_ARGUMENT');
      caught(() => codec.encode([1, 2] as unknown as Uint8Array), 'INVALID_ARGUMENT');
    });
  });

  describe('options', () => {
    it.each([
      [undefined, /options object/],
      [{}, /maxFrameBytes/],
      [{ maxFrameBytes: 0 }, /maxFrameBytes/],
      [{ maxFrameBytes: 1.5 }, /maxFrameBytes/],
      [{ maxFrameBytes: '10' }, /maxFrameBytes/],
      [{ maxFrameBytes: 2 ** 31 }, /maxFrameBytes/],
      [{ maxFrameBytes: 10, delimiter: '' }, /delimiter/],
      [{ maxFrameBytes: 10, delimiter: 10 }, /delimiter/],
      [{ maxFrameBytes: 10, delimiter: 'x'.repeat(257) }, /delimiter/],
      [{ maxFrameBytes: 10, maxFrameByte: 10 }, /maxFrameByte/],
      [{ maxFrameBytes: 10, lengthBytes: 2 }, /lengthBytes/],
    ])('refuses %j with INVALID_ARGUMENT naming the field', (options, field) => {
      const error = caught(() => lines(options as never), 'INVALID_ARGUMENT');
      expect(error.message).toMatch(field);
    });

    it('accepts the largest limit and copies a delimiter given as bytes', () => {
      expect(lines({ maxFrameBytes: 2 ** 31 - 1 }).maxFrameBytes).toBe(2 ** 31 - 1);
      const delimiter = new Uint8Array([0x3b]);
      const codec = lines({ maxFrameBytes: 10, delimiter });
      delimiter[0] = 0x2c;
      expect(codec.encode('a')).toEqual(b('a;'));
      expect(codec.name).toBe('lines');
    });

    it('refuses bad decoder options', () => {
      const codec = lines({ maxFrameBytes: 10 });
      caught(() => codec.decoder({ endpoint: 'x' as unknown as () => string }), 'INVALID_ARGUMENT');
      caught(() => codec.decoder(5 as never), 'INVALID_ARGUMENT');
    });
  });
});
