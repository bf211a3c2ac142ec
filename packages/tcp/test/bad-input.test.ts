import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectAccepted, expectRefused, settle } from '../../../tooling/bad-input/outcome.js';
import { clientConfigValue, listenerConfigValue, NUM_RUNS, tcpBadInput } from '../../../tooling/bad-input/tcp-suite.js';
import { isPort, portValue } from '../../../tooling/bad-input/values.js';
import { Client, isSocketError, Listener, tcp } from '../src/index.js';
import { echoService, listen } from './helpers.js';

// Every entry point of `tcp` (the transport), property-tested with bad input.
tcpBadInput('@sock/tcp', () => ({ transport: tcp, host: '127.0.0.1', close: async () => {} }));

// The classes behind it: a constructor throws at once, a static factory rejects.
describe('bad input to the @sock/tcp classes', () => {
  it('new Client(config) throws INVALID_ARGUMENT and Client.connect(config) rejects it for a bad config; both connect with a good one', async () => {
    const { port } = await listen(echoService);
    await fc.assert(
      fc.asyncProperty(clientConfigValue(port, '127.0.0.1'), async ({ config, valid }) => {
        const constructed = await settle(() => new Client(config as never));
        const connected = await settle(() => Client.connect(config as never));
        if (!valid) {
          expectRefused(constructed, 'throw', ['INVALID_ARGUMENT'], config);
          expectRefused(connected, 'reject', ['INVALID_ARGUMENT'], config);
          return;
        }
        for (const client of [expectAccepted(constructed, 'return', config) as Client, connected.kind === 'resolved' ? (connected.value as Client) : undefined]) {
          if (client === undefined) continue;
          const ready = await settle(() => client.ready);
          if (!(ready.kind === 'rejected' && isSocketError(ready.error, 'CONNECT_TIMED_OUT'))) expectAccepted(ready, 'resolve', config);
          await client.close();
        }
        if (connected.kind !== 'resolved') expect(connected.kind === 'rejected' && isSocketError(connected.error, 'CONNECT_TIMED_OUT')).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('new Listener(port, config) throws INVALID_ARGUMENT for a bad port or config', async () => {
    await fc.assert(
      fc.asyncProperty(portValue, listenerConfigValue, async (port, { config, valid }) => {
        const outcome = await settle(() => new Listener(port as number, config as never));
        if (!valid || !isPort(port, 0)) expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], { port, config });
        else expect(expectAccepted(outcome, 'return', { port, config })).toBeInstanceOf(Listener);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
