import { Buffer } from 'node:buffer';
import type { Address } from '../config.js';
import { GenericError, invalidArgument } from '../errors.js';
import { crc32c } from './crc32c.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip-address.js';
import {
  PP2_SUBTYPE_SSL,
  PP2_TYPE,
  PP2_UNIQUE_ID_MAX_BYTES,
  PROXY_V1_MAX_BYTES,
  PROXY_V2_FIXED_BYTES,
  PROXY_V2_SIGNATURE,
  type ProxyHeader,
  type ProxyTlsInfo,
  type ProxyTlv,
  type ProxyTransportProtocol,
} from './proxy-header.js';

/**
 * Which PROXY protocol versions a listener accepts. With `'any'` the first byte decides (`P` is v1,
 * `\r` is v2); nothing else is ever guessed.
 *
 * @example
 * ```ts
 * const accepted: ProxyProtocolVersion = 'any';
 * ```
 */
export type ProxyProtocolVersion = 'v1' | 'v2' | 'any';

/**
 * Options of a {@link ProxyHeaderParser}.
 *
 * @example
 * ```ts
 * const options: ProxyHeaderParserOptions = { version: 'v2', maxHeaderBytes: 1024 };
 * ```
 */
export interface ProxyHeaderParserOptions {
  version: ProxyProtocolVersion;
  /**
   * Largest v2 header accepted, its 16 fixed bytes included: a header declaring more is refused
   * before the rest is read, so this is also the most the parser ever holds. From
   * {@link MIN_PROXY_HEADER_BYTES} to {@link MAX_PROXY_HEADER_BYTES}; default
   * {@link DEFAULT_PROXY_HEADER_BYTES}. (A v1 header is at most 107 bytes whatever this says.)
   */
  maxHeaderBytes?: number;
}

/**
 * What {@link ProxyHeaderParser.push} returns: either "give me more bytes", or the header and the
 * bytes after it, which belong to the application (a view of the last chunk, not a copy).
 *
 * @example
 * ```ts
 * const result = parser.push(chunk);
 * if (result.done) service.onBytes(result.rest);
 * ```
 */
export type ProxyParseResult =
  | { readonly done: false }
  | { readonly done: true; readonly header: ProxyHeader; readonly rest: Buffer };

/**
 * Default of {@link ProxyHeaderParserOptions.maxHeaderBytes}: 4 KiB. A real header is an address
 * block (at most 216 bytes) plus a few TLVs (ALPN, SNI, a 128-byte unique id, TLS names: a few
 * hundred bytes), so this leaves room for vendors' TLVs while bounding what each connection that is
 * still in its accept step may make the listener hold.
 *
 * @example
 * ```ts
 * new ProxyHeaderParser({ version: 'v2', maxHeaderBytes: DEFAULT_PROXY_HEADER_BYTES * 2 });
 * ```
 */
export const DEFAULT_PROXY_HEADER_BYTES = 4096;

/**
 * Smallest `maxHeaderBytes`: 16 fixed bytes and the largest address block (AF_UNIX, 216 bytes), so
 * that every address family fits.
 *
 * @example
 * ```ts
 * new ProxyHeaderParser({ version: 'v2', maxHeaderBytes: MIN_PROXY_HEADER_BYTES });
 * ```
 */
export const MIN_PROXY_HEADER_BYTES = PROXY_V2_FIXED_BYTES + 216;

/**
 * Largest `maxHeaderBytes`: what the v2 length field can declare.
 *
 * @example
 * ```ts
 * new ProxyHeaderParser({ version: 'any', maxHeaderBytes: MAX_PROXY_HEADER_BYTES });
 * ```
 */
export const MAX_PROXY_HEADER_BYTES = PROXY_V2_FIXED_BYTES + 0xffff;

// Where the parser is; one value instead of flags whose combinations a reader must work out.
type State = 'start' | 'v1' | 'v2-fixed' | 'v2-block' | 'done' | 'failed';
type V1Kind = 'TCP4' | 'TCP6' | 'UNKNOWN';

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const DOT = 0x2e;
const COLON = 0x3a;
const V1_PREFIX = 'PROXY ';
const V1_TOKENS: readonly (readonly [string, V1Kind])[] = [
  ['TCP4 ', 'TCP4'],
  ['TCP6 ', 'TCP6'],
  ['UNKNOWN', 'UNKNOWN'],
];
// "PROXY TCP4 " / "PROXY TCP6 ": where the address fields start.
const V1_FIELDS_START = 11;
// Longest text of each of the four v1 fields: IPv4, IPv6 (six groups and a quad), port.
const V1_FIELD_MAX: Readonly<Record<'TCP4' | 'TCP6', readonly number[]>> = {
  TCP4: [15, 15, 5, 5],
  TCP6: [45, 45, 5, 5],
};
const V1_FIELD_NAMES = ['source address', 'destination address', 'source port', 'destination port'] as const;

const COMMAND_LOCAL = 0x0;
const COMMAND_PROXY = 0x1;
// Family/protocol byte → what it relays and how long its address block is. The spec lists these
// seven; any other byte "must be rejected as invalid by receivers".
const FAMILIES: ReadonlyMap<number, { readonly protocol: ProxyTransportProtocol; readonly addressBytes: number }> = new Map([
  [0x00, { protocol: 'UNKNOWN', addressBytes: 0 }],
  [0x11, { protocol: 'TCP4', addressBytes: 12 }],
  [0x12, { protocol: 'UDP4', addressBytes: 12 }],
  [0x21, { protocol: 'TCP6', addressBytes: 36 }],
  [0x22, { protocol: 'UDP6', addressBytes: 36 }],
  [0x31, { protocol: 'UNIX', addressBytes: 216 }],
  [0x32, { protocol: 'UNIX', addressBytes: 216 }],
]);

const NEED_MORE: ProxyParseResult = Object.freeze({ done: false });
const NO_TLVS: readonly ProxyTlv[] = Object.freeze([]);
const EMPTY = Buffer.alloc(0);
const ZERO_CRC = new Uint8Array(4);
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function invalid(message: string): GenericError {
  return new GenericError('PROXY_PROTOCOL_INVALID', `PROXY header: ${message}`);
}

function hex(value: number, digits = 2): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  const lower = c | 0x20;
  return isDigit(c) || (lower >= 0x61 && lower <= 0x66);
}

/** A TLV's place inside the bytes it was read from. */
interface TlvSpan {
  readonly type: number;
  readonly start: number;
  readonly end: number;
}

/** Reads TLVs that must tile `bytes[start, end)` exactly; `where` names the region in messages. */
function readTlvs(bytes: Buffer, start: number, end: number, where: string): TlvSpan[] {
  const spans: TlvSpan[] = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < 3) {
      throw invalid(`${where} ends with ${end - offset} byte(s) at offset ${offset}, too few for a TLV's type and length`);
    }
    const type = bytes[offset] ?? 0;
    const length = bytes.readUInt16BE(offset + 1);
    const valueStart = offset + 3;
    if (valueStart + length > end) {
      const over = valueStart + length - end;
      throw invalid(`TLV type ${hex(type)} at offset ${offset} declares ${length} bytes, overrunning the ${where} by ${over}`);
    }
    spans.push({ type, start: valueStart, end: valueStart + length });
    offset = valueStart + length;
  }
  return spans;
}

function text(value: Buffer, name: string): string {
  try {
    return UTF8.decode(value);
  } catch (error) {
    throw new GenericError('PROXY_PROTOCOL_INVALID', `PROXY header: the ${name} is not valid UTF-8`, error);
  }
}

function parseSsl(value: Buffer): ProxyTlsInfo {
  if (value.length < 5) {
    throw invalid(`the SSL TLV has ${value.length} bytes, fewer than its 5-byte client and verify fields`);
  }
  const tls: { -readonly [K in keyof ProxyTlsInfo]: ProxyTlsInfo[K] } = {
    client: value[0] ?? 0,
    verified: value.readUInt32BE(1) === 0,
  };
  for (const sub of readTlvs(value, 5, value.length, 'SSL TLV')) {
    const bytes = value.subarray(sub.start, sub.end);
    // Every known sub-TLV is checked, the first of each type is reported.
    switch (sub.type) {
      case PP2_SUBTYPE_SSL.VERSION:
        tls.version ??= text(bytes, 'SSL version');
        break;
      case PP2_SUBTYPE_SSL.CN:
        tls.cn ??= text(bytes, 'SSL common name');
        break;
      case PP2_SUBTYPE_SSL.CIPHER:
        tls.cipher ??= text(bytes, 'SSL cipher');
        break;
      case PP2_SUBTYPE_SSL.SIG_ALG:
        tls.sigAlg ??= text(bytes, 'SSL signature algorithm');
        break;
      case PP2_SUBTYPE_SSL.KEY_ALG:
        tls.keyAlg ??= text(bytes, 'SSL key algorithm');
        break;
      default:
        break;
    }
  }
  return Object.freeze(tls);
}

function address(host: string, port: number): Readonly<Address> {
  return Object.freeze({ host, port });
}

/**
 * Reads one PROXY protocol header (v1 text or v2 binary, HAProxy's proxy-protocol.txt) from the
 * first bytes of a connection: bytes in, header out, fed in chunks of any size.
 *
 * - Strict: the header is mandatory, and bytes that cannot begin a valid header of an accepted
 *   version throw `GenericError('PROXY_PROTOCOL_INVALID')` at once, without waiting for bytes that
 *   cannot help (`GET / HTTP/1.1` fails at its first byte).
 * - Bounded: a v1 line must end within 107 bytes; a v2 header's declared length is checked against
 *   `maxHeaderBytes` as soon as it is read, before the rest is buffered.
 * - v2 TLVs must tile the block exactly (the SSL TLV's sub-TLVs too); a CRC32C TLV is verified.
 *   Unknown types are kept in `tlvs`. A `LOCAL` header's block is skipped, as the spec says.
 * - A failure is final: later pushes throw the same error.
 *
 * @example
 * ```ts
 * const parser = new ProxyHeaderParser({ version: 'any' });
 * const result = parser.push(Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 51000 443\r\nHello'));
 * if (result.done) console.log(result.header.source, result.rest.toString()); // { host: '192.0.2.7', port: 51000 } Hello
 * ```
 */
export class ProxyHeaderParser {
  readonly #version: ProxyProtocolVersion;
  readonly #maxHeaderBytes: number;
  #state: State = 'start';
  #buf: Buffer = EMPTY;
  #filled = 0;
  #error: GenericError | undefined;
  // v1 progress, so that a line fails at the first byte that cannot belong to it.
  #v1Kind: V1Kind | undefined;
  #v1Field = 0;
  #v1FieldLength = 0;
  #v1AwaitLf = false;

  constructor(options: ProxyHeaderParserOptions) {
    if (typeof options !== 'object' || options === null) throw invalidArgument('ProxyHeaderParser options must be an object');
    const { version, maxHeaderBytes = DEFAULT_PROXY_HEADER_BYTES } = options;
    if (version !== 'v1' && version !== 'v2' && version !== 'any') {
      throw invalidArgument(`proxyProtocol must be 'v1', 'v2' or 'any', got ${String(version)}`);
    }
    if (
      typeof maxHeaderBytes !== 'number' ||
      !Number.isInteger(maxHeaderBytes) ||
      maxHeaderBytes < MIN_PROXY_HEADER_BYTES ||
      maxHeaderBytes > MAX_PROXY_HEADER_BYTES
    ) {
      throw invalidArgument(
        `maxHeaderBytes must be an integer from ${MIN_PROXY_HEADER_BYTES} to ${MAX_PROXY_HEADER_BYTES}, got ${String(maxHeaderBytes)}`,
      );
    }
    this.#version = version;
    this.#maxHeaderBytes = maxHeaderBytes;
  }

  /** Header bytes held so far: never more than `maxHeaderBytes` (107 for v1), 0 once done or failed. */
  get buffered(): number {
    return this.#filled;
  }

  /**
   * Feeds the next bytes of the connection. Returns `{ done: false }` while the header is
   * incomplete, then once `{ done: true, header, rest }`. Throws `PROXY_PROTOCOL_INVALID` as soon as
   * the bytes cannot be a valid header, and `INVALID_ARGUMENT` if called again after `done`.
   */
  push(chunk: Uint8Array): ProxyParseResult {
    if (this.#state === 'failed' && this.#error !== undefined) throw this.#error;
    if (this.#state === 'done') {
      throw invalidArgument('the PROXY header is already parsed: bytes after it belong to the application');
    }
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    try {
      return this.#consume(bytes);
    } catch (error) {
      this.#state = 'failed';
      this.#buf = EMPTY;
      this.#filled = 0;
      this.#error =
        error instanceof GenericError ? error : new GenericError('PROXY_PROTOCOL_INVALID', 'PROXY header: unreadable', error);
      throw this.#error;
    }
  }

  #consume(chunk: Buffer): ProxyParseResult {
    let i = 0;
    while (i < chunk.length) {
      switch (this.#state) {
        case 'start':
          this.#begin(chunk[i] ?? 0);
          break;
        case 'v1': {
          const c = chunk[i++] ?? 0;
          this.#buf[this.#filled++] = c;
          if (this.#v1Byte(c)) return this.#finish(this.#finishV1(), chunk, i);
          if (this.#filled === PROXY_V1_MAX_BYTES) {
            throw invalid(`no CRLF within the first ${PROXY_V1_MAX_BYTES} bytes of a v1 header`);
          }
          break;
        }
        case 'v2-fixed': {
          const c = chunk[i++] ?? 0;
          this.#buf[this.#filled++] = c;
          this.#v2FixedByte(c);
          if (this.#filled === PROXY_V2_FIXED_BYTES && this.#buf.length === PROXY_V2_FIXED_BYTES) {
            return this.#finish(this.#finishV2(), chunk, i);
          }
          break;
        }
        case 'v2-block': {
          const n = Math.min(this.#buf.length - this.#filled, chunk.length - i);
          chunk.copy(this.#buf, this.#filled, i, i + n);
          this.#filled += n;
          i += n;
          if (this.#filled === this.#buf.length) return this.#finish(this.#finishV2(), chunk, i);
          break;
        }
        default:
          throw invalid(`parser in state ${this.#state}`);
      }
    }
    return NEED_MORE;
  }

  #begin(first: number): void {
    if (first === 0x50 /* P */ && this.#version !== 'v2') {
      this.#state = 'v1';
      this.#buf = Buffer.allocUnsafe(PROXY_V1_MAX_BYTES);
      return;
    }
    if (first === CR && this.#version !== 'v1') {
      this.#state = 'v2-fixed';
      this.#buf = Buffer.allocUnsafe(PROXY_V2_FIXED_BYTES);
      return;
    }
    if (first === 0x50) throw invalid('got a v1 header ("PROXY ..."), but only v2 is accepted');
    if (first === CR) throw invalid('got a v2 header (its signature), but only v1 is accepted');
    const expected = this.#version === 'v1' ? '"PROXY "' : this.#version === 'v2' ? 'the v2 signature' : '"PROXY " or the v2 signature';
    throw invalid(`expected ${expected}, got byte ${hex(first)} first`);
  }

  /** Checks the v1 byte just stored; true when it ends the line. */
  #v1Byte(c: number): boolean {
    const at = this.#filled - 1;
    if (at < V1_PREFIX.length) {
      if (c !== V1_PREFIX.charCodeAt(at)) throw invalid(`expected "PROXY " but byte ${at} is ${hex(c)}`);
      return false;
    }
    const kind = this.#v1Kind;
    if (kind === undefined) {
      this.#v1Token(at - V1_PREFIX.length);
      return false;
    }
    if (kind === 'UNKNOWN') {
      // The rest of an UNKNOWN line is to be ignored, so only its end is checked.
      if (at === V1_PREFIX.length + 'UNKNOWN'.length && c !== SPACE && c !== CR) {
        throw invalid(`"UNKNOWN" must be followed by a space or CRLF, got ${hex(c)}`);
      }
      if (c !== LF) return false;
      if (this.#buf[at - 1] !== CR) throw invalid('the v1 line ends with LF instead of CRLF');
      return true;
    }
    if (this.#v1AwaitLf) {
      if (c !== LF) throw invalid(`CR must be followed by LF, got ${hex(c)}`);
      return true;
    }
    const field = this.#v1Field;
    const name = V1_FIELD_NAMES[field] ?? 'field';
    if (c === SPACE || c === CR) {
      if (this.#v1FieldLength === 0) throw invalid(`the ${name} is empty (fields are separated by exactly one space)`);
      if (c === CR) {
        if (field !== 3) throw invalid(`the v1 line ends after its ${name}; it needs 4 fields`);
        this.#v1AwaitLf = true;
      } else {
        if (field === 3) throw invalid('the v1 line has more than 4 fields after the protocol');
        this.#v1Field = field + 1;
        this.#v1FieldLength = 0;
      }
      return false;
    }
    const allowed =
      field >= 2 ? isDigit(c) : kind === 'TCP4' ? isDigit(c) || c === DOT : isHexDigit(c) || c === COLON || c === DOT;
    if (!allowed) throw invalid(`byte ${hex(c)} cannot appear in the ${name} of a ${kind} line`);
    this.#v1FieldLength++;
    if (this.#v1FieldLength > (V1_FIELD_MAX[kind][field] ?? 0)) throw invalid(`the ${name} is too long for ${kind}`);
    return false;
  }

  /** Checks byte `k` of the protocol token against TCP4/TCP6/UNKNOWN. */
  #v1Token(k: number): void {
    for (const [token, kind] of V1_TOKENS) {
      if (k >= token.length) continue;
      let matches = true;
      for (let j = 0; j <= k && matches; j++) matches = this.#buf[V1_PREFIX.length + j] === token.charCodeAt(j);
      if (!matches) continue;
      if (k === token.length - 1) this.#v1Kind = kind;
      return;
    }
    const seen = this.#buf.toString('latin1', V1_PREFIX.length, this.#filled);
    throw invalid(`expected TCP4, TCP6 or UNKNOWN after "PROXY ", got ${JSON.stringify(seen)}`);
  }

  #finishV1(): ProxyHeader {
    const kind = this.#v1Kind;
    if (kind === 'UNKNOWN' || kind === undefined) {
      return Object.freeze({ version: 1, command: 'PROXY', protocol: 'UNKNOWN', tlvs: NO_TLVS });
    }
    const fields = this.#buf.toString('latin1', V1_FIELDS_START, this.#filled - 2).split(' ');
    const [src = '', dst = '', srcPort = '', dstPort = ''] = fields;
    return Object.freeze({
      version: 1,
      command: 'PROXY',
      protocol: kind,
      source: address(v1Host(src, kind, 'source'), v1Port(srcPort, 'source')),
      destination: address(v1Host(dst, kind, 'destination'), v1Port(dstPort, 'destination')),
      tlvs: NO_TLVS,
    });
  }

  /** Checks the v2 fixed-part byte just stored, as early as each one allows. */
  #v2FixedByte(c: number): void {
    const at = this.#filled - 1;
    if (at < PROXY_V2_SIGNATURE.length) {
      const expected = PROXY_V2_SIGNATURE[at] ?? 0;
      if (c !== expected) throw invalid(`byte ${at} of the v2 signature is ${hex(c)}, expected ${hex(expected)}`);
      return;
    }
    if (at === 12) {
      if (c >> 4 !== 2) throw invalid(`v2 version must be 2, got ${c >> 4} (byte ${hex(c)})`);
      const command = c & 0x0f;
      if (command !== COMMAND_LOCAL && command !== COMMAND_PROXY) {
        throw invalid(`v2 command must be LOCAL (0) or PROXY (1), got ${command}`);
      }
      return;
    }
    // LOCAL ignores the family byte, as the spec says; PROXY must name one of the seven.
    if (at === 13) {
      if (this.#command() === COMMAND_PROXY && !FAMILIES.has(c)) throw invalid(`unknown v2 family/protocol byte ${hex(c)}`);
      return;
    }
    if (at === 15) {
      const length = this.#buf.readUInt16BE(14);
      const total = PROXY_V2_FIXED_BYTES + length;
      if (total > this.#maxHeaderBytes) {
        throw invalid(`v2 header declares ${total} bytes, over the limit of ${this.#maxHeaderBytes} (maxHeaderBytes)`);
      }
      if (this.#command() === COMMAND_PROXY) {
        const family = FAMILIES.get(this.#buf[13] ?? 0);
        const need = family?.addressBytes ?? 0;
        if (length < need) {
          throw invalid(`v2 ${family?.protocol ?? ''} header declares ${length} bytes, fewer than its ${need}-byte address block`);
        }
      }
      if (length > 0) {
        const whole = Buffer.alloc(total);
        this.#buf.copy(whole, 0, 0, PROXY_V2_FIXED_BYTES);
        this.#buf = whole;
        this.#state = 'v2-block';
      }
    }
  }

  #command(): number {
    return (this.#buf[12] ?? 0) & 0x0f;
  }

  #finishV2(): ProxyHeader {
    const buf = this.#buf;
    if (this.#command() === COMMAND_LOCAL) {
      // "discard the protocol block including the family": the connection keeps its own addresses.
      return Object.freeze({ version: 2, command: 'LOCAL', protocol: 'UNKNOWN', tlvs: NO_TLVS });
    }
    const family = FAMILIES.get(buf[13] ?? 0);
    if (family === undefined) throw invalid(`unknown v2 family/protocol byte ${hex(buf[13] ?? 0)}`);
    const header: { -readonly [K in keyof ProxyHeader]: ProxyHeader[K] } = {
      version: 2,
      command: 'PROXY',
      protocol: family.protocol,
      tlvs: NO_TLVS,
    };
    const at = PROXY_V2_FIXED_BYTES;
    if (family.addressBytes === 12) {
      header.source = address(formatIPv4(buf, at), buf.readUInt16BE(at + 8));
      header.destination = address(formatIPv4(buf, at + 4), buf.readUInt16BE(at + 10));
    } else if (family.addressBytes === 36) {
      header.source = address(formatIPv6(buf, at), buf.readUInt16BE(at + 32));
      header.destination = address(formatIPv6(buf, at + 16), buf.readUInt16BE(at + 34));
    }
    const spans = readTlvs(buf, at + family.addressBytes, buf.length, 'v2 header');
    if (spans.length > 0) {
      header.tlvs = Object.freeze(spans.map((span) => Object.freeze({ type: span.type, value: buf.subarray(span.start, span.end) })));
    }
    let checksummed = false;
    for (const span of spans) {
      const value = buf.subarray(span.start, span.end);
      switch (span.type) {
        case PP2_TYPE.ALPN: {
          const alpn = text(value, 'ALPN TLV');
          header.alpn ??= alpn;
          break;
        }
        case PP2_TYPE.AUTHORITY: {
          const authority = text(value, 'AUTHORITY TLV');
          header.authority ??= authority;
          break;
        }
        case PP2_TYPE.CRC32C:
          if (value.length !== 4) throw invalid(`the CRC32C TLV has ${value.length} bytes, not 4`);
          if (checksummed) throw invalid('more than one CRC32C TLV');
          checksummed = true;
          verifyCrc(buf, span.start);
          break;
        case PP2_TYPE.UNIQUE_ID:
          if (value.length > PP2_UNIQUE_ID_MAX_BYTES) {
            throw invalid(`the UNIQUE_ID TLV has ${value.length} bytes, over the ${PP2_UNIQUE_ID_MAX_BYTES} allowed`);
          }
          header.uniqueId ??= value;
          break;
        case PP2_TYPE.SSL: {
          const tls = parseSsl(value);
          header.tls ??= tls;
          break;
        }
        default:
          // NOOP, NETNS, vendors' and unknown types: kept in `tlvs` only.
          break;
      }
    }
    return Object.freeze(header);
  }

  #finish(header: ProxyHeader, chunk: Buffer, consumed: number): ProxyParseResult {
    this.#state = 'done';
    // The header keeps its own copy (TLV values are views of it); the parser keeps nothing.
    this.#buf = EMPTY;
    this.#filled = 0;
    return Object.freeze({ done: true, header, rest: chunk.subarray(consumed) });
  }
}

/** Verifies the CRC32C whose 4-byte value starts at `valueAt`, computed with that value as zeros. */
function verifyCrc(buf: Buffer, valueAt: number): void {
  const received = buf.readUInt32BE(valueAt);
  let crc = crc32c(buf, 0, valueAt);
  crc = crc32c(ZERO_CRC, 0, 4, crc);
  crc = crc32c(buf, valueAt + 4, buf.length, crc);
  if (crc !== received) {
    throw invalid(`CRC32C mismatch: the header says ${hex(received, 8)}, its bytes give ${hex(crc, 8)}`);
  }
}

function v1Host(textValue: string, kind: 'TCP4' | 'TCP6', which: string): string {
  if (kind === 'TCP4') {
    const bytes = parseIPv4(textValue);
    if (bytes === undefined) throw invalid(`the ${which} address ${JSON.stringify(textValue)} is not an IPv4 literal`);
    return formatIPv4(bytes);
  }
  const bytes = parseIPv6(textValue);
  if (bytes === undefined) throw invalid(`the ${which} address ${JSON.stringify(textValue)} is not an IPv6 literal`);
  return formatIPv6(bytes);
}

function v1Port(textValue: string, which: string): number {
  // Decimal 0..65535 without leading zeros (the spec forbids them: octal confusion).
  const port = Number(textValue);
  if (!/^(?:0|[1-9][0-9]{0,4})$/.test(textValue) || port > 0xffff) {
    throw invalid(`the ${which} port ${JSON.stringify(textValue)} is not a decimal number from 0 to 65535`);
  }
  return port;
}
