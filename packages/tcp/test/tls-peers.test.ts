import { connect as tlsConnect, createSecureContext, TLSSocket, type TlsOptions } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { startByteTap } from './byte-tap.js';
import { CLIENT_CN, useCertificates } from './certificates.js';
import { deferred } from './helpers.js';
import { opensslClient, opensslServer } from './openssl-peer.js';
import { PYTHON_FAILED_LINE, PYTHON_TLS_LINE, pythonTlsClient, pythonTlsServer } from './python-tls-peer.js';
import { handshake, rawNetServer, rawSocket, rawTlsConnect, rawTlsEchoServer, readUntil, receiveUntilClosed } from './raw-tls.js';

// The outside peers that tls.test.ts runs against @sock, proven here against node:tls itself: when
// a test there fails, it is @sock, not the peer or the certificates.

const certificates = useCertificates();
const serverOptions = (): TlsOptions => ({ cert: certificates().server.cert, key: certificates().server.key });
const trusting = () => ({ ca: certificates().ca.cert, servername: 'localhost' });

/** The `code` of what `promise` rejected with. */
async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
}

describe('openssl s_server (an outside TLS server), against node:tls', () => {
  it('reports its port, serves TLS 1.3, and passes data both ways over its stdin/stdout', async () => {
    const server = await opensslServer({ identity: certificates().server });
    const socket = await rawTlsConnect({ port: server.port, ...trusting() });
    expect(socket.authorized).toBe(true);
    expect(socket.getProtocol()).toBe('TLSv1.3');
    socket.write('hello from node\n');
    await server.waitFor(/^hello from node$/m);
    server.send('hello from openssl\n');
    expect(await readUntil(socket, /\n/)).toBe('hello from openssl\n');
  });

  it('-tls1_2 refuses a client that insists on TLS 1.3, and speaks TLS 1.2 to one that does not', async () => {
    const strict = await opensslServer({ identity: certificates().server, tls12Only: true });
    expect(await codeOf(rawTlsConnect({ port: strict.port, ...trusting(), minVersion: 'TLSv1.3' }))).toMatch(/^ERR_SSL_/);
    const lenient = await opensslServer({ identity: certificates().server, tls12Only: true });
    expect((await rawTlsConnect({ port: lenient.port, ...trusting() })).getProtocol()).toBe('TLSv1.2');
  });

  it('-alpn http/1.1 picks http/1.1 out of h2, http/1.1', async () => {
    const server = await opensslServer({ identity: certificates().server, alpn: ['http/1.1'] });
    const socket = await rawTlsConnect({ port: server.port, ...trusting(), ALPNProtocols: ['h2', 'http/1.1'] });
    expect(socket.alpnProtocol).toBe('http/1.1');
  });

  it('-Verify takes a client certificate from the test CA', async () => {
    const server = await opensslServer({ identity: certificates().server, clientCa: certificates().ca });
    const socket = await rawTlsConnect({ port: server.port, ...trusting(), cert: certificates().client.cert, key: certificates().client.key });
    socket.write('mutual\n');
    await server.waitFor(/^mutual$/m);
    expect((await server.waitFor(/^subject=CN = (.+)$/m))[1]).toBe(CLIENT_CN);
  });

  it('-Verify refuses a client without a certificate (under TLS 1.3 the client learns it after its handshake)', async () => {
    const server = await opensslServer({ identity: certificates().server, clientCa: certificates().ca });
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, ...trusting() });
    const failure = deferred<string>();
    socket.on('error', (error: Error & { code?: string }) => failure.resolve(error.code ?? 'no code'));
    socket.on('close', () => failure.resolve('closed without an error'));
    expect(await failure.promise).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  it.each([
    ['expired', 'CERT_HAS_EXPIRED'],
    ['wrongName', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['otherCaServer', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ] as const)('serving the %s certificate, node:tls refuses it with %s', async (name, code) => {
    const server = await opensslServer({ identity: certificates()[name] });
    expect(await codeOf(rawTlsConnect({ port: server.port, ...trusting() }))).toBe(code);
  });
});

describe('openssl s_client (an outside TLS client), against node:tls', () => {
  it('verifies the server, sends its stdin lines, prints what comes back; offers ALPN', async () => {
    const server = await rawTlsEchoServer({ ...serverOptions(), ALPNProtocols: ['h2', 'http/1.1'] });
    const client = opensslClient({ port: server.port, ca: certificates().ca, alpn: ['http/1.1'] });
    await client.waitFor(/^Verification: OK$/m, { on: 'stderr' });
    expect((await client.waitFor(/^Protocol version: (\S+)$/m, { on: 'stderr' }))[1]).toBe('TLSv1.3');
    client.send('ping from openssl\n');
    await client.waitFor(/^ping from openssl$/m);
    expect((await server.secured).alpnProtocol).toBe('http/1.1');
  });

  it('presents a client certificate for mutual TLS', async () => {
    const server = await rawTlsEchoServer({ ...serverOptions(), ca: certificates().ca.cert, requestCert: true, rejectUnauthorized: true });
    opensslClient({ port: server.port, ca: certificates().ca, identity: certificates().client });
    const socket = await server.secured;
    expect(socket.authorized).toBe(true);
    expect(socket.getPeerCertificate().subject.CN).toBe(CLIENT_CN);
  });

  it('refuses a server with an expired certificate, and says so', async () => {
    const server = await rawTlsEchoServer({ cert: certificates().expired.cert, key: certificates().expired.key });
    const client = opensslClient({ port: server.port, ca: certificates().ca });
    await client.waitFor(/verify error:num=10:certificate has expired/, { on: 'stderr' });
    expect(await client.exited).not.toBe(0);
  });

  it('-tls1_2 is refused by a server that insists on TLS 1.3', async () => {
    const server = await rawTlsEchoServer({ ...serverOptions(), minVersion: 'TLSv1.3' });
    const client = opensslClient({ port: server.port, ca: certificates().ca, tls12Only: true });
    expect((await server.failed as Error & { code?: string }).code).toBe('ERR_SSL_UNSUPPORTED_PROTOCOL');
    expect(await client.exited).not.toBe(0);
  });
});

describe('Python ssl peers (tls_peer.py), against node:tls', () => {
  it('the server echoes over TLS and reports version, cipher and ALPN', async () => {
    const server = await pythonTlsServer({ identity: certificates().server, alpn: ['http/1.1'] });
    const socket = await rawTlsConnect({ port: server.port, ...trusting(), ALPNProtocols: ['h2', 'http/1.1'] });
    expect(socket.alpnProtocol).toBe('http/1.1');
    socket.write('echo me\n');
    expect(await readUntil(socket, /\n/)).toBe('echo me\n');
    const [, version, , alpn, peer] = (await server.waitFor(PYTHON_TLS_LINE)) as unknown as string[];
    expect([version, alpn, peer]).toEqual(['TLSv1.3', 'http/1.1', '-']);
    socket.end();
    await server.waitFor(/^CLOSED$/m);
  });

  it('the server under --client-ca reads the client certificate, and refuses a client without one', async () => {
    const mutual = await pythonTlsServer({ identity: certificates().server, clientCa: certificates().ca });
    await rawTlsConnect({ port: mutual.port, ...trusting(), cert: certificates().client.cert, key: certificates().client.key });
    expect((await mutual.waitFor(PYTHON_TLS_LINE))[4]).toBe(CLIENT_CN.replaceAll(' ', '_'));

    const refusing = await pythonTlsServer({ identity: certificates().server, clientCa: certificates().ca });
    const socket = await rawTlsConnect({ port: refusing.port, ...trusting() });
    const closed = receiveUntilClosed(socket);
    expect((await refusing.waitFor(PYTHON_FAILED_LINE))[1]).toMatch(/PEER_DID_NOT_RETURN_A_CERTIFICATE/);
    await closed;
  });

  it('the server with --max-version TLSv1_2 refuses a client that insists on TLS 1.3', async () => {
    const server = await pythonTlsServer({ identity: certificates().server, maxVersion: 'TLSv1_2' });
    expect(await codeOf(rawTlsConnect({ port: server.port, ...trusting(), minVersion: 'TLSv1.3' }))).toMatch(/^ERR_SSL_/);
    expect((await server.waitFor(PYTHON_FAILED_LINE))[1]).toMatch(/UNSUPPORTED_PROTOCOL/);
  });

  it('the client sends a line and prints the echo; presents its certificate; offers ALPN', async () => {
    const server = await rawTlsEchoServer({ ...serverOptions(), ca: certificates().ca.cert, requestCert: true, ALPNProtocols: ['h2', 'http/1.1'] });
    const client = pythonTlsClient({ port: server.port, ca: certificates().ca, identity: certificates().client, alpn: ['http/1.1'], payload: 'from python' });
    expect((await client.waitFor(/^GOT (.*)$/m))[1]).toBe('from python');
    expect((await client.waitFor(PYTHON_TLS_LINE))[3]).toBe('http/1.1');
    const socket = await server.secured;
    expect(socket.getPeerCertificate().subject.CN).toBe(CLIENT_CN);
    expect(await client.exited).toBe(0);
  });

  it.each([
    ['expired', /certificate has expired/],
    ['wrongName', /Hostname mismatch/],
    ['otherCaServer', /unable to get local issuer certificate/],
  ] as const)('the client refuses a server with the %s certificate', async (name, reason) => {
    const server = await rawTlsEchoServer({ cert: certificates()[name].cert, key: certificates()[name].key });
    const client = pythonTlsClient({ port: server.port, ca: certificates().ca });
    expect((await client.waitFor(PYTHON_FAILED_LINE))[1]).toMatch(reason);
    await server.failed;
  });

  it('STARTTLS server: plain STARTTLS / 220, then TLS on the same socket; the payload after it is whole and never plain', async () => {
    const server = await pythonTlsServer({ identity: certificates().server, starttls: true });
    const tap = await startByteTap(server.port);
    const plain = await rawSocket(tap.port);
    plain.write('STARTTLS\r\n');
    expect(await readUntil(plain, /\r\n/)).toBe('220 ready\r\n');
    const secure = await handshake(tlsConnect({ socket: plain, ...trusting() }), 'secureConnect');
    const payload = `secret-${'x'.repeat(50_000)}\n`;
    secure.write(payload);
    expect(await readUntil(secure, /\n/)).toBe(payload);
    secure.end();
    await server.waitFor(/^CLOSED$/m);
    await tap.closed;
    expect(tap.toServer().subarray(0, 10).toString()).toBe('STARTTLS\r\n');
    expect(tap.toClient().subarray(0, 11).toString()).toBe('220 ready\r\n');
    expect(tap.toServer().includes('secret-')).toBe(false);
    expect(tap.toClient().includes('secret-')).toBe(false);
  });

  it('STARTTLS client: after 220 it upgrades, sends its payload at once, and none of it is lost or plain', async () => {
    const upgraded = deferred<TLSSocket>();
    const port = await rawNetServer((socket) => {
      void readUntil(socket, /\r\n/).then((line) => {
        if (line !== 'STARTTLS\r\n') return socket.destroy();
        socket.write('220 ready\r\n');
        const secure = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext(serverOptions()) });
        void handshake(secure, 'secure').then(() => {
          secure.pipe(secure);
          upgraded.resolve(secure);
        });
      });
    });
    const tap = await startByteTap(port);
    const client = pythonTlsClient({ port: tap.port, ca: certificates().ca, starttls: true, payload: 'secret-after-upgrade' });
    expect((await client.waitFor(/^GOT (.*)$/m))[1]).toBe('secret-after-upgrade');
    expect((await upgraded.promise).getProtocol()).toBe('TLSv1.3');
    expect(await client.exited).toBe(0);
    expect(tap.toServer().subarray(0, 10).toString()).toBe('STARTTLS\r\n');
    expect(tap.toServer().includes('secret-')).toBe(false);
    expect(tap.toClient().includes('secret-')).toBe(false);
  });
});

describe('the raw probes tls.test.ts uses, against node:tls', () => {
  it('a plain client that writes to a TLS echo server gets none of its plaintext back, and is closed', async () => {
    const server = await rawTlsEchoServer(serverOptions());
    const plain = await rawSocket(server.port);
    plain.write('PLAINTEXT PING\r\n');
    const received = await receiveUntilClosed(plain);
    expect(received.includes('PLAINTEXT PING')).toBe(false);
    expect((await server.failed as Error & { code?: string }).code).toBe('ERR_SSL_WRONG_VERSION_NUMBER');
  });

  it('a TLS client against a plain echo server fails at once (its ClientHello comes back)', async () => {
    const port = await rawNetServer((socket) => socket.pipe(socket));
    expect(await codeOf(rawTlsConnect({ port, ...trusting() }))).toMatch(/^ERR_SSL_/);
  });

  // Node's own handshakeTimeout only reports ERR_TLS_HANDSHAKE_TIMEOUT (tlsClientError) and leaves
  // the socket open; rawTlsEchoServer closes it, as @sock must.
  it('a connection that never says anything is closed at the handshake deadline', async () => {
    const server = await rawTlsEchoServer({ ...serverOptions(), handshakeTimeout: 200 });
    const silent = await rawSocket(server.port);
    expect((await receiveUntilClosed(silent)).length).toBe(0);
    expect((await server.failed as Error & { code?: string }).code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
  });
});
