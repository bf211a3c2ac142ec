/**
 * Why a simulation's `run` failed: `fn` rejected (`FAILED`), the virtual time-out passed
 * (`TIMED_OUT`), `fn` could never settle because nothing was runnable and no timer was pending
 * (`DEADLOCKED`), a timer or immediate callback threw (`CALLBACK_THREW`), or the clock stood still
 * for too many steps in a row (`LIVELOCKED`: a busy loop that polls with `setImmediate` for
 * something only time can bring).
 *
 * @example
 * ```ts
 * if (error instanceof SimulationError && error.code === 'DEADLOCKED') console.log(error.seed);
 * ```
 */
export type SimulationErrorCode = 'FAILED' | 'TIMED_OUT' | 'DEADLOCKED' | 'CALLBACK_THREW' | 'LIVELOCKED';

/**
 * The rejection of a failed `sim.run(fn)`. Its message names the seed and how to replay the run
 * (`createSimulation({ seed: N })`); `cause` is `fn`'s error (or the callback's) when there is one.
 *
 * @example
 * ```ts
 * try {
 *   await sim.run(test);
 * } catch (error) {
 *   if (error instanceof SimulationError) console.log(`replay: createSimulation({ seed: ${error.seed} })`, error.cause);
 *   throw error;
 * }
 * ```
 */
export class SimulationError extends Error {
  readonly code: SimulationErrorCode;
  /** The seed of the simulation: the same seed and the same code replay the same run. */
  readonly seed: number;
  /** Virtual time (ms) when the run failed. */
  readonly at: number;

  constructor(code: SimulationErrorCode, seed: number, at: number, what: string, cause?: unknown) {
    super(`simulation with seed ${seed} ${what} at ${at} ms of virtual time; replay it with createSimulation({ seed: ${seed} })`, cause === undefined ? undefined : { cause });
    this.name = 'SimulationError';
    this.code = code;
    this.seed = seed;
    this.at = at;
  }
}
