/** Command-line flags of `pnpm bench`, with the quick (CI smoke) and full defaults. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface Options {
  quick: boolean;
  rounds: number;
  only: string[] | undefined;
  out: string | undefined;
  profile: boolean;
  pin: boolean;
  /** Install missing load generators with apt-get (as root); `--no-install` turns it off. */
  install: boolean;
  /** Rounds of the real-peer scenarios and cluster-echo (quick: 2 unless --rounds or --peer-rounds says otherwise). */
  peerRounds: number;
  bulkMiB: number;
  chunkKiB: number;
  echoConnections: number;
  echoSeconds: number;
  warmupSeconds: number;
  messageBytes: number;
  connectCount: number;
  udpCount: number;
  udpBytes: number;
  udpBurst: number;
  memoryConnections: number;
  testkitSeconds: number;
  clientReadSeconds: number;
  peerConnections: number;
  peerSeconds: number;
  abRequests: number;
  abCloseRequests: number;
  redisRequests: number;
  redisPipeline: number;
  dnsClients: number;
  dnsOutstanding: number;
  udpRrSeconds: number;
  udpWindow: number;
  udpTimeoutMs: number;
  tlsBulkMiB: number;
  tlsEchoSeconds: number;
  tlsConnectCount: number;
  clusterSeconds: number;
}

// Full-run sizes of the real-peer scenarios: about 5 s of load per run (see bench/README.md for why
// not 10: 15 runs per round x 5 rounds must fit, with the rest, in about 15 minutes).
const PEER_SECONDS = 5;
const AB_REQUESTS = 250_000;
const AB_CLOSE_REQUESTS = 40_000;
const REDIS_REQUESTS = 300_000;

const FULL = {
  rounds: 5,
  bulkMiB: 1024,
  chunkKiB: 64,
  echoConnections: 50,
  echoSeconds: 10,
  warmupSeconds: 1,
  messageBytes: 64,
  connectCount: 5000,
  udpCount: 500_000,
  udpBytes: 512,
  udpBurst: 64,
  memoryConnections: 10_000,
  testkitSeconds: 5,
  clientReadSeconds: 5,
  peerConnections: 50,
  peerSeconds: PEER_SECONDS,
  abRequests: AB_REQUESTS,
  abCloseRequests: AB_CLOSE_REQUESTS,
  redisRequests: REDIS_REQUESTS,
  redisPipeline: 16,
  dnsClients: 4,
  dnsOutstanding: 100,
  udpRrSeconds: 4,
  udpWindow: 32,
  udpTimeoutMs: 250,
  // TLS costs CPU per byte and per handshake: smaller sizes keep these runs about as long as the TCP ones.
  tlsBulkMiB: 256,
  tlsEchoSeconds: 5,
  tlsConnectCount: 1000,
  clusterSeconds: PEER_SECONDS,
};

const QUICK: typeof FULL = {
  ...FULL,
  rounds: 3,
  bulkMiB: 512,
  echoSeconds: 1,
  warmupSeconds: 0.3,
  connectCount: 1000,
  udpCount: 100_000,
  memoryConnections: 2000,
  testkitSeconds: 1,
  clientReadSeconds: 1,
  peerSeconds: 2,
  abRequests: 40_000,
  abCloseRequests: 8_000,
  redisRequests: 100_000,
  udpRrSeconds: 1,
  tlsBulkMiB: 64,
  tlsEchoSeconds: 1,
  tlsConnectCount: 300,
  clusterSeconds: 2,
};

/** The scenarios driven by external load generators (`--only peers` selects them all). */
export const PEER_SCENARIOS = ['peer-http-wrk', 'peer-http-ab', 'peer-http-close', 'peer-dns', 'peer-resp'] as const;

export const SCENARIOS = [
  'tcp-bulk',
  'tcp-echo',
  'tcp-connect',
  'tls-bulk',
  'tls-echo',
  'tls-connect',
  'udp-throughput',
  'udp-request',
  'memory',
  'testkit-echo',
  'sim-echo',
  'client-read',
  ...PEER_SCENARIOS,
  'cluster-echo',
] as const;

const NUMERIC: Record<keyof typeof FULL, string> = {
  rounds: 'rounds',
  bulkMiB: 'bulk-mib',
  chunkKiB: 'chunk-kib',
  echoConnections: 'echo-connections',
  echoSeconds: 'echo-seconds',
  warmupSeconds: 'warmup-seconds',
  messageBytes: 'message-bytes',
  connectCount: 'connect-count',
  udpCount: 'udp-count',
  udpBytes: 'udp-bytes',
  udpBurst: 'udp-burst',
  memoryConnections: 'memory-connections',
  testkitSeconds: 'testkit-seconds',
  clientReadSeconds: 'client-read-seconds',
  peerConnections: 'peer-connections',
  peerSeconds: 'peer-seconds',
  abRequests: 'ab-requests',
  abCloseRequests: 'ab-close-requests',
  redisRequests: 'redis-requests',
  redisPipeline: 'redis-pipeline',
  dnsClients: 'dns-clients',
  dnsOutstanding: 'dns-outstanding',
  udpRrSeconds: 'udp-rr-seconds',
  udpWindow: 'udp-window',
  udpTimeoutMs: 'udp-timeout-ms',
  tlsBulkMiB: 'tls-bulk-mib',
  tlsEchoSeconds: 'tls-echo-seconds',
  tlsConnectCount: 'tls-connect-count',
  clusterSeconds: 'cluster-seconds',
};

export const USAGE = `usage: pnpm bench [--quick] [--only a,b] [--rounds N] [--peer-rounds N] [--no-install] [--profile] [--out file] [--<size flag> N ...]
  --quick                 smoke run of about 3-4 minutes (CI); the default is the full run (about 20 min)
  --only                  comma-separated scenarios, or "peers" for every peer-* one:
                          ${SCENARIOS.join(', ')}
  --peer-rounds           rounds of the peer-* and cluster-echo scenarios only (default: --rounds; quick: 2)
  --no-install            do not apt-get install missing load generators (their rows are skipped)
  --pin                   pin servers to CPU 0 and clients to CPU 1 with taskset (off by default:
                          on this 2-vCPU VM it made loopback latency worse, p99 ~12 ms)
  --profile               write V8 CPU profiles of the @sock children to bench/results/profiles/
  --out                   JSON output; the SVG chart goes beside it (.svg). Default: a full run of every
                          scenario writes bench/results/latest.json (its chart is the README's), a quick
                          or --only run bench/results/last-run.json, so it never replaces that chart
size flags (full / quick defaults):
${(Object.keys(NUMERIC) as Array<keyof typeof FULL>).map((key) => `  --${NUMERIC[key].padEnd(22)}${FULL[key]} / ${QUICK[key]}`).join('\n')}`;

/**
 * Where a run writes its JSON (the SVG chart goes beside it): `--out` if given; else a full run of
 * every scenario writes `latest.json`, whose chart is tracked and shown in the README, and a quick
 * or `--only` run writes `last-run.json`, so that a smoke run or one scenario never replaces it.
 *
 * @example
 * ```ts
 * outputPath(parseOptions(['--quick']), 'bench/results'); // 'bench/results/last-run.json'
 * ```
 */
export function outputPath(options: Pick<Options, 'out' | 'quick' | 'only'>, resultsDir: string): string {
  if (options.out !== undefined) return options.out;
  return join(resultsDir, !options.quick && options.only === undefined ? 'latest.json' : 'last-run.json');
}

export function parseOptions(argv: string[]): Options {
  const numericOptions = Object.fromEntries(Object.values(NUMERIC).map((flag) => [flag, { type: 'string' as const }]));
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      pin: { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      'peer-rounds': { type: 'string' },
      help: { type: 'boolean', default: false },
      ...numericOptions,
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const base = quick ? QUICK : FULL;
  const sizes = { ...base };
  const raw = values as Record<string, unknown>;
  for (const key of Object.keys(NUMERIC) as Array<keyof typeof FULL>) {
    const text = raw[NUMERIC[key]];
    if (typeof text !== 'string') continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${NUMERIC[key]} must be a positive number, got ${text}`);
    sizes[key] = value;
  }
  let only: string[] | undefined;
  if (typeof values.only === 'string') {
    only = values.only
      .split(',')
      .map((name) => name.trim())
      .flatMap((name) => (name === 'peers' ? [...PEER_SCENARIOS] : name === '' ? [] : [name]));
    const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
    if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  }
  const rounds = Math.max(1, Math.round(sizes.rounds));
  let peerRounds = quick && raw.rounds === undefined ? 2 : rounds;
  if (typeof values['peer-rounds'] === 'string') {
    peerRounds = Number(values['peer-rounds']);
    if (!Number.isInteger(peerRounds) || peerRounds <= 0) throw new Error(`--peer-rounds must be a positive integer, got ${values['peer-rounds']}`);
  }
  return {
    quick,
    only,
    out: typeof values.out === 'string' ? values.out : undefined,
    profile: values.profile === true,
    pin: values.pin === true,
    install: values['no-install'] !== true,
    ...sizes,
    rounds,
    peerRounds,
  };
}
