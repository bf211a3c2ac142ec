/**
 * What every real-peer scenario shares: one server child per variant per round (bound to
 * 127.0.0.1 port 0, port over IPC), an external load generator spawned by the parent with a hard
 * time limit, and the server's own counters checked afterwards (a protocol error fails the run).
 */
import { withChildren } from '../child.js';
import { num, perOperation, str, type Fields } from '../protocol.js';
import { CLIENT, failureNote, interleave, pick, SERVER, type Row, type RunContext, type Target } from '../scenario.js';
import { ensureTool, type LoadTool } from '../peers/load-tools.js';
import { describeRun, runTool, type ToolRun } from '../peers/tool-process.js';

/** Every real-peer throughput row aims at parity within 3 %. */
export const PEER_TARGET: Target = { kind: 'ratio', op: '>=', value: 0.97 };

/** A server variant: the child role that serves, and whether it is @sock (profiled under --profile). */
export interface ServerVariant {
  role: string;
  sock: boolean;
}

/**
 * Starts the server role, runs `load` against its port, stops the server and merges its counters
 * (`answered`, `faults`) into the load's figures. Rejects if the server counted protocol errors.
 */
export async function serveAndLoad(context: RunContext, scenario: string, server: ServerVariant, loadBudgetMs: number, load: (port: number) => Promise<Fields>): Promise<Fields> {
  return withChildren(async (spawn) => {
    const child = spawn(server.role, {}, context.spawnOptions(scenario, server.sock, loadBudgetMs + 30_000, SERVER));
    const port = num(await child.expect('ready', 20_000), 'port');
    const measured = await load(port);
    const stats = await child.stop();
    const errors = num(stats, 'errors');
    if (errors > 0) throw new Error(`the ${server.role} server counted ${errors} protocol errors; first: ${str(stats, 'firstError')}`);
    const answered = num(stats, 'answered');
    return { ...measured, answered, faults: num(stats, 'faults'), cpuPerRequest: perOperation(stats.cpuMicros, answered) };
  });
}

/**
 * Runs a load generator (pinned to the client CPU under --pin) and rejects, with its own words,
 * if it timed out or exited non-zero.
 */
export async function runLoad(context: RunContext, command: string, args: readonly string[], timeoutMs: number): Promise<ToolRun> {
  const run = await runTool(command, args, { timeoutMs, cpu: context.pinned ? CLIENT.cpu : undefined });
  if (run.timedOut || run.code !== 0) throw new Error(describeRun(run));
  return run;
}

/** Throws the report's problems as one error: the run counts as a failed sample. */
export function rejectProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/** A row to report (samples filled in by `peerRows`). */
export interface PeerRowSpec {
  metric: string;
  unit: string;
  subject: string;
  baseline: string;
  /** Variant names in the interleave results, and the field to pick. */
  subjectVariant: string;
  baselineVariant: string;
  field: string;
  target?: Target;
}

/**
 * Runs a real-peer scenario: makes sure its load generator is there (rows skipped with the reason
 * if not), interleaves the variants over `--peer-rounds` rounds and turns the runs into rows.
 */
export async function runPeerScenario<K extends string>(
  context: RunContext,
  scenario: string,
  tool: LoadTool,
  given: readonly PeerRowSpec[],
  variants: Record<K, () => Promise<Fields>>,
): Promise<Row[]> {
  const specs = [...given, ...cpuRows(given)];
  const rowOf = (spec: PeerRowSpec): Row => {
    const { subjectVariant: _s, baselineVariant: _b, field: _f, ...rest } = spec;
    return { scenario, ...rest, subjectSamples: [], baselineSamples: [] };
  };
  const missing = await ensureTool(tool, { install: context.options.install, log: context.log });
  if (missing !== undefined) {
    context.log(`${scenario}: skipped: ${missing}`);
    return specs.map((spec) => ({ ...rowOf(spec), skipped: missing }));
  }
  const results = await interleave(context, scenario, variants, context.options.peerRounds);
  const note = failureNote(results);
  const byName = results as Record<string, Array<Fields | undefined>>;
  return specs.map((spec) => ({
    ...rowOf(spec),
    subjectSamples: pick(byName[spec.subjectVariant] ?? [], spec.field),
    baselineSamples: pick(byName[spec.baselineVariant] ?? [], spec.field),
    ...(note === undefined ? {} : { note }),
  }));
}

/**
 * One info row per pair of variants compared for throughput: the server's CPU time (user + system)
 * per request answered. Unlike requests/s, it does not depend on how the server and the load
 * generator share the cores, so it is what @sock itself costs against raw Node.
 */
export function cpuRows(specs: readonly PeerRowSpec[]): PeerRowSpec[] {
  const rows: PeerRowSpec[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    const pair = `${spec.subjectVariant}/${spec.baselineVariant}`;
    if (spec.target?.kind !== 'ratio' || seen.has(pair)) continue;
    seen.add(pair);
    const { subject, baseline, subjectVariant, baselineVariant } = spec;
    rows.push({ metric: 'server CPU per request', unit: 'µs', subject, baseline, subjectVariant, baselineVariant, field: 'cpuPerRequest' });
  }
  return rows;
}
