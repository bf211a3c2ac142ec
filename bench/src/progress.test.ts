import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

describe('Progress', () => {
  it('prints scenario k/N, round r/R, the elapsed time and an ETA after every round', () => {
    const lines: string[] = [];
    const progress = new Progress(
      [
        { name: 'a', estimateSeconds: 10 },
        { name: 'b', estimateSeconds: 20 },
      ],
      performance.now(),
      (line) => lines.push(line),
    );
    progress.started('a');
    progress.roundDone('a', 1, 2);
    progress.roundDone('a', 2, 2);
    progress.finished('a');
    progress.started('b');
    progress.roundDone('b', 1, 1);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^progress: scenario 1\/2 a, round 1\/2, elapsed \d+s, ETA ~\d+s$/);
    expect(lines[2]).toMatch(/^progress: scenario 2\/2 b, round 1\/1, elapsed \d+s, ETA ~0s$/);
  });
});
