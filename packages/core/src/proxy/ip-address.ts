/**
 * The two IP families, spelled as Node spells them (`net.BlockList`, `socket.remoteFamily` lower-cased).
 *
 * @example
 * ```ts
 * const family: IpFamily = 'ipv6';
 * ```
 */
export type IpFamily = 'ipv4' | 'ipv6';

/**
 * A parsed IP literal: its family and its bytes in network order (4 or 16 of them).
 *
 * @example
 * ```ts
 * const parsed: ParsedIp = { family: 'ipv4', bytes: Uint8Array.of(127, 0, 0, 1) };
 * ```
 */
export interface ParsedIp {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Parses a dotted-quad IPv4 literal strictly: exactly four decimal numbers 0..255, one dot between
 * each, no sign, no leading zero (a leading zero reads as octal to some parsers, so it is refused
 * rather than guessed). Returns the 4 bytes, or `undefined` when `text` is not such a literal.
 *
 * @example
 * ```ts
 * parseIPv4('10.0.0.1');  // Uint8Array [10, 0, 0, 1]
 * parseIPv4('10.0.0.01'); // undefined
 * ```
 */
export function parseIPv4(text: string): Uint8Array | undefined {
  if (text.length < 7 || text.length > 15) return undefined;
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return undefined;
      bytes[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= DIGIT_0 && c <= DIGIT_9) {
      if (digits > 0 && value === 0) return undefined; // leading zero
      value = value * 10 + (c - DIGIT_0);
      digits++;
      if (value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? bytes : undefined;
}

function hexValue(c: number): number {
  if (c >= DIGIT_0 && c <= DIGIT_9) return c - DIGIT_0;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Parses `groups` (hex groups, the last possibly a dotted quad) into 16-bit words; undefined if any is bad. */
function parseGroups(groups: readonly string[], allowDotted: boolean): number[] | undefined {
  const words: number[] = [];
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g] ?? '';
    if (allowDotted && g === groups.length - 1 && group.includes('.')) {
      const v4 = parseIPv4(group);
      if (v4 === undefined) return undefined;
      words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (group.length === 0 || group.length > 4) return undefined;
    let word = 0;
    for (let i = 0; i < group.length; i++) {
      const h = hexValue(group.charCodeAt(i));
      if (h < 0) return undefined;
      word = (word << 4) | h;
    }
    words.push(word);
  }
  return words;
}

/**
 * Parses an IPv6 literal (RFC 4291 text forms: 1 to 4 hex digits per group, upper or lower case, at
 * most one `::`, an optional dotted-quad tail). No zone (`%eth0`) and no brackets. Returns the 16
 * bytes, or `undefined` when `text` is not such a literal.
 *
 * @example
 * ```ts
 * parseIPv6('::ffff:10.0.0.1'); // Uint8Array [0, ..., 0xff, 0xff, 10, 0, 0, 1]
 * parseIPv6('1::2::3');         // undefined
 * ```
 */
export function parseIPv6(text: string): Uint8Array | undefined {
  // The longest literal is 8 groups of 4 digits and 7 colons, or 6 groups and a 15-character quad.
  if (text.length < 2 || text.length > 45) return undefined;
  const gap = text.indexOf('::');
  let words: number[];
  if (gap === -1) {
    const parsed = parseGroups(text.split(':'), true);
    if (parsed === undefined || parsed.length !== 8) return undefined;
    words = parsed;
  } else {
    if (text.indexOf('::', gap + 1) !== -1) return undefined;
    const headText = text.slice(0, gap);
    const tailText = text.slice(gap + 2);
    const head = headText === '' ? [] : parseGroups(headText.split(':'), false);
    const tail = tailText === '' ? [] : parseGroups(tailText.split(':'), true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const word = words[i] ?? 0;
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  }
  return bytes;
}

/**
 * Parses an IPv4 or IPv6 literal (see {@link parseIPv4}, {@link parseIPv6}).
 *
 * @example
 * ```ts
 * parseIp('::1')?.family; // 'ipv6'
 * ```
 */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.includes(':')) {
    const bytes = parseIPv6(text);
    return bytes === undefined ? undefined : { family: 'ipv6', bytes };
  }
  const bytes = parseIPv4(text);
  return bytes === undefined ? undefined : { family: 'ipv4', bytes };
}

/**
 * Prints the 4 bytes at `offset` as a dotted quad.
 *
 * @example
 * ```ts
 * formatIPv4(Uint8Array.of(192, 0, 2, 1)); // '192.0.2.1'
 * ```
 */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

/**
 * Prints the 16 bytes at `offset` exactly as Node prints an IPv6 address (`socket.remoteAddress`,
 * via libuv's `inet_ntop`): lower-case hex, the first longest run of two or more zero groups as
 * `::`, and a dotted-quad tail for IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible
 * (`::a.b.c.d`) addresses. So an address from a PROXY header compares equal, as a string, to the
 * same address seen on a socket.
 *
 * @example
 * ```ts
 * formatIPv6(parseIPv6('2001:DB8:0:0:0:0:0:1')!); // '2001:db8::1'
 * ```
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  let bestBase = -1;
  let bestLength = 0;
  let base = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && words[i] === 0) {
      if (base === -1) base = i;
    } else if (base !== -1) {
      if (i - base > bestLength) {
        bestBase = base;
        bestLength = i - base;
      }
      base = -1;
    }
  }
  if (bestLength < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLength) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i > 0) out += ':';
    // libuv's rule: a leading run of six zeros, or of five then ffff, ends in a dotted quad.
    if (i === 6 && bestBase === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))) {
      return out + formatIPv4(bytes, offset + 12);
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLength === 8) out += ':';
  return out;
}

/**
 * Prints 4 or 16 bytes as an IPv4 or IPv6 literal.
 *
 * @example
 * ```ts
 * formatIp(Uint8Array.of(127, 0, 0, 1)); // '127.0.0.1'
 * ```
 */
export function formatIp(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIPv4(bytes) : formatIPv6(bytes);
}

/**
 * True when the 16 bytes are an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
 *
 * @example
 * ```ts
 * isIPv4Mapped(parseIPv6('::ffff:127.0.0.1')!); // true
 * ```
 */
export function isIPv4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}
