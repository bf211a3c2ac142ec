import { invalidArgument } from '@sock/core/internal';

/**
 * Whether this runtime can bind a port with `SO_REUSEPORT` (`server.listen({ reusePort })`): Node
 * 22.12+ and 23.1+ on Linux (and the BSDs).
 *
 * @example
 * ```ts
 * if (!reusePortSupported()) console.log('one listener per port on this runtime');
 * ```
 */
export function reusePortSupported(version: string = process.versions.node, platform: string = process.platform): boolean {
  if (platform === 'win32' || platform === 'darwin') return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/**
 * Refuses `reusePort: true` where the runtime lacks it, at once and with a reason, never a crash later.
 *
 * @example
 * ```ts
 * checkReusePort(resolved.reusePort);
 * ```
 */
export function checkReusePort(reusePort: boolean): void {
  if (reusePort && !reusePortSupported()) {
    throw invalidArgument(`reusePort needs Node.js 22.12 or later on Linux; this is Node.js ${process.versions.node} on ${process.platform}`);
  }
}
