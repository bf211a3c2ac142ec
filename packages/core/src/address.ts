/**
 * A socket's address as users expect it: Node reports IPv4 peers of a dual-stack socket as
 * `::ffff:a.b.c.d`; `@sock` reports `a.b.c.d`.
 *
 * @example
 * ```ts
 * plainAddress('::ffff:127.0.0.1'); // '127.0.0.1'
 * ```
 */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
