import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartialFrame } from './partial-frame.js';

describe('PartialFrame', () => {
  it('gives back what was appended, a prefix of it plus extra bytes, and its tail', () => {
    const pieceArb = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 512, maxLength: 520 }));
    const caseArb = fc.record({
      frames: fc.array(fc.record({ pieces: fc.array(pieceArb, { maxLength: 8 }), extra: fc.uint8Array({ maxLength: 5 }), trim: fc.nat() }), {
        minLength: 1,
        maxLength: 6,
      }),
      spare: fc.integer({ min: 1, max: 5000 }),
    });
    fc.assert(
      fc.property(caseArb, ({ frames, spare }) => {
        const partial = new PartialFrame(spare);
        const taken: Array<{ frame: Buffer; expected: Buffer }> = [];
        for (const { pieces, extra, trim } of frames) {
          for (const piece of pieces) partial.append(Buffer.from(piece));
          const all = Buffer.concat(pieces);
          expect(partial.length).toBe(all.length);
          const tail = Buffer.alloc(Math.min(all.length, 7));
          partial.copyTail(tail, tail.length);
          expect(tail.equals(all.subarray(all.length - tail.length))).toBe(true);
          const length = all.length - (trim % (all.length + 1));
          taken.push({ frame: partial.take(length, Buffer.from(extra)), expected: Buffer.concat([all.subarray(0, length), extra]) });
          expect(partial.length).toBe(0);
        }
        // Frames taken earlier may be views of the spare buffer: later appends must not overwrite them.
        for (const { frame, expected } of taken) expect(frame.equals(expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a frame gathered from one-byte pieces in one view of its spare buffer', () => {
    const partial = new PartialFrame(1 << 20);
    const bytes = Buffer.from('abcdefghij');
    for (const byte of bytes) partial.append(Buffer.from([byte]));
    const frame = partial.take(bytes.length, undefined);
    expect(frame).toEqual(bytes);
    partial.append(Buffer.from('k'));
    partial.append(Buffer.from('l'));
    const next = partial.take(2, undefined);
    // Both are views of the same spare buffer, one after the other: no copy per byte was kept.
    expect(next.buffer).toBe(frame.buffer);
    expect(next.byteOffset).toBe(frame.byteOffset + bytes.length);
  });
});
