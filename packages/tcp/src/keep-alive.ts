/**
 * The keep-alive delay to hand to Node: Node floors it to whole seconds, and Linux refuses 0 (the
 * OS default of two hours would then apply), so a delay under a second is rounded up to one second
 * and any other delay up to the next whole second. 0 keeps the OS's own delay. libuv then probes
 * every second, ten times, before the connection is reset.
 *
 * @example
 * ```ts
 * socket.setKeepAlive(true, keepAliveDelay(200)); // 1000
 * ```
 */
export function keepAliveDelay(millis: number): number {
  return millis <= 0 ? 0 : Math.ceil(millis / 1000) * 1000;
}
