import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSocketError } from '@sock/core';
import { createLoopbackNetwork, echoService, type LoopbackNetwork } from './index.js';

// connectTimeoutInMillis lives in core's ClientBase, shared by @sock/tcp's Client and the kit's;
// the kit's latency makes a slow connect that a test can drive with fake timers.
let network: LoopbackNetwork | undefined;
afterEach(async () => {
  // Spies first: a spy on a faked setTimeout would put the fake back after useRealTimers.
  vi.restoreAllMocks();
  vi.useRealTimers();
  await network?.close();
  network = undefined;
});

async function listening(net: LoopbackNetwork): Promise<number> {
  const listener = net.tcp.createListener(0, { interface: '127.0.0.1' });
  listener.attach(echoService());
  await listener.start();
  return listener.address!.port;
}

describe('connectTimeoutInMillis', () => {
  it('gives up with CONNECT_TIMED_OUT, naming the endpoint, when connecting takes longer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    network = createLoopbackNetwork({ latencyInMillis: 100 });
    const port = await listening(network);
    const connecting = network.tcp.connect({ host: '127.0.0.1', port, connectTimeoutInMillis: 50 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    const error = await connecting;
    expect(isSocketError(error, 'CONNECT_TIMED_OUT')).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    await vi.advanceTimersByTimeAsync(100); // the late connect attempt finds the client given up
  });

  it('is let go once connected: the timer left armed holds no process open and fires into nothing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const made = vi.spyOn(globalThis, 'setTimeout');
    network = createLoopbackNetwork({ latencyInMillis: 10 });
    const port = await listening(network);
    const connecting = network.tcp.connect({ host: '127.0.0.1', port, connectTimeoutInMillis: 50 });
    await vi.advanceTimersByTimeAsync(10);
    const client = await connecting;
    // Clients lend one connect timer one after another: it stays armed, unref'd, for the next one.
    const connectTimers = made.mock.calls.flatMap((call, i) => (call[1] === 50 ? [made.mock.results[i]!.value as NodeJS.Timeout] : []));
    expect(connectTimers).toHaveLength(1);
    expect(connectTimers[0]!.hasRef()).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    const written = client.write('still open');
    await vi.advanceTimersByTimeAsync(10);
    expect(await written).toBe(10);
  });
});
