import { describe, expect, it } from 'vitest';
import { perOperation } from '../protocol.js';
import { cpuRows, PEER_TARGET, type PeerRowSpec } from './peer-harness.js';

const push = { subject: '@sock onBytes', subjectVariant: 'push', baseline: 'raw net', baselineVariant: 'raw' };
const pull = { subject: '@sock read()', subjectVariant: 'pull', baseline: 'raw net', baselineVariant: 'raw' };

describe('cpuRows', () => {
  it('adds one server-CPU row per compared pair of variants, from the throughput rows only', () => {
    const specs: PeerRowSpec[] = [
      { ...push, metric: 'requests/s', unit: 'req/s', field: 'requestsPerSec', target: PEER_TARGET },
      { ...pull, metric: 'requests/s', unit: 'req/s', field: 'requestsPerSec', target: PEER_TARGET },
      { ...push, metric: 'SET requests/s', unit: 'req/s', field: 'set', target: PEER_TARGET },
      { ...push, metric: 'p99 latency', unit: 'µs', field: 'p99' },
    ];
    expect(cpuRows(specs)).toEqual([
      { ...push, metric: 'server CPU per request', unit: 'µs', field: 'cpuPerRequest' },
      { ...pull, metric: 'server CPU per request', unit: 'µs', field: 'cpuPerRequest' },
    ]);
  });

  it('adds none when no row compares throughput', () => {
    expect(cpuRows([{ ...push, metric: 'lost', unit: '%', field: 'lost', target: { kind: 'not-worse', slack: 0 } }])).toEqual([]);
  });
});

describe('perOperation', () => {
  it('divides a total by a count, and is NaN without either', () => {
    expect(perOperation(1500, 100)).toBe(15);
    expect(perOperation(1500, 0)).toBeNaN();
    expect(perOperation(undefined, 100)).toBeNaN();
  });
});
