import { describe, expect, it } from 'vitest';
import { emptyArray } from './empty-array.js';

describe('emptyArray', () => {
  it.each([0, 1, 2, 4, 5, 100])('empties an array of %i entries in place', (count) => {
    const array = Array.from({ length: count }, (_, i) => i);
    emptyArray(array);
    expect(array).toEqual([]);
    array.push(7);
    expect(array).toEqual([7]);
  });
});
