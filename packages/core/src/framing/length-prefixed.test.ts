import { describe, expect, it } from 'vitest';
import { caught, drain, wire } from './codec.test-support.js';
import { lengthPrefixed, varintSize } from './length-prefixed.js';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

describe('lengthPrefixed', () => {
  it('uses a 4-byte big-endian prefix by default', () => {
    const codec = lengthPrefixed({ maxFrameBytes: 1000 });
    expect(codec.encode('hi')).toEqual(bytes(0, 0, 0, 2, 0x68, 0x69));
    expect(codec.name).toBe('lengthPrefixed');
    const decoder = codec.decoder();
    decoder.push(bytes(0, 0, 0, 2, 0x68, 0x69, 0, 0));
    expect(drain(decoder)).toEqual(['hi']);
    decoder.push(bytes(0, 1, 0x21));
    expect(drain(decoder)).toEqual(['!']);
  });

  it.each([
    [1, 'big', [5]],
    [2, 'big', [0, 5]],
    [2, 'little', [5, 0]],
    [4, 'big', [0, 0, 0, 5]],
    [4, 'little', [5, 0, 0, 0]],
    ['varint', 'big', [5]],
  ] as const)('writes and reads a %s-byte %s-endian prefix', (lengthBytes, endian, prefix) => {
    const codec = lengthPrefixed({ maxFrameBytes: 255, lengthBytes, endian });
    const encoded = codec.encode('hello');
    expect(encoded).toEqual(Buffer.concat([Buffer.from(prefix), Buffer.from('hello')]));
    const decoder = codec.decoder();
    for (const byte of wire(encoded)) decoder.push(bytes(byte));
    expect(drain(decoder)).toEqual(['hello']);
  });

  it('reads lengths above one byte in the right order', () => {
    const little = lengthPrefixed({ maxFrameBytes: 0x10000, endian: 'little' }).decoder();
    little.push(Buffer.concat([bytes(0x02, 0x01, 0, 0), Buffer.alloc(0x102, 0x61)]));
    expect(little.next()?.length).toBe(0x102);
    const big = lengthPrefixed({ maxFrameBytes: 0xffff, lengthBytes: 2 }).decoder();
    big.push(Buffer.concat([bytes(0x01, 0x02), Buffer.alloc(0x102, 0x61)]));
    expect(big.next()?.length).toBe(0x102);
  });

  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [16383, [0xff, 0x7f]],
    [16384, [0x80, 0x80, 0x01]],
  ])('encodes and decodes the varint of %i', (length, prefix) => {
    expect(varintSize(length)).toBe(prefix.length);
    const codec = lengthPrefixed({ maxFrameBytes: 20_000, lengthBytes: 'varint' });
    const payload = Buffer.alloc(length, 0x62);
    const encoded = wire(codec.encode(payload));
    expect(encoded.subarray(0, prefix.length)).toEqual(Buffer.from(prefix));
    expect(encoded.length).toBe(prefix.length + length);
    const decoder = codec.decoder();
    decoder.push(encoded.subarray(0, 1));
    decoder.push(encoded.subarray(1));
    expect(decoder.next()?.equals(payload)).toBe(true);
    expect(decoder.next()).toBeUndefined();
  });

  it('takes the largest varint of 2**31 - 1', () => {
    const codec = lengthPrefixed({ maxFrameBytes: 2 ** 31 - 1, lengthBytes: 'varint' });
    const decoder = codec.decoder();
    decoder.push(bytes(0xff, 0xff, 0xff, 0xff, 0x07));
    expect(decoder.bufferedBytes).toBe(5);
    caught(() => decoder.end(), 'CONNECTION_CLOSED');
    caught(() => codec.decoder().push(bytes(0x80, 0x80, 0x80, 0x80, 0x08)), 'FRAME_TOO_LARGE');
  });

  it('refuses a varint longer than maxFrameBytes needs, before any payload arrives', () => {
    const decoder = lengthPrefixed({ maxFrameBytes: 127, lengthBytes: 'varint' }).decoder();
    caught(() => decoder.push(bytes(0x80)), 'FRAME_TOO_LARGE');
    const two = lengthPrefixed({ maxFrameBytes: 200, lengthBytes: 'varint' }).decoder();
    two.push(bytes(0x80));
    caught(() => two.push(bytes(0x80)), 'FRAME_TOO_LARGE');
  });

  it('refuses a varint stating more than maxFrameBytes as soon as it is known', () => {
    const decoder = lengthPrefixed({ maxFrameBytes: 200, lengthBytes: 'varint' }).decoder();
    caught(() => decoder.push(bytes(0xc9, 0x01)), 'FRAME_TOO_LARGE');
    caught(() => lengthPrefixed({ maxFrameBytes: 100, lengthBytes: 'varint' }).decoder().push(bytes(0x65)), 'FRAME_TOO_LARGE');
    const exact = lengthPrefixed({ maxFrameBytes: 100, lengthBytes: 'varint' }).decoder();
    exact.push(bytes(0x64));
    expect(exact.bufferedBytes).toBe(1);
  });

  it('takes a frame of exactly maxFrameBytes and refuses one byte more from its prefix alone', () => {
    const codec = lengthPrefixed({ maxFrameBytes: 3 });
    const decoder = codec.decoder();
    decoder.push(bytes(0, 0, 0, 3, 1, 2, 3));
    expect(decoder.next()).toEqual(bytes(1, 2, 3));
    decoder.push(bytes(0, 0, 0));
    const error = caught(() => decoder.push(bytes(4)), 'FRAME_TOO_LARGE');
    expect(decoder.bufferedBytes).toBe(0);
    expect(() => decoder.push(bytes(1, 2, 3, 4))).toThrow(error);
    caught(() => codec.encode('abcd'), 'FRAME_TOO_LARGE');
    expect(wire(codec.encode('abc')).length).toBe(7);
  });

  it('refuses the largest 4-byte length without reading it as negative', () => {
    const decoder = lengthPrefixed({ maxFrameBytes: 2 ** 31 - 1 }).decoder();
    caught(() => decoder.push(bytes(0xff, 0xff, 0xff, 0xff)), 'FRAME_TOO_LARGE');
    const little = lengthPrefixed({ maxFrameBytes: 2 ** 31 - 1, endian: 'little' }).decoder();
    caught(() => little.push(bytes(0, 0, 0, 0x80)), 'FRAME_TOO_LARGE');
  });

  it('gives zero-length frames, also back to back and at a chunk end', () => {
    const codec = lengthPrefixed({ maxFrameBytes: 10, lengthBytes: 2 });
    expect(codec.encode('')).toEqual(bytes(0, 0));
    const decoder = codec.decoder();
    decoder.push(bytes(0, 0, 0));
    expect(drain(decoder)).toEqual(['']);
    decoder.push(bytes(0, 0, 1, 0x7a));
    expect(drain(decoder)).toEqual(['', 'z']);
    decoder.end();
  });

  it('returns a view of the chunk for a frame inside one chunk, and one copy for a frame across chunks', () => {
    const decoder = lengthPrefixed({ maxFrameBytes: 10, lengthBytes: 1 }).decoder();
    const chunk = bytes(2, 0x61, 0x62, 3, 0x63);
    decoder.push(chunk);
    const first = decoder.next()!;
    chunk[1] = 0x58;
    expect(first.toString()).toBe('Xb');
    const last = bytes(0x64, 0x65);
    decoder.push(last);
    const second = decoder.next()!;
    chunk[4] = 0x58;
    last[0] = 0x58;
    expect(second.toString()).toBe('cde');
  });

  it('counts prefix and payload bytes of the partial frame in bufferedBytes', () => {
    const decoder = lengthPrefixed({ maxFrameBytes: 10 }).decoder();
    decoder.push(bytes(0, 0));
    expect(decoder.bufferedBytes).toBe(2);
    decoder.push(bytes(0, 3, 1));
    expect(decoder.bufferedBytes).toBe(5);
    decoder.push(bytes(2, 3, 0, 0, 0, 1));
    expect(decoder.bufferedBytes).toBe(7);
    decoder.next();
    expect(decoder.bufferedBytes).toBe(4);
  });

  describe('end', () => {
    it('is quiet between frames', () => {
      const decoder = lengthPrefixed({ maxFrameBytes: 10 }).decoder();
      decoder.push(bytes(0, 0, 0, 1, 0x61));
      decoder.end();
      expect(drain(decoder)).toEqual(['a']);
      expect(decoder.next()).toBeUndefined();
      caught(() => decoder.push(bytes(0)), 'CONNECTION_CLOSED');
    });

    it('throws CONNECTION_CLOSED inside a payload, after the frames before it', () => {
      const decoder = lengthPrefixed({ maxFrameBytes: 10, lengthBytes: 1 }).decoder({ endpoint: () => '[::1]:9' });
      decoder.push(bytes(1, 0x61, 4, 0x62));
      const error = caught(() => decoder.end(), 'CONNECTION_CLOSED');
      expect(error.message).toContain('1 of 4 bytes');
      expect(error.message).toContain('[::1]:9');
      expect(decoder.next()?.toString()).toBe('a');
      expect(() => decoder.next()).toThrow(error);
      expect(() => decoder.end()).toThrow(error);
    });

    it('throws CONNECTION_CLOSED inside a prefix', () => {
      const decoder = lengthPrefixed({ maxFrameBytes: 10 }).decoder();
      decoder.push(bytes(0, 0));
      caught(() => decoder.end(), 'CONNECTION_CLOSED');
      const varint = lengthPrefixed({ maxFrameBytes: 1000, lengthBytes: 'varint' }).decoder();
      varint.push(bytes(0x80));
      caught(() => varint.end(), 'CONNECTION_CLOSED');
    });
  });

  describe('encode', () => {
    it('copies prefix and payload into one Buffer up to 16 KiB, and passes a larger payload on uncopied', () => {
      const codec = lengthPrefixed({ maxFrameBytes: 100_000, lengthBytes: 'varint' });
      const small = codec.encode(Buffer.alloc(16 * 1024));
      expect(Buffer.isBuffer(small)).toBe(true);
      const payload = Buffer.alloc(16 * 1024 + 1);
      const [prefix, body] = codec.encode(payload) as readonly [Buffer, Buffer];
      expect(prefix).toEqual(bytes(0x81, 0x80, 0x01));
      expect(body).toBe(payload);
      const text = codec.encode('é'.repeat(10_000)) as readonly [Buffer, Buffer];
      expect(text[0]).toEqual(bytes(0xa0, 0x9c, 0x01));
      expect(text[1].toString()).toBe('é'.repeat(10_000));
    });

    it('writes strings as UTF-8 and views other Uint8Arrays', () => {
      const codec = lengthPrefixed({ maxFrameBytes: 10, lengthBytes: 1 });
      expect(codec.encode('é')).toEqual(bytes(2, 0xc3, 0xa9));
      caught(() => codec.encode(new Uint16Array([0x0201]) as unknown as Uint8Array), 'INVALID_ARGUMENT');
      expect(codec.encode(new Uint8Array([7, 8]).subarray(1))).toEqual(bytes(1, 8));
      caught(() => codec.encode({} as unknown as string), 'INVALID_ARGUMENT');
    });
  });

  describe('options', () => {
    it.each([
      [null, /options object/],
      [{ lengthBytes: 4 }, /maxFrameBytes/],
      [{ maxFrameBytes: -1 }, /maxFrameBytes/],
      [{ maxFrameBytes: Number.NaN }, /maxFrameBytes/],
      [{ maxFrameBytes: 10, lengthBytes: 3 }, /lengthBytes/],
      [{ maxFrameBytes: 10, lengthBytes: '4' }, /lengthBytes/],
      [{ maxFrameBytes: 10, endian: 'BE' }, /endian/],
      [{ maxFrameBytes: 256, lengthBytes: 1 }, /maxFrameBytes/],
      [{ maxFrameBytes: 65536, lengthBytes: 2 }, /maxFrameBytes/],
      [{ maxFrameBytes: 10, delimiter: '\n' }, /delimiter/],
    ])('refuses %j with INVALID_ARGUMENT naming the field', (options, field) => {
      const error = caught(() => lengthPrefixed(options as never), 'INVALID_ARGUMENT');
      expect(error.message).toMatch(field);
    });

    it('accepts the largest length each prefix can state', () => {
      expect(lengthPrefixed({ maxFrameBytes: 255, lengthBytes: 1 }).maxFrameBytes).toBe(255);
      expect(lengthPrefixed({ maxFrameBytes: 65535, lengthBytes: 2 }).maxFrameBytes).toBe(65535);
      expect(lengthPrefixed({ maxFrameBytes: 2 ** 31 - 1, lengthBytes: 4, endian: undefined }).maxFrameBytes).toBe(2 ** 31 - 1);
    });
  });
});
