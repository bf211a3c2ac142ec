import { Buffer } from 'node:buffer';
import type { Address } from '../config.js';

/**
 * What a PROXY header says about the connection: `'PROXY'` relays a client's connection (use the
 * addresses it carries), `'LOCAL'` is the balancer's own (a health check: keep the socket's
 * addresses).
 *
 * @example
 * ```ts
 * const command: ProxyCommand = 'LOCAL';
 * ```
 */
export type ProxyCommand = 'PROXY' | 'LOCAL';

/**
 * The relayed connection's transport and family. `'UNKNOWN'` (v1 `UNKNOWN`, v2 `UNSPEC`, and every
 * `LOCAL` header) carries no usable address.
 *
 * @example
 * ```ts
 * const protocol: ProxyTransportProtocol = 'TCP6';
 * ```
 */
export type ProxyTransportProtocol = 'TCP4' | 'TCP6' | 'UDP4' | 'UDP6' | 'UNIX' | 'UNKNOWN';

/**
 * One v2 Type-Length-Value entry, exactly as received.
 *
 * @example
 * ```ts
 * const tlv: ProxyTlv = { type: PP2_TYPE.ALPN, value: Buffer.from('h2') };
 * ```
 */
export interface ProxyTlv {
  readonly type: number;
  /** The raw value. A Buffer cannot be frozen: treat it as read-only. */
  readonly value: Buffer;
}

/**
 * What the balancer says about the client's TLS connection (v2 `PP2_TYPE_SSL`).
 *
 * @example
 * ```ts
 * if (header.tls?.verified && header.tls.cn === 'client.example') allow();
 * ```
 */
export interface ProxyTlsInfo {
  /** Bit set of {@link PP2_CLIENT}: TLS used, certificate on this connection, on this session. */
  readonly client: number;
  /** The balancer verified a certificate the client presented (the `verify` field is 0). */
  readonly verified: boolean;
  /** `PP2_SUBTYPE_SSL_VERSION`, e.g. `'TLSv1.3'`. */
  readonly version?: string;
  /** `PP2_SUBTYPE_SSL_CN`: the client certificate's Common Name. */
  readonly cn?: string;
  /** `PP2_SUBTYPE_SSL_CIPHER`, e.g. `'ECDHE-RSA-AES128-GCM-SHA256'`. */
  readonly cipher?: string;
  /** `PP2_SUBTYPE_SSL_SIG_ALG`, e.g. `'SHA256'`. */
  readonly sigAlg?: string;
  /** `PP2_SUBTYPE_SSL_KEY_ALG`, e.g. `'RSA2048'`. */
  readonly keyAlg?: string;
}

/**
 * A parsed PROXY protocol header (HAProxy's proxy-protocol.txt, v1 and v2). Returned frozen, as are
 * its addresses, `tls` and the `tlvs` list; hosts are numeric, IPv6 printed as Node prints it.
 *
 * `source`/`destination` are present only for a `'PROXY'` command over TCP or UDP: `source` is the
 * client as the balancer saw it, `destination` the address the client connected to.
 *
 * @example
 * ```ts
 * const header: ProxyHeader = {
 *   version: 1, command: 'PROXY', protocol: 'TCP4', tlvs: [],
 *   source: { host: '192.0.2.7', port: 51000 }, destination: { host: '198.51.100.1', port: 443 },
 * };
 * ```
 */
export interface ProxyHeader {
  readonly version: 1 | 2;
  readonly command: ProxyCommand;
  readonly protocol: ProxyTransportProtocol;
  readonly source?: Readonly<Address>;
  readonly destination?: Readonly<Address>;
  /** Every v2 TLV in the order received, unknown types included (empty for v1 and LOCAL). */
  readonly tlvs: readonly ProxyTlv[];
  /** `PP2_TYPE_ALPN`: the protocol the client negotiated, e.g. `'h2'`. */
  readonly alpn?: string;
  /** `PP2_TYPE_AUTHORITY`: the host name the client asked for (TLS SNI). */
  readonly authority?: string;
  /** `PP2_TYPE_UNIQUE_ID`: the balancer's id of this connection (at most 128 bytes). */
  readonly uniqueId?: Buffer;
  /** `PP2_TYPE_SSL`: the client's TLS connection to the balancer. */
  readonly tls?: ProxyTlsInfo;
}

/**
 * The v2 TLV types that the parser reads (others are kept in `tlvs` and otherwise ignored).
 *
 * @example
 * ```ts
 * const alpn = header.tlvs.find((tlv) => tlv.type === PP2_TYPE.ALPN);
 * ```
 */
export const PP2_TYPE = Object.freeze({
  ALPN: 0x01,
  AUTHORITY: 0x02,
  CRC32C: 0x03,
  NOOP: 0x04,
  UNIQUE_ID: 0x05,
  SSL: 0x20,
  NETNS: 0x30,
} as const);

/**
 * The sub-TLV types inside a `PP2_TYPE_SSL` value.
 *
 * @example
 * ```ts
 * const sub = { type: PP2_SUBTYPE_SSL.CN, value: Buffer.from('client.example') };
 * ```
 */
export const PP2_SUBTYPE_SSL = Object.freeze({
  VERSION: 0x21,
  CN: 0x22,
  CIPHER: 0x23,
  SIG_ALG: 0x24,
  KEY_ALG: 0x25,
} as const);

/**
 * Bits of {@link ProxyTlsInfo.client}.
 *
 * @example
 * ```ts
 * const usedTls = (header.tls?.client ?? 0) & PP2_CLIENT.SSL;
 * ```
 */
export const PP2_CLIENT = Object.freeze({
  SSL: 0x01,
  CERT_CONN: 0x02,
  CERT_SESS: 0x04,
} as const);

/**
 * The 12 bytes every v2 header starts with. Internal to the proxy modules (a Buffer cannot be
 * frozen, so it is not exported from the package).
 *
 * @example
 * ```ts
 * const looksLikeV2 = chunk.subarray(0, 12).equals(PROXY_V2_SIGNATURE);
 * ```
 */
export const PROXY_V2_SIGNATURE: Readonly<Buffer> = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);

/**
 * The longest v1 header, CRLF included: `PROXY TCP6` with two full-length IPv6 addresses and ports.
 *
 * @example
 * ```ts
 * if (line.length > PROXY_V1_MAX_BYTES) reject();
 * ```
 */
export const PROXY_V1_MAX_BYTES = 107;

/**
 * Fixed part of a v2 header: signature, version/command, family/protocol, length.
 *
 * @example
 * ```ts
 * const total = PROXY_V2_FIXED_BYTES + fixed.readUInt16BE(14);
 * ```
 */
export const PROXY_V2_FIXED_BYTES = 16;

/**
 * The largest value a `PP2_TYPE_UNIQUE_ID` may carry, per the specification.
 *
 * @example
 * ```ts
 * if (id.length > PP2_UNIQUE_ID_MAX_BYTES) reject();
 * ```
 */
export const PP2_UNIQUE_ID_MAX_BYTES = 128;
