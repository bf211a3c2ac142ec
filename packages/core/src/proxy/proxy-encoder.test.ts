import { describe, expect, it } from 'vitest';
import { isSocketError } from '../errors.js';
import { encodeProxyHeaderV1, encodeProxyHeaderV2, type ProxyHeaderV1Init, type ProxyHeaderV2Init } from './proxy-encoder.js';
import { PP2_TYPE } from './proxy-header.js';

function expectInvalidArgument(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isSocketError(thrown, 'INVALID_ARGUMENT'), String(thrown)).toBe(true);
}

const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
const v4 = { source: { host: '192.168.1.1', port: 8080 }, destination: { host: '192.168.1.2', port: 80 } };

describe('encodeProxyHeaderV1', () => {
  it('writes the lines of the specification, IPv6 in canonical form', () => {
    expect(encodeProxyHeaderV1({ protocol: 'TCP4', ...v4 }).toString('latin1')).toBe('PROXY TCP4 192.168.1.1 192.168.1.2 8080 80\r\n');
    expect(
      encodeProxyHeaderV1({ protocol: 'TCP6', source: { host: '2001:DB8:0:0:0:0:0:1', port: 1 }, destination: { host: '::1', port: 2 } }).toString(
        'latin1',
      ),
    ).toBe('PROXY TCP6 2001:db8::1 ::1 1 2\r\n');
    expect(encodeProxyHeaderV1({ protocol: 'UNKNOWN' }).toString('latin1')).toBe('PROXY UNKNOWN\r\n');
  });

  it.each<[string, ProxyHeaderV1Init]>([
    ['an IPv6 host in TCP4', { protocol: 'TCP4', source: { host: '::1', port: 1 }, destination: v4.destination }],
    ['an IPv4 host in TCP6', { protocol: 'TCP6', source: { host: '1.2.3.4', port: 1 }, destination: { host: '::1', port: 1 } }],
    ['a host name', { protocol: 'TCP4', source: { host: 'localhost', port: 1 }, destination: v4.destination }],
    ['a port over 65535', { protocol: 'TCP4', source: { host: '1.2.3.4', port: 65536 }, destination: v4.destination }],
    ['a fractional port', { protocol: 'TCP4', source: { host: '1.2.3.4', port: 1.5 }, destination: v4.destination }],
    ['no destination', { protocol: 'TCP4', source: v4.source }],
    ['addresses with UNKNOWN', { protocol: 'UNKNOWN', ...v4 }],
    ['another protocol', { protocol: 'UDP4' as 'TCP4', ...v4 }],
  ])('refuses %s', (_, init) => {
    expectInvalidArgument(() => encodeProxyHeaderV1(init));
  });
});

describe('encodeProxyHeaderV2', () => {
  it('writes the specification\'s TCP over IPv4 example byte for byte', () => {
    expect([...encodeProxyHeaderV2({ protocol: 'TCP4', ...v4 })]).toEqual([
      ...SIG, 0x21, 0x11, 0x00, 0x0c, 0xc0, 0xa8, 0x01, 0x01, 0xc0, 0xa8, 0x01, 0x02, 0x1f, 0x90, 0x00, 0x50,
    ]);
  });

  it('writes a LOCAL health check and TLVs in the documented order', () => {
    expect([...encodeProxyHeaderV2({ command: 'LOCAL' })]).toEqual([...SIG, 0x20, 0x00, 0x00, 0x00]);
    const bytes = encodeProxyHeaderV2({ alpn: 'h2', extraTlvs: [{ type: 0xe0, value: Uint8Array.of(9) }], authority: 'a' });
    expect([...bytes.subarray(12)]).toEqual([
      0x21, 0x00, 0x00, 13, PP2_TYPE.ALPN, 0, 2, 0x68, 0x32, PP2_TYPE.AUTHORITY, 0, 1, 0x61, 0xe0, 0, 1, 9,
    ]);
  });

  it.each<[string, ProxyHeaderV2Init]>([
    ['a TLV type over 255', { extraTlvs: [{ type: 256, value: new Uint8Array(0) }] }],
    ['a negative TLV type', { extraTlvs: [{ type: -1, value: new Uint8Array(0) }] }],
    ['a TLV value over 65535 bytes', { extraTlvs: [{ type: 0xe0, value: new Uint8Array(0x10000) }] }],
    ['a block over 65535 bytes', { extraTlvs: [{ type: 0xe0, value: new Uint8Array(0xffff) }] }],
    ['a unique id over 128 bytes', { uniqueId: new Uint8Array(129) }],
    ['a TLS client byte over 255', { tls: { client: 256, verified: true } }],
    ['an unknown command', { command: 'QUIT' as 'LOCAL' }],
    ['an unknown protocol', { protocol: 'SCTP4' as 'TCP4' }],
    ['addresses for UNIX', { protocol: 'UNIX', ...v4 }],
    ['addresses for UNSPEC', { ...v4 }],
    ['TCP6 without addresses', { protocol: 'TCP6' }],
    ['an IPv4 host in UDP6', { protocol: 'UDP6', ...v4 }],
  ])('refuses %s', (_, init) => {
    expectInvalidArgument(() => encodeProxyHeaderV2(init));
  });
});
