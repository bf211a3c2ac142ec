import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSocketError, type Caller, type Client, type Listener, type Service, type TcpTransport } from '../../packages/core/src/index.js';
import { expectAccepted, expectRefused, settle } from './outcome.js';
import {
  anyValue,
  arrayOptionsValue,
  booleanValue,
  bytesOf,
  configValue,
  dataValue,
  hostValue,
  isBoolean,
  isData,
  isHost,
  isObject,
  isPort,
  isPositiveInteger,
  isReadLength,
  isReadOptions,
  isTimeout,
  notAnObject,
  portValue,
  positiveIntegerValue,
  readLengthValue,
  readOptionsValue,
  textlessValue,
  timeoutValue,
  unknownFieldName,
} from './values.js';

/**
 * Runs of each property: enough to meet every generator's edge cases, a few seconds per file.
 *
 * @example
 * ```ts
 * await fc.assert(property, { numRuns: NUM_RUNS }); // SOCK_PROPERTY_RUNS=2000 for a deeper run
 * ```
 */
export const NUM_RUNS = Number(process.env.SOCK_PROPERTY_RUNS ?? 150);
/** The largest read in these tests (their connections' maxBufferedBytes), so `read(max)` stays cheap. */
const MAX_READ = 65_536;


/**
 * Where the suite runs: a transport, and a host of it that reaches its listeners without DNS.
 *
 * @example
 * ```ts
 * const target: TcpTarget = { transport: tcp, host: '127.0.0.1', close: async () => {} };
 * ```
 */
export interface TcpTarget {
  transport: TcpTransport;
  host: string;
  close(): Promise<void>;
}

/**
 * An oracle that also accepts `undefined` (a field left out).
 *
 * @example
 * ```ts
 * optional(isTimeout)(undefined); // true
 * ```
 */
export const optional =
  (check: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === undefined || check(value);

const RESOURCES = ['onConnect', 'onReadReady', 'onBytes', 'onClose', 'onError'] as const;

const noop = (): undefined => undefined;

/** A valid service: one or more resources, never both onReadReady and onBytes. */
const validService: fc.Arbitrary<Service> = fc
  .subarray([...RESOURCES], { minLength: 1 })
  .filter((names) => !(names.includes('onReadReady') && names.includes('onBytes')))
  .map((names) => Object.fromEntries(names.map((name) => [name, noop])) as Service);

/** Services any version must refuse: not an object, a resource that is no function, or both data resources. */
const badService: fc.Arbitrary<unknown> = fc.oneof(
  notAnObject,
  fc
    .tuple(validService, fc.constantFrom(...RESOURCES), anyValue.filter((value) => value !== undefined && typeof value !== 'function'))
    .map(([service, name, value]) => ({ ...service, [name]: value })),
  validService.map((service) => ({ ...service, onReadReady: noop, onBytes: noop })),
);

function isServiceValidEverywhere(value: unknown): boolean {
  if (!isObject(value)) return false;
  const record = value;
  if (!RESOURCES.some((name) => typeof record[name] === 'function')) return false;
  if (RESOURCES.some((name) => record[name] !== undefined && typeof record[name] !== 'function')) return false;
  return !(record.onReadReady !== undefined && record.onBytes !== undefined);
}

/** on… members that are no TCP resource: misspellings, other spellings, and the UDP one. */
const foreignTcpMember: fc.Arbitrary<string> = fc.constantFrom(
  'onReadready',
  'onreadready',
  'onReadReadY',
  'onData',
  'onbytes',
  'onByte',
  'onConnected',
  'onconnect',
  'onClosed',
  'onEnd',
  'onErorr',
  'onDatagram',
  'onMessage',
);

function clientFields(port: number, host: string) {
  return {
    host: { value: hostValue([host]), valid: isHost },
    // The only valid port is the suite's listener: connecting to any other could disturb a test
    // running next door.
    port: { value: fc.oneof(fc.constant(port), portValue.filter((value) => !isPort(value, 1))), valid: (value: unknown) => isPort(value, 1) },
    readTimeoutInMillis: { value: timeoutValue, valid: optional(isTimeout) },
    connectTimeoutInMillis: { value: timeoutValue, valid: optional(isTimeout) },
    maxBufferedBytes: { value: positiveIntegerValue, valid: optional(isPositiveInteger) },
    noDelay: { value: booleanValue, valid: optional(isBoolean) },
    keepAlive: { value: booleanValue, valid: optional(isBoolean) },
    keepAliveInitialDelayInMillis: { value: timeoutValue, valid: optional(isTimeout) },
    callbackService: { value: fc.oneof(validService, badService), valid: optional(isServiceValidEverywhere) },
  };
}

/**
 * Client configs for a listener on `host`:`port`: valid ones connect to it, bad ones must be refused.
 *
 * @example
 * ```ts
 * fc.asyncProperty(clientConfigValue(port, '127.0.0.1'), async ({ config, valid }) => { if (!valid) expectRefused(await settle(() => tcp.connect(config as never)), 'reject'); });
 * ```
 */
export function clientConfigValue(port: number, host: string): fc.Arbitrary<{ config: unknown; valid: boolean }> {
  return configValue({ host, port }, clientFields(port, host));
}

const CLIENT_FIELDS = ['host', 'port', 'callbackService', 'readTimeoutInMillis', 'connectTimeoutInMillis', 'maxBufferedBytes', 'noDelay', 'keepAlive', 'keepAliveInitialDelayInMillis'];
const LISTENER_FIELDS = ['interface', 'readTimeoutInMillis', 'maxBufferedBytes', 'noDelay', 'keepAlive', 'maxConnections', 'backlog'];

/**
 * Listener configs; nothing is bound, so any valid interface name will do.
 *
 * @example
 * ```ts
 * fc.asyncProperty(portValue, listenerConfigValue, async (port, { config, valid }) => { if (!valid) expectRefused(await settle(() => new Listener(port as number, config as never)), 'throw'); });
 * ```
 */
export const listenerConfigValue: fc.Arbitrary<{ config: unknown; valid: boolean }> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ config: undefined as unknown, valid: true }) },
  {
    weight: 8,
    arbitrary: configValue(
      {},
      {
        interface: { value: hostValue(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']), valid: optional(isHost) },
        readTimeoutInMillis: { value: timeoutValue, valid: optional(isTimeout) },
        maxBufferedBytes: { value: positiveIntegerValue, valid: optional(isPositiveInteger) },
        noDelay: { value: booleanValue, valid: optional(isBoolean) },
        keepAlive: { value: booleanValue, valid: optional(isBoolean) },
        maxConnections: { value: positiveIntegerValue, valid: optional(isPositiveInteger) },
        backlog: { value: positiveIntegerValue, valid: optional(isPositiveInteger) },
      },
    ),
  },
);

/**
 * An echo in pull style.
 *
 * @example
 * ```ts
 * listener.attach(echo);
 * ```
 */
export const echo: Service = {
  async onReadReady(caller) {
    const data = await caller.read();
    if (data.length > 0) await caller.write(data);
  },
};

/** One end of a connection whose other end echoes: the end under test. */
interface Endpoint {
  caller: Caller;
}

/**
 * Checks `read(length, options)` on an endpoint whose peer echoes: bad arguments reject
 * INVALID_ARGUMENT at once; good ones get exactly the bytes the test sent (a short time-out may
 * reject READ_TIMED_OUT and an aborted signal with its reason; then the bytes are still there).
 */
async function checkRead(endpoint: Endpoint, length: unknown, options: unknown): Promise<void> {
  const { caller } = endpoint;
  if (!isReadLength(length, MAX_READ) || !isReadOptions(options)) {
    expectRefused(await settle(() => caller.read(length as number, options as never)), 'reject', ['INVALID_ARGUMENT'], { length, options });
    return;
  }
  const size = (length as number | undefined) ?? 1 + ((Math.random() * 300) | 0);
  const payload = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + size) & 0xff));
  await caller.write(payload);
  const outcome = await settle(() => caller.read(length as number, options as never), 10_000);
  const signal = (options as { signal?: AbortSignal } | undefined)?.signal;
  let got: Buffer = Buffer.alloc(0);
  if (outcome.kind === 'rejected' && signal?.aborted === true) {
    expect(outcome.error).toBe(signal.reason);
  } else if (outcome.kind === 'rejected' && isSocketError(outcome.error, 'READ_TIMED_OUT')) {
    expect((options as { timeoutInMillis?: number }).timeoutInMillis).toBeLessThan(1000);
  } else {
    got = expectAccepted(outcome, 'resolve', { length, options }) as Buffer;
    if (length !== undefined) expect(got.length).toBe(size);
    else expect(got.length).toBeGreaterThan(0);
  }
  // Whatever the read left (a time-out and an abort keep every byte) is still there, in order.
  const rest = got.length < size ? await caller.read(size - got.length, { timeoutInMillis: 10_000 }) : Buffer.alloc(0);
  expect(Buffer.concat([got, rest]).equals(payload)).toBe(true);
}

/** Checks `write(data)`: bad data rejects INVALID_ARGUMENT; good data resolves with its byte count and comes back intact. */
async function checkWrite(endpoint: Endpoint, data: unknown): Promise<void> {
  const { caller } = endpoint;
  const outcome = await settle(() => caller.write(data as never));
  if (!isData(data)) {
    expectRefused(outcome, 'reject', ['INVALID_ARGUMENT'], data);
    return;
  }
  const bytes = Buffer.from(bytesOf(data));
  expect(expectAccepted(outcome, 'resolve', data)).toBe(bytes.length);
  if (bytes.length > 0) expect((await caller.read(bytes.length, { timeoutInMillis: 10_000 })).equals(bytes)).toBe(true);
}

/** A round trip that proves an endpoint still works after all the bad input it was given. */
async function roundTrip(caller: Caller): Promise<void> {
  await caller.write('still usable');
  expect((await caller.read(12, { timeoutInMillis: 10_000 })).toString()).toBe('still usable');
}

/**
 * Property tests of every entry point of a {@link TcpTransport} with bad input: configs, services,
 * read lengths and options, write data, stop options. Each call must refuse with a `SocketError`
 * (INVALID_ARGUMENT, or the documented code) or give a correct result; never hang, throw where it
 * should reject, or leave an unhandled rejection (the vitest setup file fails the test then); and
 * the object stays usable.
 *
 * @example
 * ```ts
 * tcpBadInput('node:net', () => ({ transport: tcp, host: '127.0.0.1', close: async () => {} }));
 * ```
 */
export function tcpBadInput(name: string, open: () => TcpTarget): void {
  describe(`bad input to ${name}`, () => {
    let target: TcpTarget;
    let listener: Listener;
    let port: number;

    beforeAll(async () => {
      target = open();
      listener = target.transport.createListener(0, { interface: '127.0.0.1', maxBufferedBytes: MAX_READ });
      listener.attach(echo);
      await listener.start();
      port = listener.address!.port;
    });
    afterAll(async () => {
      await listener.immediateStop();
      await target.close();
    });

    it('connect(config) rejects a bad config (every field, wrong types, out of range, not an object) and connects with a good one', async () => {
      await fc.assert(
        fc.asyncProperty(clientConfigValue(port, target.host), async ({ config, valid }) => {
          const outcome = await settle(() => target.transport.connect(config as never));
          if (!valid) return expectRefused(outcome, 'reject', ['INVALID_ARGUMENT'], config);
          // A connect time-out of a few milliseconds may really fire first: that is its job.
          if (outcome.kind === 'rejected' && isSocketError(outcome.error, 'CONNECT_TIMED_OUT')) return;
          const client = expectAccepted(outcome, 'resolve', config) as Client;
          await client.close();
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('createListener(port, config) throws INVALID_ARGUMENT for a bad port or config, and returns a listener for a good one', async () => {
      await fc.assert(
        fc.asyncProperty(portValue, listenerConfigValue, async (localPort, { config, valid }) => {
          const outcome = await settle(() => target.transport.createListener(localPort as number, config as never));
          if (!valid || !isPort(localPort, 0)) return expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], { localPort, config });
          const created = expectAccepted(outcome, 'return', { localPort, config }) as Listener;
          expect(created.address).toBeUndefined(); // made, not bound
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('attach(service) throws INVALID_ARGUMENT for a bad service; detach(other) too; the listener then starts and serves', async () => {
      const fresh = target.transport.createListener(0, { interface: '127.0.0.1' });
      await fc.assert(
        fc.asyncProperty(fc.oneof(validService, badService), anyValue, async (service, stranger) => {
          const outcome = await settle(() => fresh.attach(service as Service));
          if (!isServiceValidEverywhere(service)) expectRefused(outcome, 'throw', ['INVALID_ARGUMENT'], service);
          else {
            expectAccepted(outcome, 'return', service);
            expectRefused(await settle(() => fresh.detach(stranger as Service)), 'throw', ['INVALID_ARGUMENT'], stranger);
            fresh.detach(service as Service);
          }
        }),
        { numRuns: NUM_RUNS },
      );
      fresh.attach(echo);
      await fresh.start();
      try {
        const client = await target.transport.connect({ host: target.host, port: fresh.address!.port });
        await roundTrip(client);
        await client.close();
      } finally {
        await fresh.immediateStop();
      }
    });

    it('gracefulStop(options) rejects bad options without stopping, and stops with good ones', async () => {
      const running = target.transport.createListener(0, { interface: '127.0.0.1' });
      running.attach(echo);
      await running.start();
      try {
        await fc.assert(
          fc.asyncProperty(fc.oneof(fc.record({ timeoutInMillis: timeoutValue }, { requiredKeys: [] }), anyValue.filter((value) => !Array.isArray(value))), async (options) => {
            const valid = options === undefined || (isObject(options) && optional(isTimeout)(options.timeoutInMillis));
            if (!valid) {
              expectRefused(await settle(() => running.gracefulStop(options as never)), 'reject', ['INVALID_ARGUMENT'], options);
              return;
            }
            // A good stop really stops: try it on a listener of its own.
            const other = target.transport.createListener(0, { interface: '127.0.0.1' });
            other.attach(echo);
            await other.start();
            expectAccepted(await settle(() => other.gracefulStop(options as never)), 'resolve', options);
          }),
          { numRuns: NUM_RUNS },
        );
        const client = await target.transport.connect({ host: target.host, port: running.address!.port });
        await roundTrip(client);
        await client.close();
      } finally {
        await running.immediateStop();
      }
    });

    describe.each([
      {
        side: "a client's",
        open: async (): Promise<Endpoint & { close(): Promise<void> }> => {
          const client = await target.transport.connect({ host: target.host, port, maxBufferedBytes: MAX_READ });
          return { caller: client, close: () => client.close() };
        },
      },
      {
        side: "a listener's Caller",
        open: async (): Promise<Endpoint & { close(): Promise<void> }> => {
          // The listener hands its Caller out; the client echoes whatever the Caller writes.
          let handOver!: (caller: Caller) => void;
          const accepted = new Promise<Caller>((resolve) => (handOver = resolve));
          const server = target.transport.createListener(0, { interface: '127.0.0.1', maxBufferedBytes: MAX_READ });
          server.attach({ onConnect: (caller) => handOver(caller) });
          await server.start();
          const client = await target.transport.connect({ host: target.host, port: server.address!.port, callbackService: echo });
          const caller = await accepted;
          return {
            caller,
            close: async () => {
              await client.close();
              await server.immediateStop();
            },
          };
        },
      },
    ])('on $side connection', ({ open: openEndpoint }) => {
      let endpoint: Endpoint & { close(): Promise<void> };
      beforeAll(async () => {
        endpoint = await openEndpoint();
      });
      afterAll(() => endpoint.close());

      it('read(length, options) rejects a bad length or options at once and reads exactly what was asked for otherwise', async () => {
        await fc.assert(
          fc.asyncProperty(readLengthValue(MAX_READ), readOptionsValue, (length, options) => checkRead(endpoint, length, options)),
          { numRuns: NUM_RUNS },
        );
        await roundTrip(endpoint.caller);
      });

      it('write(data) rejects what is neither bytes nor a string, and writes the exact bytes otherwise', async () => {
        await fc.assert(
          fc.asyncProperty(dataValue(), (data) => checkWrite(endpoint, data)),
          { numRuns: NUM_RUNS },
        );
        await roundTrip(endpoint.caller);
      });
    });

    describe('arrays in the place of options objects (needs read and stop options checked like configs: null, arrays, functions refused)', () => {
      it('read(1, [...]) and gracefulStop([...]) reject INVALID_ARGUMENT at once', async () => {
        const client = await target.transport.connect({ host: target.host, port });
        const running = target.transport.createListener(0, { interface: '127.0.0.1' });
        running.attach(echo);
        await running.start();
        try {
          await fc.assert(
            fc.asyncProperty(arrayOptionsValue, async (options) => {
              expectRefused(await settle(() => client.read(1, options as never)), 'reject', ['INVALID_ARGUMENT'], options);
              expectRefused(await settle(() => running.gracefulStop(options as never)), 'reject', ['INVALID_ARGUMENT'], options);
            }),
            { numRuns: 20 },
          );
        } finally {
          await client.close();
          await running.immediateStop();
        }
      });
    });

    describe("a read length without a text form (needs read()'s length check to describe any value: read(Object.create(null)) throws a TypeError at once today)", () => {
      it('read(Object.create(null)) rejects INVALID_ARGUMENT', async () => {
        const client = await target.transport.connect({ host: target.host, port });
        try {
          await fc.assert(
            fc.asyncProperty(textlessValue, async (length) => {
              expectRefused(await settle(() => client.read(length as number)), 'reject', ['INVALID_ARGUMENT'], length);
            }),
            { numRuns: 20 },
          );
          await roundTrip(client);
        } finally {
          await client.close();
        }
      });
    });

    describe('configs with an unknown field (needs unknown-field rejection)', () => {
      it('connect and createListener refuse a misspelled or unknown field, naming it', async () => {
        await fc.assert(
          // A field set to undefined counts as left out, known or not.
          fc.asyncProperty(unknownFieldName(CLIENT_FIELDS), unknownFieldName(LISTENER_FIELDS), anyValue.filter((value) => value !== undefined), async (clientField, listenerField, value) => {
            const connected = await settle(() => target.transport.connect({ host: target.host, port, [clientField]: value } as never));
            expectRefused(connected, 'reject', ['INVALID_ARGUMENT'], { [clientField]: value });
            expect((connected as { error: Error }).error.message).toContain(clientField);
            const created = await settle(() => target.transport.createListener(0, { [listenerField]: value } as never));
            expectRefused(created, 'throw', ['INVALID_ARGUMENT'], { [listenerField]: value });
            expect((created as { error: Error }).error.message).toContain(listenerField);
          }),
          { numRuns: NUM_RUNS },
        );
      });
    });

    describe('services with a misspelled or foreign on… member, or no known resource (needs attach to refuse them, SPEC "Attaching a service")', () => {
      it('attach and callbackService refuse them, naming the member', async () => {
        await fc.assert(
          fc.asyncProperty(validService, foreignTcpMember, fc.boolean(), async (service, member, inherited) => {
            const fresh = target.transport.createListener(0, { interface: '127.0.0.1' });
            // An own member, or one inherited from a class the service is made from.
            const bad = inherited ? Object.assign(Object.create({ [member]: noop }) as object, service) : { ...service, [member]: noop };
            const attached = await settle(() => fresh.attach(bad as Service));
            expectRefused(attached, 'throw', ['INVALID_ARGUMENT'], bad);
            expect((attached as { error: Error }).error.message).toContain(member);
            const connected = await settle(() => target.transport.connect({ host: target.host, port, callbackService: bad as Service }));
            expectRefused(connected, 'reject', ['INVALID_ARGUMENT'], bad);
          }),
          { numRuns: NUM_RUNS },
        );
        for (const none of [{}, { helper: noop }, { name: 'no resources' }]) {
          const fresh = target.transport.createListener(0, { interface: '127.0.0.1' });
          expectRefused(await settle(() => fresh.attach(none as Service)), 'throw', ['INVALID_ARGUMENT'], none);
          expectRefused(await settle(() => target.transport.connect({ host: target.host, port, callbackService: none as Service })), 'reject', ['INVALID_ARGUMENT'], none);
        }
      });
    });

    describe("the SPEC's later config fields", () => {
      it('connect and createListener check them like the others', async () => {
        const proxyProtocol = fc.oneof(fc.constantFrom('v1', 'v2', 'any'), anyValue);
        await fc.assert(
          fc.asyncProperty(timeoutValue, timeoutValue, proxyProtocol, async (idle, write, proxy) => {
            const clientValid = optional(isTimeout)(idle) && optional(isTimeout)(write);
            const connected = await settle(() => target.transport.connect({ host: target.host, port, idleTimeoutInMillis: idle, writeTimeoutInMillis: write } as never));
            if (!clientValid) expectRefused(connected, 'reject', ['INVALID_ARGUMENT'], { idle, write });
            else await (expectAccepted(connected, 'resolve', { idle, write }) as Client).close();
            const listenerValid = clientValid && (proxy === undefined || proxy === 'v1' || proxy === 'v2' || proxy === 'any');
            const created = await settle(() =>
              target.transport.createListener(0, { idleTimeoutInMillis: idle, writeTimeoutInMillis: write, proxyProtocol: proxy } as never),
            );
            if (!listenerValid) expectRefused(created, 'throw', ['INVALID_ARGUMENT'], { idle, write, proxy });
            else expectAccepted(created, 'return', { idle, write, proxy });
          }),
          { numRuns: NUM_RUNS },
        );
      });
    });
  });
}

