import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLIENT_CN, useCertificates, type KeyPair } from './certificates.js';

const run = promisify(execFile);
const certificates = useCertificates();

/** `openssl verify`'s verdict on a certificate, trusting only `caFile`. */
async function verify(caFile: string, pair: KeyPair): Promise<string> {
  try {
    const { stdout } = await run('openssl', ['verify', '-CAfile', caFile, pair.certFile], { timeout: 10_000 });
    return stdout.trim().endsWith('OK') ? 'OK' : stdout;
  } catch (error) {
    // openssl verify exits 2 and names the X509 error ("error 10 at 0 depth lookup: certificate has expired").
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = `${stdout}${stderr}`;
    return /error \d+ at \d+ depth lookup: ([^\n]+)/.exec(output)?.[1] ?? output;
  }
}

describe('the throwaway test certificates', () => {
  it('each key matches its certificate, and each is ECDSA P-256', () => {
    const all = certificates();
    for (const pair of [all.ca, all.server, all.client, all.expired, all.wrongName, all.otherCa, all.otherCaServer, all.selfSigned]) {
      const x509 = new X509Certificate(pair.cert);
      const key = createPrivateKey(pair.key);
      expect(x509.checkPrivateKey(key)).toBe(true);
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
  });

  it('the server certificate names localhost, 127.0.0.1 and ::1, and chains to the test CA', async () => {
    const { ca, server } = certificates();
    const x509 = new X509Certificate(server.cert);
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBe('::1');
    expect(x509.ca).toBe(false);
    expect(new X509Certificate(ca.cert).ca).toBe(true);
    expect(await verify(ca.certFile, server)).toBe('OK');
  });

  it('the client certificate carries its CN and chains to the test CA', async () => {
    const { ca, client } = certificates();
    expect(new X509Certificate(client.cert).subject).toBe(`CN=${CLIENT_CN}`);
    expect(await verify(ca.certFile, client)).toBe('OK');
  });

  it('the expired certificate is expired now, not "expires today"', async () => {
    const { ca, expired } = certificates();
    const x509 = new X509Certificate(expired.cert);
    expect(new Date(x509.validTo).getTime()).toBeLessThan(Date.now());
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(await verify(ca.certFile, expired)).toBe('certificate has expired');
  });

  it('the wrong-name certificate chains to the test CA but names only wrong.example', async () => {
    const { ca, wrongName } = certificates();
    const x509 = new X509Certificate(wrongName.cert);
    expect(x509.checkHost('localhost')).toBeUndefined();
    expect(x509.checkIP('127.0.0.1')).toBeUndefined();
    expect(x509.checkHost('wrong.example')).toBe('wrong.example');
    expect(await verify(ca.certFile, wrongName)).toBe('OK');
  });

  it('a certificate from the unrelated CA, and a self-signed one, do not chain to the test CA', async () => {
    const { ca, otherCa, otherCaServer, selfSigned } = certificates();
    expect(await verify(otherCa.certFile, otherCaServer)).toBe('OK');
    expect(await verify(ca.certFile, otherCaServer)).toBe('unable to get local issuer certificate');
    expect(await verify(ca.certFile, selfSigned)).toBe('self-signed certificate');
  });
});
