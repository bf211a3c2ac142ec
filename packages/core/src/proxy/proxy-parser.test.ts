import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSocketError } from '../errors.js';
import { encodeProxyHeaderV1, encodeProxyHeaderV2 } from './proxy-encoder.js';
import { PP2_CLIENT, PP2_SUBTYPE_SSL, PP2_TYPE, type ProxyHeader } from './proxy-header.js';
import {
  DEFAULT_PROXY_HEADER_BYTES,
  MAX_PROXY_HEADER_BYTES,
  MIN_PROXY_HEADER_BYTES,
  ProxyHeaderParser,
  type ProxyHeaderParserOptions,
  type ProxyParseResult,
} from './proxy-parser.js';

/** The v2 signature, spelled out here rather than imported, so vectors stay independent of the code. */
const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a] as const;

interface Parsed {
  header: ProxyHeader;
  rest: Buffer;
}

/** Feeds `chunks` in order until done; chunks after that are the application's, added to `rest`. */
function parseChunks(chunks: readonly Uint8Array[], options: ProxyHeaderParserOptions = { version: 'any' }): Parsed {
  const parser = new ProxyHeaderParser(options);
  for (const [i, chunk] of chunks.entries()) {
    const result = parser.push(chunk);
    if (result.done) {
      const later = chunks.slice(i + 1).map((c) => Buffer.from(c));
      return { header: result.header, rest: Buffer.concat([result.rest, ...later]) };
    }
  }
  throw new Error('the parser wants more bytes');
}

/** Parses bytes given in one chunk. */
function parse(bytes: Uint8Array | string, options?: ProxyHeaderParserOptions): Parsed {
  return parseChunks([typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes], options);
}

/** Splits `bytes` at the given offsets. */
function splitAt(bytes: Uint8Array, cuts: readonly number[]): Buffer[] {
  const sorted = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...sorted, bytes.length]) {
    chunks.push(Buffer.from(bytes.subarray(from, cut)));
    from = cut;
  }
  return chunks;
}

/** Asserts that `fn` throws a SocketError with `code`. */
function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isSocketError(thrown), `expected a SocketError, got ${String(thrown)}`).toBe(true);
  expect((thrown as { code?: unknown }).code).toBe(code);
}

/**
 * Pushes `bytes` one at a time and returns the index of the byte whose push threw
 * PROXY_PROTOCOL_INVALID (or -1 if none did).
 */
function failingByte(bytes: Uint8Array | string, options: ProxyHeaderParserOptions = { version: 'any' }): number {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  const parser = new ProxyHeaderParser(options);
  for (let i = 0; i < data.length; i++) {
    try {
      if (parser.push(data.subarray(i, i + 1)).done) return -1;
    } catch (error) {
      expect(isSocketError(error, 'PROXY_PROTOCOL_INVALID'), String(error)).toBe(true);
      return i;
    }
  }
  return -1;
}

/** A v2 header from its parts, by hand: fixed 16 bytes then `block`. */
function v2(verCmd: number, fam: number, block: readonly number[] | Uint8Array, declared = block.length): Buffer {
  return Buffer.from([...SIG, verCmd, fam, declared >> 8, declared & 0xff, ...block]);
}

/** One TLV by hand. */
function tlvBytes(type: number, value: readonly number[] | Uint8Array | string): number[] {
  const bytes = typeof value === 'string' ? [...Buffer.from(value, 'utf8')] : [...value];
  return [type, bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

const INVALID = 'PROXY_PROTOCOL_INVALID';
const APP = Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n');

/** Every split of `bytes` into two chunks, plus one byte at a time, gives `expected` and `APP` back. */
function expectEverySplit(bytes: Buffer, expected: ProxyHeader, options?: ProxyHeaderParserOptions): void {
  const whole = Buffer.concat([bytes, APP]);
  for (let cut = 0; cut <= whole.length; cut++) {
    const parsed = parseChunks(splitAt(whole, [cut]), options);
    expect(parsed.header).toEqual(expected);
    expect(parsed.rest.equals(APP)).toBe(true);
  }
  const single = parseChunks(splitAt(whole, Array.from({ length: whole.length }, (_, i) => i)), options);
  expect(single.header).toEqual(expected);
  expect(single.rest.equals(APP)).toBe(true);
}

function expectFrozen(header: ProxyHeader): void {
  expect(Object.isFrozen(header)).toBe(true);
  expect(Object.isFrozen(header.tlvs)).toBe(true);
  for (const tlv of header.tlvs) expect(Object.isFrozen(tlv)).toBe(true);
  if (header.source !== undefined) expect(Object.isFrozen(header.source)).toBe(true);
  if (header.destination !== undefined) expect(Object.isFrozen(header.destination)).toBe(true);
  if (header.tls !== undefined) expect(Object.isFrozen(header.tls)).toBe(true);
}

describe('ProxyHeaderParser options', () => {
  it('refuses a bad version or maxHeaderBytes with INVALID_ARGUMENT', () => {
    expectCode(() => new ProxyHeaderParser({ version: 'v3' as 'v1' }), 'INVALID_ARGUMENT');
    expectCode(() => new ProxyHeaderParser({ version: 'any', maxHeaderBytes: MIN_PROXY_HEADER_BYTES - 1 }), 'INVALID_ARGUMENT');
    expectCode(() => new ProxyHeaderParser({ version: 'any', maxHeaderBytes: MAX_PROXY_HEADER_BYTES + 1 }), 'INVALID_ARGUMENT');
    expectCode(() => new ProxyHeaderParser({ version: 'any', maxHeaderBytes: 1000.5 }), 'INVALID_ARGUMENT');
    expectCode(() => new ProxyHeaderParser(null as unknown as ProxyHeaderParserOptions), 'INVALID_ARGUMENT');
    expect(new ProxyHeaderParser({ version: 'v2', maxHeaderBytes: MIN_PROXY_HEADER_BYTES }).buffered).toBe(0);
  });
});

describe('PROXY v1', () => {
  it('parses TCP4 and hands back the application bytes as a view of the last chunk', () => {
    const chunk = Buffer.concat([Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 51000 443\r\n'), APP]);
    const result = new ProxyHeaderParser({ version: 'v1' }).push(chunk);
    expect(result.done).toBe(true);
    if (!result.done) return;
    expect(result.header).toEqual({
      version: 1,
      command: 'PROXY',
      protocol: 'TCP4',
      source: { host: '192.0.2.7', port: 51000 },
      destination: { host: '198.51.100.1', port: 443 },
      tlvs: [],
    });
    expectFrozen(result.header);
    expect(result.rest.equals(APP)).toBe(true);
    expect(result.rest.buffer).toBe(chunk.buffer);
  });

  it('parses TCP4 split at every byte boundary', () => {
    expectEverySplit(Buffer.from('PROXY TCP4 255.255.255.255 0.0.0.0 65535 0\r\n'), {
      version: 1,
      command: 'PROXY',
      protocol: 'TCP4',
      source: { host: '255.255.255.255', port: 65535 },
      destination: { host: '0.0.0.0', port: 0 },
      tlvs: [],
    });
  });

  it('parses TCP6 and prints addresses as Node does', () => {
    expectEverySplit(Buffer.from('PROXY TCP6 2001:DB8:0:0:0:0:0:1 ::FFFF:10.0.0.1 1 65535\r\n'), {
      version: 1,
      command: 'PROXY',
      protocol: 'TCP6',
      source: { host: '2001:db8::1', port: 1 },
      destination: { host: '::ffff:10.0.0.1', port: 65535 },
      tlvs: [],
    });
  });

  it('parses the longest TCP6 line', () => {
    const full = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    const { header } = parse(`PROXY TCP6 ${full} ${full} 65535 65535\r\n`);
    expect(header.source).toEqual({ host: full, port: 65535 });
  });

  it('parses UNKNOWN, ignoring whatever precedes its CRLF, up to 107 bytes', () => {
    const unknown: ProxyHeader = { version: 1, command: 'PROXY', protocol: 'UNKNOWN', tlvs: [] };
    expectEverySplit(Buffer.from('PROXY UNKNOWN\r\n'), unknown);
    const longest = 'PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n';
    expect(longest.length).toBe(107);
    expectEverySplit(Buffer.from(longest), unknown);
    expect(parse('PROXY UNKNOWN anything \x01\xff\r here\r\n').header).toEqual(unknown);
  });

  it('refuses a line of 108 bytes at its 107th byte, holding at most 107', () => {
    const line = Buffer.from(`PROXY UNKNOWN ${'x'.repeat(92)}\r\n`);
    expect(line.length).toBe(108);
    expect(failingByte(line)).toBe(106);
    const parser = new ProxyHeaderParser({ version: 'v1' });
    expect(parser.push(line.subarray(0, 106))).toEqual({ done: false });
    expect(parser.buffered).toBe(106);
    expectCode(() => parser.push(line.subarray(106)), INVALID);
  });

  it.each([
    ['LF without CR', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n'],
    ['CR without LF', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r'],
    ['UNKNOWN with LF only', 'PROXY UNKNOWN\n'],
    ['UNKNOWN ending in LF only', 'PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\n'],
    ['UNKNOWN glued to more text', 'PROXY UNKNOWNX\r\n'],
    ['two spaces between fields', 'PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n'],
    ['two spaces after PROXY', 'PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['a leading space', ' PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['a tab for a space', 'PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['a trailing space', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n'],
    ['three fields', 'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'],
    ['five fields', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n'],
    ['no fields', 'PROXY TCP4\r\n'],
    ['no protocol', 'PROXY \r\n'],
    ['nothing at all', 'PROXY\r\n'],
    ['lower-case proxy', 'proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['lower-case protocol', 'PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['an unknown protocol', 'PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['UDP4 (not in v1)', 'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['an octet over 255', 'PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n'],
    ['three octets', 'PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n'],
    ['a leading zero in an octet', 'PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n'],
    ['an empty octet', 'PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n'],
    ['a port over 65535', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n'],
    ['a six-digit port', 'PROXY TCP4 1.2.3.4 5.6.7.8 123456 2\r\n'],
    ['a port with +', 'PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n'],
    ['a negative port', 'PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n'],
    ['a port with a leading zero', 'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n'],
    ['a hex port', 'PROXY TCP4 1.2.3.4 5.6.7.8 0x1 2\r\n'],
    ['IPv6 addresses in TCP4', 'PROXY TCP4 ::1 ::1 1 2\r\n'],
    ['IPv4 addresses in TCP6', 'PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['a host name', 'PROXY TCP4 localhost 5.6.7.8 1 2\r\n'],
    ['two ::', 'PROXY TCP6 1::2::3 ::1 1 2\r\n'],
    ['a zone id', 'PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n'],
    ['brackets', 'PROXY TCP6 [::1] ::1 1 2\r\n'],
    ['a NUL', 'PROXY TCP4 1.2.3.4\x005.6.7.8 1 2\r\n'],
    ['an over-long IPv4 field', 'PROXY TCP4 1111111111111111 5.6.7.8 1 2\r\n'],
  ])('refuses %s', (_, line) => {
    expectCode(() => parse(line), INVALID);
    expect(failingByte(line)).toBeGreaterThanOrEqual(0);
  });

  it('fails at the first byte that cannot belong to a header, not later', () => {
    expect(failingByte('GET / HTTP/1.1\r\n')).toBe(0);
    expect(failingByte('PRI * HTTP/2.0\r\n')).toBe(2);
    expect(failingByte(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))).toBe(0);
    expect(failingByte('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX')).toBe(31);
    expect(failingByte('PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n')).toBe(30);
    expect(failingByte('PROXY TCP4 1:2')).toBe(12);
    expect(failingByte('PROXY TCP4 1.2.3.4\r\n')).toBe(18);
    expect(failingByte('PROXY UDP4 ')).toBe(7);
    expect(failingByte('PROXY TCP7 ')).toBe(9);
    expect(failingByte('PROXY TCP6 :: :: 1 2\n')).toBe(20);
  });
});

describe('PROXY v2', () => {
  const tcp4Block = [192, 0, 2, 7, 198, 51, 100, 1, 0xc7, 0x38, 0x01, 0xbb];

  it('parses PROXY TCP4 and hands back the application bytes', () => {
    const header = v2(0x21, 0x11, tcp4Block);
    const chunk = Buffer.concat([header, APP]);
    const result = new ProxyHeaderParser({ version: 'v2' }).push(chunk);
    expect(result.done).toBe(true);
    if (!result.done) return;
    expect(result.header).toEqual({
      version: 2,
      command: 'PROXY',
      protocol: 'TCP4',
      source: { host: '192.0.2.7', port: 51000 },
      destination: { host: '198.51.100.1', port: 443 },
      tlvs: [],
    });
    expectFrozen(result.header);
    expect(result.rest.equals(APP)).toBe(true);
    expect(result.rest.buffer).toBe(chunk.buffer);
    expectEverySplit(header, result.header);
  });

  it('parses PROXY TCP6, UDP4, UDP6 and UNIX', () => {
    const six = [...Array(15).fill(0), 1, 0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1, 0x13, 0x88, 0x00, 0x50];
    expectEverySplit(v2(0x21, 0x21, six), {
      version: 2,
      command: 'PROXY',
      protocol: 'TCP6',
      source: { host: '::1', port: 5000 },
      destination: { host: '2001:db8::1', port: 80 },
      tlvs: [],
    });
    expect(parse(v2(0x21, 0x12, tcp4Block)).header.protocol).toBe('UDP4');
    expect(parse(v2(0x21, 0x22, six)).header).toMatchObject({ protocol: 'UDP6', source: { host: '::1', port: 5000 } });
    const unix = parse(v2(0x21, 0x31, Array(216).fill(0x41))).header;
    expect(unix).toEqual({ version: 2, command: 'PROXY', protocol: 'UNIX', tlvs: [] });
    expect(parse(v2(0x21, 0x32, Array(216).fill(0))).header.protocol).toBe('UNIX');
  });

  it('parses PROXY UNSPEC: no addresses, TLVs still read', () => {
    const { header } = parse(v2(0x21, 0x00, tlvBytes(PP2_TYPE.AUTHORITY, 'example.com')));
    expect(header).toMatchObject({ command: 'PROXY', protocol: 'UNKNOWN', authority: 'example.com' });
    expect(header.source).toBeUndefined();
  });

  it('parses LOCAL, ignoring its family and any address block', () => {
    const local: ProxyHeader = { version: 2, command: 'LOCAL', protocol: 'UNKNOWN', tlvs: [] };
    expectEverySplit(v2(0x20, 0x00, []), local);
    expectEverySplit(v2(0x20, 0x11, tcp4Block), local);
    // The family byte of a LOCAL header is ignored, and so is its block.
    expect(parse(v2(0x20, 0xff, [1, 2, 3, 4, 5])).header).toEqual(local);
    expect(parse(v2(0x20, 0x11, [])).header).toEqual(local);
  });

  it('reads every TLV in order: ALPN, AUTHORITY, UNIQUE_ID, SSL with sub-TLVs, NOOP, NETNS and unknown types', () => {
    const ssl = [
      PP2_CLIENT.SSL | PP2_CLIENT.CERT_CONN,
      0, 0, 0, 0,
      ...tlvBytes(PP2_SUBTYPE_SSL.VERSION, 'TLSv1.3'),
      ...tlvBytes(PP2_SUBTYPE_SSL.CN, 'client.example'),
      ...tlvBytes(PP2_SUBTYPE_SSL.CIPHER, 'TLS_AES_128_GCM_SHA256'),
      ...tlvBytes(PP2_SUBTYPE_SSL.SIG_ALG, 'SHA256'),
      ...tlvBytes(PP2_SUBTYPE_SSL.KEY_ALG, 'RSA2048'),
      ...tlvBytes(0x2f, [9, 9]),
    ];
    const block = [
      ...tcp4Block,
      ...tlvBytes(PP2_TYPE.ALPN, 'h2'),
      ...tlvBytes(PP2_TYPE.AUTHORITY, 'example.com'),
      ...tlvBytes(PP2_TYPE.UNIQUE_ID, [1, 2, 3]),
      ...tlvBytes(PP2_TYPE.SSL, ssl),
      ...tlvBytes(PP2_TYPE.NOOP, []),
      ...tlvBytes(PP2_TYPE.NETNS, 'blue'),
      ...tlvBytes(0xe0, [0xde, 0xad]),
      ...tlvBytes(PP2_TYPE.ALPN, 'http/1.1'),
    ];
    const bytes = v2(0x21, 0x11, block);
    const { header } = parse(bytes);
    expect(header.alpn).toBe('h2');
    expect(header.authority).toBe('example.com');
    expect([...(header.uniqueId ?? [])]).toEqual([1, 2, 3]);
    expect(header.tls).toEqual({
      client: 3,
      verified: true,
      version: 'TLSv1.3',
      cn: 'client.example',
      cipher: 'TLS_AES_128_GCM_SHA256',
      sigAlg: 'SHA256',
      keyAlg: 'RSA2048',
    });
    expect(header.tlvs.map((tlv) => tlv.type)).toEqual([0x01, 0x02, 0x05, 0x20, 0x04, 0x30, 0xe0, 0x01]);
    expect(header.tlvs.map((tlv) => tlv.value.length)).toEqual([2, 11, 3, ssl.length, 0, 4, 2, 8]);
    expect([...(header.tlvs[6]?.value ?? [])]).toEqual([0xde, 0xad]);
    expectFrozen(header);
    expectEverySplit(bytes, header);
  });

  it('keeps its own copy of the header: changing the pushed chunk later changes nothing', () => {
    const bytes = v2(0x21, 0x11, [...tcp4Block, ...tlvBytes(PP2_TYPE.UNIQUE_ID, [7, 7])]);
    const { header } = parse(bytes);
    bytes.fill(0);
    expect([...(header.uniqueId ?? [])]).toEqual([7, 7]);
    expect(header.source?.host).toBe('192.0.2.7');
  });

  it('reports an unverified client certificate', () => {
    const { header } = parse(v2(0x21, 0x11, [...tcp4Block, ...tlvBytes(PP2_TYPE.SSL, [PP2_CLIENT.SSL, 0, 0, 0, 1])]));
    expect(header.tls).toEqual({ client: 1, verified: false });
  });

  it('accepts a UNIQUE_ID of 128 bytes and refuses 129', () => {
    expect(parse(v2(0x21, 0x11, [...tcp4Block, ...tlvBytes(PP2_TYPE.UNIQUE_ID, Array(128).fill(1))])).header.uniqueId?.length).toBe(128);
    expectCode(() => parse(v2(0x21, 0x11, [...tcp4Block, ...tlvBytes(PP2_TYPE.UNIQUE_ID, Array(129).fill(1))])), INVALID);
  });

  describe('CRC32C', () => {
    const withCrc = (): Buffer => encodeProxyHeaderV2({
      protocol: 'TCP4',
      source: { host: '192.0.2.7', port: 51000 },
      destination: { host: '198.51.100.1', port: 443 },
      alpn: 'h2',
      crc32c: true,
    });

    it('accepts a header whose checksum matches', () => {
      const bytes = withCrc();
      expect(parse(bytes).header.tlvs.map((tlv) => tlv.type)).toEqual([PP2_TYPE.ALPN, PP2_TYPE.CRC32C]);
      expectEverySplit(bytes, parse(bytes).header);
    });

    it('refuses a header with any byte changed after the checksum was made', () => {
      const good = withCrc();
      // Every byte past the fixed part whose change keeps the structure valid: addresses, ports, ALPN value, checksum.
      for (const at of [16, 20, 24, 26, 27, 31, 32, good.length - 1]) {
        const bad = Buffer.from(good);
        bad[at] = (bad[at] ?? 0) ^ 0x01;
        expectCode(() => parse(bad), INVALID);
      }
    });

    it('refuses a CRC32C TLV that is not 4 bytes, and two of them', () => {
      expectCode(() => parse(v2(0x21, 0x11, [...tcp4Block, ...tlvBytes(PP2_TYPE.CRC32C, [0, 0, 0])])), INVALID);
      const bytes = withCrc();
      const twice = v2(0x21, 0x11, [...bytes.subarray(16), ...tlvBytes(PP2_TYPE.CRC32C, [0, 0, 0, 0])]);
      expectCode(() => parse(twice), INVALID);
    });
  });

  it.each([
    ['a TLV overrunning the block', [...tcp4Block, ...tlvBytes(PP2_TYPE.ALPN, 'h2').slice(0, -1)]],
    ['a TLV length past the end', [...tcp4Block, 0x01, 0x00, 0x05, 0x68, 0x32]],
    ['one stray byte after the addresses', [...tcp4Block, 0x04]],
    ['two stray bytes after the addresses', [...tcp4Block, 0x04, 0x00]],
    ['an SSL TLV shorter than its prefix', [...tcp4Block, ...tlvBytes(PP2_TYPE.SSL, [1, 0, 0, 0])]],
    ['an SSL sub-TLV overrunning the SSL TLV', [...tcp4Block, ...tlvBytes(PP2_TYPE.SSL, [1, 0, 0, 0, 0, 0x21, 0x00, 0x09, 0x54])]],
    ['an SSL TLV ending in a stray byte', [...tcp4Block, ...tlvBytes(PP2_TYPE.SSL, [1, 0, 0, 0, 0, 0x21])]],
    ['an AUTHORITY that is not UTF-8', [...tcp4Block, ...tlvBytes(PP2_TYPE.AUTHORITY, [0x65, 0xff, 0xfe])]],
    ['an ALPN that is not UTF-8', [...tcp4Block, ...tlvBytes(PP2_TYPE.ALPN, [0xc3])]],
    ['an SSL CN that is not UTF-8', [...tcp4Block, ...tlvBytes(PP2_TYPE.SSL, [1, 0, 0, 0, 0, ...tlvBytes(0x22, [0xe2, 0x82])])]],
  ])('refuses %s', (_, block) => {
    expectCode(() => parse(v2(0x21, 0x11, block)), INVALID);
  });

  it('checks each fixed byte as it arrives', () => {
    for (let at = 1; at < 12; at++) {
      const bytes = v2(0x21, 0x11, tcp4Block);
      bytes[at] = (bytes[at] ?? 0) ^ 0x20;
      expect(failingByte(bytes)).toBe(at);
    }
    for (const verCmd of [0x11, 0x31, 0x01, 0xf1, 0x22, 0x2f]) expect(failingByte(v2(verCmd, 0x11, tcp4Block))).toBe(12);
    for (const fam of [0x01, 0x02, 0x10, 0x13, 0x20, 0x23, 0x30, 0x33, 0x41, 0xff]) expect(failingByte(v2(0x21, fam, tcp4Block))).toBe(13);
  });

  it('refuses an address block shorter than its family needs, at the length field', () => {
    expect(failingByte(v2(0x21, 0x11, tcp4Block.slice(0, 11)))).toBe(15);
    expect(failingByte(v2(0x21, 0x21, Array(35).fill(0)))).toBe(15);
    expect(failingByte(v2(0x21, 0x31, Array(215).fill(0)))).toBe(15);
    expect(failingByte(v2(0x21, 0x12, []))).toBe(15);
  });

  it('refuses a declared length over maxHeaderBytes before buffering the block', () => {
    const parser = new ProxyHeaderParser({ version: 'v2' });
    const big = v2(0x21, 0x11, [], DEFAULT_PROXY_HEADER_BYTES - 16 + 1);
    expect(parser.push(big.subarray(0, 15))).toEqual({ done: false });
    expectCode(() => parser.push(big.subarray(15, 16)), INVALID);
    expect(parser.buffered).toBeLessThanOrEqual(16);
    expect(failingByte(v2(0x20, 0x00, [], 0xffff))).toBe(15);

    const fits = v2(0x21, 0x11, [...tcp4Block, ...tlvBytes(PP2_TYPE.NOOP, Array(300 - 16 - 12 - 3).fill(0))]);
    expect(fits.length).toBe(300);
    expect(parse(fits, { version: 'v2', maxHeaderBytes: 300 }).header.protocol).toBe('TCP4');
    expectCode(() => parse(Buffer.concat([fits.subarray(0, 14), Buffer.from([0x01, 0x1d]), fits.subarray(16), Buffer.alloc(1)]), { version: 'v2', maxHeaderBytes: 300 }), INVALID);
    const largest = v2(0x21, 0x00, tlvBytes(0xee, Array(0xffff - 3).fill(7)));
    expect(parse(largest, { version: 'any', maxHeaderBytes: MAX_PROXY_HEADER_BYTES }).header.tlvs[0]?.value.length).toBe(0xffff - 3);
  });
});

describe('versions and lifecycle', () => {
  const v1Line = 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n';
  const v2Local = v2(0x20, 0x00, []);

  it('a v1-only parser refuses a v2 signature at its first byte, and the reverse', () => {
    expect(failingByte(v2Local, { version: 'v1' })).toBe(0);
    expect(failingByte(v1Line, { version: 'v2' })).toBe(0);
    expect(parse(v1Line, { version: 'v1' }).header.version).toBe(1);
    expect(parse(v2Local, { version: 'v2' }).header.version).toBe(2);
    expect(parse(v1Line, { version: 'any' }).header.version).toBe(1);
    expect(parse(v2Local, { version: 'any' }).header.version).toBe(2);
  });

  it('waits on an empty chunk and on a partial header', () => {
    const parser = new ProxyHeaderParser({ version: 'any' });
    expect(parser.push(Buffer.alloc(0))).toEqual({ done: false });
    expect(parser.push(Buffer.from('PROXY TCP4 1.2'))).toEqual({ done: false });
    expect(parser.buffered).toBe(14);
  });

  it('returns an empty rest when the chunk ends with the header, and takes a plain Uint8Array', () => {
    const result = new ProxyHeaderParser({ version: 'any' }).push(new Uint8Array(v2Local));
    expect(result.done && result.rest.length).toBe(0);
    expect(result.done && Buffer.isBuffer(result.rest)).toBe(true);
  });

  it('after a failure, every push throws the same error; after done, a push is a usage error', () => {
    const failed = new ProxyHeaderParser({ version: 'any' });
    let first: unknown;
    try {
      failed.push(Buffer.from('X'));
    } catch (error) {
      first = error;
    }
    expect(isSocketError(first, INVALID)).toBe(true);
    let again: unknown;
    try {
      failed.push(Buffer.from(v1Line));
    } catch (error) {
      again = error;
    }
    expect(again).toBe(first);

    const done = new ProxyHeaderParser({ version: 'any' });
    expect(done.push(v2Local).done).toBe(true);
    expect(done.buffered).toBe(0);
    expectCode(() => done.push(Buffer.from('more')), 'INVALID_ARGUMENT');
  });
});

describe('real-world v2 headers, built byte by byte from the specification', () => {
  it('the spec\'s TCP over IPv4 example (192.168.1.1:8080 → 192.168.1.2:80)', () => {
    const bytes = Buffer.from([
      0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, // signature
      0x21, // version 2, PROXY
      0x11, // AF_INET, STREAM
      0x00, 0x0c, // 12 bytes follow
      0xc0, 0xa8, 0x01, 0x01, // 192.168.1.1
      0xc0, 0xa8, 0x01, 0x02, // 192.168.1.2
      0x1f, 0x90, // 8080
      0x00, 0x50, // 80
    ]);
    expect(parse(bytes).header).toEqual({
      version: 2,
      command: 'PROXY',
      protocol: 'TCP4',
      source: { host: '192.168.1.1', port: 8080 },
      destination: { host: '192.168.1.2', port: 80 },
      tlvs: [],
    });
  });

  it('a balancer health check: LOCAL, UNSPEC, no block', () => {
    const bytes = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20, 0x00, 0x00, 0x00]);
    expect(parse(bytes).header).toEqual({ version: 2, command: 'LOCAL', protocol: 'UNKNOWN', tlvs: [] });
  });

  it('TCP over IPv6 (2001:db8::1:443 ← 2001:db8:0:1::2:50000)', () => {
    const bytes = Buffer.from([
      ...SIG, 0x21, 0x21, 0x00, 0x24,
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // 2001:db8:0:1::2
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // 2001:db8::1
      0xc3, 0x50, 0x01, 0xbb, // 50000, 443
    ]);
    expect(parse(bytes).header).toMatchObject({
      protocol: 'TCP6',
      source: { host: '2001:db8:0:1::2', port: 50000 },
      destination: { host: '2001:db8::1', port: 443 },
    });
  });

  it('an AWS NLB-style header: TCP4 with a VPC endpoint TLV (type 0xEA, subtype 0x01)', () => {
    const id = 'vpce-08d2bf15fac5001c9';
    const bytes = Buffer.from([
      ...SIG, 0x21, 0x11, 0x00, 12 + 3 + 1 + id.length,
      0x0a, 0x00, 0x00, 0x05, 0x0a, 0x00, 0x01, 0x09, 0xd4, 0x31, 0x00, 0x50,
      0xea, 0x00, 1 + id.length, 0x01, ...Buffer.from(id, 'latin1'),
    ]);
    const { header } = parse(bytes);
    expect(header.source).toEqual({ host: '10.0.0.5', port: 54321 });
    expect(header.tlvs).toHaveLength(1);
    expect(header.tlvs[0]?.type).toBe(0xea);
    expect(header.tlvs[0]?.value.subarray(1).toString('latin1')).toBe(id);
  });

  it('an HAProxy-style header with SSL sub-TLVs and a hand-computed CRC32C', () => {
    const ssl = [
      0x20, 0x00, 5 + 3 + 7 + 3 + 2,
      0x05, // client: SSL | CERT_SESS
      0x00, 0x00, 0x00, 0x00, // verify: ok
      0x21, 0x00, 0x07, ...Buffer.from('TLSv1.2'),
      0x22, 0x00, 0x02, ...Buffer.from('cn'),
    ];
    const crcTlv = [0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00];
    const block = [0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x30, 0x39, 0x00, 0x16, ...ssl, ...crcTlv];
    const bytes = Buffer.from([...SIG, 0x21, 0x11, 0x00, block.length, ...block]);
    // CRC-32C bit by bit (RFC 4960 appendix B), independent of the parser's table.
    let crc = 0xffffffff;
    for (const byte of bytes) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    }
    bytes.writeUInt32BE((crc ^ 0xffffffff) >>> 0, bytes.length - 4);
    const { header } = parse(bytes);
    expect(header).toMatchObject({
      protocol: 'TCP4',
      source: { host: '127.0.0.1', port: 12345 },
      destination: { host: '127.0.0.1', port: 22 },
      tls: { client: 5, verified: true, version: 'TLSv1.2', cn: 'cn' },
    });
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    expectCode(() => parse(bytes), INVALID);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const ipv4Host = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`);
const ipv6Bytes = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
const ipv6Host = ipv6Bytes.map((words) => words.map((w) => w.toString(16)).join(':'));
const portArb = fc.integer({ min: 0, max: 0xffff });
const text = fc.string({ maxLength: 40 });
// Types the parser keeps but does not interpret.
const opaqueType = fc.oneof(fc.constantFrom(PP2_TYPE.NOOP, PP2_TYPE.NETNS), fc.integer({ min: 0x06, max: 0x1f }), fc.integer({ min: 0xe0, max: 0xff }));
const tlsArb = fc.record(
  {
    client: fc.integer({ min: 0, max: 7 }),
    verified: fc.boolean(),
    version: text,
    cn: text,
    cipher: text,
    sigAlg: text,
    keyAlg: text,
  },
  { requiredKeys: ['client', 'verified'] },
);

const v2Init = fc
  .record({
    command: fc.constantFrom('PROXY' as const, 'LOCAL' as const),
    protocol: fc.constantFrom('TCP4' as const, 'UDP4' as const, 'TCP6' as const, 'UDP6' as const, 'UNIX' as const, 'UNKNOWN' as const),
    v4: fc.tuple(ipv4Host, portArb, ipv4Host, portArb),
    v6: fc.tuple(ipv6Host, portArb, ipv6Host, portArb),
    alpn: fc.option(text, { nil: undefined }),
    authority: fc.option(text, { nil: undefined }),
    uniqueId: fc.option(fc.uint8Array({ maxLength: 128 }), { nil: undefined }),
    tls: fc.option(tlsArb, { nil: undefined }),
    extraTlvs: fc.array(fc.record({ type: opaqueType, value: fc.uint8Array({ maxLength: 60 }) }), { maxLength: 4 }),
    crc32c: fc.boolean(),
  })
  .map(({ v4, v6, ...rest }) => {
    const ip = rest.protocol.endsWith('4') ? v4 : rest.protocol.endsWith('6') ? v6 : undefined;
    return {
      ...rest,
      ...(ip === undefined ? {} : { source: { host: ip[0], port: ip[1] }, destination: { host: ip[2], port: ip[3] } }),
    };
  });

const v1Init = fc.oneof(
  fc.tuple(ipv4Host, portArb, ipv4Host, portArb).map(([a, p, b, q]) => ({ protocol: 'TCP4' as const, source: { host: a, port: p }, destination: { host: b, port: q } })),
  fc.tuple(ipv6Host, portArb, ipv6Host, portArb).map(([a, p, b, q]) => ({ protocol: 'TCP6' as const, source: { host: a, port: p }, destination: { host: b, port: q } })),
  fc.constant({ protocol: 'UNKNOWN' as const }),
);

/** A header reduced to what a comparison needs: TLV values as plain arrays. */
function plain(header: ProxyHeader): unknown {
  return {
    ...header,
    tlvs: header.tlvs.map((tlv) => ({ type: tlv.type, value: [...tlv.value] })),
    uniqueId: header.uniqueId === undefined ? undefined : [...header.uniqueId],
  };
}

function canonical(host: string): string {
  const parsed = parseChunks([Buffer.from(`PROXY TCP6 ${host} ::1 1 1\r\n`)]).header.source?.host;
  return parsed ?? host;
}

describe('properties', () => {
  it('(1) encode then parse, in any chunking, gives the header and the trailing bytes back', () => {
    fc.assert(
      fc.property(
        fc.oneof(v1Init.map((init) => ({ v: 1 as const, init })), v2Init.map((init) => ({ v: 2 as const, init }))),
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        ({ v, init }, trailing, cuts) => {
          const bytes = v === 1 ? encodeProxyHeaderV1(init) : encodeProxyHeaderV2(init);
          const whole = Buffer.concat([bytes, trailing]);
          const parsed = parseChunks(splitAt(whole, cuts.map((c) => c % (whole.length + 1))), { version: 'any', maxHeaderBytes: MAX_PROXY_HEADER_BYTES });
          expect(parsed.rest.equals(Buffer.from(trailing))).toBe(true);
          const header = parsed.header;
          expect(header.version).toBe(v);
          if (v === 1 || init.command !== 'LOCAL') {
            const ipProtocol = init.protocol !== 'UNIX' && init.protocol !== 'UNKNOWN';
            expect(header.command).toBe('PROXY');
            expect(header.protocol).toBe(init.protocol);
            const fix = (a: { host: string; port: number } | undefined): unknown =>
              a === undefined ? undefined : { host: a.host.includes(':') ? canonical(a.host) : a.host, port: a.port };
            expect(header.source).toEqual(ipProtocol ? fix(init.source) : undefined);
            expect(header.destination).toEqual(ipProtocol ? fix(init.destination) : undefined);
          } else {
            expect(header).toEqual({ version: 2, command: 'LOCAL', protocol: 'UNKNOWN', tlvs: [] });
          }
          if (v === 2 && init.command === 'PROXY') {
            expect(header.alpn).toBe(init.alpn);
            expect(header.authority).toBe(init.authority);
            expect(header.uniqueId === undefined ? undefined : [...header.uniqueId]).toEqual(init.uniqueId === undefined ? undefined : [...init.uniqueId]);
            const tls = init.tls === undefined ? undefined : Object.fromEntries(Object.entries(init.tls).filter(([, value]) => value !== undefined));
            expect(header.tls).toEqual(tls);
            const types = [
              ...(init.alpn === undefined ? [] : [PP2_TYPE.ALPN]),
              ...(init.authority === undefined ? [] : [PP2_TYPE.AUTHORITY]),
              ...(init.uniqueId === undefined ? [] : [PP2_TYPE.UNIQUE_ID]),
              ...(init.tls === undefined ? [] : [PP2_TYPE.SSL]),
              ...init.extraTlvs.map((tlv) => tlv.type),
              ...(init.crc32c ? [PP2_TYPE.CRC32C] : []),
            ];
            expect(header.tlvs.map((tlv) => tlv.type)).toEqual(types);
            const extras = (plain(header) as { tlvs: unknown[] }).tlvs.slice(types.length - init.extraTlvs.length - (init.crc32c ? 1 : 0), types.length - (init.crc32c ? 1 : 0));
            expect(extras).toEqual(init.extraTlvs.map((tlv) => ({ type: tlv.type, value: [...tlv.value] })));
          }
          expectFrozen(header);
        },
      ),
      { numRuns: 400 },
    );
  });

  /**
   * Pushes `bytes` in the given chunks: every push must return or throw PROXY_PROTOCOL_INVALID, the
   * parser must hold no more than its bound, and the outcome must not depend on the chunking.
   */
  function survives(bytes: Uint8Array, cuts: readonly number[], options: ProxyHeaderParserOptions): void {
    const bound = bytes[0] === 0x50 ? 107 : (options.maxHeaderBytes ?? DEFAULT_PROXY_HEADER_BYTES);
    const outcome = (chunks: readonly Buffer[]): unknown => {
      const parser = new ProxyHeaderParser(options);
      for (const [i, chunk] of chunks.entries()) {
        let result: ProxyParseResult;
        try {
          result = parser.push(chunk);
        } catch (error) {
          expect(isSocketError(error, INVALID), String(error)).toBe(true);
          return INVALID;
        }
        expect(parser.buffered).toBeLessThanOrEqual(bound);
        if (result.done) {
          expectFrozen(result.header);
          return { header: plain(result.header), rest: [...Buffer.concat([result.rest, ...chunks.slice(i + 1)])] };
        }
      }
      return 'more';
    };
    expect(outcome(splitAt(bytes, cuts.map((c) => c % (bytes.length + 1))))).toEqual(outcome([Buffer.from(bytes)]));
  }

  const versionArb = fc.constantFrom<ProxyHeaderParserOptions['version']>('v1', 'v2', 'any');
  const maxArb = fc.option(fc.integer({ min: MIN_PROXY_HEADER_BYTES, max: 600 }), { nil: undefined });
  const cutsArb = fc.array(fc.nat(), { maxLength: 10 });

  it('(2a) arbitrary bytes never crash or hang the parser', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), cutsArb, versionArb, maxArb, (bytes, cuts, version, maxHeaderBytes) => {
        survives(bytes, cuts, maxHeaderBytes === undefined ? { version } : { version, maxHeaderBytes });
      }),
      { numRuns: 500 },
    );
  });

  it('(2b) arbitrary bytes after a valid prefix never crash or hang the parser', () => {
    const prefixes = [
      Buffer.from(SIG),
      Buffer.from([...SIG, 0x21]),
      Buffer.from([...SIG, 0x21, 0x11]),
      Buffer.from([...SIG, 0x20]),
      Buffer.from('PROXY '),
      Buffer.from('PROXY TCP4 '),
      Buffer.from('PROXY TCP6 '),
      Buffer.from('PROXY UNKNOWN'),
      Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 '),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 300 }), cutsArb, versionArb, maxArb, (prefix, tail, cuts, version, maxHeaderBytes) => {
        survives(Buffer.concat([prefix, tail]), cuts, maxHeaderBytes === undefined ? { version } : { version, maxHeaderBytes });
      }),
      { numRuns: 500 },
    );
  });

  it('(2c) a well-framed v2 header with arbitrary blocks and TLV soup never crashes the parser', () => {
    const soup = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 20 }).map((b) => [...b]),
        fc.tuple(fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0x20, 0x21, 0x22, 0x30, 0xea), fc.uint8Array({ maxLength: 24 }), fc.integer({ min: -3, max: 3 })).map(
          ([type, value, skew]) => {
            const declared = Math.max(0, value.length + skew);
            return [type, declared >> 8, declared & 0xff, ...value];
          },
        ),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(0x20, 0x21),
        fc.constantFrom(0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32),
        fc.uint8Array({ maxLength: 40 }),
        soup,
        fc.integer({ min: -2, max: 2 }),
        cutsArb,
        (verCmd, fam, addresses, parts, skew, cuts) => {
          const block = [...addresses, ...parts.flat()];
          const declared = Math.max(0, Math.min(0xffff, block.length + skew));
          survives(v2(verCmd, fam, block, declared), cuts, { version: 'any' });
        },
      ),
      { numRuns: 500 },
    );
  });
});
