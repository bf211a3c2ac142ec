import { afterEach, describe, expect, it } from 'vitest';
import { ensureTool } from './load-tools.js';

describe('ensureTool', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('gives the reason instead of installing when --no-install is given', async () => {
    // No PATH: the tool cannot be found, whether or not this machine has it.
    process.env.PATH = '/nonexistent';
    const logged: string[] = [];
    const reason = await ensureTool('dnsperf', { install: false, log: (line) => logged.push(line) });
    expect(reason).toBe('dnsperf is not installed (Debian package dnsperf); --no-install given');
    expect(logged).toEqual([]);
  });
});
