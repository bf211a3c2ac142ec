import { describe, expect, it } from 'vitest';
import { isSocketError } from '../errors.js';
import { accepted, flush } from '../stream/fake-wire.test-support.js';
import { kOpen } from '../stream/symbols.js';
import { framed } from './framed.js';
import { lengthPrefixed } from './length-prefixed.js';
import { lines } from './lines.js';

function open() {
  const { connection, wire } = accepted(undefined);
  connection[kOpen]();
  return { connection, wire };
}

describe('framed(connection, codec)', () => {
  it('reads frames across chunk boundaries, then undefined at end of stream', async () => {
    const { connection, wire } = open();
    const chat = framed(connection, lines({ maxFrameBytes: 64 }));
    const reading = Promise.all([chat.readFrame(), chat.readFrame(), chat.readFrame()]);
    for (const piece of ['he', 'llo\nwor', 'ld\n']) wire.data(piece);
    wire.end();
    expect((await reading).map((frame) => frame?.toString())).toEqual(['hello', 'world', undefined]);
  });

  it('writes a length prefix and its payload as one write, also for large payloads', async () => {
    const { connection, wire } = open();
    const rpc = framed(connection, lengthPrefixed({ maxFrameBytes: 1 << 20 }));
    await rpc.writeFrame('hi');
    await rpc.writeFrame(Buffer.alloc(100_000, 1));
    expect(wire.written).toHaveLength(2);
    expect(wire.written[0]).toEqual(Buffer.from([0, 0, 0, 2, 0x68, 0x69]));
    expect(wire.written[1]!.length).toBe(100_004);
  });

  it('a frame too large rejects FRAME_TOO_LARGE and closes that connection, after the frames before it', async () => {
    const { connection, wire } = open();
    const chat = framed(connection, lines({ maxFrameBytes: 4 }));
    wire.data('ok\ntoo long for a frame');
    expect((await chat.readFrame())?.toString()).toBe('ok');
    const error = await chat.readFrame().catch((e: unknown) => e);
    expect(isSocketError(error, 'FRAME_TOO_LARGE')).toBe(true);
    await flush();
    expect(wire.closes + wire.destroys).toBeGreaterThan(0);
  });

  it('is async-iterable; leaving the loop early does not close the connection', async () => {
    const { connection, wire } = open();
    const chat = framed(connection, lines({ maxFrameBytes: 64 }));
    wire.data('a\nb\nc\n');
    const seen: string[] = [];
    for await (const frame of chat) {
      seen.push(frame.toString());
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['a', 'b']);
    expect(wire.closes + wire.destroys).toBe(0);
    expect((await chat.readFrame())?.toString()).toBe('c');
  });

  it('refuses what is not a connection or a codec', () => {
    const { connection } = open();
    expect(() => framed({} as never, lines({ maxFrameBytes: 4 }))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => framed(connection, {} as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
