/**
 * What a dialer or an accept step needs of a cancellation signal: the part of `AbortSignal` it uses.
 * A real `AbortSignal` satisfies it; the bases pass a {@link CancelSource}, which costs far less to
 * make per connection than an `AbortController` (an `EventTarget`) and takes any number of
 * listeners without a `MaxListenersExceededWarning`.
 *
 * @example
 * ```ts
 * function dial(target: DialTarget, { signal }: DialOptions) { signal?.addEventListener('abort', giveUp, { once: true }); }
 * ```
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A one-shot cancel signal: aborted at most once — a dial by the connect time-out, the caller's own
 * signal or `close()` while connecting; an accept step by its deadline or the listener's stop.
 *
 * @example
 * ```ts
 * const abort = new CancelSource();
 * dialer.dial(config, { signal: abort });
 * abort.abort(new GenericError('CONNECT_TIMED_OUT', '...'));
 * ```
 */
export class CancelSource implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}
