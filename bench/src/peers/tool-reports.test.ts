import { describe, expect, it } from 'vitest';
import { codeOf } from './code-of.test-support.js';
import { parseWrkReport } from './wrk-report.js';
import { parseAbReport } from './ab-report.js';
import { parseDnsperfReport } from './dnsperf-report.js';
import { parseRedisBenchmarkReport } from './redis-benchmark-report.js';

// Real outputs of wrk 4.1.0, ab 2.3, dnsperf 2.10.0 and redis-benchmark 7.0 (Debian 12), trimmed.
const WRK = `Running 1s test @ http://127.0.0.1:18080/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.91ms   17.07ms 113.71ms   88.92%
    Req/Sec     7.53k     4.47k   15.19k    60.00%
  Latency Distribution
     50%  580.00us
     75%   14.47ms
     90%   34.80ms
     99%   79.38ms
  7734 requests in 1.04s, 770.38KB read
Requests/sec:   7403.10
Transfer/sec:    737.42KB
`;

const AB = `Server Software:
Server Hostname:        127.0.0.1
Server Port:            18080

Document Path:          /
Document Length:        13 bytes

Concurrency Level:      50
Time taken for tests:   0.413 seconds
Complete requests:      2000
Failed requests:        0
Keep-Alive requests:    2000
Total transferred:      204000 bytes
HTML transferred:       26000 bytes
Requests per second:    4847.92 [#/sec] (mean)
Time per request:       10.314 [ms] (mean)
`;

const DNSPERF = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.1 -p 15353 -d q.txt -l 3
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         153933
  Queries completed:    153926 (100.00%)
  Queries lost:         7 (0.00%)

  Response codes:       NOERROR 153926 (100.00%)
  Average packet size:  request 31, response 47
  Run time (s):         3.004686
  Queries per second:   51228.647519

  Average Latency (s):  0.003348 (min 0.000049, max 0.028996)
  Latency StdDev (s):   0.001704
`;

const REDIS = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"PING_INLINE","172413.80","4.490","0.232","3.575","8.159","43.391","74.879"
"PING_MBULK","152671.77","5.057","0.312","3.631","9.863","51.807","74.815"
"SET","156250.00","5.038","0.448","3.071","6.271","85.567","121.535"
"GET","190476.20","4.052","0.216","4.295","5.423","18.783","18.799"
`;

describe('parseWrkReport', () => {
  it('reads the rate, the count, the duration and the latency percentiles', () => {
    const report = parseWrkReport(WRK);
    expect(report).toMatchObject({ requests: 7734, seconds: 1.04, requestsPerSec: 7403.1, p50Ms: 0.58, p99Ms: 79.38, problems: [] });
  });

  it('lists socket errors and non-2xx responses as problems', () => {
    const text = WRK.replace('Requests/sec', '  Socket errors: connect 0, read 3, write 0, timeout 12\n  Non-2xx or 3xx responses: 5\nRequests/sec');
    expect(parseWrkReport(text).problems).toEqual(['wrk socket errors: connect 0, read 3, write 0, timeout 12', 'wrk got 5 non-2xx/3xx responses']);
  });

  it('does not count an all-zero socket error line', () => {
    expect(parseWrkReport(WRK.replace('Requests/sec', '  Socket errors: connect 0, read 0, write 0, timeout 0\nRequests/sec')).problems).toEqual([]);
  });

  it('refuses output without a summary with GENERIC', () => {
    expect(codeOf(() => parseWrkReport('unable to connect to 127.0.0.1:1 Connection refused'))).toBe('GENERIC');
  });
});

describe('parseAbReport', () => {
  it('reads the counts and the rate', () => {
    expect(parseAbReport(AB)).toMatchObject({ complete: 2000, failed: 0, keepAliveRequests: 2000, requestsPerSec: 4847.92, seconds: 0.413, problems: [] });
  });

  it('lists failed requests with their kinds, non-2xx responses and write errors as problems', () => {
    const text = AB.replace('Failed requests:        0\n', 'Failed requests:        4\n   (Connect: 0, Receive: 0, Length: 4, Exceptions: 0)\nWrite errors:           2\nNon-2xx responses:      9\n');
    expect(parseAbReport(text).problems).toEqual(['ab: 4 failed requests (Connect: 0, Receive: 0, Length: 4, Exceptions: 0)', 'ab got 9 non-2xx responses', 'ab: 2 write errors']);
  });

  it('refuses output without the counts with GENERIC', () => {
    expect(codeOf(() => parseAbReport('apr_socket_recv: Connection refused (111)'))).toBe('GENERIC');
  });
});

describe('parseDnsperfReport', () => {
  it('reads sent, completed, lost and the rate', () => {
    const report = parseDnsperfReport(DNSPERF);
    expect(report).toMatchObject({ sent: 153933, completed: 153926, lost: 7, queriesPerSec: 51228.647519, problems: [] });
    expect(report.lostPercent).toBeCloseTo((7 / 153933) * 100, 10);
    expect(report.averageLatencyMs).toBeCloseTo(3.348, 10);
  });

  it('lists answers other than NOERROR and an all-lost run as problems', () => {
    expect(parseDnsperfReport(DNSPERF.replace('NOERROR 153926 (100.00%)', 'NOERROR 153000 (99.40%), FORMERR 926 (0.60%)')).problems).toEqual(['dnsperf got answers other than NOERROR: FORMERR 926 (0.60%)']);
    const silent = DNSPERF.replace('Queries completed:    153926 (100.00%)', 'Queries completed:    0 (0.00%)').replace('NOERROR 153926 (100.00%)', '');
    expect(parseDnsperfReport(silent).problems).toEqual(['dnsperf got no answer to 153933 queries']);
  });

  it('refuses output without statistics with GENERIC', () => {
    expect(codeOf(() => parseDnsperfReport('Error: invalid port'))).toBe('GENERIC');
  });
});

describe('parseRedisBenchmarkReport', () => {
  const TESTS = ['PING_INLINE', 'PING_MBULK', 'SET', 'GET'];

  it('reads requests/s per test', () => {
    const report = parseRedisBenchmarkReport(REDIS, TESTS);
    expect(Object.fromEntries(report.requestsPerSec)).toEqual({ PING_INLINE: 172413.8, PING_MBULK: 152671.77, SET: 156250, GET: 190476.2 });
    expect(report.problems).toEqual([]);
  });

  it('lists error lines and tests without a result as problems', () => {
    const text = `Error from server: ERR unknown command 'SET'\n${REDIS.split('\n').filter((line) => !line.startsWith('"SET"')).join('\n')}`;
    const { problems } = parseRedisBenchmarkReport(text, TESTS);
    expect(problems[0]).toBe("redis-benchmark: Error from server: ERR unknown command 'SET'");
    expect(problems[1]).toMatch(/^redis-benchmark printed no result for SET /);
  });

  it('reports a refused connection as a problem', () => {
    expect(parseRedisBenchmarkReport('Could not connect to Redis at 127.0.0.1:1: Connection refused\n', ['PING_INLINE']).problems).toHaveLength(2);
  });
});
