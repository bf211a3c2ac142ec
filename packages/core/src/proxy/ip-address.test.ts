import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, formatIPv4, formatIPv6, isIPv4Mapped, parseIp, parseIPv4, parseIPv6 } from './ip-address.js';

// What Node v20 prints (new net.SocketAddress({ address, family: 'ipv6' }).address, i.e. libuv's
// inet_ntop), recorded once so that core's tests need no node:net.
const NODE_IPV6: readonly (readonly [string, string])[] = [
  ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
  ['::1.2.3.4', '::1.2.3.4'],
  ['::2:3', '::0.2.0.3'],
  ['::1', '::1'],
  ['::2', '::2'],
  ['::ffff', '::ffff'],
  ['::', '::'],
  ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
  ['1:0:0:0:1:0:0:1', '1::1:0:0:1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['::ffff:0:0', '::ffff:0.0.0.0'],
  ['0:0:0:0:0:ffff:102:304', '::ffff:1.2.3.4'],
  ['1::', '1::'],
  ['1:2:3:4:5:6:7:0', '1:2:3:4:5:6:7:0'],
  ['0:0:0:0:0:0:ffff:1', '::255.255.0.1'],
  ['::0:ffff:1.2.3.4', '::ffff:1.2.3.4'],
  ['1:0:2:0:0:3:0:0', '1:0:2::3:0:0'],
  ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
  ['0:0:1:0:0:1:0:0', '::1:0:0:1:0:0'],
  ['ABCD::', 'abcd::'],
  ['::1:0:0:0:0:0', '0:0:1::'],
  ['0:1::', '0:1::'],
  ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ['fe80::1:2', 'fe80::1:2'],
];

describe('IPv4 literals', () => {
  it.each(['0.0.0.0', '255.255.255.255', '10.0.0.1', '192.168.100.200'])('parses and prints %s', (text) => {
    const bytes = parseIPv4(text);
    expect(bytes).toBeDefined();
    expect(formatIPv4(bytes ?? new Uint8Array(4))).toBe(text);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.04', '00.0.0.0', '1..2.3', '.1.2.3', '1.2.3.4.', '+1.2.3.4',
    '-1.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.a', '0x1.2.3.4', '1.2.3.4/8', '1111.2.3.4', '１.2.3.4'])('refuses %j', (text) => {
    expect(parseIPv4(text)).toBeUndefined();
  });

  it('round-trips every 32-bit address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        expect(parseIPv4(formatIPv4(bytes))).toEqual(bytes);
      }),
    );
  });
});

describe('IPv6 literals', () => {
  it.each(NODE_IPV6)('prints %s as Node does: %s', (input, printed) => {
    const bytes = parseIPv6(input);
    expect(bytes).toBeDefined();
    expect(formatIPv6(bytes ?? new Uint8Array(16))).toBe(printed);
  });

  it.each(['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '12345::',
    'g::', ':1::', '1::2:', '1:2:3:4:5:6:7:8:', '::1.2.3', '::1.2.3.256', '::01.2.3.4', '1.2.3.4::', '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4', 'fe80::1%eth0', '[::1]', ' ::1', '::1 ', '1::2::'])('refuses %j', (text) => {
    expect(parseIPv6(text)).toBeUndefined();
  });

  it('accepts :: standing for a single zero group', () => {
    expect(formatIPv6(parseIPv6('1:2:3:4:5:6:7::') ?? new Uint8Array(16))).toBe('1:2:3:4:5:6:7:0');
  });

  it('agrees with the WHATWG URL printer wherever no dotted-quad tail applies, and round-trips', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
        (words) => {
          const bytes = new Uint8Array(16);
          words.forEach((word, i) => {
            bytes[2 * i] = word >> 8;
            bytes[2 * i + 1] = word & 0xff;
          });
          const printed = formatIPv6(bytes);
          expect(parseIPv6(printed)).toEqual(bytes);
          const leadingZeros = words.findIndex((w) => w !== 0);
          const dotted = leadingZeros === 6 || (leadingZeros === 5 && words[5] === 0xffff && words[4] === 0);
          if (!dotted) expect(printed).toBe(new URL(`http://[${printed}]/`).hostname.slice(1, -1));
        },
      ),
    );
  });
});

describe('parseIp / formatIp / isIPv4Mapped', () => {
  it('tells the families apart', () => {
    expect(parseIp('127.0.0.1')?.family).toBe('ipv4');
    expect(parseIp('::1')?.family).toBe('ipv6');
    expect(parseIp('localhost')).toBeUndefined();
    expect(formatIp(Uint8Array.of(127, 0, 0, 1))).toBe('127.0.0.1');
    expect(formatIp(parseIPv6('::1') ?? new Uint8Array(16))).toBe('::1');
  });

  it('recognises IPv4-mapped addresses only', () => {
    expect(isIPv4Mapped(parseIPv6('::ffff:1.2.3.4') ?? new Uint8Array(16))).toBe(true);
    expect(isIPv4Mapped(parseIPv6('::1.2.3.4') ?? new Uint8Array(16))).toBe(false);
    expect(isIPv4Mapped(parseIPv6('1::ffff:1.2.3.4') ?? new Uint8Array(16))).toBe(false);
    expect(isIPv4Mapped(Uint8Array.of(1, 2, 3, 4))).toBe(false);
  });
});
