import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from './code-of.test-support.js';
import { RespParser } from './resp-parser.js';

const SET = '*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n';
const PING_MBULK = '*1\r\n$4\r\nPING\r\n';
const CONFIG = '*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nsave\r\n';
const NAME_OF = new Map([
  [SET, 'SET'],
  [PING_MBULK, 'PING'],
  [CONFIG, 'CONFIG'],
  ['PING\r\n', 'PING'],
]);

function strings(commands: Buffer[][]): string[][] {
  return commands.map((args) => args.map((arg) => arg.toString('latin1')));
}

describe('RespParser', () => {
  it('reads arrays of bulk strings', () => {
    expect(strings(new RespParser().push(Buffer.from(CONFIG + SET)))).toEqual([
      ['CONFIG', 'GET', 'save'],
      ['SET', 'key:__rand_int__', 'xxx'],
    ]);
  });

  it('reads inline commands, with or without CR, and skips empty lines', () => {
    expect(strings(new RespParser().push(Buffer.from('PING\r\n\r\nECHO  a\tb\nPING\r\n')))).toEqual([['PING'], ['ECHO', 'a', 'b'], ['PING']]);
  });

  it('reads 16 pipelined commands in one chunk', () => {
    expect(new RespParser().push(Buffer.from(PING_MBULK.repeat(16)))).toHaveLength(16);
  });

  it('keeps binary-safe bulk strings whole (CRLF inside a value)', () => {
    expect(strings(new RespParser().push(Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n')))).toEqual([['SET', 'k', 'a\r\nb']]);
  });

  it('finds every command however the stream is cut (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(SET, PING_MBULK, CONFIG, 'PING\r\n'), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (commands, cuts) => {
        const stream = Buffer.from(commands.join(''), 'latin1');
        const points = [...new Set(cuts.map((cut) => cut % stream.length))].sort((a, b) => a - b);
        const parser = new RespParser();
        const seen: string[][] = [];
        let from = 0;
        for (const point of [...points, stream.length]) {
          // Copy: arguments are views valid only until the next push.
          seen.push(...strings(parser.push(stream.subarray(from, point))));
          from = point;
        }
        expect(seen.map((args) => args[0])).toEqual(commands.map((command) => NAME_OF.get(command)));
      }),
    );
  });

  it('treats *0 and *-1 as no command', () => {
    expect(new RespParser().push(Buffer.from('*0\r\n*-1\r\n' + PING_MBULK))).toHaveLength(1);
  });

  it.each([
    ['a null bulk string argument', '*1\r\n$-1\r\n'],
    ['an argument that is not a bulk string', '*1\r\n+PING\r\n'],
    ['a non-numeric length', '*x\r\n'],
    ['a length below -1', '*-2\r\n'],
    ['a bulk string without its CRLF', '*1\r\n$4\r\nPINGxx'],
  ])('refuses %s with GENERIC', (_what, bytes) => {
    expect(codeOf(() => new RespParser().push(Buffer.from(bytes)))).toBe('GENERIC');
  });

  it('refuses what is over its limits with FRAME_TOO_LARGE', () => {
    expect(codeOf(() => new RespParser({ maxBulkBytes: 2 }).push(Buffer.from('*1\r\n$3\r\n')))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => new RespParser({ maxArguments: 2 }).push(Buffer.from('*3\r\n')))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => new RespParser({ maxLineBytes: 8 }).push(Buffer.from('PING PING PING')))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => new RespParser({ maxLineBytes: 8 }).push(Buffer.from('*1234567890')))).toBe('FRAME_TOO_LARGE');
  });
});
