import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { GenericError, invalidArgument } from '@sock/core/internal';
import type { DgramFamily } from './address-family.js';

// Codes with which the kernel refuses a multicast membership request that is the caller's fault.
const BAD_MEMBERSHIP = new Set(['EINVAL', 'EADDRNOTAVAIL', 'ENODEV', 'EADDRINUSE', 'ENOPROTOOPT']);

/**
 * Joins or leaves a multicast group (already validated) on one interface or the OS's choice.
 * Throws `INVALID_ARGUMENT` when the kernel refuses the group or interface for the caller's reasons.
 *
 * @example
 * ```ts
 * changeMembership(socket, 'udp4', 'add', '239.255.0.1', undefined, 'UDP socket 0.0.0.0:5353');
 * ```
 */
export function changeMembership(
  socket: Socket,
  family: DgramFamily | undefined,
  kind: 'add' | 'drop',
  group: string,
  multicastInterface: string | undefined,
  where: string,
): void {
  if (family === 'udp4' && isIP(group) === 6) throw invalidArgument(`${where} is IPv4 and cannot join IPv6 group ${group}`);
  try {
    if (kind === 'add') socket.addMembership(group, multicastInterface);
    else socket.dropMembership(group, multicastInterface);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const what = `${kind === 'add' ? 'join' : 'leave'} multicast group ${group}${multicastInterface === undefined ? '' : ` on interface ${multicastInterface}`}`;
    if (typeof code === 'string' && BAD_MEMBERSHIP.has(code)) throw invalidArgument(`${where} cannot ${what} (${code})`, error);
    throw new GenericError('GENERIC', `${where} failed to ${what}`, error);
  }
}
