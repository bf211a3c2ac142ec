import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

/** A certificate and its private key, as PEM text (for node:tls) and as files (for openssl and Python peers). */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Throwaway certificates for one test file. Every key is ECDSA P-256 (RSA key generation would
 * cost a second or more); every leaf but `selfSigned` and `otherCaServer` is signed by `ca`.
 */
export interface TestCertificates {
  /** The temporary directory that holds the files; removed after the test file. */
  readonly dir: string;
  /** The test CA: the one trust anchor a peer needs. */
  readonly ca: KeyPair;
  /** CN `localhost`, SANs `localhost`, `127.0.0.1`, `::1`; serverAuth. */
  readonly server: KeyPair;
  /** CN {@link CLIENT_CN}; clientAuth: for mutual TLS. */
  readonly client: KeyPair;
  /** Like `server`, but valid only from 2020-01-01 to 2020-01-02: expired whenever the tests run. */
  readonly expired: KeyPair;
  /** Signed by `ca`, but for `wrong.example` only: a host name mismatch for `localhost` and `127.0.0.1`. */
  readonly wrongName: KeyPair;
  /** A second CA that nobody trusts. */
  readonly otherCa: KeyPair;
  /** Like `server`, but signed by `otherCa`: "unknown CA" for anyone who trusts `ca`. */
  readonly otherCaServer: KeyPair;
  /** Like `server`, but self-signed. */
  readonly selfSigned: KeyPair;
}

/** The common name of {@link TestCertificates.client}, which a listener reads from `peerCertificate.subject.CN`. */
export const CLIENT_CN = 'sock test client';

const SERVER_NAMES = 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1';
const LEAF = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'];

// `openssl req` wants a config with a [req] section; the distro's openssl.cnf would work too, but
// its defaults (and any extensions it adds) are not ours to depend on. `openssl ca` needs a
// database, which only the expired certificate uses: OpenSSL 3.0's `x509` cannot set a notAfter
// in the past, `ca -startdate/-enddate` can.
const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
default_ca = backdating_ca
[backdating_ca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
copy_extensions = copy
unique_subject = no
[any_name]
commonName = supplied
`;

/**
 * Makes a fresh set of {@link TestCertificates} with the `openssl` CLI in a new temporary directory
 * (about a dozen openssl runs, well under a second). The caller removes `dir`; {@link useCertificates}
 * does it for a test file.
 *
 * @example
 * ```ts
 * const certificates = await createCertificates();
 * try {
 *   tls.createServer({ cert: certificates.server.cert, key: certificates.server.key });
 * } finally {
 *   await rm(certificates.dir, { recursive: true, force: true });
 * }
 * ```
 */
export async function createCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'sock-tls-'));
  try {
    await Promise.all([writeFile(join(dir, 'openssl.cnf'), CONFIG), writeFile(join(dir, 'index.txt'), ''), writeFile(join(dir, 'serial'), '01\n')]);
    const openssl = (...args: string[]): Promise<unknown> => run('openssl', args, { cwd: dir, timeout: 10_000 });
    const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-config', 'openssl.cnf'];
    const selfSignedCa = (name: string, cn: string): Promise<unknown> =>
      openssl('req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`,
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    const leaf = (name: string, issuer: string | undefined, cn: string, extensions: string[]): Promise<unknown> =>
      openssl('req', '-x509', ...newKey, ...(issuer === undefined ? [] : ['-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`]),
        '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`, ...extensions.flatMap((e) => ['-addext', e]));
    const serverExtensions = [SERVER_NAMES, ...LEAF, 'extendedKeyUsage=serverAuth'];

    await Promise.all([selfSignedCa('ca', 'sock test CA'), selfSignedCa('other-ca', 'sock unrelated CA')]);
    await Promise.all([
      leaf('server', 'ca', 'localhost', serverExtensions),
      leaf('client', 'ca', CLIENT_CN, [...LEAF, 'extendedKeyUsage=clientAuth']),
      leaf('wrong-name', 'ca', 'wrong.example', ['subjectAltName=DNS:wrong.example', ...LEAF, 'extendedKeyUsage=serverAuth']),
      leaf('other-ca-server', 'other-ca', 'localhost', serverExtensions),
      // A self-signed leaf must be allowed to sign itself, or OpenSSL reports "unsuitable" rather than "self-signed".
      leaf('self-signed', undefined, 'localhost', [SERVER_NAMES, 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyCertSign', 'extendedKeyUsage=serverAuth']),
      (async () => {
        await openssl('req', '-new', ...newKey, '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=localhost',
          ...serverExtensions.flatMap((e) => ['-addext', e]));
        await openssl('ca', '-config', 'openssl.cnf', '-batch', '-notext', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', 'expired.csr',
          '-out', 'expired.crt', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z');
      })(),
    ]);

    const pair = async (name: string): Promise<KeyPair> => {
      const certFile = join(dir, `${name}.crt`);
      const keyFile = join(dir, `${name}.key`);
      const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
      return { cert, key, certFile, keyFile };
    };
    const [ca, server, client, expired, wrongName, otherCa, otherCaServer, selfSigned] = await Promise.all(
      ['ca', 'server', 'client', 'expired', 'wrong-name', 'other-ca', 'other-ca-server', 'self-signed'].map(pair),
    );
    return { dir, ca: ca!, server: server!, client: client!, expired: expired!, wrongName: wrongName!, otherCa: otherCa!, otherCaServer: otherCaServer!, selfSigned: selfSigned! };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Makes the certificates once for the calling test file (in `beforeAll`) and removes them after
 * it (in `afterAll`). Call it at the top level of the file or of a `describe`; the function it
 * returns gives the certificates inside tests and hooks.
 *
 * @example
 * ```ts
 * const certificates = useCertificates();
 * it('serves TLS', () => {
 *   const server = tls.createServer({ cert: certificates().server.cert, key: certificates().server.key });
 * });
 * ```
 */
export function useCertificates(): () => TestCertificates {
  let made: TestCertificates | undefined;
  beforeAll(async () => {
    made = await createCertificates();
  });
  afterAll(async () => {
    if (made !== undefined) await rm(made.dir, { recursive: true, force: true });
  });
  return () => {
    if (made === undefined) throw new Error('the test certificates are made in beforeAll: use them inside a test or a hook');
    return made;
  };
}
