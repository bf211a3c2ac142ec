/**
 * Empties an array in place, keeping it for reuse. A queue read to its end usually held one or two
 * entries: popping them is inlined by V8 (a few ns), while `length = 0` calls into V8's runtime
 * (about 60 ns). Longer arrays are truncated at once.
 *
 * @example
 * ```ts
 * const chunks = [a, b];
 * emptyArray(chunks); // chunks.length === 0
 * ```
 */
export function emptyArray(array: unknown[]): void {
  if (array.length > 4) array.length = 0;
  else while (array.length > 0) array.pop();
}
