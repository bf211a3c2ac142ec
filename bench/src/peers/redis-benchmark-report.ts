import { GenericError } from '@sock/core';
import { excerpt } from './report-fields.js';

/** What a `redis-benchmark --csv` run printed: requests/s per test (PING_INLINE, SET, ...). */
export interface RedisBenchmarkReport {
  requestsPerSec: Map<string, number>;
  /** Why the run does not count: an error line, or a test that printed no result. */
  problems: string[];
}

function unquote(cell: string): string {
  const trimmed = cell.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed;
}

/**
 * Reads redis-benchmark's `--csv` output: a `"test","rps",...` header (newer versions) and one
 * `"NAME","rps",...` line per test. Anything that looks like an error report is a problem, and so
 * is every expected test without a line.
 *
 * @example
 * ```ts
 * const report = parseRedisBenchmarkReport(stdout + stderr, ['PING_INLINE', 'SET', 'GET']);
 * report.requestsPerSec.get('SET');
 * ```
 */
export function parseRedisBenchmarkReport(text: string, expected: readonly string[]): RedisBenchmarkReport {
  const requestsPerSec = new Map<string, number>();
  const problems: string[] = [];
  for (const rawLine of text.split(/\r?\n|\r/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (/^(error|ERR\b|WRONGTYPE|Could not connect)/i.test(line) || /\bError from server\b/i.test(line)) {
      problems.push(`redis-benchmark: ${line.slice(0, 200)}`);
      continue;
    }
    if (!line.startsWith('"')) continue;
    const cells = line.split(',').map(unquote);
    const [name, rps] = cells;
    if (name === undefined || rps === undefined || name === 'test') continue;
    const value = Number(rps);
    if (!Number.isFinite(value)) throw new GenericError('GENERIC', `redis-benchmark printed a non-numeric rate ${JSON.stringify(rps)} for ${name}`);
    requestsPerSec.set(name, value);
  }
  const missing = expected.filter((name) => !requestsPerSec.has(name));
  if (missing.length > 0) problems.push(`redis-benchmark printed no result for ${missing.join(', ')} (output: ${excerpt(text)})`);
  return { requestsPerSec, problems };
}
