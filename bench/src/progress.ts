/** The progress line printed after every round: scenario k/N, round r/R, elapsed time, rough ETA. */

export interface PlannedScenario {
  name: string;
  /** Rough seconds the whole scenario takes (Scenario.estimateSeconds). */
  estimateSeconds: number;
}

function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

/**
 * Tracks the run against the scenarios' own estimates. The ETA is the estimate of what is left,
 * scaled by how actual time compared with the estimates so far (only scenarios that ran rounds
 * count for that, so a skipped one does not make the rest look fast).
 *
 * @example
 * ```ts
 * const progress = new Progress(plan, performance.now(), log);
 * progress.started('tcp-echo'); // ...after each round:
 * progress.roundDone('tcp-echo', 1, 5);
 * progress.finished('tcp-echo');
 * ```
 */
export class Progress {
  readonly #plan: readonly PlannedScenario[];
  readonly #startedAt: number;
  readonly #log: (message: string) => void;
  #current = -1;
  #currentStartedAt = 0;
  #currentFraction = 0;
  /** Seconds and estimates of the finished scenarios that ran at least one round. */
  #calibratedSeconds = 0;
  #calibratedEstimate = 0;

  constructor(plan: readonly PlannedScenario[], startedAt: number, log: (message: string) => void) {
    this.#plan = plan;
    this.#startedAt = startedAt;
    this.#log = log;
  }

  started(name: string): void {
    this.#current = this.#plan.findIndex((scenario) => scenario.name === name);
    this.#currentStartedAt = performance.now();
    this.#currentFraction = 0;
  }

  finished(name: string): void {
    const index = this.#plan.findIndex((scenario) => scenario.name === name);
    if (index === -1 || index !== this.#current) return;
    if (this.#currentFraction > 0) {
      this.#calibratedSeconds += (performance.now() - this.#currentStartedAt) / 1000;
      this.#calibratedEstimate += this.#plan[index]!.estimateSeconds;
    }
    this.#currentFraction = 1;
  }

  roundDone(name: string, round: number, rounds: number): void {
    const index = this.#plan.findIndex((scenario) => scenario.name === name);
    if (index === -1) return;
    if (index !== this.#current) this.started(name);
    this.#currentFraction = Math.min(1, round / rounds);
    this.#log(this.line(index, round, rounds));
  }

  /** The progress text for round `round` of scenario number `index` (0-based) having ended now. */
  line(index: number, round: number, rounds: number): string {
    const scenario = this.#plan[index]!;
    const now = performance.now();
    const elapsed = (now - this.#startedAt) / 1000;
    const spent = this.#calibratedSeconds + (now - this.#currentStartedAt) / 1000;
    const estimated = this.#calibratedEstimate + scenario.estimateSeconds * this.#currentFraction;
    const factor = estimated > 0 ? spent / estimated : 1;
    let left = scenario.estimateSeconds * (1 - this.#currentFraction);
    for (const later of this.#plan.slice(index + 1)) left += later.estimateSeconds;
    return `progress: scenario ${index + 1}/${this.#plan.length} ${scenario.name}, round ${round}/${rounds}, elapsed ${clock(elapsed)}, ETA ~${clock(left * factor)}`;
  }
}
