import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSocketError, type Address, type UdpCaller, type UdpClient, type UdpConnectedClient, type UdpListener, type UdpService, type UdpTransport } from '../../packages/core/src/index.js';
import { expectAccepted, expectRefused, settle, type Outcome } from './outcome.js';
import { NUM_RUNS, optional } from './tcp-suite.js';
import {
  anyValue,
  arrayOptionsValue,
  bytesOf,
  configValue,
  dataValue,
  hostValue,
  isData,
  isHost,
  isObject,
  isPort,
  isPositiveInteger,
  isReadLength,
  isReadOptions,
  isTimeout,
  MAX_DATAGRAM,
  notAnObject,
  portValue,
  positiveIntegerValue,
  readLengthValue,
  readOptionsValue,
  timeoutValue,
  unknownFieldName,
} from './values.js';

/**
 * Where the suite runs: a transport, and the numeric loopback address its sockets bind.
 *
 * @example
 * ```ts
 * const target: UdpTarget = { transport: udp, host: '127.0.0.1', close: async () => {} };
 * ```
 */
export interface UdpTarget {
  transport: UdpTransport;
  host: string;
  close(): Promise<void>;
}

/** The SPEC's read limit of a UDP client (it gathers at most this many bytes for one receiveFrom). */
const MAX_RECEIVE = 64 * 1024 * 1024;
const QUICK = { timeoutInMillis: 10_000 };

/**
 * Payloads around the datagram limit, as bytes and as UTF-8 text whose byte count is what counts.
 *
 * @example
 * ```ts
 * fc.asyncProperty(datagramValue, async (data) => { await checkSend(await settle(() => client.sendTo(data as never, to)), data, true, receive, sendMarker); });
 * ```
 */
export const datagramValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: dataValue(1500) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom(MAX_DATAGRAM - 1, MAX_DATAGRAM, MAX_DATAGRAM + 1, 70_000).map((size) => Buffer.alloc(size, 7)),
      fc.constantFrom('a'.repeat(MAX_DATAGRAM), 'é'.repeat(32_753), 'é'.repeat(32_754), '😀'.repeat(16_377)),
    ),
  },
);

/** Addresses: `valid` (the one the test listens on) and every way to get one wrong. */
function addressValue(valid: Address): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(valid) },
    { weight: 1, arbitrary: hostValue([valid.host]).map((host) => ({ host, port: valid.port })) },
    { weight: 1, arbitrary: portValue.filter((port) => !isPort(port, 1)).map((port) => ({ host: valid.host, port })) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>({ host: valid.host }, { port: valid.port }, {}) },
    { weight: 1, arbitrary: notAnObject },
  );
}

function isAddress(value: unknown, minPort: 0 | 1): boolean {
  return isObject(value) && isHost(value.host) && isPort(value.port, minPort);
}

/**
 * What `sendTo`/`reply`/`write` must do with `data` (to a valid address): refuse it
 * (INVALID_ARGUMENT), refuse it as too large (DATAGRAM_TOO_LARGE), or send its bytes.
 */
function datagramVerdict(data: unknown): 'invalid' | 'too large' | Buffer {
  if (!isData(data)) return 'invalid';
  const bytes = Buffer.from(bytesOf(data));
  return bytes.length > MAX_DATAGRAM ? 'too large' : bytes;
}

/**
 * Checks one send against the oracle; when it must have gone out, `receive` gets the next
 * datagram at the other end and it must be the same bytes. An empty datagram is followed by a
 * marker, and the receiver takes up to the marker: whether an empty datagram is delivered is not
 * what this checks.
 *
 * @example
 * ```ts
 * await checkSend(await settle(() => client.write(data)), data, true, async () => (await peer.receiveFrom()).data, () => client.write('marker'));
 * ```
 */
export async function checkSend(
  outcome: Outcome,
  data: unknown,
  addressValid: boolean,
  receive: () => Promise<Buffer>,
  sendMarker: () => Promise<unknown>,
): Promise<void> {
  const verdict = datagramVerdict(data);
  if (verdict === 'invalid' || !addressValid) {
    // Both wrong: either complaint is right.
    const codes = verdict === 'too large' ? (['INVALID_ARGUMENT', 'DATAGRAM_TOO_LARGE'] as const) : (['INVALID_ARGUMENT'] as const);
    return expectRefused(outcome, 'reject', codes, data);
  }
  if (verdict === 'too large') return expectRefused(outcome, 'reject', ['DATAGRAM_TOO_LARGE'], data);
  expect(expectAccepted(outcome, 'resolve', data)).toBe(verdict.length);
  if (verdict.length > 0) {
    expect((await receive()).equals(verdict)).toBe(true);
    return;
  }
  await sendMarker();
  let next = await receive();
  if (next.length === 0) next = await receive();
  expect(next.toString()).toBe('marker');
}

/** A valid UDP service: onDatagram, and maybe onError. */
const validUdpService: fc.Arbitrary<UdpService> = fc
  .boolean()
  .map((withOnError) => (withOnError ? { onDatagram: () => undefined, onError: () => undefined } : { onDatagram: () => undefined }));

/** Services any version must refuse: not an object, no onDatagram function, an onError that is no function. */
const badUdpService: fc.Arbitrary<unknown> = fc.oneof(
  notAnObject,
  anyValue.filter((value) => isObject(value) && typeof value.onDatagram !== 'function'),
  anyValue.filter((value) => value !== undefined && typeof value !== 'function').map((onDatagram) => ({ onDatagram })),
  anyValue.filter((value) => value !== undefined && typeof value !== 'function').map((onError) => ({ onDatagram: () => undefined, onError })),
);

function isUdpServiceValid(value: unknown): boolean {
  return isObject(value) && typeof value.onDatagram === 'function' && (value.onError === undefined || typeof value.onError === 'function');
}

/**
 * UDP client configs; valid ones bind an ephemeral port on `host`.
 *
 * @example
 * ```ts
 * fc.asyncProperty(udpClientConfigValue('127.0.0.1'), async ({ config, valid }) => { if (!valid) expectRefused(await settle(() => new UdpClient(config as never)), 'throw'); });
 * ```
 */
export function udpClientConfigValue(host: string): fc.Arbitrary<{ config: unknown; valid: boolean }> {
  const localAddress = fc.oneof(
    fc.constant({ host, port: 0 }),
    hostValue([host]).map((bad) => ({ host: bad, port: 0 })),
    portValue.filter((port) => !isPort(port, 0)).map((port) => ({ host, port })),
    fc.constantFrom<unknown>({ host }, { port: 0 }, {}),
    notAnObject,
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ config: undefined as unknown, valid: true }) },
    {
      weight: 8,
      arbitrary: configValue(
        { localAddress: { host, port: 0 } },
        {
          localAddress: { value: localAddress, valid: optional((value) => isAddress(value, 0)) },
          readTimeoutInMillis: { value: timeoutValue, valid: optional(isTimeout) },
          maxQueuedDatagrams: { value: positiveIntegerValue, valid: optional(isPositiveInteger) },
        },
      ),
    },
  );
}

const UDP_CLIENT_FIELDS = ['localAddress', 'readTimeoutInMillis', 'maxQueuedDatagrams'];

/**
 * UDP listener configs; nothing is bound.
 *
 * @example
 * ```ts
 * fc.asyncProperty(portValue, udpListenerConfigValue, async (port, { config, valid }) => { if (!valid) expectRefused(await settle(() => new UdpListener(port as number, config as never)), 'throw'); });
 * ```
 */
export const udpListenerConfigValue: fc.Arbitrary<{ config: unknown; valid: boolean }> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ config: undefined as unknown, valid: true }) },
  { weight: 4, arbitrary: configValue({}, { interface: { value: hostValue(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']), valid: optional(isHost) } }) },
);

/** on… members that are no UDP resource. */
const foreignUdpMember = fc.constantFrom('onDatagramm', 'ondatagram', 'onDataGram', 'onMessage', 'onBytes', 'onReadReady', 'onConnect', 'onClose', 'onErorr');

/** UDP read lengths that are valid and small enough to supply as one datagram, or invalid. */
const udpLengthValue = readLengthValue(MAX_RECEIVE).filter((length) => !isReadLength(length, MAX_RECEIVE) || length === undefined || (length as number) <= 60_000);

/**
 * Checks `receive(length, options)` on a socket that `send` can reach: bad arguments reject
 * INVALID_ARGUMENT at once; good ones get exactly the bytes sent (a short time-out may reject
 * READ_TIMED_OUT and an aborted signal with its reason; the bytes are then still there).
 *
 * @example
 * ```ts
 * await checkReceive(async (n, o) => (await receiver.receiveFrom(n as number, o as never)).data, (data) => sender.sendTo(data, to), 4, undefined);
 * ```
 */
export async function checkReceive(
  receive: (length: unknown, options: unknown) => Promise<Buffer>,
  send: (data: Buffer) => Promise<unknown>,
  length: unknown,
  options: unknown,
): Promise<void> {
  if (!isReadLength(length, MAX_RECEIVE) || !isReadOptions(options)) {
    return expectRefused(await settle(() => receive(length, options)), 'reject', ['INVALID_ARGUMENT'], { length, options });
  }
  const size = (length as number | undefined) ?? 1 + ((Math.random() * 300) | 0);
  const payload = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff));
  await send(payload);
  const outcome = await settle(() => receive(length, options), 10_000);
  const signal = (options as { signal?: AbortSignal } | undefined)?.signal;
  let got: Buffer = Buffer.alloc(0);
  if (outcome.kind === 'rejected' && signal?.aborted === true) expect(outcome.error).toBe(signal.reason);
  else if (outcome.kind === 'rejected' && isSocketError(outcome.error, 'READ_TIMED_OUT')) expect((options as { timeoutInMillis?: number }).timeoutInMillis).toBeLessThan(1000);
  else got = expectAccepted(outcome, 'resolve', { length, options }) as Buffer;
  const rest = got.length < size ? await receive(size - got.length, QUICK) : Buffer.alloc(0);
  expect(Buffer.concat([got, rest]).equals(payload)).toBe(true);
}

function hasAbortedSignal(options: unknown): boolean {
  return isObject(options) && options.signal instanceof AbortSignal && options.signal.aborted;
}

async function bound(transport: UdpTransport, host: string): Promise<UdpClient & { address: Address }> {
  const client = transport.createUdpClient({ localAddress: { host, port: 0 } });
  await client.ready;
  return Object.assign(client, { address: client.localAddress! });
}

/**
 * Property tests of every entry point of a {@link UdpTransport} with bad input: configs, services,
 * datagrams (bytes, strings, sizes around 65507), addresses, receive lengths and options. Each call
 * must refuse with a `SocketError` (INVALID_ARGUMENT, DATAGRAM_TOO_LARGE) or give a correct result;
 * never hang, throw where it should reject, or leave an unhandled rejection; and the socket stays
 * usable.
 *
 * @example
 * ```ts
 * udpBadInput('node:dgram', () => ({ transport: udp, host: '127.0.0.1', close: async () => {} }));
 * ```
 */
export function udpBadInput(name: string, open: () => UdpTarget): void {
  describe(`bad input to ${name}`, () => {
    let target: UdpTarget;
    let sender: UdpClient & { address: Address };
    let receiver: UdpClient & { address: Address };

    beforeAll(async () => {
      target = open();
      sender = await bound(target.transport, target.host);
      receiver = await bound(target.transport, target.host);
    });
    afterAll(async () => {
      await sender.close();
      await receiver.close();
      await target.close();
    });

    async function stillWorks(): Promise<void> {
      await sender.sendTo('still usable', receiver.address);
      expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('still usable');
    }

    it('createUdpClient(config) throws INVALID_ARGUMENT for a bad config and binds with a good one', async () => {
      await fc.assert(
        fc.asyncProperty(udpClientConfigValue(target.host), async ({ config, valid }) => {
          const outcome = await settle(() => target.transport.createUdpClient(config as never));
          if (!valid) return expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], config);
          const client = expectAccepted(outcome, 'return', config) as UdpClient;
          expectAccepted(await settle(() => client.ready), 'resolve', config);
          await client.close();
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('sendTo(data, address) refuses bad data, addresses and sizes over 65507, and sends the exact bytes otherwise', async () => {
      await fc.assert(
        fc.asyncProperty(datagramValue, addressValue(receiver.address), async (data, address) => {
          const outcome = await settle(() => sender.sendTo(data as never, address as Address));
          await checkSend(
            outcome,
            data,
            isAddress(address, 1),
            async () => (await receiver.receiveFrom(undefined, QUICK)).data,
            () => sender.sendTo('marker', receiver.address),
          );
        }),
        { numRuns: NUM_RUNS },
      );
      await stillWorks();
    });

    it('receiveFrom(length, options) rejects bad arguments at once and receives exactly what was asked for otherwise', async () => {
      await fc.assert(
        fc.asyncProperty(udpLengthValue, readOptionsValue, (length, options) =>
          checkReceive(
            async (n, o) => (await receiver.receiveFrom(n as number, o as never)).data,
            (data) => sender.sendTo(data, receiver.address),
            length,
            options,
          ),
        ),
        { numRuns: NUM_RUNS },
      );
      await stillWorks();
    });

    it('createListener(port, config) throws INVALID_ARGUMENT for a bad port or config', async () => {
      await fc.assert(
        fc.asyncProperty(portValue, udpListenerConfigValue, async (port, { config, valid }) => {
          const outcome = await settle(() => target.transport.createListener(port as number, config as never));
          if (!valid || !isPort(port, 0)) return expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], { port, config });
          expect((expectAccepted(outcome, 'return', { port, config }) as UdpListener).address).toBeUndefined();
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('attach(service) throws INVALID_ARGUMENT for a bad service, detach(other) too; the listener then starts and serves', async () => {
      const fresh = target.transport.createListener(0, { interface: target.host });
      await fc.assert(
        fc.asyncProperty(fc.oneof(validUdpService, badUdpService), anyValue, async (service, stranger) => {
          const outcome = await settle(() => fresh.attach(service as UdpService));
          if (!isUdpServiceValid(service)) return expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], service);
          expectAccepted(outcome, 'return', service);
          expectRefused(await settle(() => fresh.detach(stranger as UdpService)), 'throw', ['INVALID_ARGUMENT'], stranger);
          fresh.detach(service as UdpService);
        }),
        { numRuns: NUM_RUNS },
      );
      fresh.attach({ onDatagram: (datagram, caller) => caller.reply(datagram.data).then(() => undefined) });
      await fresh.start();
      try {
        await sender.sendTo('ping', fresh.address!);
        expect((await sender.receiveFrom(undefined, QUICK)).data.toString()).toBe('ping');
      } finally {
        await fresh.immediateStop();
      }
    });

    describe("a listener's UdpCaller", () => {
      let listener: UdpListener;
      let caller: UdpCaller;

      beforeAll(async () => {
        listener = target.transport.createListener(0, { interface: target.host });
        let handOver!: (caller: UdpCaller) => void;
        const first = new Promise<UdpCaller>((resolve) => (handOver = resolve));
        listener.attach({ onDatagram: (_, from) => handOver(from) });
        await listener.start();
        await sender.sendTo('hello', listener.address!);
        caller = await first;
      });
      afterAll(() => listener.immediateStop());

      it('reply(data) refuses bad data and sizes over 65507, and sends the exact bytes otherwise', async () => {
        await fc.assert(
          fc.asyncProperty(datagramValue, async (data) => {
            await checkSend(
              await settle(() => caller.reply(data as never)),
              data,
              true,
              async () => (await sender.receiveFrom(undefined, QUICK)).data,
              () => caller.reply('marker'),
            );
          }),
          { numRuns: NUM_RUNS },
        );
      });

      it('sendTo(data, address) refuses bad data, addresses and sizes, and sends the exact bytes otherwise', async () => {
        await fc.assert(
          fc.asyncProperty(datagramValue, addressValue(sender.address), async (data, address) => {
            await checkSend(
              await settle(() => caller.sendTo(data as never, address as Address)),
              data,
              isAddress(address, 1),
              async () => (await sender.receiveFrom(undefined, QUICK)).data,
              () => caller.sendTo('marker', sender.address),
            );
          }),
          { numRuns: NUM_RUNS },
        );
        await caller.reply('still usable');
        expect((await sender.receiveFrom(undefined, QUICK)).data.toString()).toBe('still usable');
      });
    });

    describe('a connected client (transport.connect)', () => {
      let client: UdpConnectedClient;
      beforeAll(async () => {
        client = await target.transport.connect({ host: target.host, port: receiver.address.port, localAddress: { host: target.host, port: 0 } });
      });
      afterAll(() => client.close());

      it('write(data) refuses bad data and sizes over 65507, and sends the exact bytes otherwise', async () => {
        await fc.assert(
          fc.asyncProperty(datagramValue, async (data) => {
            await checkSend(
              await settle(() => client.write(data as never)),
              data,
              true,
              async () => (await receiver.receiveFrom(undefined, QUICK)).data,
              () => client.write('marker'),
            );
          }),
          { numRuns: NUM_RUNS },
        );
      });

      it('read(length, options) rejects bad arguments at once and reads exactly what was asked for otherwise', async () => {
        await fc.assert(
          fc.asyncProperty(udpLengthValue, readOptionsValue, async (length, options) => {
            // A bad length or options with an aborted signal: the udp package's own test checks those.
            if (hasAbortedSignal(options) && !(isReadLength(length, MAX_RECEIVE) && isReadOptions(options))) return;
            await checkReceive(
              (n, o) => client.read(n as number, o as never),
              (data) => receiver.sendTo(data, client.localAddress!),
              length,
              options,
            );
          }),
          { numRuns: NUM_RUNS },
        );
        await client.write('still usable');
        expect((await receiver.receiveFrom(undefined, QUICK)).data.toString()).toBe('still usable');
      });
    });

    describe('arrays in the place of options objects (needs receive options checked like configs: null, arrays, functions refused)', () => {
      it('receiveFrom(1, [...]) rejects INVALID_ARGUMENT at once', async () => {
        await fc.assert(
          fc.asyncProperty(arrayOptionsValue, async (options) => {
            expectRefused(await settle(() => receiver.receiveFrom(1, options as never)), 'reject', ['INVALID_ARGUMENT'], options);
          }),
          { numRuns: 20 },
        );
      });
    });

    describe('configs with an unknown field (needs unknown-field rejection)', () => {
      it('createUdpClient and createListener refuse a misspelled or unknown field, naming it', async () => {
        await fc.assert(
          fc.asyncProperty(unknownFieldName(UDP_CLIENT_FIELDS), unknownFieldName(['interface']), anyValue.filter((value) => value !== undefined), async (clientField, listenerField, value) => {
            const created = await settle(() => target.transport.createUdpClient({ localAddress: { host: target.host, port: 0 }, [clientField]: value } as never));
            if (created.kind === 'returned') await (created.value as UdpClient).close();
            expectRefused(created, 'throw', ['INVALID_ARGUMENT'], { [clientField]: value });
            expect((created as { error: Error }).error.message).toContain(clientField);
            const listener = await settle(() => target.transport.createListener(0, { [listenerField]: value } as never));
            expectRefused(listener, 'throw', ['INVALID_ARGUMENT'], { [listenerField]: value });
            expect((listener as { error: Error }).error.message).toContain(listenerField);
          }),
          { numRuns: NUM_RUNS },
        );
      });
    });

    describe('services with a misspelled or foreign on… member (needs UdpListener.attach to refuse them, SPEC "Attaching a service")', () => {
      it('attach refuses them, naming the member', async () => {
        await fc.assert(
          fc.asyncProperty(validUdpService, foreignUdpMember, fc.boolean(), async (service, member, inherited) => {
            const fresh = target.transport.createListener(0, { interface: target.host });
            const bad = inherited ? Object.assign(Object.create({ [member]: () => undefined }) as object, service) : { ...service, [member]: () => undefined };
            const attached = await settle(() => fresh.attach(bad as UdpService));
            expectRefused(attached, 'throw', ['INVALID_ARGUMENT'], bad);
            expect((attached as { error: Error }).error.message).toContain(member);
          }),
          { numRuns: NUM_RUNS },
        );
      });
    });

    describe('gracefulStop options (needs UdpListener.gracefulStop({ timeoutInMillis }), SPEC "Timeouts, limits, stops")', () => {
      it('gracefulStop rejects bad options at once and keeps serving', async () => {
        const running = target.transport.createListener(0, { interface: target.host });
        running.attach({ onDatagram: (datagram, from) => from.reply(datagram.data).then(() => undefined) });
        await running.start();
        try {
          await fc.assert(
            fc.asyncProperty(anyValue.filter((options) => options !== undefined && !(isObject(options) && optional(isTimeout)(options.timeoutInMillis))), async (options) => {
              const stop = running.gracefulStop as (options?: unknown) => Promise<void>;
              expectRefused(await settle(() => stop.call(running, options)), 'reject', ['INVALID_ARGUMENT'], options);
            }),
            { numRuns: NUM_RUNS },
          );
          await sender.sendTo('ping', running.address!);
          expect((await sender.receiveFrom(undefined, QUICK)).data.toString()).toBe('ping');
        } finally {
          await running.immediateStop();
        }
      });
    });
  });
}
