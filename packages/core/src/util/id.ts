// A random prefix per loaded copy of @sock/core keeps ids unique even when two copies are installed.
const prefix = Math.floor(Math.random() * 0xffffff).toString(36);
let counter = 0;

/**
 * A process-unique id for a connection.
 *
 * @example
 * ```ts
 * nextId(); // 'k3x9-1'
 * ```
 */
export function nextId(): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
