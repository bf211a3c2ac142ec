/**
 * A hand-written SVG bar chart of every row that has a ratio target: one horizontal bar per row
 * (@sock side / baseline, medians), the 1.0 line, and each row's target marked on its bar.
 */
import { formatRatio, type Result } from './report.js';

const WIDTH = 1120;
const LABEL_WIDTH = 560;
const AXIS_LEFT = LABEL_WIDTH + 10;
const AXIS_RIGHT = WIDTH - 150;
const ROW_HEIGHT = 24;
const BAR_HEIGHT = 14;
const TOP = 78;
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
/** Ratios above this are drawn to the axis end with a break mark and their value in the label (2: room for cluster-echo's 1.6 target). */
const AXIS_MAX = 2;
const COLOURS = { pass: '#2e7d32', miss: '#c62828', other: '#9e9e9e' } as const;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function x(ratio: number): number {
  return AXIS_LEFT + (Math.min(Math.max(ratio, 0), AXIS_MAX) / AXIS_MAX) * (AXIS_RIGHT - AXIS_LEFT);
}


/** The rows the chart shows: those whose target is a ratio (throughput, memory, kit speed-up). */
export function chartedResults(results: readonly Result[]): Result[] {
  return results.filter((result) => result.targetSpec?.kind === 'ratio');
}

/**
 * The chart as an SVG document. `subtitle` says what run it shows (mode, date, machine).
 *
 * @example
 * ```ts
 * writeFileSync('results/latest.svg', renderRatioChart(results, 'full run, 5 rounds, 2026-11-25'));
 * ```
 */
export function renderRatioChart(results: readonly Result[], subtitle: string): string {
  const rows = chartedResults(results);
  const height = TOP + rows.length * ROW_HEIGHT + 76;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12">`);
  parts.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="16" y="26" font-size="17" font-weight="bold">@sock vs baseline: ratio of medians (bar) and target (black mark)</text>`);
  parts.push(`<text x="16" y="46" fill="#555555">${escape(subtitle)}</text>`);

  // Grid and axis labels every 0.2, the 1.0 line stronger.
  const bottom = TOP + rows.length * ROW_HEIGHT;
  for (let tick = 0; tick <= AXIS_MAX + 1e-9; tick += 0.2) {
    const at = x(tick).toFixed(1);
    const one = Math.abs(tick - 1) < 1e-9;
    parts.push(`<line x1="${at}" y1="${TOP - 8}" x2="${at}" y2="${bottom}" stroke="${one ? '#000000' : '#e0e0e0'}" stroke-width="${one ? 1.5 : 1}"${one ? ' stroke-dasharray="5,3"' : ''}/>`);
    parts.push(`<text x="${at}" y="${TOP - 12}" text-anchor="middle" fill="#555555">${tick.toFixed(1)}</text>`);
  }

  rows.forEach((result, index) => {
    const y = TOP + index * ROW_HEIGHT;
    const middle = y + ROW_HEIGHT / 2;
    const label = `${result.scenario} · ${result.metric} · ${result.subject}`;
    parts.push(`<text x="${LABEL_WIDTH}" y="${middle + 4}" text-anchor="end">${escape(shorten(label, 86))}</text>`);
    const target = result.targetSpec;
    const targetText = target?.kind === 'ratio' ? `${target.op === '>=' ? '≥' : '≤'} ${target.value}` : '';
    if (!Number.isFinite(result.ratio)) {
      const why = result.skipped !== undefined ? `skipped: ${result.skipped}` : 'no data (every run failed)';
      parts.push(`<text x="${AXIS_LEFT + 4}" y="${middle + 4}" fill="${COLOURS.other}" font-style="italic">${escape(shorten(why, 90))}</text>`);
      return;
    }
    const colour = result.verdict === 'pass' ? COLOURS.pass : result.verdict === 'miss' ? COLOURS.miss : COLOURS.other;
    const end = x(result.ratio);
    const ratio = `${formatRatio(result.ratio, target)}×`;
    const tooltip = `${label}: ${ratio}, target ${targetText}, ${result.verdict}`;
    parts.push(`<rect x="${AXIS_LEFT}" y="${(middle - BAR_HEIGHT / 2).toFixed(1)}" width="${Math.max(1, end - AXIS_LEFT).toFixed(1)}" height="${BAR_HEIGHT}" fill="${colour}" fill-opacity="0.85"><title>${escape(tooltip)}</title></rect>`);
    if (result.ratio > AXIS_MAX) {
      // A break mark: the bar goes on beyond the axis.
      const breakAt = AXIS_RIGHT - 14;
      parts.push(`<path d="M${breakAt - 4},${middle + 9} L${breakAt + 2},${middle - 9} M${breakAt + 2},${middle + 9} L${breakAt + 8},${middle - 9}" stroke="#ffffff" stroke-width="3"/>`);
    }
    if (target?.kind === 'ratio') {
      const at = x(target.value);
      const beyond = target.value > AXIS_MAX;
      parts.push(`<line x1="${at.toFixed(1)}" y1="${middle - BAR_HEIGHT / 2 - 3}" x2="${at.toFixed(1)}" y2="${middle + BAR_HEIGHT / 2 + 3}" stroke="#000000" stroke-width="${beyond ? 1 : 2.5}"${beyond ? ' stroke-dasharray="2,2"' : ''}/>`);
    }
    parts.push(`<text x="${AXIS_RIGHT + 8}" y="${middle + 4}">${escape(`${ratio}  (${targetText})`)}</text>`);
  });

  const legendY = bottom + 30;
  const legend: Array<[string, string]> = [
    [COLOURS.pass, 'meets its target'],
    [COLOURS.miss, 'misses its target'],
    [COLOURS.other, 'no data'],
  ];
  let legendX = 16;
  for (const [colour, text] of legend) {
    parts.push(`<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${colour}"/>`);
    parts.push(`<text x="${legendX + 18}" y="${legendY}">${escape(text)}</text>`);
    legendX += 140;
  }
  parts.push(`<line x1="${legendX}" y1="${legendY - 12}" x2="${legendX}" y2="${legendY + 2}" stroke="#000000" stroke-width="2.5"/>`);
  parts.push(`<text x="${legendX + 8}" y="${legendY}">target (dotted: beyond the axis)</text>`);
  parts.push(`<text x="16" y="${legendY + 22}" fill="#555555">ratio = @sock side ÷ baseline (medians over rounds); target ≥: higher is better, ≤: lower is better (memory, latency)</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
