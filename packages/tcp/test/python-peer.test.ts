import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect, echoService, listen, track } from './helpers.js';

const script = fileURLToPath(new URL('./peer.py', import.meta.url));

/** Runs peer.py; killed after the test. Resolves the first line it prints, and its exit. */
function python(...args: string[]): { child: ChildProcessWithoutNullStreams; firstLine: Promise<string>; exited: Promise<number | null> } {
  const child = spawn('python3', [script, ...args], { stdio: 'pipe' });
  track({ close: async () => void child.kill() });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    void exited.then((code) => reject(new Error(`peer.py exited ${code} before printing: ${stderr}`)));
  });
  return { child, firstLine, exited };
}

describe('a Python peer (not our code)', () => {
  it('our Client talks to a Python asyncio server: lines, half-close, and its final answer', async () => {
    const peer = python('server');
    const port = Number(await peer.firstLine);
    const client = await connect(port, { readTimeoutInMillis: 10_000 });
    await client.write('hello python\n');
    expect((await client.read(13)).toString()).toBe('HELLO PYTHON\n');
    await client.write('second line\n');
    expect((await client.read(12)).toString()).toBe('SECOND LINE\n');
    await client.shutdownWrite();
    expect((await client.read(4)).toString()).toBe('BYE\n');
    expect((await client.read()).length).toBe(0);
    expect(await peer.exited).toBe(0);
  });

  it('a Python socket client gets 100 000 bytes echoed intact by our Listener, across half-close', async () => {
    const { port } = await listen(echoService);
    const peer = python('client', String(port));
    expect(await peer.firstLine).toBe('OK 100000');
    expect(await peer.exited).toBe(0);
  });
});
