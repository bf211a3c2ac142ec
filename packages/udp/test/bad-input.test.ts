import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccepted, expectRefused, settle } from '../../../tooling/bad-input/outcome.js';
import { NUM_RUNS, optional } from '../../../tooling/bad-input/tcp-suite.js';
import { udpBadInput, udpClientConfigValue, udpListenerConfigValue } from '../../../tooling/bad-input/udp-suite.js';
import {
  anyValue,
  booleanValue,
  configValue,
  hostValue,
  isBoolean,
  isHost,
  isObject,
  isPort,
  isPositiveInteger,
  isReadLength,
  isTimeout,
  portValue,
  positiveIntegerValue,
  readLengthValue,
  timeoutValue,
  unknownFieldName,
} from '../../../tooling/bad-input/values.js';
import { isIP } from 'node:net';
import { udp, UdpClient, UdpConnectedClient, UdpListener, type Address } from '../src/index.js';

// Every entry point of `udp` (the transport), property-tested with bad input.
udpBadInput('@sock/udp', () => ({ transport: udp, host: '127.0.0.1', close: async () => {} }));

const QUICK = { timeoutInMillis: 10_000 };

function isInteger(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A numeric IP address, IPv6 with an optional zone: what the socket options take for an interface. */
function isInterfaceAddress(value: unknown): boolean {
  return typeof value === 'string' && isIP(value.split('%')[0]!) !== 0;
}

const interfaceValue = fc.oneof(fc.constantFrom('127.0.0.1'), fc.constantFrom('localhost', 'not an ip', '127.0.0.256', '::ffff:1.2.3'), anyValue.filter((value) => !isInterfaceAddress(value)));

/** The socket options of a UdpClient (and a UdpConnectedClient): valid ones apply on loopback. */
const socketOptionFields = {
  broadcast: { value: booleanValue, valid: optional(isBoolean) },
  ttl: { value: fc.oneof(fc.integer({ min: 1, max: 255 }), fc.constantFrom(0, 256), timeoutValue), valid: optional((value) => isInteger(value, 1, 255)) },
  multicastTtl: { value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(-1, 256), timeoutValue), valid: optional((value) => isInteger(value, 0, 255)) },
  multicastInterface: { value: interfaceValue, valid: optional(isInterfaceAddress) },
  multicastLoopback: { value: booleanValue, valid: optional(isBoolean) },
};

describe('bad input to the @sock/udp classes', () => {
  let peer: UdpClient & { address: Address };

  beforeAll(async () => {
    const client = new UdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
    await client.ready;
    peer = Object.assign(client, { address: client.localAddress! });
  });
  afterAll(() => peer.close());

  it('new UdpClient(config) throws INVALID_ARGUMENT for a bad config or socket option, and binds with good ones', async () => {
    const config = fc.oneof(udpClientConfigValue('127.0.0.1'), configValue({ localAddress: { host: '127.0.0.1', port: 0 } }, socketOptionFields));
    await fc.assert(
      fc.asyncProperty(config, async ({ config, valid }) => {
        const outcome = await settle(() => new UdpClient(config as never));
        if (!valid) return expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], config);
        const client = expectAccepted(outcome, 'return', config) as UdpClient;
        expectAccepted(await settle(() => client.ready), 'resolve', config);
        await client.close();
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('new UdpListener(port, config) throws INVALID_ARGUMENT for a bad port or config', async () => {
    await fc.assert(
      fc.asyncProperty(portValue, udpListenerConfigValue, async (port, { config, valid }) => {
        const outcome = await settle(() => new UdpListener(port as number, config as never));
        if (!valid || !isPort(port, 0)) expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], { port, config });
        else expect(expectAccepted(outcome, 'return', { port, config })).toBeInstanceOf(UdpListener);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('addMembership/dropMembership(group, interface) reject what is no multicast group or interface address', async () => {
    const client = new UdpClient();
    await client.ready;
    try {
      const group = fc.oneof(fc.constantFrom('239.1.2.3', 'ff02::1234'), fc.constantFrom('127.0.0.1', '240.0.0.1', '::1', 'ff', ''), anyValue);
      const iface = fc.oneof(fc.constant(undefined), interfaceValue);
      await fc.assert(
        fc.asyncProperty(group, iface, async (g, i) => {
          const groupValid = g === '239.1.2.3' || g === 'ff02::1234';
          const valid = groupValid && optional(isInterfaceAddress)(i);
          for (const call of [() => client.addMembership(g as string, i as string), () => client.dropMembership(g as string, i as string)]) {
            const outcome = await settle(call);
            // A good group may still be one this host's interfaces cannot join: the kernel's refusal is INVALID_ARGUMENT too.
            if (!valid || outcome.kind !== 'resolved') expectRefused(outcome, 'reject', ['INVALID_ARGUMENT'], { g, i });
          }
        }),
        { numRuns: NUM_RUNS },
      );
      await client.sendTo('still usable', peer.address);
      expect((await peer.receiveFrom(undefined, QUICK)).data.toString()).toBe('still usable');
    } finally {
      await client.close();
    }
  });

  describe('UdpConnectedClient', () => {
    const connectConfig = (port: number) =>
      configValue(
        { host: '127.0.0.1', port },
        {
          host: { value: hostValue(['127.0.0.1']), valid: isHost },
          port: { value: fc.oneof(fc.constant(port), portValue.filter((value) => !isPort(value, 1))), valid: (value) => isPort(value, 1) },
          localAddress: {
            value: fc.oneof(fc.constant({ host: '127.0.0.1', port: 0 }), hostValue(['127.0.0.1']).map((host) => ({ host, port: 0 })), anyValue),
            valid: optional((value) => isObject(value) && isHost(value.host) && isPort(value.port, 0) && value.host === '127.0.0.1' && value.port === 0),
          },
          readTimeoutInMillis: { value: timeoutValue, valid: optional(isTimeout) },
          maxQueuedDatagrams: { value: positiveIntegerValue, valid: optional(isPositiveInteger) },
          ...socketOptionFields,
        },
      );

    it('new UdpConnectedClient(config) throws and UdpConnectedClient.connect(config) rejects INVALID_ARGUMENT for a bad config; good ones connect', async () => {
      await fc.assert(
        fc.asyncProperty(connectConfig(peer.address.port), async ({ config, valid }) => {
          const constructed = await settle(() => new UdpConnectedClient(config as never));
          const connected = await settle(() => UdpConnectedClient.connect(config as never));
          if (!valid) {
            expectRefused(constructed, 'throw', ['INVALID_ARGUMENT'], config);
            expectRefused(connected, 'reject', ['INVALID_ARGUMENT'], config);
            return;
          }
          const first = expectAccepted(constructed, 'return', config) as UdpConnectedClient;
          expectAccepted(await settle(() => first.ready), 'resolve', config);
          await first.close();
          await (expectAccepted(connected, 'resolve', config) as UdpConnectedClient).close();
        }),
        { numRuns: NUM_RUNS },
      );
    });

    describe('a bad read length or time-out with an aborted signal (needs UdpConnectedClient.read to check its arguments before the signal, as every other read does)', () => {
      it('read(0, { signal: aborted }) and read(1, { timeoutInMillis: -1, signal: aborted }) reject INVALID_ARGUMENT', async () => {
        const client = await UdpConnectedClient.connect({ host: '127.0.0.1', port: peer.address.port });
        try {
          const badLength = readLengthValue(64 * 1024 * 1024).filter((value) => !isReadLength(value, 64 * 1024 * 1024));
          const badTimeout = timeoutValue.filter((value) => value !== undefined && !isTimeout(value));
          await fc.assert(
            fc.asyncProperty(fc.oneof(badLength.map((n) => [n, 10_000] as const), badTimeout.map((t) => [1, t] as const)), async ([n, timeoutInMillis]) => {
              const options = { timeoutInMillis, signal: AbortSignal.abort() };
              expectRefused(await settle(() => client.read(n as number, options as never)), 'reject', ['INVALID_ARGUMENT'], { n, options });
            }),
            { numRuns: 20 },
          );
        } finally {
          await client.close();
        }
      });
    });

    describe('configs with an unknown field (needs unknown-field rejection)', () => {
      it('new UdpConnectedClient refuses a misspelled or unknown field, naming it', async () => {
        const known = ['host', 'port', 'localAddress', 'readTimeoutInMillis', 'maxQueuedDatagrams', ...Object.keys(socketOptionFields)];
        await fc.assert(
          fc.asyncProperty(unknownFieldName(known), anyValue.filter((value) => value !== undefined), async (field, value) => {
            const outcome = await settle(() => new UdpConnectedClient({ host: '127.0.0.1', port: peer.address.port, [field]: value }));
            if (outcome.kind === 'returned') await (outcome.value as UdpConnectedClient).close();
            expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], { [field]: value });
            expect((outcome as { error: Error }).error.message).toContain(field);
          }),
          { numRuns: NUM_RUNS },
        );
      });
    });
  });
});
