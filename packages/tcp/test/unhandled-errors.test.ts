import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Proves tooling/vitest-setup.ts by running vitest, with the shared configuration, on fixtures
// that leave errors unhandled: in a child process, since the failures are the point.
const FIXTURES = fileURLToPath(new URL('./fixtures/unhandled-errors/', import.meta.url));
const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

interface JsonReport {
  testResults: Array<{ name: string; assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
}

async function runFixtures(): Promise<{ code: number | null; output: string; report: JsonReport }> {
  const dir = await mkdtemp(join(tmpdir(), 'sock-vitest-setup-'));
  try {
    const reportFile = join(dir, 'report.json');
    const child = spawn(process.execPath, [VITEST, 'run', '--root', FIXTURES, '--reporter=json', `--outputFile=${reportFile}`, '--reporter=default'], {
      env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as JsonReport;
    return { code, output, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the vitest setup file (tooling/vitest-setup.ts)', () => {
  it('fails, by name, each test that leaves an error unhandled, and the run exits non-zero', async () => {
    const { code, output, report } = await runFixtures();
    expect(code, output).toBe(1);

    const results = Object.fromEntries(
      report.testResults.flatMap((file) => file.assertionResults.map((test) => [test.title, { status: test.status, failure: test.failureMessages.join('\n') }])),
    );
    expect(results['leaves a rejection nobody handles']?.status).toBe('failed');
    expect(results['leaves a rejection nobody handles']?.failure).toContain('fixture: nobody handles this rejection');
    expect(results['lets a callback throw']?.status).toBe('failed');
    expect(results['lets a callback throw']?.failure).toContain('uncaughtException: Error: fixture: thrown from a callback');
    expect(results['rejects in the very last microtask']?.status).toBe('failed');
    expect(results['rejects in the very last microtask']?.failure).toContain('fixture: rejected after the test returned');
    // Nothing spills over: the tests around them pass, and a test with its own listener keeps its own.
    expect(results['passes before the bad ones']?.status).toBe('passed');
    expect(results['passes after the bad ones']?.status).toBe('passed');
    expect(results['listens for unhandledRejection itself, and so handles its own']?.status).toBe('passed');
    // Outside any test, vitest's own report still takes the error (and fails the run).
    expect(results['passes']?.status).toBe('passed');
    expect(output).toContain('Unhandled Rejection');
    expect(output).toContain('fixture: rejected in beforeAll');
  }, 60_000);
});
