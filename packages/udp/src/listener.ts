import { resolveUdpListenerConfig, UdpListenerBase, validatePort, type UdpListenerConfig } from '@sock/core/internal';
import { DgramWire } from './dgram-wire.js';

/**
 * A UDP listener over `node:dgram`: each datagram goes to the attached service's
 * `onDatagram(datagram, caller)`, where `caller.reply(data)` answers the sender and
 * `caller.sendTo(data, address)` anyone. A resource that throws goes to `onError` as
 * `HANDLER_FAILED` and the listener keeps serving. Without `interface` it binds a dual-stack
 * socket on all interfaces (IPv4 and IPv6).
 *
 * @example
 * ```ts
 * const bot = new UdpListener(0, { interface: '127.0.0.1' });
 * bot.attach({
 *   async onDatagram(datagram, caller) {
 *     if (datagram.data.toString() === 'hi') await caller.reply('hi there!');
 *   },
 *   onError: (caller, error) => console.error(error.code, error.message),
 * });
 * await bot.start();
 * console.log('listening on', bot.address);
 * ```
 */
export class UdpListener extends UdpListenerBase {
  /** `port` 0 binds an ephemeral port (read it back from `address`). Bad input throws `INVALID_ARGUMENT`. */
  constructor(port: number, config?: UdpListenerConfig) {
    const bindPort = validatePort(port, 'port', 0);
    const resolved = resolveUdpListenerConfig(config);
    super(() => new DgramWire({ host: resolved.interface, port: bindPort }));
  }
}
