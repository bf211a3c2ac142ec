import { describe, expect, it } from 'vitest';
import { chartedResults, renderRatioChart } from './chart.js';
import { evaluate, type Result } from './report.js';
import type { Row } from './scenario.js';

function result(row: Partial<Row>): Result {
  return evaluate({ scenario: 's', metric: 'm', unit: 'req/s', subject: '@sock', baseline: 'raw', subjectSamples: [98], baselineSamples: [100], ...row });
}

describe('renderRatioChart', () => {
  const results = [
    result({ scenario: 'peer-http-wrk', target: { kind: 'ratio', op: '>=', value: 0.97 } }),
    result({ scenario: 'testkit-echo', subjectSamples: [1700], target: { kind: 'ratio', op: '>=', value: 20 } }),
    result({ scenario: 'memory', subjectSamples: [130], target: { kind: 'ratio', op: '<=', value: 1.2 } }),
    result({ scenario: 'peer-dns', subjectSamples: [], baselineSamples: [], skipped: 'dnsperf is not installed <&>', target: { kind: 'ratio', op: '>=', value: 0.97 } }),
    result({ scenario: 'udp-request', metric: 'loss', target: { kind: 'not-worse', slack: 0 } }),
    result({ scenario: 'tcp-echo', metric: 'p50 latency' }),
  ];

  it('charts only the rows with a ratio target', () => {
    expect(chartedResults(results).map((r) => r.scenario)).toEqual(['peer-http-wrk', 'testkit-echo', 'memory', 'peer-dns']);
  });

  it('draws one bar per charted row with data, coloured by verdict, and a target mark on each', () => {
    const svg = renderRatioChart(results, 'quick run');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const bars = [...svg.matchAll(/<rect [^>]*><title>([^<]*)<\/title><\/rect>/g)].map((match) => match[1]);
    expect(bars).toEqual([
      'peer-http-wrk · m · @sock: 0.98×, target ≥ 0.97, pass',
      'testkit-echo · m · @sock: 17.0×, target ≥ 20, miss',
      'memory · m · @sock: 1.30×, target ≤ 1.2, miss',
    ]);
    expect(svg).toContain('fill="#2e7d32"');
    expect(svg).toContain('fill="#c62828"');
    // The 1.0 line is dashed and black.
    expect(svg).toMatch(/<line x1="[\d.]+" y1="\d+" x2="[\d.]+" y2="\d+" stroke="#000000" stroke-width="1.5" stroke-dasharray="5,3"\/>/);
  });

  it('says why a row has no bar, escaped', () => {
    const svg = renderRatioChart(results, 'a & b');
    expect(svg).toContain('skipped: dnsperf is not installed &lt;&amp;&gt;');
    expect(svg).toContain('a &amp; b');
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
  });
});

describe('formatRatio in the chart', () => {
  it('shows a third decimal when two would print the target itself', () => {
    const near = result({ subjectSamples: [945.2], baselineSamples: [1000], target: { kind: 'ratio', op: '>=', value: 0.95 } });
    expect(renderRatioChart([near], '')).toContain('0.945×  (≥ 0.95)');
  });
});
