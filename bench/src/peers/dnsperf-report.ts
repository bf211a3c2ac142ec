import { ReportFields } from './report-fields.js';

/** What a dnsperf run printed. */
export interface DnsperfReport {
  sent: number;
  completed: number;
  lost: number;
  lostPercent: number;
  queriesPerSec: number;
  averageLatencyMs: number | undefined;
  /** Why the run does not count: no answer at all, or answers other than NOERROR. */
  problems: string[];
}

/**
 * Reads the statistics dnsperf prints on stdout at the end of a run.
 *
 * @example
 * ```ts
 * const report = parseDnsperfReport(stdout);
 * console.log(report.queriesPerSec, report.lostPercent);
 * ```
 */
export function parseDnsperfReport(text: string): DnsperfReport {
  const fields = new ReportFields('dnsperf', text);
  const sent = fields.number(/^\s*Queries sent:\s+(\d+)/m, 'Queries sent');
  const completed = fields.number(/^\s*Queries completed:\s+(\d+)/m, 'Queries completed');
  const lost = fields.number(/^\s*Queries lost:\s+(\d+)/m, 'Queries lost');
  const queriesPerSec = fields.number(/^\s*Queries per second:\s+([\d.]+)/m, 'Queries per second');
  const latency = fields.optional(/^\s*Average Latency \(s\):\s+([\d.]+)/m);
  const problems: string[] = [];
  if (completed === 0) problems.push(`dnsperf got no answer to ${sent} queries`);
  const codes = /^\s*Response codes:[ \t]*(.*)$/m.exec(text)?.[1] ?? '';
  const other = codes
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !part.startsWith('NOERROR '));
  if (other.length > 0) problems.push(`dnsperf got answers other than NOERROR: ${other.join(', ')}`);
  return { sent, completed, lost, lostPercent: sent > 0 ? (lost / sent) * 100 : Number.NaN, queriesPerSec, averageLatencyMs: latency === undefined ? undefined : latency * 1000, problems };
}
