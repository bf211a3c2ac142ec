/** Test counts of one `turbo run typecheck test` run, summed over packages. */
export interface SuiteCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Turbo tasks that failed, e.g. `@sock/core#typecheck`. */
  readonly failedTasks: readonly string[];
  /** `package: file > suite > test` of each failed vitest test. */
  readonly failedTests: readonly string[];
}

// eslint-disable-next-line no-control-regex -- the output's colour codes are control characters
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Sums vitest's `Tests  N passed | M failed | K skipped (T)` lines over the packages of a turbo
 * run (lines prefixed `<pkg>:test:`), and collects the failed tasks (turbo's `Failed:` list) and
 * the names of failed tests (vitest's ` FAIL  file > test` lines).
 *
 * @example
 * ```ts
 * parseTurboVitest('@sock/core:test:       Tests  3 passed | 1 skipped (4)').passed; // 3
 * ```
 */
export function parseTurboVitest(output: string): SuiteCounts {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failedTasks = new Set<string>();
  const failedTests = new Set<string>();
  for (const raw of output.replace(ANSI, '').split('\n')) {
    const summary = /^(\S+):test:\s+Tests\s+(.*)$/.exec(raw);
    if (summary !== null) {
      const counts = summary[2] ?? '';
      const count = (what: string): number => Number(new RegExp(`(\\d+) ${what}`).exec(counts)?.[1] ?? 0);
      passed += count('passed');
      failed += count('failed');
      skipped += count('skipped') + count('todo');
      continue;
    }
    const failedTest = /^(\S+):test:\s+FAIL\s+(.+?)\s*$/.exec(raw);
    if (failedTest !== null) {
      failedTests.add(`${failedTest[1] ?? ''}: ${failedTest[2] ?? ''}`);
      continue;
    }
    const failedList = /^\s*Failed:\s+(.+)$/.exec(raw);
    if (failedList !== null) for (const task of (failedList[1] ?? '').split(',')) if (task.trim() !== '') failedTasks.add(task.trim());
  }
  return { passed, failed, skipped, failedTasks: [...failedTasks], failedTests: [...failedTests] };
}
