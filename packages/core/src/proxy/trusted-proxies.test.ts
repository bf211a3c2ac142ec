import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSocketError } from '../errors.js';
import { trustedProxies, type AddressChecker, type TrustedProxy } from './trusted-proxies.js';

function expectInvalidArgument(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isSocketError(thrown, 'INVALID_ARGUMENT'), String(thrown)).toBe(true);
}

const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;

describe('trustedProxies', () => {
  it('matches IPv4 CIDRs and single addresses (/32)', () => {
    const trusted = trustedProxies(['10.0.0.0/8', '192.168.1.7', '172.16.0.0/12']);
    expect(trusted('10.0.0.0')).toBe(true);
    expect(trusted('10.255.255.255')).toBe(true);
    expect(trusted('11.0.0.0')).toBe(false);
    expect(trusted('192.168.1.7')).toBe(true);
    expect(trusted('192.168.1.8')).toBe(false);
    expect(trusted('172.31.255.255')).toBe(true);
    expect(trusted('172.32.0.0')).toBe(false);
  });

  it('matches IPv6 CIDRs and single addresses (/128), in any spelling', () => {
    const trusted = trustedProxies(['::1/128', '2001:db8::/32', 'fe80::1']);
    expect(trusted('::1')).toBe(true);
    expect(trusted('0:0:0:0:0:0:0:1')).toBe(true);
    expect(trusted('::2')).toBe(false);
    expect(trusted('2001:DB8:ffff::1')).toBe(true);
    expect(trusted('2001:db9::1')).toBe(false);
    expect(trusted('fe80::1')).toBe(true);
    expect(trusted('fe80::1%eth0')).toBe(true);
    expect(trusted('fe80::2')).toBe(false);
  });

  it('treats IPv4 and IPv4-mapped IPv6 as the same address, both ways', () => {
    const v4Rules = trustedProxies(['10.0.0.0/8']);
    expect(v4Rules('::ffff:10.1.2.3')).toBe(true);
    expect(v4Rules('::FFFF:a01:203')).toBe(true);
    expect(v4Rules('::ffff:11.1.2.3')).toBe(false);
    expect(v4Rules('::10.1.2.3')).toBe(false); // IPv4-compatible is not mapped
    const v6Rules = trustedProxies(['::ffff:10.0.0.0/104']);
    expect(v6Rules('10.1.2.3')).toBe(true);
    expect(v6Rules('11.1.2.3')).toBe(false);
    expect(trustedProxies(['0.0.0.0/0'])('::ffff:1.2.3.4')).toBe(true);
    expect(trustedProxies(['0.0.0.0/0'])('::1')).toBe(false);
    expect(trustedProxies(['::/0'])('1.2.3.4')).toBe(true);
  });

  it('clears host bits beyond the prefix, as net.BlockList does', () => {
    const trusted = trustedProxies(['10.1.2.3/8', '2001:db8::1/32']);
    expect(trusted('10.200.0.1')).toBe(true);
    expect(trusted('2001:db8:1::')).toBe(true);
  });

  it('trusts nothing with an empty list, and nothing that is not an IP literal', () => {
    expect(trustedProxies([])('127.0.0.1')).toBe(false);
    const all = trustedProxies(['0.0.0.0/0', '::/0']);
    for (const address of ['', 'localhost', '1.2.3', '::1::', '[::1]', '01.2.3.4', ' 1.2.3.4', 42 as unknown as string]) {
      expect(all(address)).toBe(false);
    }
  });

  it('asks objects with a check() method, with the IPv4 and the mapped spelling', () => {
    const calls: [string, string | undefined][] = [];
    const blockList: AddressChecker = {
      check(address, family) {
        calls.push([address, family]);
        return address === '10.0.0.1' || address === '2001:db8::1';
      },
    };
    const trusted = trustedProxies([blockList]);
    expect(trusted('10.0.0.1')).toBe(true);
    expect(trusted('::ffff:10.0.0.1')).toBe(true);
    expect(trusted('2001:DB8::1')).toBe(true);
    calls.length = 0;
    expect(trusted('10.0.0.2')).toBe(false);
    expect(calls).toEqual([
      ['10.0.0.2', 'ipv4'],
      ['::ffff:10.0.0.2', 'ipv6'],
    ]);
    calls.length = 0;
    expect(trusted('not an address')).toBe(false);
    expect(calls).toEqual([]);
    // CIDR rules answer first; the checker is not asked then.
    expect(trustedProxies(['10.0.0.0/8', blockList])('10.9.9.9')).toBe(true);
    expect(calls).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['a prefix over 32', '10.0.0.0/33'],
    ['a prefix over 128', '::1/129'],
    ['an empty prefix', '10.0.0.0/'],
    ['a prefix with a leading zero', '10.0.0.0/08'],
    ['a signed prefix', '10.0.0.0/+8'],
    ['two slashes', '10.0.0.0/8/8'],
    ['a short address', '10.0.0/8'],
    ['a host name', 'localhost'],
    ['an empty string', ''],
    ['spaces', ' 10.0.0.1'],
    ['a zone', 'fe80::1%eth0'],
    ['a number', 42],
    ['null', null],
    ['an object without check()', { test: () => true }],
  ])('refuses %s with INVALID_ARGUMENT', (_, entry) => {
    expectInvalidArgument(() => trustedProxies(['127.0.0.1', entry as TrustedProxy]));
  });

  it('refuses a list that is not an array', () => {
    expectInvalidArgument(() => trustedProxies('10.0.0.0/8' as unknown as TrustedProxy[]));
  });

  it('(3) agrees with a brute-force reference on random IPv4 addresses and CIDRs', () => {
    const cidr = fc.tuple(fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 }));
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 4 }), fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 8 }), fc.nat(31), (rules, random, bit) => {
        const trusted = trustedProxies(rules.map(([net, prefix]) => `${dotted(net)}/${prefix}`));
        // Random addresses rarely fall in a long prefix: also try each network and a neighbour one bit away.
        const flip = (net: number, at: number): number[] => (at >= 0 && at < 32 ? [(net ^ (1 << at)) >>> 0] : []);
        // Each network, its first host bit and its last network bit flipped (the edges), and a random bit.
        const addresses = [
          ...random,
          ...rules.flatMap(([net, prefix]) => [net, ...flip(net, 31 - prefix), ...flip(net, 32 - prefix), ...flip(net, bit)]),
        ];
        for (const address of addresses) {
          const expected = rules.some(([net, prefix]) => prefix === 0 || address >>> (32 - prefix) === net >>> (32 - prefix));
          expect(trusted(dotted(address))).toBe(expected);
          expect(trusted(`::ffff:${dotted(address)}`)).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a brute-force reference on random IPv6 addresses and CIDRs', () => {
    const big = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
    const hex = (n: bigint): string => n.toString(16).padStart(32, '0').replace(/(.{4})(?!$)/g, '$1:');
    fc.assert(
      fc.property(fc.array(fc.tuple(big, fc.integer({ min: 0, max: 128 })), { maxLength: 4 }), fc.array(big, { minLength: 1, maxLength: 8 }), fc.nat(127), (rules, random, bit) => {
        const trusted = trustedProxies(rules.map(([net, prefix]) => `${hex(net)}/${prefix}`));
        const flip = (net: bigint, at: number): bigint[] => (at >= 0 && at < 128 ? [net ^ (1n << BigInt(at))] : []);
        const addresses = [
          ...random,
          ...rules.flatMap(([net, prefix]) => [net, ...flip(net, 127 - prefix), ...flip(net, 128 - prefix), ...flip(net, bit)]),
        ];
        for (const address of addresses) {
          const shift = (p: number): bigint => BigInt(128 - p);
          const expected = rules.some(([net, prefix]) => address >> shift(prefix) === net >> shift(prefix));
          expect(trusted(hex(address))).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
