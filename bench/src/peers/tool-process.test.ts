import { describe, expect, it } from 'vitest';
import { describeRun, runTool } from './tool-process.js';

describe('runTool', () => {
  it('collects the output and the exit code', async () => {
    const run = await runTool('sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 });
    expect(run).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    expect(describeRun(run)).toBe('sh exited with code 3: err');
  });

  it('kills a program at its time limit', async () => {
    const run = await runTool('sleep', ['30'], { timeoutMs: 100 });
    expect(run.timedOut).toBe(true);
    expect(run.signal).toBe('SIGKILL');
  });

  it('resolves, not rejects, for a program that does not exist', async () => {
    const run = await runTool('no-such-program-sock-bench', [], { timeoutMs: 10_000 });
    expect(run.code).toBeNull();
    expect(run.stderr).toMatch(/could not start/);
  });

  it('keeps only the tail of a long output', async () => {
    const run = await runTool('sh', ['-c', 'seq 1 100000'], { timeoutMs: 10_000, maxOutputBytes: 1000 });
    expect(run.stdout.length).toBeLessThanOrEqual(1000);
    expect(run.stdout.endsWith('100000\n')).toBe(true);
  });
});
