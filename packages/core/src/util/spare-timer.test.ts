import { afterEach, describe, expect, it, vi } from 'vitest';
import { actionTimer, SpareTimer } from './spare-timer.js';

afterEach(() => {
  // Spies first: a spy on a faked setTimeout would put the fake back after useRealTimers.
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function recorder(): { fired: string[]; spare: SpareTimer<string> } {
  const fired: string[] = [];
  return { fired, spare: new SpareTimer<string>((owner) => fired.push(owner)) };
}

describe('SpareTimer', () => {
  it('fires for its owner after the delay, counted from each take', async () => {
    vi.useFakeTimers();
    const { fired, spare } = recorder();
    const timer = spare.take('a', 100);
    await vi.advanceTimersByTimeAsync(60);
    spare.finish('a', timer);
    expect(spare.take('b', 100)).toBe(timer); // given back: the same timer, 60 ms in, its delay starting over
    await vi.advanceTimersByTimeAsync(99);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['b']);
    spare.finish('b', timer); // given back after it fired, as every loan is
    expect(spare.take('c', 100)).toBe(timer);
    spare.finish('c', timer);
  });

  it('a run of loans makes one timer, left armed and unref’d between them', async () => {
    vi.useFakeTimers();
    const made = vi.spyOn(globalThis, 'setTimeout');
    const { spare } = recorder();
    let timer: NodeJS.Timeout | undefined;
    for (let i = 0; i < 20; i++) {
      timer = spare.take(`w${i}`, 1000);
      expect(timer?.hasRef()).toBe(true);
      await vi.advanceTimersByTimeAsync(10);
      spare.finish(`w${i}`, timer);
    }
    expect(made).toHaveBeenCalledTimes(1);
    expect(timer?.hasRef()).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('is not lent twice: the second taker gets undefined and makes its own', () => {
    vi.useFakeTimers();
    const { spare } = recorder();
    const lent = spare.take('a', 100);
    expect(lent).toBeDefined();
    expect(spare.take('b', 100)).toBeUndefined();
    spare.finish('b', undefined); // b never held it: the spare stays lent to a
    expect(spare.take('c', 100)).toBeUndefined();
    spare.finish('a', lent);
    expect(spare.take('c', 100)).toBe(lent);
  });

  it('another delay re-makes the timer, clearing the old one', async () => {
    vi.useFakeTimers();
    const { fired, spare } = recorder();
    spare.take('long', 1000);
    spare.finish('long', undefined);
    spare.take('short', 10);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).toEqual(['short']);
  });

  it('fires into nothing while nobody holds it, and serves the next loan after that', async () => {
    vi.useFakeTimers();
    const { fired, spare } = recorder();
    spare.take('a', 50);
    spare.finish('a', undefined);
    await vi.advanceTimersByTimeAsync(200);
    expect(fired).toEqual([]);
    spare.take('b', 50);
    await vi.advanceTimersByTimeAsync(50);
    expect(fired).toEqual(['b']);
  });

  it('cancel clears it unless it is lent', () => {
    vi.useFakeTimers();
    const { spare } = recorder();
    spare.take('a', 50);
    spare.cancel();
    expect(vi.getTimerCount()).toBe(1);
    spare.finish('a', undefined);
    spare.cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a timer made by another clock is not reused: made on real timers, a loan under fake ones gets a fake one', async () => {
    const { fired, spare } = recorder();
    spare.take('real', 60_000);
    spare.finish('real', undefined);
    vi.useFakeTimers();
    spare.take('fake', 60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fired).toEqual(['fake']);
    spare.finish('fake', undefined);
    vi.useRealTimers();
    spare.cancel();
  });

  it('on Node’s timers, a timer that fired is re-armed by the next loan', async () => {
    const fired: string[] = [];
    let wake: () => void = () => {};
    const spare = new SpareTimer<string>((owner) => {
      fired.push(owner);
      wake();
    });
    const timers: Array<NodeJS.Timeout | undefined> = [];
    for (const owner of ['a', 'b']) {
      const firing = new Promise<void>((resolve) => (wake = resolve));
      timers.push(spare.take(owner, 5));
      await firing;
      spare.finish(owner, timers.at(-1));
    }
    expect(timers[0]).toBeDefined();
    expect(timers[1]).toBe(timers[0]); // the one timer, given back after it fired and re-armed
    expect(fired).toEqual(['a', 'b']);
    spare.cancel();
  });

  it('actionTimer: its owners are what runs when it fires', async () => {
    vi.useFakeTimers();
    const timer = actionTimer();
    const ran: string[] = [];
    const first = (): void => void ran.push('first');
    const second = (): void => void ran.push('second');
    timer.take(first, 10);
    expect(timer.take(second, 10)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10);
    expect(ran).toEqual(['first']);
    timer.finish(first, undefined);
    expect(timer.take(second, 10)).toBeDefined(); // given back
    timer.finish(second, undefined);
    timer.cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('finish gives the spare back, or clears the wait’s own timer, and never clears the spare’s', async () => {
    vi.useFakeTimers();
    const { fired, spare } = recorder();
    const lent = spare.take('a', 100);
    const own = spare.take('b', 100) ?? setTimeout(() => fired.push('b-own'), 100);
    spare.finish('b', own); // its own timer: cleared
    spare.finish('a', lent);
    spare.finish('a', lent); // again: the spare's timer is not cleared
    spare.take('c', 100);
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual(['c']);
  });

  it('on Node’s timers, finishing a loan twice does not clear the spare: the next loan still fires', async () => {
    let wake: () => void = () => {};
    const spare = new SpareTimer<string>(() => wake());
    const timer = spare.take('a', 5);
    spare.finish('a', timer);
    spare.finish('a', timer);
    const firing = new Promise<void>((resolve) => (wake = resolve));
    spare.take('b', 5);
    await firing;
    spare.finish('b', undefined);
    spare.cancel();
  });
});
