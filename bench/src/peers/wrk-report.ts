import { GenericError } from '@sock/core';
import { durationMs, excerpt, ReportFields } from './report-fields.js';

/** What a `wrk --latency` run printed. */
export interface WrkReport {
  requests: number;
  seconds: number;
  requestsPerSec: number;
  /** Latency percentiles in milliseconds (present with `--latency`). */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Why the run does not count: socket errors, non-2xx responses, no request at all. */
  problems: string[];
}

const DURATION = /([\d.]+)(us|ms|s|m|h)\b/;

function percentile(text: string, label: string): number | undefined {
  const match = new RegExp(`^\\s+${label}%\\s+${DURATION.source}`, 'm').exec(text);
  if (match === null) return undefined;
  return durationMs(Number(match[1]), match[2]!);
}

/**
 * Reads the report wrk prints on stdout.
 *
 * @example
 * ```ts
 * const report = parseWrkReport(stdout);
 * if (report.problems.length > 0) throw new Error(report.problems.join('; '));
 * ```
 */
export function parseWrkReport(text: string): WrkReport {
  const fields = new ReportFields('wrk', text);
  const summary = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)\b/m.exec(text);
  const requestsPerSec = fields.number(/^Requests\/sec:\s+([\d.]+)/m, 'Requests/sec');
  if (summary === null) throw new GenericError('GENERIC', `wrk report has no "N requests in T" line (output: ${excerpt(text)})`);
  const requests = Number(summary[1]);
  const seconds = durationMs(Number(summary[2]), summary[3]!) / 1000;
  const problems: string[] = [];
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (socketErrors !== null && socketErrors.slice(1).some((count) => Number(count) > 0)) {
    problems.push(`wrk socket errors: connect ${socketErrors[1]}, read ${socketErrors[2]}, write ${socketErrors[3]}, timeout ${socketErrors[4]}`);
  }
  const non2xx = fields.optional(/Non-2xx or 3xx responses:\s+(\d+)/);
  if (non2xx !== undefined && non2xx > 0) problems.push(`wrk got ${non2xx} non-2xx/3xx responses`);
  if (requests === 0) problems.push('wrk completed no request');
  return { requests, seconds, requestsPerSec, p50Ms: percentile(text, '50'), p99Ms: percentile(text, '99'), problems };
}
