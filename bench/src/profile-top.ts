/**
 * `tsx src/profile-top.ts <file.cpuprofile|dir> [N] [--filter text]`: the top self-time frames of
 * V8 CPU profiles (as written by `pnpm bench --profile`), summed over every file given.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(path, name));
}

const args = process.argv.slice(2);
const filterIndex = args.indexOf('--filter');
const filter = filterIndex === -1 ? undefined : args[filterIndex + 1];
const positional = args.filter((_arg, index) => filterIndex === -1 || (index !== filterIndex && index !== filterIndex + 1));
const [target = '.', countText = '25'] = positional;
const selfMicros = new Map<string, number>();
let total = 0;
for (const file of files(target)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (node === undefined) continue;
    const delta = deltas[i + 1] ?? 0;
    const frame = node.callFrame;
    const where = frame.url.replace(/^.*\/(packages|node_modules|bench)\//, '$1/');
    const key = `${frame.functionName || '(anonymous)'}  ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    total += delta;
  }
}
const rows = [...selfMicros.entries()].filter(([key]) => filter === undefined || key.includes(filter)).sort((a, b) => b[1] - a[1]);
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms${filter === undefined ? '' : `; filter "${filter}"`}`);
for (const [key, micros] of rows.slice(0, Number(countText))) {
  console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}`);
}
