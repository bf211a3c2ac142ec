/* eslint-disable @typescript-eslint/only-throw-error -- INCOMPLETE, a symbol, unwinds a parse that needs more bytes; it never leaves this module. */
import { GenericError } from '@sock/core';

const CRLF = Buffer.from('\r\n', 'latin1');
const ARRAY = 0x2a; // '*'
const BULK = 0x24; // '$'
const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;

export interface RespLimits {
  /** Longest `*n` / `$n` header or inline command line. */
  maxLineBytes: number;
  /** Longest bulk string (one argument). */
  maxBulkBytes: number;
  /** Most arguments in one command. */
  maxArguments: number;
}

const DEFAULT_LIMITS: RespLimits = { maxLineBytes: 64 * 1024, maxBulkBytes: 1024 * 1024, maxArguments: 1024 };

/** Thrown inside the parse loop when the buffer ends in the middle of a command. */
const INCOMPLETE = Symbol('incomplete');

/**
 * Reads Redis client commands from a connection's byte stream: RESP arrays of bulk strings
 * (`*3\r\n$3\r\nSET\r\n...`) and inline commands (`PING\r\n`), however the stream is cut into
 * chunks. Each command comes out as its arguments; they are views into the input, valid until the
 * next `push` (copy what you keep). Only a command that straddles two chunks is copied.
 *
 * @example
 * ```ts
 * const parser = new RespParser();
 * parser.push(Buffer.from('*1\r\n$4\r\nPI'));   // []
 * parser.push(Buffer.from('NG\r\nPING\r\n'));   // [[<PING>], [<PING>]]
 * ```
 */
export class RespParser {
  readonly #limits: RespLimits;
  #carry: Buffer | undefined;

  constructor(limits: Partial<RespLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /**
   * Takes the next chunk and returns the commands it completed, in order. Throws a `GenericError`
   * (`FRAME_TOO_LARGE` over a limit, `GENERIC` for bytes that are not RESP).
   */
  push(chunk: Buffer): Buffer[][] {
    let data = chunk;
    if (this.#carry !== undefined) {
      data = Buffer.concat([this.#carry, chunk]);
      this.#carry = undefined;
    }
    const commands: Buffer[][] = [];
    let offset = 0;
    while (offset < data.length) {
      const start = offset;
      try {
        const first = data[offset];
        if (first === ARRAY) {
          const [declared, afterHeader] = this.#integerLine(data, offset + 1, 'array length');
          // `*0` and `*-1` (null array) carry no command.
          const count = Math.max(declared, 0);
          offset = afterHeader;
          if (count > this.#limits.maxArguments) throw new GenericError('FRAME_TOO_LARGE', `RESP command has ${count} arguments, more than ${this.#limits.maxArguments}`);
          const args: Buffer[] = [];
          for (let i = 0; i < count; i++) {
            if (offset >= data.length) throw INCOMPLETE;
            if (data[offset] !== BULK) throw new GenericError('GENERIC', `RESP command argument ${i + 1} is not a bulk string (starts with byte ${String(data[offset])})`);
            const [length, afterLength] = this.#integerLine(data, offset + 1, 'bulk length');
            if (length < 0) throw new GenericError('GENERIC', `RESP command argument ${i + 1} is a null bulk string`);
            if (length > this.#limits.maxBulkBytes) throw new GenericError('FRAME_TOO_LARGE', `RESP bulk string of ${length} bytes is longer than ${this.#limits.maxBulkBytes}`);
            if (afterLength + length + 2 > data.length) throw INCOMPLETE;
            if (data[afterLength + length] !== CR || data[afterLength + length + 1] !== LF) throw new GenericError('GENERIC', 'RESP bulk string is not followed by CRLF');
            args.push(data.subarray(afterLength, afterLength + length));
            offset = afterLength + length + 2;
          }
          if (args.length > 0) commands.push(args);
        } else {
          const end = data.indexOf(LF, offset);
          if (end === -1) {
            if (data.length - offset > this.#limits.maxLineBytes) throw new GenericError('FRAME_TOO_LARGE', `RESP inline command is longer than ${this.#limits.maxLineBytes} bytes`);
            throw INCOMPLETE;
          }
          const lineEnd = end > offset && data[end - 1] === CR ? end - 1 : end;
          const args = splitInline(data, offset, lineEnd);
          if (args.length > this.#limits.maxArguments) throw new GenericError('FRAME_TOO_LARGE', `RESP command has ${args.length} arguments, more than ${this.#limits.maxArguments}`);
          if (args.length > 0) commands.push(args);
          offset = end + 1;
        }
      } catch (error) {
        if (error !== INCOMPLETE) throw error;
        // A copy, so that the rest of a large chunk is not kept alive by a few bytes.
        this.#carry = Buffer.from(data.subarray(start));
        break;
      }
    }
    return commands;
  }

  /** The integer on the line that starts at `from` (after the type byte), and where the next line starts. */
  #integerLine(data: Buffer, from: number, what: string): [number, number] {
    const end = data.indexOf(CRLF, from);
    if (end === -1) {
      if (data.length - from > this.#limits.maxLineBytes) throw new GenericError('FRAME_TOO_LARGE', `RESP ${what} line is longer than ${this.#limits.maxLineBytes} bytes`);
      throw INCOMPLETE;
    }
    const text = data.toString('latin1', from, end);
    if (!/^-?\d{1,10}$/.test(text)) throw new GenericError('GENERIC', `RESP ${what} is not an integer: ${JSON.stringify(text.slice(0, 20))}`);
    const value = Number(text);
    // -1 is the null array / null bulk string; nothing else below 0 is RESP.
    if (value < -1) throw new GenericError('GENERIC', `RESP ${what} is negative: ${value}`);
    return [value, end + 2];
  }
}

function splitInline(data: Buffer, from: number, to: number): Buffer[] {
  const args: Buffer[] = [];
  let start = -1;
  for (let i = from; i <= to; i++) {
    const separator = i === to || data[i] === SPACE || data[i] === 0x09;
    if (separator) {
      if (start !== -1) args.push(data.subarray(start, i));
      start = -1;
    } else if (start === -1) start = i;
  }
  return args;
}
