import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { describeValue, fromSystemError, invalidArgument } from '@sock/core/internal';

/**
 * The UDP socket options of a {@link UdpClient} beyond the core `UdpClientConfig`. Each one is
 * applied right after the socket is bound; a value the OS refuses rejects `ready`.
 *
 * @example
 * ```ts
 * const options: UdpSocketOptions = { broadcast: true, ttl: 16, multicastTtl: 1, multicastLoopback: true };
 * ```
 */
export interface UdpSocketOptions {
  /** Allow sending to broadcast addresses (`SO_BROADCAST`). Default false. */
  broadcast?: boolean;
  /** Unicast time-to-live / IPv6 hop limit, 1 to 255. Default: the OS's (usually 64). */
  ttl?: number;
  /** Time-to-live of multicast datagrams, 0 to 255. Default: the OS's (1). */
  multicastTtl?: number;
  /**
   * Numeric address of the interface multicast datagrams leave by (IPv4: the interface's address;
   * IPv6: `::%scope`, e.g. `::%lo`). Default: the OS's choice.
   */
  multicastInterface?: string;
  /** Whether multicast datagrams this socket sends are looped back to the host. Default: the OS's (true). */
  multicastLoopback?: boolean;
}

/**
 * {@link UdpSocketOptions} after validation; `undefined` leaves the OS default alone.
 *
 * @example
 * ```ts
 * const resolved: ResolvedUdpSocketOptions = resolveUdpSocketOptions({ ttl: 16 });
 * ```
 */
export interface ResolvedUdpSocketOptions {
  broadcast: boolean | undefined;
  ttl: number | undefined;
  multicastTtl: number | undefined;
  multicastInterface: string | undefined;
  multicastLoopback: boolean | undefined;
}

/** The option names of {@link UdpSocketOptions}, accepted on top of core's UDP configs. */
export const UDP_SOCKET_OPTION_KEYS: readonly string[] = Object.freeze(['broadcast', 'ttl', 'multicastTtl', 'multicastInterface', 'multicastLoopback']);

const describe = describeValue;

function optionalBoolean(record: Record<string, unknown>, key: string): boolean | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidArgument(`${key} must be a boolean, got ${describe(value)}`);
  return value;
}

function optionalInteger(record: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${key} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** Strips an IPv6 zone (`fe80::1%eth0` → `fe80::1`) so that `isIP` can judge the address. */
function withoutZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

/**
 * Checks an interface address: a numeric IPv4 or IPv6 address (an IPv6 one may carry a `%zone`).
 *
 * @example
 * ```ts
 * validateInterfaceAddress('127.0.0.1', 'multicastInterface');
 * ```
 */
export function validateInterfaceAddress(value: unknown, name: string): string {
  if (typeof value !== 'string' || isIP(withoutZone(value)) === 0) {
    throw invalidArgument(`${name} must be a numeric IPv4 or IPv6 interface address, got ${describe(value)}`);
  }
  return value;
}

/**
 * Checks a multicast group: a numeric IPv4 address in 224.0.0.0/4 or IPv6 address in ff00::/8.
 *
 * @example
 * ```ts
 * validateMulticastGroup('239.255.0.1'); // 4
 * ```
 */
export function validateMulticastGroup(value: unknown, name = 'group'): 4 | 6 {
  if (typeof value === 'string') {
    const family = isIP(withoutZone(value));
    if (family === 4) {
      const first = Number(value.slice(0, value.indexOf('.')));
      if (first >= 224 && first <= 239) return 4;
    } else if (family === 6 && /^ff[0-9a-f]{2}:/i.test(value)) {
      return 6;
    }
  }
  throw invalidArgument(`${name} must be a numeric multicast address (224.0.0.0/4 or ff00::/8), got ${describe(value)}`);
}

/**
 * Checks the {@link UdpSocketOptions} fields of a client config (other fields are left to core).
 *
 * @example
 * ```ts
 * const options = resolveUdpSocketOptions({ broadcast: true });
 * ```
 */
export function resolveUdpSocketOptions(value: unknown): ResolvedUdpSocketOptions {
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const iface = record.multicastInterface;
  return {
    broadcast: optionalBoolean(record, 'broadcast'),
    ttl: optionalInteger(record, 'ttl', 1, 255),
    multicastTtl: optionalInteger(record, 'multicastTtl', 0, 255),
    multicastInterface: iface === undefined ? undefined : validateInterfaceAddress(iface, 'multicastInterface'),
    multicastLoopback: optionalBoolean(record, 'multicastLoopback'),
  };
}

/**
 * Applies the options right after binding; a value the OS refuses is a SocketError naming the socket.
 *
 * @example
 * ```ts
 * applySocketOptions(socket, resolveUdpSocketOptions({ ttl: 16 }), '127.0.0.1:5353');
 * ```
 */
export function applySocketOptions(socket: Socket, options: ResolvedUdpSocketOptions | undefined, where: string): void {
  if (options === undefined) return;
  try {
    if (options.broadcast !== undefined) socket.setBroadcast(options.broadcast);
    if (options.ttl !== undefined) socket.setTTL(options.ttl);
    if (options.multicastTtl !== undefined) socket.setMulticastTTL(options.multicastTtl);
    if (options.multicastLoopback !== undefined) socket.setMulticastLoopback(options.multicastLoopback);
    if (options.multicastInterface !== undefined) socket.setMulticastInterface(options.multicastInterface);
  } catch (error) {
    throw fromSystemError(error, 'bind', where);
  }
}
