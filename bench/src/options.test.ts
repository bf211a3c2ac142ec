import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { outputPath, parseOptions, PEER_SCENARIOS } from './options.js';

describe('parseOptions', () => {
  it('runs the peer scenarios for 5 rounds in a full run and 2 in a quick one', () => {
    expect(parseOptions([])).toMatchObject({ quick: false, rounds: 5, peerRounds: 5, install: true });
    expect(parseOptions(['--quick'])).toMatchObject({ quick: true, rounds: 3, peerRounds: 2 });
  });

  it('lets --rounds set both, and --peer-rounds the peer scenarios alone', () => {
    expect(parseOptions(['--quick', '--rounds', '4'])).toMatchObject({ rounds: 4, peerRounds: 4 });
    expect(parseOptions(['--rounds', '4', '--peer-rounds', '1'])).toMatchObject({ rounds: 4, peerRounds: 1 });
    expect(() => parseOptions(['--peer-rounds', '0'])).toThrow(/--peer-rounds/);
  });

  it('expands --only peers and refuses unknown names', () => {
    expect(parseOptions(['--only', 'peers,udp-request']).only).toEqual([...PEER_SCENARIOS, 'udp-request']);
    expect(() => parseOptions(['--only', 'nope'])).toThrow(/unknown scenario/);
  });

  it('sizes the TLS and cluster scenarios smaller in a quick run, and knows their names', () => {
    expect(parseOptions([])).toMatchObject({ tlsBulkMiB: 256, tlsEchoSeconds: 5, tlsConnectCount: 1000, clusterSeconds: 5 });
    expect(parseOptions(['--quick'])).toMatchObject({ tlsBulkMiB: 64, tlsEchoSeconds: 1, tlsConnectCount: 300, clusterSeconds: 2 });
    expect(parseOptions(['--only', 'tls-bulk,tls-echo,tls-connect,cluster-echo', '--tls-bulk-mib', '32']).tlsBulkMiB).toBe(32);
  });

  it('turns installing off with --no-install', () => {
    expect(parseOptions(['--no-install']).install).toBe(false);
  });

  it('writes latest.json (the README chart) only from a full run of every scenario', () => {
    expect(outputPath(parseOptions([]), 'r')).toBe(join('r', 'latest.json'));
    expect(outputPath(parseOptions(['--rounds', '3']), 'r')).toBe(join('r', 'latest.json'));
    expect(outputPath(parseOptions(['--quick']), 'r')).toBe(join('r', 'last-run.json'));
    expect(outputPath(parseOptions(['--only', 'memory']), 'r')).toBe(join('r', 'last-run.json'));
    expect(outputPath(parseOptions(['--quick', '--out', 'x.json']), 'r')).toBe('x.json');
  });
});
