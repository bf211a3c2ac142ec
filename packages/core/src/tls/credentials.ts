import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { invalidArgument } from '../errors.js';
import type { Pem } from './secure-socket.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function parts(pem: Pem): Array<string | Buffer> {
  return Array.isArray(pem) ? [...(pem as Array<string | Buffer>)] : [pem as string | Buffer];
}

// Every PEM block of one kind in a value (a chain may hold several), refusing anything else.
function blocks(pem: Pem, kind: 'CERTIFICATE' | 'KEY', name: string): string[] {
  const found: string[] = [];
  for (const part of parts(pem)) {
    const text = typeof part === 'string' ? part : part.toString('latin1');
    const matches = text.match(PEM_BLOCK) ?? [];
    const wanted = matches.filter((block) => (kind === 'CERTIFICATE' ? /^-----BEGIN (TRUSTED )?CERTIFICATE-----/.test(block) : / KEY-----/.test(block.slice(0, 40))));
    if (wanted.length === 0) throw invalidArgument(`${name} must be PEM text holding ${kind === 'CERTIFICATE' ? 'a certificate' : 'a private key'} ("-----BEGIN ${kind === 'CERTIFICATE' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----")`);
    found.push(...wanted);
  }
  return found;
}

function certificates(pem: Pem, name: string): X509Certificate[] {
  return blocks(pem, 'CERTIFICATE', name).map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw invalidArgument(`${name} holds a certificate (the ${index + 1}. one) that cannot be read: ${(error as Error).message}`, error);
    }
  });
}

function privateKey(pem: Pem, name: string): KeyObject {
  const [block] = blocks(pem, 'KEY', name);
  try {
    return createPrivateKey(block!);
  } catch (error) {
    throw invalidArgument(`${name} is not a private key that can be read (an encrypted key is not supported): ${(error as Error).message}`, error);
  }
}

/**
 * Checks TLS credentials before any connection, since `node:tls` itself accepts an empty or garbage
 * certificate, key or CA and only fails at the first handshake: each must be PEM that parses, and the
 * key must belong to the (first) certificate. Throws `INVALID_ARGUMENT` naming the field.
 *
 * @example
 * ```ts
 * checkCredentials({ cert, key, ca }, 'secureSocket');
 * ```
 */
export function checkCredentials(credentials: { cert?: Pem | undefined; key?: Pem | undefined; ca?: Pem | undefined }, name: string): void {
  const { cert, key, ca } = credentials;
  if (ca !== undefined) certificates(ca, `${name}.ca`);
  if (cert === undefined && key === undefined) return;
  if (cert === undefined || key === undefined) throw invalidArgument(`${name}.cert and ${name}.key go together`);
  const [leaf] = certificates(cert, `${name}.cert`);
  const keyObject = privateKey(key, `${name}.key`);
  if (!leaf!.checkPrivateKey(keyObject)) throw invalidArgument(`${name}.key does not belong to the certificate in ${name}.cert`);
}
