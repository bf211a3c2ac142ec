import { GenericError, type SocketError } from '../errors.js';
import { CancelSource, type CancelSignal } from './cancel-signal.js';
import { peerName, type Wire } from './wire.js';
import { actionTimer } from '../util/spare-timer.js';

// The deadline timer accept steps lend one after another (see SpareTimer).
const stepTimer = actionTimer();

/**
 * What an accept step gets besides the wire.
 *
 * @example
 * ```ts
 * const run = (wire: Wire, { signal }: AcceptContext) => handshake(wire, signal);
 * ```
 */
export interface AcceptContext {
  /** Aborted at the step's deadline or when the listener stops; the step should give up then. */
  readonly signal: CancelSignal;
}

/**
 * One async stage between accept and `onConnect` (a TLS handshake, a PROXY protocol header). It
 * takes the accepted wire and resolves with the wire the connection will use (the same one, or one
 * wrapping it), or rejects with a SocketError; a connection that fails a step never reaches the
 * service. Each step has a deadline, and the listener's shutdown cancels it.
 *
 * @example
 * ```ts
 * const logStep: AcceptStep = {
 *   name: 'log',
 *   timeoutInMillis: 0,
 *   timedOut: (peer) => new GenericError('GENERIC', `log step for ${peer} timed out`),
 *   run: async (wire) => { console.log('accepted', wire.info.remoteAddress); return wire; },
 * };
 * ```
 */
export interface AcceptStep {
  /** For messages: `'TLS handshake'`, `'PROXY protocol header'`. */
  readonly name: string;
  /** The step's deadline per connection; 0: none (the listener's shutdown still cancels it). */
  readonly timeoutInMillis: number;
  /** The error a connection gets when the step misses its deadline. */
  timedOut(peer: string): SocketError;
  run(wire: Wire, context: AcceptContext): Promise<Wire>;
}

/**
 * Runs the steps in order over an accepted wire. Never waits for a step past its deadline or past
 * the listener's shutdown, even if the step ignores its signal. On failure the caller destroys the wire.
 *
 * @example
 * ```ts
 * const wire = await runAcceptSteps(accepted, [tlsStep], shutdown.signal);
 * ```
 */
export async function runAcceptSteps(wire: Wire, steps: readonly AcceptStep[], shutdown: CancelSignal): Promise<Wire> {
  let current = wire;
  for (const step of steps) {
    if (shutdown.aborted) throw stopped(current);
    const cancel = new CancelSource();
    const peer = peerName(current.info);
    const limit = step.timeoutInMillis;
    const timedOut = limit > 0 ? (): void => cancel.abort(step.timedOut(peer)) : undefined;
    const timer = timedOut === undefined ? undefined : (stepTimer.take(timedOut, limit) ?? setTimeout(timedOut, limit));
    const onShutdown = (): void => cancel.abort(stopped(current));
    shutdown.addEventListener('abort', onShutdown);
    const aborted = new Promise<never>((_, reject) => cancel.addEventListener('abort', () => reject(cancel.reason)));
    try {
      current = await Promise.race([step.run(current, { signal: cancel }), aborted]);
    } finally {
      if (timedOut !== undefined) stepTimer.finish(timedOut, timer);
      shutdown.removeEventListener('abort', onShutdown);
    }
  }
  return current;
}

function stopped(wire: Wire): SocketError {
  return new GenericError('CONNECTION_CLOSED', `connection from ${peerName(wire.info)} was closed: the listener stopped`);
}
