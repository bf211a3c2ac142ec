/** Command-line flags of `pnpm bench`, with the quick (CI smoke) and full defaults. */
import { parseArgs } from 'node:util';

export interface Options {
  quick: boolean;
  rounds: number;
  only: string[] | undefined;
  out: string | undefined;
  profile: boolean;
  pin: boolean;
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
}

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
};

export const SCENARIOS = ['tcp-bulk', 'tcp-echo', 'tcp-connect', 'udp-throughput', 'memory', 'testkit-echo', 'client-read'] as const;

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
};

export const USAGE = `usage: pnpm bench [--quick] [--only a,b] [--rounds N] [--profile] [--out file] [--<size flag> N ...]
  --quick                 smoke run of about a minute (CI); the default is the full run (up to ~10 min)
  --only                  comma-separated scenarios: ${SCENARIOS.join(', ')}
  --pin                   pin servers to CPU 0 and clients to CPU 1 with taskset (off by default:
                          on this 2-vCPU VM it made loopback latency worse, p99 ~12 ms)
  --profile               write V8 CPU profiles of the @sock children to bench/results/profiles/
  --out                   JSON output (default bench/results/latest.json)
size flags (full / quick defaults):
${(Object.keys(NUMERIC) as Array<keyof typeof FULL>).map((key) => `  --${NUMERIC[key].padEnd(22)}${FULL[key]} / ${QUICK[key]}`).join('\n')}`;

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
    only = values.only.split(',').map((name) => name.trim()).filter((name) => name !== '');
    const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
    if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  }
  return {
    quick,
    only,
    out: typeof values.out === 'string' ? values.out : undefined,
    profile: values.profile === true,
    pin: values.pin === true,
    ...sizes,
    rounds: Math.max(1, Math.round(sizes.rounds)),
  };
}
