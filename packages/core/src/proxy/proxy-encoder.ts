import { Buffer } from 'node:buffer';
import type { Address } from '../config.js';
import { invalidArgument } from '../errors.js';
import { crc32c } from './crc32c.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip-address.js';
import {
  PP2_SUBTYPE_SSL,
  PP2_TYPE,
  PP2_UNIQUE_ID_MAX_BYTES,
  PROXY_V1_MAX_BYTES,
  PROXY_V2_FIXED_BYTES,
  PROXY_V2_SIGNATURE,
  type ProxyCommand,
  type ProxyTlsInfo,
  type ProxyTransportProtocol,
} from './proxy-header.js';

/**
 * What {@link encodeProxyHeaderV1} writes. `source`/`destination` are required for TCP4/TCP6 and
 * refused for UNKNOWN.
 *
 * @example
 * ```ts
 * const init: ProxyHeaderV1Init = { protocol: 'TCP6', source: { host: '::1', port: 5000 }, destination: { host: '::1', port: 80 } };
 * ```
 */
export interface ProxyHeaderV1Init {
  protocol: 'TCP4' | 'TCP6' | 'UNKNOWN';
  source?: Address;
  destination?: Address;
}

/**
 * What {@link encodeProxyHeaderV2} writes. TLVs go out in this order: ALPN, AUTHORITY, UNIQUE_ID,
 * SSL, then `extraTlvs` as given, then CRC32C (when `crc32c` is true) last.
 *
 * @example
 * ```ts
 * const init: ProxyHeaderV2Init = {
 *   protocol: 'TCP4', source: { host: '192.0.2.7', port: 51000 }, destination: { host: '198.51.100.1', port: 443 },
 *   alpn: 'h2', authority: 'example.com', crc32c: true,
 * };
 * ```
 */
export interface ProxyHeaderV2Init {
  /** Default `'PROXY'`. */
  command?: ProxyCommand;
  /** Default `'UNKNOWN'` (family byte 0x00). `'UNIX'` writes a zeroed 216-byte AF_UNIX stream block. */
  protocol?: ProxyTransportProtocol;
  /** Required for TCP/UDP protocols (even under LOCAL, which a receiver ignores), refused otherwise. */
  source?: Address;
  destination?: Address;
  alpn?: string;
  authority?: string;
  uniqueId?: Uint8Array;
  tls?: ProxyTlsInfo;
  /** Written verbatim after the TLVs above; any type 0..255 (none is checked or interpreted). */
  extraTlvs?: readonly { readonly type: number; readonly value: Uint8Array }[];
  /** Append a CRC32C TLV over the whole header. */
  crc32c?: boolean;
}

const FAMILY_BYTES: Readonly<Record<ProxyTransportProtocol, number>> = {
  UNKNOWN: 0x00,
  TCP4: 0x11,
  UDP4: 0x12,
  TCP6: 0x21,
  UDP6: 0x22,
  UNIX: 0x31,
};

function port(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw invalidArgument(`${name} port must be an integer from 0 to 65535, got ${String(value)}`);
  }
  return value;
}

function ipBytes(value: Address | undefined, family: 4 | 6, name: string): { bytes: Uint8Array; port: number } {
  if (value === undefined || typeof value !== 'object') throw invalidArgument(`${name} is required for this protocol`);
  const bytes = typeof value.host === 'string' ? (family === 4 ? parseIPv4(value.host) : parseIPv6(value.host)) : undefined;
  if (bytes === undefined) throw invalidArgument(`${name}.host must be an IPv${family} literal, got ${String(value.host)}`);
  return { bytes, port: port(value.port, name) };
}

/**
 * Writes a v1 (text) PROXY header, e.g. to play a balancer in tests. IPv6 hosts are written in
 * Node's canonical form.
 *
 * @example
 * ```ts
 * encodeProxyHeaderV1({ protocol: 'TCP4', source: { host: '192.0.2.7', port: 51000 }, destination: { host: '198.51.100.1', port: 443 } });
 * // Buffer 'PROXY TCP4 192.0.2.7 198.51.100.1 51000 443\r\n'
 * ```
 */
export function encodeProxyHeaderV1(init: ProxyHeaderV1Init): Buffer {
  const { protocol } = init;
  if (protocol === 'UNKNOWN') {
    if (init.source !== undefined || init.destination !== undefined) {
      throw invalidArgument('a v1 UNKNOWN header carries no addresses');
    }
    return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  }
  if (protocol !== 'TCP4' && protocol !== 'TCP6') {
    throw invalidArgument(`v1 protocol must be TCP4, TCP6 or UNKNOWN, got ${String(protocol)}`);
  }
  const family = protocol === 'TCP4' ? 4 : 6;
  const format = family === 4 ? formatIPv4 : formatIPv6;
  const src = ipBytes(init.source, family, 'source');
  const dst = ipBytes(init.destination, family, 'destination');
  const line = `PROXY ${protocol} ${format(src.bytes)} ${format(dst.bytes)} ${src.port} ${dst.port}\r\n`;
  // Cannot happen with canonical hosts (at most 39 + 39 + 5 + 5 characters), kept as a guard.
  if (line.length > PROXY_V1_MAX_BYTES) throw invalidArgument(`v1 header would be ${line.length} bytes, over ${PROXY_V1_MAX_BYTES}`);
  return Buffer.from(line, 'latin1');
}

function tlv(type: number, value: Uint8Array, name: string): Buffer {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw invalidArgument(`${name} type must be an integer from 0 to 255, got ${type}`);
  }
  if (!(value instanceof Uint8Array)) throw invalidArgument(`${name} value must be a Buffer or Uint8Array`);
  if (value.length > 0xffff) throw invalidArgument(`${name} value has ${value.length} bytes, over 65535`);
  const out = Buffer.allocUnsafe(3 + value.length);
  out[0] = type;
  out.writeUInt16BE(value.length, 1);
  out.set(value, 3);
  return out;
}

function textTlv(type: number, value: unknown, name: string): Buffer {
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string`);
  return tlv(type, Buffer.from(value, 'utf8'), name);
}

function sslTlv(tls: ProxyTlsInfo): Buffer {
  if (!Number.isInteger(tls.client) || tls.client < 0 || tls.client > 0xff) {
    throw invalidArgument(`tls.client must be an integer from 0 to 255, got ${tls.client}`);
  }
  const head = Buffer.alloc(5);
  head[0] = tls.client;
  head.writeUInt32BE(tls.verified ? 0 : 1, 1);
  const parts: Buffer[] = [head];
  if (tls.version !== undefined) parts.push(textTlv(PP2_SUBTYPE_SSL.VERSION, tls.version, 'tls.version'));
  if (tls.cn !== undefined) parts.push(textTlv(PP2_SUBTYPE_SSL.CN, tls.cn, 'tls.cn'));
  if (tls.cipher !== undefined) parts.push(textTlv(PP2_SUBTYPE_SSL.CIPHER, tls.cipher, 'tls.cipher'));
  if (tls.sigAlg !== undefined) parts.push(textTlv(PP2_SUBTYPE_SSL.SIG_ALG, tls.sigAlg, 'tls.sigAlg'));
  if (tls.keyAlg !== undefined) parts.push(textTlv(PP2_SUBTYPE_SSL.KEY_ALG, tls.keyAlg, 'tls.keyAlg'));
  return tlv(PP2_TYPE.SSL, Buffer.concat(parts), 'tls');
}

/**
 * Writes a v2 (binary) PROXY header with any TLVs, e.g. to play a balancer in tests.
 *
 * @example
 * ```ts
 * const header = encodeProxyHeaderV2({
 *   protocol: 'TCP6', source: { host: '2001:db8::7', port: 51000 }, destination: { host: '2001:db8::1', port: 443 },
 *   alpn: 'h2', crc32c: true,
 * });
 * socket.write(header);
 * ```
 */
export function encodeProxyHeaderV2(init: ProxyHeaderV2Init): Buffer {
  const command = init.command ?? 'PROXY';
  if (command !== 'PROXY' && command !== 'LOCAL') throw invalidArgument(`command must be PROXY or LOCAL, got ${String(command)}`);
  const protocol = init.protocol ?? 'UNKNOWN';
  const familyByte = FAMILY_BYTES[protocol];
  if (familyByte === undefined) throw invalidArgument(`unknown protocol ${String(protocol)}`);

  const parts: Buffer[] = [];
  if (protocol === 'TCP4' || protocol === 'UDP4' || protocol === 'TCP6' || protocol === 'UDP6') {
    const family = protocol.endsWith('4') ? 4 : 6;
    const src = ipBytes(init.source, family, 'source');
    const dst = ipBytes(init.destination, family, 'destination');
    const block = Buffer.alloc(family === 4 ? 12 : 36);
    block.set(src.bytes, 0);
    block.set(dst.bytes, src.bytes.length);
    block.writeUInt16BE(src.port, 2 * src.bytes.length);
    block.writeUInt16BE(dst.port, 2 * src.bytes.length + 2);
    parts.push(block);
  } else {
    if (init.source !== undefined || init.destination !== undefined) {
      throw invalidArgument(`a v2 ${protocol} header carries no IP addresses`);
    }
    if (protocol === 'UNIX') parts.push(Buffer.alloc(216));
  }
  if (init.alpn !== undefined) parts.push(textTlv(PP2_TYPE.ALPN, init.alpn, 'alpn'));
  if (init.authority !== undefined) parts.push(textTlv(PP2_TYPE.AUTHORITY, init.authority, 'authority'));
  if (init.uniqueId !== undefined) {
    if (init.uniqueId.length > PP2_UNIQUE_ID_MAX_BYTES) {
      throw invalidArgument(`uniqueId has ${init.uniqueId.length} bytes, over the ${PP2_UNIQUE_ID_MAX_BYTES} allowed`);
    }
    parts.push(tlv(PP2_TYPE.UNIQUE_ID, init.uniqueId, 'uniqueId'));
  }
  if (init.tls !== undefined) parts.push(sslTlv(init.tls));
  for (const [i, extra] of (init.extraTlvs ?? []).entries()) parts.push(tlv(extra.type, extra.value, `extraTlvs[${i}]`));
  const crcAt = parts.reduce((sum, part) => sum + part.length, PROXY_V2_FIXED_BYTES) + 3;
  if (init.crc32c === true) parts.push(tlv(PP2_TYPE.CRC32C, new Uint8Array(4), 'crc32c'));

  const length = parts.reduce((sum, part) => sum + part.length, 0);
  if (length > 0xffff) throw invalidArgument(`v2 header block would be ${length} bytes, over 65535`);
  const fixed = Buffer.alloc(PROXY_V2_FIXED_BYTES);
  PROXY_V2_SIGNATURE.copy(fixed, 0);
  fixed[12] = 0x20 | (command === 'PROXY' ? 0x1 : 0x0);
  fixed[13] = familyByte;
  fixed.writeUInt16BE(length, 14);
  const header = Buffer.concat([fixed, ...parts]);
  if (init.crc32c === true) header.writeUInt32BE(crc32c(header), crcAt);
  return header;
}
