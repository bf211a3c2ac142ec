/** Turns scenario rows into evaluated results, a text table and the JSON document. */
import { cpus, totalmem } from 'node:os';
import { summarize, type Summary } from './stats.js';
import type { Row, Target } from './scenario.js';

export type Verdict = 'pass' | 'miss' | 'info' | 'skipped' | 'error';

export interface Result {
  scenario: string;
  metric: string;
  unit: string;
  subject: string;
  baseline: string;
  subjectSummary: Summary;
  baselineSummary: Summary;
  ratio: number;
  target: string;
  /** The target as data (for the chart); absent for information-only rows. */
  targetSpec?: Target;
  verdict: Verdict;
  skipped?: string;
  note?: string;
}

export function describeTarget(target: Target | undefined): string {
  if (target === undefined) return '';
  if (target.kind === 'ratio') return `${target.op} ${target.value}x`;
  return `<= baseline${target.slack > 0 ? ` +${target.slack}` : ''}`;
}

export function evaluate(row: Row): Result {
  const subjectSummary = summarize(row.subjectSamples);
  const baselineSummary = summarize(row.baselineSamples);
  const ratio = subjectSummary.median / baselineSummary.median;
  let verdict: Verdict;
  const target = row.target;
  if (row.skipped !== undefined) verdict = 'skipped';
  else if (!Number.isFinite(subjectSummary.median) || !Number.isFinite(baselineSummary.median)) verdict = 'error';
  else if (target === undefined) verdict = 'info';
  else if (target.kind === 'ratio') verdict = (target.op === '>=' ? ratio >= target.value : ratio <= target.value) ? 'pass' : 'miss';
  else verdict = subjectSummary.median <= baselineSummary.median + target.slack ? 'pass' : 'miss';
  return {
    scenario: row.scenario,
    metric: row.metric,
    unit: row.unit,
    subject: row.subject,
    baseline: row.baseline,
    subjectSummary,
    baselineSummary,
    ratio,
    target: describeTarget(target),
    ...(target === undefined ? {} : { targetSpec: target }),
    verdict,
    ...(row.skipped === undefined ? {} : { skipped: row.skipped }),
    ...(row.note === undefined ? {} : { note: row.note }),
  };
}

/**
 * A ratio with 2 decimals, or 3 when 2 would print the target's own value (0.9452 is "0.945", not
 * "0.95", next to a target of 0.95), so that a MISS never reads like the target.
 */
export function formatRatio(ratio: number, target: Target | undefined): string {
  if (!Number.isFinite(ratio)) return '–';
  if (ratio >= 10) return ratio.toFixed(1);
  const two = ratio.toFixed(2);
  return target?.kind === 'ratio' && ratio !== target.value && Number(two) === target.value ? ratio.toFixed(3) : two;
}

function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'B/conn':
      return `${(value / 1024).toFixed(1)} KiB`;
    case '%':
      return `${value.toFixed(2)}%`;
    case 'MB/s':
      return value.toFixed(0);
    default:
      return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
  }
}

function formatSummary(summary: Summary, unit: string): string {
  if (!Number.isFinite(summary.median)) return '–';
  return `${formatNumber(summary.median, unit)} (${formatNumber(summary.min, unit)}–${formatNumber(summary.max, unit)})`;
}

/** A plain-text table, one line per result. */
export function renderTable(results: Result[]): string {
  const header = ['scenario', 'metric', 'unit', '@sock side', 'median (min–max)', 'baseline', 'median (min–max)', 'ratio', 'target', 'result'];
  const lines = results.map((result) => {
    if (result.skipped !== undefined) {
      return [result.scenario, result.metric, result.unit, result.subject, `SKIPPED: ${result.skipped}`, result.baseline, '', '', result.target, 'skipped'];
    }
    return [
      result.scenario,
      result.metric,
      result.unit,
      result.subject,
      formatSummary(result.subjectSummary, result.unit),
      result.baseline,
      formatSummary(result.baselineSummary, result.unit),
      Number.isFinite(result.ratio) ? `${formatRatio(result.ratio, result.targetSpec)}x` : '–',
      result.target,
      result.verdict === 'pass' ? 'PASS' : result.verdict === 'miss' ? 'MISS' : result.verdict,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

/** The notes of the rows (e.g. runs that failed), once per scenario and text, to print under the table. */
export function renderNotes(results: Result[]): string {
  const notes = new Set<string>();
  for (const result of results) {
    if (result.note !== undefined && result.skipped === undefined) notes.add(`${result.scenario}: ${result.note}`);
  }
  return [...notes].map((note) => `note: ${note}`).join('\n');
}

export function machine(): Record<string, string | number> {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    totalMemGiB: Math.round(totalmem() / 2 ** 30),
  };
}
