import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenericError } from '../errors.js';
import type { FrameCodec, FrameDecoder } from './codec.js';
import { wire } from './codec.test-support.js';
import { lengthPrefixed, varintSize, type LengthBytes } from './length-prefixed.js';
import { lines } from './lines.js';

// Properties over every codec configuration: arbitrary frames, cut into arbitrary chunks (empty and
// one-byte ones included), come out of the decoder exactly; oversized frames are refused before
// they are held; and no byte sequence makes a decoder do anything but frames or a coded error.

interface LinesConfig {
  readonly kind: 'lines';
  readonly maxFrameBytes: number;
  readonly delimiter: Buffer;
}
interface PrefixConfig {
  readonly kind: 'lengthPrefixed';
  readonly maxFrameBytes: number;
  readonly lengthBytes: LengthBytes;
  readonly endian: 'big' | 'little';
}
type Config = LinesConfig | PrefixConfig;

const FIXED_LIMIT = { 1: 0xff, 2: 0xffff, 4: 2 ** 31 - 1 } as const;

function codecOf(config: Config): FrameCodec {
  return config.kind === 'lines'
    ? lines({ maxFrameBytes: config.maxFrameBytes, delimiter: config.delimiter })
    : lengthPrefixed({ maxFrameBytes: config.maxFrameBytes, lengthBytes: config.lengthBytes, endian: config.endian });
}

/** Longest prefix (or delimiter) the configuration puts around a frame. */
function overhead(config: Config): number {
  if (config.kind === 'lines') return config.delimiter.length;
  return config.lengthBytes === 'varint' ? varintSize(config.maxFrameBytes) : config.lengthBytes;
}

const delimiterArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(Buffer.from('\n')),
  fc.constant(Buffer.from('\r\n')),
  // Delimiters made of few distinct bytes overlap themselves ('aa', 'aba'): the hard cases.
  fc.array(fc.constantFrom(0x61, 0x62), { minLength: 1, maxLength: 4 }).map((bytes) => Buffer.from(bytes)),
  fc.uint8Array({ minLength: 1, maxLength: 5 }).map((bytes) => Buffer.from(bytes)),
);

const linesConfigArb: fc.Arbitrary<LinesConfig> = fc.record({
  kind: fc.constant('lines' as const),
  maxFrameBytes: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 300 })),
  delimiter: delimiterArb,
});

const prefixConfigArb: fc.Arbitrary<PrefixConfig> = fc
  .record({
    kind: fc.constant('lengthPrefixed' as const),
    lengthBytes: fc.constantFrom<LengthBytes>(1, 2, 4, 'varint'),
    endian: fc.constantFrom<'big' | 'little'>('big', 'little'),
    maxFrameBytes: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 100, max: 300 }), fc.constantFrom(127, 128, 255, 16383, 16384)),
  })
  .map((config) => ({
    ...config,
    maxFrameBytes: config.lengthBytes === 'varint' ? config.maxFrameBytes : Math.min(config.maxFrameBytes, FIXED_LIMIT[config.lengthBytes]),
  }));

const configArb: fc.Arbitrary<Config> = fc.oneof(linesConfigArb, prefixConfigArb);

/** The lines oracle: a payload is sendable if the first delimiter in payload + delimiter is the appended one. */
function sendable(payload: Buffer, delimiter: Buffer): boolean {
  return Buffer.concat([payload, delimiter]).indexOf(delimiter) === payload.length;
}

/** A frame for `config`: for lines, made mostly of the delimiter's own bytes, so that collisions are common. */
function frameArb(config: Config): fc.Arbitrary<Buffer> {
  const maxLength = Math.min(config.maxFrameBytes, 300);
  if (config.kind === 'lengthPrefixed') return fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes));
  const alphabet = [...new Set([...config.delimiter, 0x78, 0x79])];
  return fc
    .oneof(fc.array(fc.constantFrom(...alphabet), { maxLength }), fc.uint8Array({ maxLength }).map((bytes) => [...bytes]))
    .map((bytes) => Buffer.from(bytes))
    .filter((payload) => sendable(payload, config.delimiter));
}

/** Cut points: each chunk one byte, or arbitrary cuts (duplicates make empty chunks). */
const cutsArb = fc.oneof(fc.constant('bytes' as const), fc.array(fc.nat(), { maxLength: 24 }));

function split(stream: Buffer, cuts: 'bytes' | readonly number[]): Buffer[] {
  if (cuts === 'bytes') return Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
  const points = cuts.map((cut) => cut % (stream.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(stream.subarray(start, point));
    start = point;
  }
  chunks.push(stream.subarray(start));
  return chunks;
}

function take(decoder: FrameDecoder, into: string[]): void {
  for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) into.push(frame.toString('hex'));
}

/** The error a call throws, or undefined. */
function thrownBy(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('framing properties', () => {
  it('decodes exactly the encoded frames, however the stream is cut', () => {
    const caseArb = configArb.chain((config) =>
      fc.record({
        config: fc.constant(config),
        frames: fc.array(frameArb(config), { maxLength: 12 }),
        cuts: cutsArb,
        drainEachPush: fc.boolean(),
        // lines: the last line may end with the stream instead of a delimiter.
        openEnded: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ config, frames, cuts, drainEachPush, openEnded }) => {
        const codec = codecOf(config);
        const parts = frames.map((frame) => wire(codec.encode(frame)));
        const last = frames.at(-1);
        if (config.kind === 'lines' && openEnded && last !== undefined && last.length > 0) {
          parts[parts.length - 1] = last;
        }
        const decoder = codec.decoder();
        const out: string[] = [];
        for (const chunk of split(Buffer.concat(parts), cuts)) {
          decoder.push(chunk);
          if (drainEachPush) take(decoder, out);
        }
        decoder.end();
        take(decoder, out);
        expect(out).toEqual(frames.map((frame) => frame.toString('hex')));
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('lines: encode refuses exactly the payloads the peer would cut elsewhere', () => {
    const caseArb = delimiterArb.chain((delimiter) =>
      fc.record({
        delimiter: fc.constant(delimiter),
        payload: fc.array(fc.constantFrom(...new Set([...delimiter, 0x78])), { maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
        // Above 16 KiB encode takes its other path (no copy), which checks the payload differently.
        large: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ delimiter, payload, large }) => {
        const filler = [0x78, 0x79, 0x7a].find((byte) => !delimiter.includes(byte))!;
        const bytes = large ? Buffer.concat([Buffer.alloc(16 * 1024 + 1, filler), payload]) : payload;
        const codec = lines({ maxFrameBytes: 100_000, delimiter });
        const error = thrownBy(() => codec.encode(bytes));
        if (sendable(bytes, delimiter)) expect(error).toBeUndefined();
        else expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
      }),
      { numRuns: 300 },
    );
  });

  it('lines: refuses an over-long line once maxFrameBytes + delimiter bytes of it arrived, holding less until then', () => {
    const caseArb = linesConfigArb.chain((config) => {
      const { maxFrameBytes, delimiter } = config;
      return fc.record({
        config: fc.constant(config),
        before: fc.array(frameArb(config), { maxLength: 4 }),
        extra: fc.integer({ min: 1, max: 40 }),
        // Bytes of the long line: never a delimiter byte, so where it must be refused is known.
        fill: fc.constantFrom(...[0x78, 0x79, 0x7a, 0x00].filter((byte) => !delimiter.includes(byte))),
        after: fc.array(frameArb(config), { maxLength: 2 }),
        cuts: cutsArb,
        maxFrameBytes: fc.constant(maxFrameBytes),
      });
    });
    fc.assert(
      fc.property(caseArb, ({ config, before, extra, fill, after, cuts, maxFrameBytes }) => {
        const codec = codecOf(config);
        const head = Buffer.concat(before.map((frame) => wire(codec.encode(frame))));
        const long = Buffer.concat([Buffer.alloc(maxFrameBytes + extra, fill), config.delimiter]);
        const tail = Buffer.concat(after.map((frame) => wire(codec.encode(frame))));
        const limit = head.length + maxFrameBytes + config.delimiter.length;
        checkRefusedAt(codec, Buffer.concat([head, long, tail]), cuts, before, head.length, limit, limit);
      }),
      { numRuns: 300 },
    );
  });

  it('lengthPrefixed: refuses a frame stated too large from its prefix, before any payload', () => {
    const caseArb = prefixConfigArb
      .filter((config) => config.lengthBytes === 'varint' || config.maxFrameBytes < FIXED_LIMIT[config.lengthBytes])
      .chain((config) => {
        const { lengthBytes, maxFrameBytes } = config;
        const top = lengthBytes === 'varint' ? 2 ** 35 - 1 : lengthBytes === 4 ? 2 ** 32 - 1 : FIXED_LIMIT[lengthBytes];
        return fc.record({
          config: fc.constant(config),
          before: fc.array(frameArb(config), { maxLength: 4 }),
          stated: fc.oneof(fc.integer({ min: maxFrameBytes + 1, max: Math.min(top, maxFrameBytes + 300) }), fc.integer({ min: maxFrameBytes + 1, max: top })),
          payload: fc.uint8Array({ maxLength: 40 }),
          cuts: cutsArb,
        });
      });
    fc.assert(
      fc.property(caseArb, ({ config, before, stated, payload, cuts }) => {
        const codec = codecOf(config);
        const head = Buffer.concat(before.map((frame) => wire(codec.encode(frame))));
        const prefix = prefixOf(config, stated);
        // A varint longer than any allowed length needs is refused at its first byte too many.
        const at = head.length + Math.min(prefix.length, overhead(config));
        checkRefusedAt(codec, Buffer.concat([head, prefix, payload]), cuts, before, head.length, at, at);
      }),
      { numRuns: 300 },
    );
  });

  it('never does anything with garbage but give frames within the limit or throw a coded GenericError', () => {
    const caseArb = configArb.chain((config) =>
      fc.record({
        config: fc.constant(config),
        chunks: fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            // Mostly delimiter bytes, small varint groups and zeros: garbage that gets past the first byte.
            fc.array(fc.constantFrom(...(config.kind === 'lines' ? [...config.delimiter, 0x78] : [0x00, 0x01, 0x7f, 0x80, 0xff])), { maxLength: 64 }).map(
              (bytes) => new Uint8Array(bytes),
            ),
          ),
          { maxLength: 24 },
        ),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ config, chunks }) => {
        const decoder = codecOf(config).decoder();
        const bound = config.maxFrameBytes + overhead(config) - 1;
        let failure: unknown;
        for (const chunk of chunks) {
          const error = thrownBy(() => decoder.push(chunk));
          if (failure !== undefined) {
            expect(error).toBe(failure);
            continue;
          }
          if (error !== undefined) {
            expect(error).toBeInstanceOf(GenericError);
            expect((error as GenericError).code).toBe('FRAME_TOO_LARGE');
            failure = error;
          }
          for (let step = nextOf(decoder); step.frame !== undefined || step.error !== undefined; step = nextOf(decoder)) {
            if (step.error !== undefined) {
              expect(step.error).toBe(failure);
              break;
            }
            expect(step.frame!.length).toBeLessThanOrEqual(config.maxFrameBytes);
          }
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(failure === undefined ? bound : 0);
        }
        const ended = thrownBy(() => decoder.end());
        if (failure !== undefined) expect(ended).toBe(failure);
        else if (ended !== undefined) {
          expect(ended).toBeInstanceOf(GenericError);
          expect(['FRAME_TOO_LARGE', 'CONNECTION_CLOSED']).toContain((ended as GenericError).code);
        }
      }),
      { numRuns: 400 },
    );
  });
});

/** The minimal prefix stating `length` (which may be more than the codec allows). */
function prefixOf(config: PrefixConfig, length: number): Buffer {
  if (config.lengthBytes === 'varint') {
    const bytes: number[] = [];
    let rest = length;
    while (rest >= 0x80) {
      bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
    return Buffer.from(bytes);
  }
  const out = Buffer.alloc(config.lengthBytes);
  if (config.endian === 'big') out.writeUIntBE(length, 0, config.lengthBytes);
  else out.writeUIntLE(length, 0, config.lengthBytes);
  return out;
}

/** What one `next()` call gave: a frame, nothing, or an error. */
function nextOf(decoder: FrameDecoder): { frame?: Buffer | undefined; error?: unknown } {
  try {
    return { frame: decoder.next() };
  } catch (error) {
    return { error };
  }
}

/**
 * Feeds `stream` cut by `cuts`, taking frames after each push, and checks that the bad frame, which
 * starts at byte `badStart`, is refused with FRAME_TOO_LARGE by the push that makes the stream
 * reach `latest` bytes or an earlier one, but not before `earliest` bytes; that until then the
 * decoder held only the bytes of it that arrived (so fewer than `latest - badStart`); and that the
 * frames before it all come out, then the error.
 */
function checkRefusedAt(
  codec: FrameCodec,
  stream: Buffer,
  cuts: 'bytes' | readonly number[],
  before: readonly Buffer[],
  badStart: number,
  earliest: number,
  latest: number,
): void {
  const decoder = codec.decoder();
  const out: string[] = [];
  let fed = 0;
  let refused: unknown;
  for (const chunk of split(stream, cuts)) {
    const error = thrownBy(() => decoder.push(chunk));
    fed += chunk.length;
    if (error !== undefined) {
      refused = error;
      expect(error).toMatchObject({ code: 'FRAME_TOO_LARGE' });
      expect(fed).toBeGreaterThanOrEqual(earliest);
      break;
    }
    expect(fed).toBeLessThan(latest);
    take(decoder, out);
    if (fed >= badStart) expect(decoder.bufferedBytes).toBe(fed - badStart);
  }
  expect(refused).toBeInstanceOf(GenericError);
  const rest: string[] = [];
  const last = thrownBy(() => take(decoder, rest));
  expect([...out, ...rest]).toEqual(before.map((frame) => frame.toString('hex')));
  expect(last).toBe(refused);
  expect(decoder.bufferedBytes).toBe(0);
}
