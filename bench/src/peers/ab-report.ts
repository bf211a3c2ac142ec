import { ReportFields } from './report-fields.js';

/** What an ApacheBench (`ab`) run printed. */
export interface AbReport {
  complete: number;
  failed: number;
  keepAliveRequests: number;
  requestsPerSec: number;
  seconds: number;
  /** Why the run does not count: failed requests, non-2xx responses, write errors, no request. */
  problems: string[];
}

/**
 * Reads the report ab prints on stdout.
 *
 * @example
 * ```ts
 * const report = parseAbReport(stdout);
 * if (report.problems.length > 0) throw new Error(report.problems.join('; '));
 * ```
 */
export function parseAbReport(text: string): AbReport {
  const fields = new ReportFields('ab', text);
  const complete = fields.number(/^Complete requests:\s+(\d+)/m, 'Complete requests');
  const failed = fields.number(/^Failed requests:\s+(\d+)/m, 'Failed requests');
  const requestsPerSec = fields.number(/^Requests per second:\s+([\d.]+)/m, 'Requests per second');
  const seconds = fields.number(/^Time taken for tests:\s+([\d.]+)/m, 'Time taken for tests');
  const keepAliveRequests = fields.optional(/^Keep-Alive requests:\s+(\d+)/m) ?? 0;
  const problems: string[] = [];
  if (failed > 0) {
    const detail = /^\s+\((Connect: \d+, Receive: \d+, Length: \d+, Exceptions: \d+)\)/m.exec(text)?.[1];
    problems.push(`ab: ${failed} failed requests${detail === undefined ? '' : ` (${detail})`}`);
  }
  const non2xx = fields.optional(/^Non-2xx responses:\s+(\d+)/m);
  if (non2xx !== undefined && non2xx > 0) problems.push(`ab got ${non2xx} non-2xx responses`);
  const writeErrors = fields.optional(/^Write errors:\s+(\d+)/m);
  if (writeErrors !== undefined && writeErrors > 0) problems.push(`ab: ${writeErrors} write errors`);
  if (complete === 0) problems.push('ab completed no request');
  return { complete, failed, keepAliveRequests, requestsPerSec, seconds, problems };
}
