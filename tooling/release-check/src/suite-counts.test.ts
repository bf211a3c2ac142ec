import { describe, expect, it } from 'vitest';
import { parseTurboVitest } from './suite-counts.js';

// Lines as `pnpm test` printed them (colours included) with one failing test and a type error.
const FAILING_RUN = [
  '@sock/core:typecheck: src/zz-fail.test.ts(3,7): error TS2322: Type \'string\' is not assignable to type \'number\'.',
  '@sock/core:test: \x1b[31m⎯⎯⎯⎯⎯⎯⎯\x1b[39m\x1b[1m\x1b[41m Failed Tests 1 \x1b[49m\x1b[22m\x1b[31m⎯⎯⎯⎯⎯⎯⎯\x1b[39m',
  '@sock/core:test: \x1b[41m\x1b[1m FAIL \x1b[22m\x1b[49m src/zz-fail.test.ts\x1b[2m > \x1b[22msuite\x1b[2m > \x1b[22mfails on purpose',
  '@sock/core:test: \x1b[2m      Tests \x1b[22m \x1b[1m\x1b[31m1 failed\x1b[39m\x1b[22m\x1b[2m | \x1b[22m\x1b[1m\x1b[32m74 passed\x1b[39m\x1b[22m\x1b[2m | \x1b[22m\x1b[33m1 skipped\x1b[39m\x1b[90m (76)\x1b[39m',
  '@sock/tcp:test: \x1b[2m      Tests \x1b[22m \x1b[1m\x1b[32m86 passed\x1b[39m\x1b[22m\x1b[90m (86)\x1b[39m',
  ' Tasks:    2 successful, 4 total',
  'Failed:    @sock/core#test, @sock/core#typecheck',
].join('\n');

describe('parseTurboVitest', () => {
  it('sums the packages and names what failed', () => {
    expect(parseTurboVitest(FAILING_RUN)).toEqual({
      passed: 160,
      failed: 1,
      skipped: 1,
      failedTasks: ['@sock/core#test', '@sock/core#typecheck'],
      failedTests: ['@sock/core: src/zz-fail.test.ts > suite > fails on purpose'],
    });
  });

  it('counts todo as skipped and ignores lines that are not vitest summaries', () => {
    const output = ['@x/a:test:       Tests  2 passed | 3 todo (5)', '@x/a:build: Tests 9 passed', 'Tests 7 passed'].join('\n');
    expect(parseTurboVitest(output)).toEqual({ passed: 2, failed: 0, skipped: 3, failedTasks: [], failedTests: [] });
  });
});
