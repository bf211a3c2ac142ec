import { describe, expect, it } from 'vitest';
import { codeOf } from './code-of.test-support.js';
import { DnsResponder, dnsQuery } from './dns-responder.js';

describe('DnsResponder', () => {
  const dns = new DnsResponder('10.1.2.3');

  it('answers an A query with the header echoed, the question copied and one A record', () => {
    const query = dnsQuery(0xbeef, 'a.example.com');
    const reply = dns.answer(query);
    expect(reply.length).toBe(query.length + 16);
    expect(reply.readUInt16BE(0)).toBe(0xbeef);
    expect(reply[2]).toBe(0x85); // QR, AA, RD echoed
    expect(reply[3]).toBe(0x00); // RA 0, RCODE NOERROR
    expect([reply.readUInt16BE(4), reply.readUInt16BE(6), reply.readUInt16BE(8), reply.readUInt16BE(10)]).toEqual([1, 1, 0, 0]);
    expect(reply.subarray(12, query.length)).toEqual(query.subarray(12));
    const answer = reply.subarray(query.length);
    expect(answer.readUInt16BE(0)).toBe(0xc00c);
    expect([answer.readUInt16BE(2), answer.readUInt16BE(4), answer.readUInt32BE(6), answer.readUInt16BE(10)]).toEqual([1, 1, 60, 4]);
    expect([...answer.subarray(12)]).toEqual([10, 1, 2, 3]);
  });

  it('gives equal-size replies to names of equal length', () => {
    expect(dns.answer(dnsQuery(1, 'a.example.com')).length).toBe(dns.answer(dnsQuery(2, 'b.example.com')).length);
  });

  it('answers other types with no record (NODATA) and drops additional records', () => {
    const query = dnsQuery(7, 'a.example.com');
    query.writeUInt16BE(28, query.length - 4); // AAAA
    const withOpt = Buffer.concat([query, Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0])]);
    withOpt.writeUInt16BE(1, 10);
    const reply = dns.answer(withOpt);
    expect(reply.length).toBe(query.length);
    expect(reply.readUInt16BE(6)).toBe(0);
    expect(reply.readUInt16BE(10)).toBe(0);
  });

  it.each([
    ['a datagram shorter than a header', Buffer.alloc(5)],
    ['a response', Buffer.from([0, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1])],
    ['two questions', Buffer.from([0, 1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1])],
    ['a name running past the end', Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0x61])],
    ['a compressed question name', Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1])],
    ['a missing type and class', Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1])],
    ['an UPDATE opcode', Buffer.from([0, 1, 0x28, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1])],
  ])('refuses %s with GENERIC', (_what, query) => {
    expect(codeOf(() => dns.answer(query))).toBe('GENERIC');
  });

  it('refuses an answer address that is not IPv4 with INVALID_ARGUMENT', () => {
    expect(codeOf(() => new DnsResponder('::1'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => dnsQuery(1, `${'a'.repeat(64)}.com`))).toBe('INVALID_ARGUMENT');
  });
});
