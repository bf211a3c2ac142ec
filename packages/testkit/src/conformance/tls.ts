import { Buffer } from 'node:buffer';
import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { framed, lines, type Caller, type Client, type ClientConfig, type Listener, type ListenerConfig, type Service, type TcpTransport } from '@sock/core';
import { echoService } from '../fixtures/echo.js';
import { testCertificates } from '../fixtures/certificates.js';
import { recordingService } from '../fixtures/recording.js';
import { deferred, rejectionOf, until } from './helpers.js';
import { suiteScope } from './suite.js';

/**
 * Options of {@link tlsConformance}.
 *
 * @example
 * ```ts
 * tlsConformance('loopback', () => (network = createLoopbackNetwork()).tcp, { teardown: () => network.close() });
 * ```
 */
export interface TlsConformanceOptions {
  /** Runs after each test, after the suite closed everything it opened. */
  teardown?: (transport: TcpTransport) => void | Promise<void>;
}

/**
 * Registers vitest tests for SPEC "TLS" that a `TcpTransport` lets one observe, with the kit's
 * {@link testCertificates}: the handshake before `onConnect`, `caller.tls`, ALPN, mutual TLS,
 * `TLS_FAILED` for an unknown CA, a missing client certificate, a plain peer either way and a late
 * handshake (none reaching the service), STARTTLS in both roles, and frames over TLS.
 *
 * @example
 * ```ts
 * import { tlsConformance } from '@sock/testkit/conformance';
 * tlsConformance('node:net', () => tcp);
 * ```
 */
export function tlsConformance(name: string, makeTransport: () => TcpTransport | Promise<TcpTransport>, options: TlsConformanceOptions = {}): void {
  describe(`${name}: TLS conformance`, () => {
    const scope = suiteScope(makeTransport, options.teardown);
    const { ca, server, client: clientPair, stranger } = testCertificates;

    async function listen(service: Service, config: ListenerConfig = {}): Promise<{ listener: Listener; port: number }> {
      const listener = scope.transport.createListener(0, { interface: '127.0.0.1', ...config });
      listener.attach(service);
      scope.cleanup(() => listener.immediateStop());
      await listener.start();
      return { listener, port: listener.address!.port };
    }

    async function connect(port: number, config: Partial<ClientConfig> = {}): Promise<Client> {
      const client = await scope.transport.connect({ host: 'localhost', port, ...config });
      scope.cleanup(() => client.close());
      return client;
    }

    function tlsFailures(): { codes: unknown[]; stop(): void } {
      const codes: unknown[] = [];
      const listener = (message: unknown): void => void codes.push((message as { error?: { code?: unknown } }).error?.code);
      diagnostics.subscribe('sock:error', listener);
      return { codes, stop: () => diagnostics.unsubscribe('sock:error', listener) };
    }

    it('onConnect runs after the handshake, with caller.tls filled in; a plain connection has no tls', async () => {
      const seen = deferred<Caller['tls']>();
      const { port } = await listen({ onConnect: (caller) => seen.resolve(caller.tls), onBytes: (caller, data) => void caller.write(data) }, { secureSocket: server });
      const client = await connect(port, { secureSocket: { ca } });
      expect(client.tls?.authorized).toBe(true);
      expect(client.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
      expect(typeof client.tls?.cipher).toBe('string');
      const tls = await seen.promise;
      expect(tls?.protocol).toBe(client.tls?.protocol);
      await client.write('over tls');
      expect((await client.read(8)).toString()).toBe('over tls');
      const { port: plainPort } = await listen(echoService());
      const plain = await connect(plainPort);
      expect(plain.tls).toBeUndefined();
    });

    it('ALPN: both sides agree on a protocol they share', async () => {
      const seen = deferred<Caller['tls']>();
      const { port } = await listen({ onConnect: (caller) => seen.resolve(caller.tls) }, { secureSocket: { ...server, alpnProtocols: ['http/1.1'] } });
      const client = await connect(port, { secureSocket: { ca, alpnProtocols: ['h2', 'http/1.1'] } });
      expect(client.tls?.alpnProtocol).toBe('http/1.1');
      expect((await seen.promise)?.alpnProtocol).toBe('http/1.1');
    });

    it('mutual TLS: the listener sees the client certificate, verified', async () => {
      const seen = deferred<Caller['tls']>();
      const { port } = await listen({ onConnect: (caller) => seen.resolve(caller.tls) }, { secureSocket: { ...server, ca, requestCert: true } });
      await connect(port, { secureSocket: { ca, ...clientPair } });
      const tls = await seen.promise;
      expect(tls?.authorized).toBe(true);
      expect((tls?.peerCertificate as { subject?: { CN?: string } } | undefined)?.subject?.CN).toBe('testkit client');
    });

    it('a server certificate from an unknown CA: TLS_FAILED naming the endpoint; the service never runs', async () => {
      const recorder = recordingService();
      const { listener, port } = await listen(recorder, { secureSocket: stranger });
      const error = await rejectionOf(scope.transport.connect({ host: 'localhost', port, secureSocket: { ca } }));
      expect(error.code).toBe('TLS_FAILED');
      expect(error.message).toContain(String(port));
      expect(recorder.callers).toHaveLength(0);
      expect(listener.connections).toBe(0);
    });

    it('mutual TLS without a client certificate: refused, TLS_FAILED on sock:error, the service never runs', async () => {
      const failures = tlsFailures();
      try {
        const recorder = recordingService();
        const { port } = await listen(recorder, { secureSocket: { ...server, ca, requestCert: true } });
        const outcome = await scope.transport.connect({ host: 'localhost', port, secureSocket: { ca } }).then(
          async (client) => {
            scope.cleanup(() => client.close());
            return client.read().then(
              (chunk) => chunk.length,
              (error: { code?: unknown }) => error.code,
            );
          },
          (error: { code?: unknown }) => error.code,
        );
        expect([0, 'TLS_FAILED', 'CONNECTION_RESET']).toContain(outcome);
        await until(() => failures.codes.includes('TLS_FAILED'));
        expect(recorder.callers).toHaveLength(0);
      } finally {
        failures.stop();
      }
    });

    it('a plain client against a TLS listener gets no plaintext back; a TLS client against a plain listener fails, never hangs', async () => {
      const { port } = await listen({ onConnect: (caller) => void caller.write('secret') }, { secureSocket: server });
      const plain = await connect(port);
      await plain.write('hello?');
      const got = await plain.read().catch(() => Buffer.alloc(0));
      expect(got.toString()).not.toContain('secret');
      const { port: plainPort } = await listen(echoService());
      const error = await rejectionOf(scope.transport.connect({ host: 'localhost', port: plainPort, secureSocket: { ca, handshakeTimeoutInMillis: 2000 } }));
      expect(error.code).toBe('TLS_FAILED');
    });

    it('a handshake that does not finish in time is closed before any service code', async () => {
      const recorder = recordingService();
      const { port } = await listen(recorder, { secureSocket: { ...server, handshakeTimeoutInMillis: 150 } });
      const silent = await connect(port);
      expect((await silent.read().catch(() => Buffer.alloc(0))).length).toBe(0);
      expect(recorder.callers).toHaveLength(0);
    });

    it('STARTTLS in both roles: plain first, then every byte after the call is encrypted and none is lost', async () => {
      const done = deferred<string>();
      const { port } = await listen({
        async onConnect(caller) {
          const command = (await caller.read(10)).toString();
          await caller.write('220 ready\r\n');
          await caller.startTls(server);
          const payload = (await caller.read(5)).toString();
          await caller.write(`${command.trim()}:${payload}`);
          done.resolve(caller.tls?.protocol ?? 'plain');
        },
      });
      const client = await connect(port);
      expect(client.tls).toBeUndefined();
      await client.write('STARTTLS\r\n');
      expect((await client.read(11)).toString()).toBe('220 ready\r\n');
      await client.startTls({ ca });
      expect(client.tls?.authorized).toBe(true);
      await client.write('hello');
      expect((await client.read(14)).toString()).toBe('STARTTLS:hello');
      expect(await done.promise).toMatch(/^TLSv1\.[23]$/);
    });

    it('frames over TLS: a framed listener service and framed() on the client', async () => {
      const codec = lines({ maxFrameBytes: 1024 });
      const { port } = await listen({ onFrame: (caller, frame) => void caller.write(`${frame.toString().toUpperCase()}\n`) }, { secureSocket: server, framing: codec });
      const client = await connect(port, { secureSocket: { ca } });
      const chat = framed(client, codec);
      await chat.writeFrame('hello');
      await chat.writeFrame('tls');
      expect((await chat.readFrame())?.toString()).toBe('HELLO');
      expect((await chat.readFrame())?.toString()).toBe('TLS');
    });
  });
}
