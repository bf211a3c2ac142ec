import { invalidArgument } from '../errors.js';
import { formatIPv4, formatIPv6, isIPv4Mapped, parseIPv4, parseIPv6, type IpFamily } from './ip-address.js';

/**
 * Anything that can answer "is this address in the set?", such as Node's `net.BlockList` (core
 * does not import `node:net`, so any object of this shape is taken).
 *
 * @example
 * ```ts
 * const checker: AddressChecker = { check: (address) => address === '10.0.0.1' };
 * ```
 */
export interface AddressChecker {
  check(address: string, family?: IpFamily): boolean;
}

/**
 * One entry of a trusted-proxies list: a CIDR (`'10.0.0.0/8'`, `'fd00::/8'`), a single address
 * (`'127.0.0.1'` means /32, `'::1'` /128), or an {@link AddressChecker}.
 *
 * @example
 * ```ts
 * const entries: TrustedProxy[] = ['10.0.0.0/8', '::1', blockList];
 * ```
 */
export type TrustedProxy = string | AddressChecker;

interface Rule {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function isChecker(value: unknown): value is AddressChecker {
  return typeof value === 'object' && value !== null && typeof (value as { check?: unknown }).check === 'function';
}

function parseRule(entry: string, index: number): { family: IpFamily; rule: Rule } {
  const bad = (why: string): Error => invalidArgument(`trustedProxies[${index}] ${JSON.stringify(entry)} ${why}`);
  const slash = entry.indexOf('/');
  const hostText = slash === -1 ? entry : entry.slice(0, slash);
  const isV6 = hostText.includes(':');
  const bytes = isV6 ? parseIPv6(hostText) : parseIPv4(hostText);
  if (bytes === undefined) throw bad(`is not an IPv${isV6 ? 6 : 4} address or CIDR`);
  const bits = bytes.length * 8;
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = entry.slice(slash + 1);
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
      throw bad(`has a prefix length that is not a number from 0 to ${bits}`);
    }
    prefix = Number(prefixText);
  }
  // Host bits beyond the prefix are cleared (as net.BlockList.addSubnet does), not refused.
  const masked = Uint8Array.from(bytes, (byte, i) => byte & maskByte(prefix, i));
  return { family: isV6 ? 'ipv6' : 'ipv4', rule: Object.freeze({ bytes: masked, prefix }) };
}

function maskByte(prefix: number, index: number): number {
  const bits = prefix - index * 8;
  if (bits >= 8) return 0xff;
  if (bits <= 0) return 0;
  return (0xff << (8 - bits)) & 0xff;
}

function inRule(bytes: Uint8Array, rule: Rule): boolean {
  for (let i = 0; i < rule.bytes.length; i++) {
    const mask = maskByte(rule.prefix, i);
    if (mask === 0) return true;
    if (((bytes[i] ?? 0) & mask) !== rule.bytes[i]) return false;
  }
  return true;
}

function anyRule(bytes: Uint8Array, rules: readonly Rule[]): boolean {
  for (const rule of rules) if (inRule(bytes, rule)) return true;
  return false;
}

/**
 * Builds the rule "accept a PROXY header only from these balancers": a pure predicate over the
 * address a connection came from (the socket's peer, before any header is read).
 *
 * - Strings are CIDRs or single addresses; a bad one throws `INVALID_ARGUMENT` naming it.
 * - IPv4 and IPv4-mapped IPv6 (`::ffff:a.b.c.d`, as a dual-stack socket reports IPv4 peers) are one
 *   address: each matches the other's rules.
 * - Objects with a `check(address, family)` method (Node's `net.BlockList`) are asked too.
 * - Anything that is not an IP literal (an optional `%zone` is ignored) is not trusted.
 *
 * @example
 * ```ts
 * const trusted = trustedProxies(['10.0.0.0/8', '::1']);
 * trusted('10.1.2.3');         // true
 * trusted('::ffff:10.1.2.3');  // true
 * trusted('192.0.2.1');        // false
 * ```
 */
export function trustedProxies(list: readonly TrustedProxy[]): (address: string) => boolean {
  if (!Array.isArray(list)) throw invalidArgument('trustedProxies must be an array of CIDR strings or objects with a check() method');
  const v4: Rule[] = [];
  const v6: Rule[] = [];
  const checkers: AddressChecker[] = [];
  (list as readonly unknown[]).forEach((entry, index) => {
    if (typeof entry === 'string') {
      const { family, rule } = parseRule(entry, index);
      (family === 'ipv4' ? v4 : v6).push(rule);
    } else if (isChecker(entry)) {
      checkers.push(entry);
    } else {
      throw invalidArgument(`trustedProxies[${index}] must be a CIDR string or an object with a check() method, got ${String(entry)}`);
    }
  });

  return (address: string): boolean => {
    if (typeof address !== 'string') return false;
    const zone = address.indexOf('%');
    const text = zone === -1 ? address : address.slice(0, zone);
    let ipv4: Uint8Array | undefined;
    let ipv6: Uint8Array | undefined;
    if (text.includes(':')) {
      ipv6 = parseIPv6(text);
      if (ipv6 === undefined) return false;
      if (isIPv4Mapped(ipv6)) ipv4 = ipv6.subarray(12);
    } else {
      ipv4 = parseIPv4(text);
      if (ipv4 === undefined) return false;
      ipv6 = new Uint8Array(16);
      ipv6[10] = 0xff;
      ipv6[11] = 0xff;
      ipv6.set(ipv4, 12);
    }
    if (ipv4 !== undefined && anyRule(ipv4, v4)) return true;
    if (anyRule(ipv6, v6)) return true;
    if (checkers.length === 0) return false;
    const asV4 = ipv4 === undefined ? undefined : formatIPv4(ipv4);
    const asV6 = formatIPv6(ipv6);
    for (const checker of checkers) {
      if (asV4 !== undefined && checker.check(asV4, 'ipv4')) return true;
      if (checker.check(asV6, 'ipv6')) return true;
    }
    return false;
  };
}
