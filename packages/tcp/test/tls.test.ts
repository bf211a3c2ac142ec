import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import {
  Client,
  isSocketError,
  Listener,
  SOCK_CHANNELS,
  type Caller,
  type ClientConfig,
  type ClientSecureSocket,
  type ListenerSecureSocket,
  type ListenerConfig,
  type Service,
  type SocketError,
  type TlsInfo,
} from '../src/index.js';
import { startByteTap } from './byte-tap.js';
import { CLIENT_CN, useCertificates, type KeyPair, type TestCertificates } from './certificates.js';
import { deferred, echoService, listen, track } from './helpers.js';
import { opensslClient, opensslServer } from './openssl-peer.js';
import { PEER_WAIT_IN_MILLIS } from './peer-process.js';
import { PYTHON_TLS_LINE, pythonTlsClient, pythonTlsServer } from './python-tls-peer.js';
import { rawNetServer, rawSocket, receiveUntilClosed } from './raw-tls.js';

// SPEC "TLS", against outside peers (openssl s_server/s_client, Python's ssl) and @sock itself.
// The peers and certificates are proven against node:tls in tls-peers.test.ts.

function clientConfig(port: number, secureSocket: ClientSecureSocket | undefined, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { host: '127.0.0.1', port, readTimeoutInMillis: PEER_WAIT_IN_MILLIS, ...extra, ...(secureSocket === undefined ? {} : { secureSocket }) };
}
function listenerConfig(secureSocket: ListenerSecureSocket | undefined, extra: Partial<ListenerConfig> = {}): ListenerConfig {
  return { readTimeoutInMillis: PEER_WAIT_IN_MILLIS, ...extra, ...(secureSocket === undefined ? {} : { secureSocket }) };
}
function startTls(target: Caller, secureSocket: ClientSecureSocket | ListenerSecureSocket): Promise<void> {
  return target.startTls(secureSocket);
}
/** The CN of `tls.peerCertificate` (Node's `getPeerCertificate()` object). */
function peerCn(tls: TlsInfo | undefined): unknown {
  return (tls?.peerCertificate as { subject?: { CN?: unknown } } | undefined)?.subject?.CN;
}

const certificates = useCertificates();
const trustingClient = (extra: ClientSecureSocket = {}): ClientSecureSocket => ({ ca: certificates().ca.cert, servername: 'localhost', ...extra });
const serving = (pair: KeyPair, extra: Partial<ListenerSecureSocket> = {}): ListenerSecureSocket => ({ cert: pair.cert, key: pair.key, ...extra });
const endpoint = (port: number): string => `127.0.0.1:${port}`;

/** What rejected `promise`, as a SocketError (anything else fails the test). */
async function failureOf(promise: Promise<unknown>): Promise<SocketError> {
  try {
    await promise;
  } catch (error) {
    if (isSocketError(error)) return error;
    throw new Error(`expected a SocketError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection, but it resolved');
}

/**
 * Connections a listener refused before they became a caller (an accept step such as the TLS
 * handshake failed): SPEC "Warnings" publishes them on `sock:error` with no caller.
 */
function refusals(): { next(): Promise<{ error: SocketError; remote: string | undefined }> } {
  type Refusal = { error: SocketError; remote: string | undefined };
  const seen: Refusal[] = [];
  const waiting: Array<(refusal: Refusal) => void> = [];
  const onMessage = (message: unknown): void => {
    const { caller, error, remote } = message as { caller?: object; error: SocketError; remote?: string };
    if (caller !== undefined) return;
    const refusal = { error, remote };
    const wake = waiting.shift();
    if (wake === undefined) seen.push(refusal);
    else wake(refusal);
  };
  diagnostics.subscribe(SOCK_CHANNELS.error, onMessage);
  track({ close: async () => void diagnostics.unsubscribe(SOCK_CHANNELS.error, onMessage) });
  return {
    next: () =>
      new Promise((resolve, reject) => {
        const ready = seen.shift();
        if (ready !== undefined) return resolve(ready);
        const timer = setTimeout(() => reject(new Error(`no refused connection on sock:error within ${PEER_WAIT_IN_MILLIS} ms`)), PEER_WAIT_IN_MILLIS);
        waiting.push((refusal) => {
          clearTimeout(timer);
          resolve(refusal);
        });
      }),
  };
}

/** A listener (TLS when `secureSocket` is given) that echoes and records every service call and the first `caller.tls`. */
async function observedListener(secureSocket: ListenerSecureSocket | undefined, extra: Partial<ListenerConfig> = {}) {
  const calls: string[] = [];
  const connected = deferred<TlsInfo | undefined>();
  const service: Service = {
    onConnect(caller) {
      calls.push('onConnect');
      connected.resolve(caller.tls);
    },
    async onReadReady(caller) {
      calls.push('onReadReady');
      const data = await caller.read();
      if (data.length > 0) await caller.write(data);
    },
    onClose() {
      calls.push('onClose');
    },
    onError(_caller, error) {
      calls.push(`onError ${error.code}`);
    },
  };
  const listener = await listen(service, listenerConfig(secureSocket, extra));
  return { listener, port: listener.port, calls, connected: connected.promise };
}

/** Expects the next refused connection to be TLS_FAILED naming the peer, with no service code run. */
async function expectRefused(
  refused: ReturnType<typeof refusals>,
  observed: { calls: string[]; listener: Listener },
): Promise<void> {
  const { error, remote } = await refused.next();
  expect(error.code).toBe('TLS_FAILED');
  expect(remote).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(error.message).toContain(remote);
  expect(observed.calls).toEqual([]);
  expect(observed.listener.connections).toBe(0);
}

// ---------------------------------------------------------------------------------------------
// Outside peers in a common shape, so each test runs against each peer.

interface ClientPeerOptions {
  port: number;
  identity?: KeyPair;
  /** Offer these ALPN protocols. */
  alpn?: readonly string[];
  /** Speak TLS 1.2 only (not expressible with @sock's Client: that peer is left out). */
  tls12Only?: boolean;
}
/** A TLS client connecting to a listener under test. */
interface ClientPeer {
  /** Resolves once a line it sent came back (the listener echoes). */
  echoed(): Promise<void>;
}
const LINE = 'ping over tls';

const clientPeers: Record<'openssl s_client' | 'Python ssl client' | '@sock Client', (options: ClientPeerOptions) => ClientPeer> = {
  'openssl s_client': (options) => {
    const peer = opensslClient({ ...options, ca: certificates().ca });
    peer.send(`${LINE}\n`);
    return { echoed: async () => void (await peer.waitFor(new RegExp(`^${LINE}$`, 'm'))) };
  },
  'Python ssl client': (options) => {
    const peer = pythonTlsClient({ ...options, ca: certificates().ca, payload: LINE, ...(options.tls12Only === true ? { maxVersion: 'TLSv1_2' } : {}) });
    return { echoed: async () => expect((await peer.waitFor(/^GOT (.*)$/m))[1]).toBe(LINE) };
  },
  '@sock Client': (options) => {
    if (options.tls12Only === true) throw new Error("SPEC's ClientConfig.secureSocket has no maximum version");
    const identity = options.identity === undefined ? {} : { cert: options.identity.cert, key: options.identity.key };
    const alpn = options.alpn === undefined ? {} : { alpnProtocols: [...options.alpn] };
    const client = track(new Client(clientConfig(options.port, trustingClient({ ...identity, ...alpn }))));
    client.ready.catch(() => undefined);
    return {
      echoed: async () => {
        await client.write(`${LINE}\n`);
        expect((await client.read(LINE.length + 1)).toString()).toBe(`${LINE}\n`);
      },
    };
  },
};
const allClientPeers = Object.keys(clientPeers) as Array<keyof typeof clientPeers>;
const outsideClientPeers = allClientPeers.filter((name) => name !== '@sock Client');

interface ServerPeerOptions {
  identity: KeyPair;
  /** Require a client certificate from this CA. */
  clientCa?: KeyPair;
  alpn?: readonly string[];
  /** Speak TLS 1.2 only (not expressible with @sock's Listener: that peer is left out). */
  tls12Only?: boolean;
}
/** A TLS server a client under test connects to. */
interface ServerPeer {
  readonly port: number;
  /** Proves bytes flow both ways with `client`. */
  exchange(client: Client): Promise<void>;
  /** The CN of the client certificate the server saw. */
  clientCn(): Promise<string | undefined>;
}

const serverPeers: Record<'openssl s_server' | 'Python ssl server' | '@sock Listener', (options: ServerPeerOptions) => Promise<ServerPeer>> = {
  'openssl s_server': async (options) => {
    const server = await opensslServer(options);
    return {
      port: server.port,
      async exchange(client) {
        await client.write('from client\n');
        await server.waitFor(/^from client$/m);
        server.send('from openssl\n');
        expect((await client.read(13)).toString()).toBe('from openssl\n');
      },
      clientCn: async () => (await server.waitFor(/^subject=CN = (.+)$/m))[1],
    };
  },
  'Python ssl server': async (options) => {
    const server = await pythonTlsServer({ ...options, ...(options.tls12Only === true ? { maxVersion: 'TLSv1_2' } : {}) });
    return {
      port: server.port,
      async exchange(client) {
        await client.write('from client\n');
        expect((await client.read(12)).toString()).toBe('from client\n');
      },
      clientCn: async () => (await server.waitFor(PYTHON_TLS_LINE))[4]?.replaceAll('_', ' '),
    };
  },
  '@sock Listener': async (options) => {
    if (options.tls12Only === true) throw new Error("SPEC's ListenerConfig.secureSocket has no maximum version");
    const observed = await observedListener(
      serving(options.identity, {
        ...(options.clientCa === undefined ? {} : { ca: options.clientCa.cert, requestCert: true }),
        ...(options.alpn === undefined ? {} : { alpnProtocols: [...options.alpn] }),
      }),
    );
    return {
      port: observed.port,
      async exchange(client) {
        await client.write('from client\n');
        expect((await client.read(12)).toString()).toBe('from client\n');
      },
      clientCn: async () => peerCn(await observed.connected) as string | undefined,
    };
  },
};
const allServerPeers = Object.keys(serverPeers) as Array<keyof typeof serverPeers>;
const outsideServerPeers = allServerPeers.filter((name) => name !== '@sock Listener');

const BAD_SERVER_CERTIFICATES: ReadonlyArray<[string, Exclude<keyof TestCertificates, 'dir'>]> = [
  ['an unknown CA', 'otherCaServer'],
  ['an expired certificate', 'expired'],
  ['a host name mismatch', 'wrongName'],
  ['a self-signed certificate', 'selfSigned'],
];

describe('TLS over @sock', () => {
  describe('a TLS listener', () => {
    it.each(allClientPeers)('%s: onConnect runs after the handshake and sees caller.tls; data is echoed over TLS', async (name) => {
      const observed = await observedListener(serving(certificates().server));
      const peer = clientPeers[name]({ port: observed.port });
      const tls = await observed.connected;
      expect(tls).toMatchObject({ protocol: 'TLSv1.3', alpnProtocol: false, authorized: false });
      expect(tls?.cipher).toMatch(/^TLS_/);
      expect(tls?.peerCertificate).toBeUndefined();
      await peer.echoed();
      expect(observed.calls[0]).toBe('onConnect');
    });

    it('a plain connection to a plain listener: tls is undefined on both sides', async () => {
      const observed = await observedListener(undefined);
      const client = track(await Client.connect(clientConfig(observed.port, undefined)));
      expect(await observed.connected).toBeUndefined();
      expect(client.tls).toBeUndefined();
    });

    it.each(allClientPeers)('%s offering http/1.1: ALPN negotiates http/1.1 from [h2, http/1.1]', async (name) => {
      const observed = await observedListener(serving(certificates().server, { alpnProtocols: ['h2', 'http/1.1'] }));
      const peer = clientPeers[name]({ port: observed.port, alpn: ['http/1.1'] });
      expect((await observed.connected)?.alpnProtocol).toBe('http/1.1');
      await peer.echoed();
    });

    it.each(allClientPeers)('%s with the client certificate: mutual TLS is authorized, and the CN is read', async (name) => {
      const observed = await observedListener(serving(certificates().server, { ca: certificates().ca.cert, requestCert: true }));
      const peer = clientPeers[name]({ port: observed.port, identity: certificates().client });
      const tls = await observed.connected;
      expect(tls?.authorized).toBe(true);
      expect(peerCn(tls)).toBe(CLIENT_CN);
      await peer.echoed();
    });

    it.each(allClientPeers)('%s without a client certificate under mutual TLS: TLS_FAILED, no service code', async (name) => {
      const refused = refusals();
      const observed = await observedListener(serving(certificates().server, { ca: certificates().ca.cert, requestCert: true }));
      clientPeers[name]({ port: observed.port });
      await expectRefused(refused, observed);
    });

    it.each(allClientPeers)('%s with a client certificate from an unknown CA under mutual TLS: TLS_FAILED, no service code', async (name) => {
      const refused = refusals();
      const observed = await observedListener(serving(certificates().server, { ca: certificates().ca.cert, requestCert: true }));
      clientPeers[name]({ port: observed.port, identity: certificates().otherCaServer });
      await expectRefused(refused, observed);
    });

    it.each(outsideClientPeers)('%s limited to TLS 1.2 against minVersion TLSv1.3: TLS_FAILED, no service code', async (name) => {
      const refused = refusals();
      const observed = await observedListener(serving(certificates().server, { minVersion: 'TLSv1.3' }));
      clientPeers[name]({ port: observed.port, tls12Only: true });
      await expectRefused(refused, observed);
    });

    describe.each(BAD_SERVER_CERTIFICATES)('serving %s', (_, certificate) => {
      it.each(allClientPeers)('%s refuses it: the listener gets TLS_FAILED and runs no service code', async (name) => {
        const refused = refusals();
        const observed = await observedListener(serving(certificates()[certificate]));
        clientPeers[name]({ port: observed.port });
        await expectRefused(refused, observed);
      });
    });

    it("a plain client gets none of the service's plaintext, is closed, and the listener gets TLS_FAILED", async () => {
      const refused = refusals();
      const observed = await observedListener(serving(certificates().server));
      const plain = await rawSocket(observed.port);
      const received = receiveUntilClosed(plain);
      plain.write('PLAINTEXT PING\r\n');
      expect((await received).includes('PLAINTEXT PING')).toBe(false);
      await expectRefused(refused, observed);
    });

    it('a connection that never sends a byte is closed after handshakeTimeoutInMillis: TLS_FAILED, no service code', async () => {
      const refused = refusals();
      const observed = await observedListener(serving(certificates().server, { handshakeTimeoutInMillis: 200 }));
      const silent = await rawSocket(observed.port);
      expect((await receiveUntilClosed(silent)).length).toBe(0);
      await expectRefused(refused, observed);
    });
  });

  describe('a TLS client', () => {
    it.each(allServerPeers)('to %s: client.tls after the handshake; bytes both ways', async (name) => {
      const server = await serverPeers[name]({ identity: certificates().server });
      const client = track(await Client.connect(clientConfig(server.port, trustingClient())));
      expect(client.tls).toMatchObject({ protocol: 'TLSv1.3', alpnProtocol: false, authorized: true });
      expect(client.tls?.cipher).toMatch(/^TLS_/);
      expect(peerCn(client.tls)).toBe('localhost');
      await server.exchange(client);
    });

    it.each(allServerPeers)('to %s offering http/1.1: ALPN [h2, http/1.1] negotiates http/1.1', async (name) => {
      const server = await serverPeers[name]({ identity: certificates().server, alpn: ['http/1.1'] });
      const client = track(await Client.connect(clientConfig(server.port, trustingClient({ alpnProtocols: ['h2', 'http/1.1'] }))));
      expect(client.tls?.alpnProtocol).toBe('http/1.1');
      await server.exchange(client);
    });

    it.each(allServerPeers)('to %s requiring a client certificate: mutual TLS with ours', async (name) => {
      const server = await serverPeers[name]({ identity: certificates().server, clientCa: certificates().ca });
      const { cert, key } = certificates().client;
      const client = track(await Client.connect(clientConfig(server.port, trustingClient({ cert, key }))));
      await server.exchange(client);
      expect(await server.clientCn()).toBe(CLIENT_CN);
    });

    // Under TLS 1.3 a client finishes its handshake before the server has checked its
    // certificate; the server's refusal arrives as an alert right after. Either way it is TLS_FAILED.
    it.each(allServerPeers)('to %s requiring a client certificate, without one: TLS_FAILED at connect or at the first read', async (name) => {
      const server = await serverPeers[name]({ identity: certificates().server, clientCa: certificates().ca });
      const client = track(new Client(clientConfig(server.port, trustingClient())));
      const failure = await failureOf(client.ready.then(() => client.read()));
      expect(failure.code).toBe('TLS_FAILED');
      expect(failure.message).toContain(endpoint(server.port));
    });

    describe.each(BAD_SERVER_CERTIFICATES)('against %s', (_, certificate) => {
      it.each(allServerPeers)('from %s: connect rejects TLS_FAILED naming the server', async (name) => {
        const server = await serverPeers[name]({ identity: certificates()[certificate] });
        const failure = await failureOf(Client.connect(clientConfig(server.port, trustingClient())));
        expect(failure.code).toBe('TLS_FAILED');
        expect(failure.message).toContain(endpoint(server.port));
      });
    });

    it.each(outsideServerPeers)('minVersion TLSv1.3 against %s limited to TLS 1.2: TLS_FAILED', async (name) => {
      const server = await serverPeers[name]({ identity: certificates().server, tls12Only: true });
      const failure = await failureOf(Client.connect(clientConfig(server.port, trustingClient({ minVersion: 'TLSv1.3' }))));
      expect(failure.code).toBe('TLS_FAILED');
      expect(failure.message).toContain(endpoint(server.port));
    });

    it('rejectUnauthorized: false connects to a self-signed server, and says it is not authorized', async () => {
      const server = await serverPeers['openssl s_server']({ identity: certificates().selfSigned });
      const client = track(await Client.connect(clientConfig(server.port, trustingClient({ rejectUnauthorized: false }))));
      expect(client.tls?.authorized).toBe(false);
      await server.exchange(client);
    });

    it('against a plain listener that echoes (its ClientHello comes back): TLS_FAILED, no hang', async () => {
      const { port } = await listen(echoService);
      const failure = await failureOf(Client.connect(clientConfig(port, trustingClient())));
      expect(failure.code).toBe('TLS_FAILED');
      expect(failure.message).toContain(endpoint(port));
    });

    it('against a plain listener that never answers: TLS_FAILED after handshakeTimeoutInMillis, no hang', async () => {
      const { port } = await listen({ onConnect() {} });
      const failure = await failureOf(Client.connect(clientConfig(port, trustingClient({ handshakeTimeoutInMillis: 200 }))));
      expect(failure.code).toBe('TLS_FAILED');
      expect(failure.message).toContain(endpoint(port));
    });

    // The TCP transport opens a TLS connection in one step (node:tls connects itself): until the
    // TCP connection is up its errors are connect errors, as for a plain client.
    it('to a closed port: CONNECTION_REFUSED naming the target, not TLS_FAILED', async () => {
      const listener = await listen(echoService);
      await listener.immediateStop();
      const failure = await failureOf(Client.connect(clientConfig(listener.port, trustingClient())));
      expect(failure.code).toBe('CONNECTION_REFUSED');
      expect(failure.message).toContain(endpoint(listener.port));
    });

    it('to an unknown host: HOST_NOT_FOUND', async () => {
      const failure = await failureOf(Client.connect({ host: 'no-such-host.invalid', port: 443, secureSocket: trustingClient() }));
      expect(failure.code).toBe('HOST_NOT_FOUND');
    });

    it('aborted mid-handshake: rejects with the signal\'s reason and the listener sees the connection go; closed while connecting: CONNECTION_CLOSED', async () => {
      const closed = deferred<void>();
      const { port } = await listen({ onConnect() {}, onClose: () => closed.resolve() });
      const controller = new AbortController();
      const connecting = Client.connect(clientConfig(port, trustingClient()), { signal: controller.signal });
      // The plain listener never answers the ClientHello: the handshake is under way until aborted.
      const reason = new Error('given up');
      setImmediate(() => controller.abort(reason));
      await expect(connecting).rejects.toBe(reason);
      await closed.promise;
      const client = new Client(clientConfig(port, trustingClient()));
      const ready = client.ready.catch((error: unknown) => error);
      await client.close();
      expect(await ready).toMatchObject({ code: 'CONNECTION_CLOSED' });
    });

    it('with keepAlive on, names both endpoints as the listener sees them', async () => {
      const connected = deferred<Caller>();
      const { port } = await listen({ onConnect: (caller) => connected.resolve(caller) }, listenerConfig(serving(certificates().server)));
      const client = track(await Client.connect(clientConfig(port, trustingClient(), { keepAlive: true, keepAliveInitialDelayInMillis: 1000 })));
      const caller = await connected.promise;
      expect([client.remoteAddress, client.remotePort, client.localAddress, client.localPort]).toEqual([caller.localAddress, caller.localPort, caller.remoteAddress, caller.remotePort]);
      expect(client.tls?.protocol).toBe('TLSv1.3');
    });
  });

  describe('STARTTLS (startTls on a plain connection)', () => {
    const PAYLOAD = `secret-${'s'.repeat(40_000)}\n`;
    const isPlain = (bytes: Buffer): boolean => bytes.includes('secret-');

    it('client role, with the Python server: STARTTLS / 220 in plain, then TLS; the payload arrives whole, never plain', async () => {
      const server = await pythonTlsServer({ identity: certificates().server, starttls: true });
      const tap = await startByteTap(server.port);
      const client = track(await Client.connect(clientConfig(tap.port, undefined)));
      await client.write('STARTTLS\r\n');
      expect((await client.read(11)).toString()).toBe('220 ready\r\n');
      expect(client.tls).toBeUndefined();
      await startTls(client, trustingClient());
      expect(client.tls).toMatchObject({ protocol: 'TLSv1.3', authorized: true });
      await client.write(PAYLOAD);
      expect((await client.read(PAYLOAD.length)).toString()).toBe(PAYLOAD);
      await client.close();
      await server.waitFor(/^CLOSED$/m);
      await tap.closed;
      expect(tap.toServer().subarray(0, 10).toString()).toBe('STARTTLS\r\n');
      expect(isPlain(tap.toServer())).toBe(false);
      expect(isPlain(tap.toClient())).toBe(false);
    });

    /**
     * A plain listener whose service speaks the tests' STARTTLS, upgrades, then echoes. `upgraded`
     * resolves with the session, or rejects with whatever stopped the service first.
     */
    async function startTlsListener() {
      let settle!: { resolve: (tls: TlsInfo | undefined) => void; reject: (error: unknown) => void };
      const upgraded = new Promise<TlsInfo | undefined>((resolve, reject) => (settle = { resolve, reject }));
      const { port } = await listen({
        async onConnect(caller) {
          try {
            const line = await caller.read(10);
            if (line.toString() !== 'STARTTLS\r\n') throw new Error(`expected STARTTLS, got ${JSON.stringify(line.toString())}`);
            await caller.write('220 ready\r\n');
            await startTls(caller, serving(certificates().server));
            settle.resolve(caller.tls);
          } catch (error) {
            settle.reject(error);
            throw error;
          }
          for (let data = await caller.read(); data.length > 0; data = await caller.read()) await caller.write(data);
        },
        onError() {},
      });
      return { port, upgraded };
    }

    it("listener role, with the Python client: the service answers 220 and awaits caller.startTls; the client's payload, sent at once, arrives whole", async () => {
      const listener = await startTlsListener();
      const tap = await startByteTap(listener.port);
      const client = pythonTlsClient({ port: tap.port, ca: certificates().ca, starttls: true, payload: PAYLOAD.trimEnd() });
      expect((await listener.upgraded)?.protocol).toBe('TLSv1.3');
      expect((await client.waitFor(/^GOT (.*)$/m))[1]).toBe(PAYLOAD.trimEnd());
      expect(await client.exited).toBe(0);
      expect(tap.toClient().subarray(0, 11).toString()).toBe('220 ready\r\n');
      expect(isPlain(tap.toServer())).toBe(false);
      expect(isPlain(tap.toClient())).toBe(false);
    });

    it('@sock against @sock, both roles: no byte lost, none plain after the upgrade', async () => {
      const listener = await startTlsListener();
      const tap = await startByteTap(listener.port);
      const client = track(await Client.connect(clientConfig(tap.port, undefined)));
      await client.write('STARTTLS\r\n');
      expect((await client.read(11)).toString()).toBe('220 ready\r\n');
      await Promise.all([startTls(client, trustingClient()), listener.upgraded]);
      await client.write(PAYLOAD);
      expect((await client.read(PAYLOAD.length)).toString()).toBe(PAYLOAD);
      expect((await listener.upgraded)?.protocol).toBe('TLSv1.3');
      expect(client.tls?.protocol).toBe('TLSv1.3');
      expect(isPlain(tap.toServer())).toBe(false);
      expect(isPlain(tap.toClient())).toBe(false);
    });
  });

  // node:tls alone accepts an empty cert or key, an empty or malformed CA and a cert without a key
  // (createSecureContext does not complain); SPEC wants each refused before any connection.
  describe('bad certificate input is refused before any connection', () => {
    const garbage = '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n';
    const listenerCases = (): Array<[string, unknown]> => {
      const { server, client, ca } = certificates();
      return [
        ['an empty certificate', { cert: '', key: server.key }],
        ['an empty key', { cert: server.cert, key: '' }],
        ['no key at all', { cert: server.cert }],
        ['a malformed certificate', { cert: 'not a pem', key: server.key }],
        ['a certificate with a broken body', { cert: garbage, key: server.key }],
        ['a truncated certificate', { cert: server.cert.slice(0, 200), key: server.key }],
        ['a key that is not a key', { cert: server.cert, key: server.cert }],
        ["a key that does not match the certificate (the client's)", { cert: server.cert, key: client.key }],
        ['an empty CA', { cert: server.cert, key: server.key, ca: '', requestCert: true }],
        ['a malformed CA', { cert: server.cert, key: server.key, ca: 'garbage', requestCert: true }],
        ['a CA that is a key', { cert: server.cert, key: server.key, ca: ca.key, requestCert: true }],
      ];
    };

    it('by the Listener constructor (INVALID_ARGUMENT) or by start() (INVALID_ARGUMENT or TLS_FAILED), never listening', async () => {
      for (const [what, secureSocket] of listenerCases()) {
        let listener: Listener;
        try {
          listener = track(new Listener(0, { interface: '127.0.0.1', secureSocket } as ListenerConfig));
        } catch (error) {
          expect(isSocketError(error) ? error.code : error, what).toBe('INVALID_ARGUMENT');
          continue;
        }
        listener.attach(echoService);
        const failure = await failureOf(listener.start());
        expect(['INVALID_ARGUMENT', 'TLS_FAILED'], what).toContain(failure.code);
        expect(listener.address, what).toBeUndefined();
      }
    });

    const clientCases = (): Array<[string, ClientSecureSocket]> => {
      const { server, client } = certificates();
      return [
        ['an empty CA', { ca: '' }],
        ['a malformed CA', { ca: 'garbage' }],
        ['a CA with a broken body', { ca: garbage }],
        ['a client certificate without its key', { ca: certificates().ca.cert, cert: client.cert }],
        ['a client key without its certificate', { ca: certificates().ca.cert, key: client.key }],
        ['an empty client certificate', { ca: certificates().ca.cert, cert: '', key: client.key }],
        ['a malformed client certificate', { ca: certificates().ca.cert, cert: 'not a pem', key: client.key }],
        ["a key that does not match the certificate (the server's)", { ca: certificates().ca.cert, cert: client.cert, key: server.key }],
      ];
    };

    it('by the Client constructor (INVALID_ARGUMENT) or by connect (INVALID_ARGUMENT or TLS_FAILED), before dialling', async () => {
      const accepted: number[] = [];
      const seen = { wake: () => {} };
      const port = await rawNetServer((socket) => {
        accepted.push(socket.remotePort ?? -1);
        seen.wake();
        socket.destroy();
      });
      for (const [what, secureSocket] of clientCases()) {
        const config = clientConfig(port, secureSocket);
        let client: Client;
        try {
          client = track(new Client(config));
        } catch (error) {
          expect(isSocketError(error) ? error.code : error, what).toBe('INVALID_ARGUMENT');
          continue;
        }
        const failure = await failureOf(client.ready);
        expect(['INVALID_ARGUMENT', 'TLS_FAILED'], what).toContain(failure.code);
      }
      // A probe connection, accepted after anything @sock might have dialled: it must be the only one.
      const probe = await rawSocket(port);
      await new Promise<void>((resolve) => {
        seen.wake = () => accepted.includes(probe.localPort ?? 0) && resolve();
        seen.wake();
      });
      expect(accepted).toEqual([probe.localPort]);
    });
  });
});
