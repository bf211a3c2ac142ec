import { describe, expect, it } from 'vitest';
import { RespResponder } from './resp-responder.js';

function ask(redis: RespResponder, ...args: string[]): string {
  const out: Buffer[] = [];
  redis.answer(
    args.map((arg) => Buffer.from(arg)),
    out,
  );
  return Buffer.concat(out).toString('latin1');
}

describe('RespResponder', () => {
  it('answers PING with PONG, and PING msg with msg', () => {
    const redis = new RespResponder();
    expect(ask(redis, 'PING')).toBe('+PONG\r\n');
    expect(ask(redis, 'ping', 'hi')).toBe('$2\r\nhi\r\n');
  });

  it('stores with SET and returns with GET; a missing key is the null bulk string', () => {
    const redis = new RespResponder();
    expect(ask(redis, 'GET', 'k')).toBe('$-1\r\n');
    expect(ask(redis, 'SET', 'k', 'xxx')).toBe('+OK\r\n');
    expect(ask(redis, 'GET', 'k')).toBe('$3\r\nxxx\r\n');
  });

  it('keeps a copy of the value, not a view of the input', () => {
    const redis = new RespResponder();
    const value = Buffer.from('abc');
    const out: Buffer[] = [];
    redis.answer([Buffer.from('SET'), Buffer.from('k'), value], out);
    value.fill(0x7a);
    expect(ask(redis, 'GET', 'k')).toBe('$3\r\nabc\r\n');
  });

  it('answers the CONFIG GET that redis-benchmark sends first', () => {
    const redis = new RespResponder();
    expect(ask(redis, 'CONFIG', 'GET', 'save')).toBe('*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
    expect(ask(redis, 'CONFIG', 'GET', 'appendonly')).toBe('*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n');
    expect(ask(redis, 'CONFIG', 'GET', 'maxmemory')).toBe('*0\r\n');
  });

  it('answers unknown commands and wrong arities with -ERR, as Redis does', () => {
    const redis = new RespResponder();
    expect(ask(redis, 'FLUSHALL')).toBe("-ERR unknown command 'FLUSHALL'\r\n");
    expect(ask(redis, 'GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
  });
});
