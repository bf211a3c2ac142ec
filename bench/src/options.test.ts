import { describe, expect, it } from 'vitest';
import { parseOptions, PEER_SCENARIOS } from './options.js';

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

  it('turns installing off with --no-install', () => {
    expect(parseOptions(['--no-install']).install).toBe(false);
  });
});
