import { lookup as lookupCallback, type LookupOneOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { fromSystemError, invalidArgument, type Operation } from '@sock/core/internal';

/**
 * The kind of socket a `DgramWire` opened: `udp4`; `udp6` bound to one IPv6 address; or `dual`, a
 * `udp6` socket bound to `::` that also reaches IPv4 peers as IPv4-mapped addresses.
 *
 * @example
 * ```ts
 * if (wire.family === 'udp4') console.log('IPv4 only');
 * ```
 */
export type DgramFamily = 'udp4' | 'udp6' | 'dual';

/**
 * The socket kind for a numeric bind address (`undefined`: all interfaces, dual-stack).
 *
 * @example
 * ```ts
 * familyOfBind('127.0.0.1'); // 'udp4'
 * ```
 */
export function familyOfBind(host: string | undefined): DgramFamily {
  if (host === undefined || host === '::') return 'dual';
  return isIP(host) === 4 ? 'udp4' : 'udp6';
}

/**
 * Which address family a lookup for a socket of this kind should ask for (0: either).
 *
 * @example
 * ```ts
 * lookupFamily('dual'); // 0
 * ```
 */
export function lookupFamily(family: DgramFamily): 0 | 4 | 6 {
  return family === 'udp4' ? 4 : family === 'udp6' ? 6 : 0;
}

/**
 * The host to hand to `socket.send`/`connect` for a numeric address on a socket of this kind: an
 * IPv4 address on a dual-stack socket becomes IPv4-mapped; a family the socket cannot reach is
 * `INVALID_ARGUMENT` naming both.
 *
 * @example
 * ```ts
 * socketHost('127.0.0.1', 'dual', 'UDP socket [::]:5000', '127.0.0.1:53'); // '::ffff:127.0.0.1'
 * ```
 */
export function socketHost(numeric: string, family: DgramFamily, socket: string, endpoint: string): string {
  if (isIP(numeric) === 4) {
    if (family === 'udp6') throw invalidArgument(`${socket} is bound to an IPv6 address and cannot reach IPv4 address ${endpoint}`);
    return family === 'dual' ? `::ffff:${numeric}` : numeric;
  }
  if (family === 'udp4') throw invalidArgument(`${socket} is bound to an IPv4 address and cannot reach IPv6 address ${endpoint}`);
  return numeric;
}

/**
 * A numeric address for a host: an IP literal as it is (no lookup), a name looked up once.
 *
 * @example
 * ```ts
 * await resolveHost('localhost', 4, 'localhost:53', 'send'); // '127.0.0.1'
 * ```
 */
export async function resolveHost(host: string, family: 0 | 4 | 6, endpoint: string, operation: Operation): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host, { family })).address;
  } catch (error) {
    throw fromSystemError(error, operation, endpoint);
  }
}

/**
 * The `lookup` every `DgramWire` socket is created with. `node:dgram` passes every `send`, `bind`
 * and `connect` address through a lookup, and the default (`dns.lookup`) answers even an IP literal
 * one `process.nextTick` later: a reply to a sender paid a lookup call, an address check and a
 * tick before its system call. An IP literal (which is all a `DgramWire` hands to its socket: names
 * are looked up beforehand by {@link resolveHost}) is answered at once; anything else still goes to
 * `dns.lookup`.
 *
 * @example
 * ```ts
 * const socket = createSocket({ type: 'udp4', lookup: literalLookup });
 * ```
 */
export function literalLookup(
  hostname: string,
  options: LookupOneOptions | number,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  lookupCallback(hostname, options as LookupOneOptions, callback);
}
