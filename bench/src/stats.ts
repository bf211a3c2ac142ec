/** Small, dependency-free statistics for benchmark samples. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(samples: readonly number[]): Summary {
  const finite = samples.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples: [...samples] };
  const sorted = [...finite].sort((a, b) => a - b);
  return { median: percentileOfSorted(sorted, 0.5), min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: [...samples] };
}

/**
 * The p-quantile (0..1) of ascending `sorted`, by linear interpolation between closest ranks
 * (p = 0.5 of an even count is the mean of the two middle values).
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0]!;
  const rank = Math.min(Math.max(p, 0), 1) * (n - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(lower + 1, n - 1);
  const weight = rank - lower;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/**
 * A growable list of latency samples (microseconds) that yields percentiles. Bounded: beyond
 * `capacity` samples it keeps every k-th one (reservoir by stride), so a long run never grows memory
 * without limit.
 */
export class LatencyRecorder {
  #values: Float64Array;
  #count = 0;
  #stride = 1;
  #seen = 0;
  readonly #capacity: number;

  constructor(capacity = 4_000_000) {
    this.#capacity = capacity;
    this.#values = new Float64Array(Math.min(capacity, 65_536));
  }

  record(micros: number): void {
    this.#seen++;
    if (this.#seen % this.#stride !== 0) return;
    if (this.#count === this.#values.length) {
      if (this.#count >= this.#capacity) {
        // Keep every second sample and halve the rate from now on.
        for (let i = 0; i < this.#count / 2; i++) this.#values[i] = this.#values[i * 2]!;
        this.#count = Math.floor(this.#count / 2);
        this.#stride *= 2;
        return;
      }
      const grown = new Float64Array(Math.min(this.#values.length * 2, this.#capacity));
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = micros;
  }

  merge(other: LatencyRecorder): void {
    const values = other.values();
    for (let i = 0; i < values.length; i++) this.record(values[i]!);
  }

  values(): Float64Array {
    return this.#values.subarray(0, this.#count);
  }

  /** Percentiles (0..1) of what was recorded. */
  percentiles(...ps: number[]): number[] {
    const sorted = Float64Array.from(this.values()).sort();
    return ps.map((p) => percentileOfSorted(sorted, p));
  }
}
