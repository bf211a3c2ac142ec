import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

/**
 * The regular files of a gzipped tarball, keyed by path with the leading `package/` folder of an
 * npm tarball removed. Read in process so the check needs no `tar` binary on the machine.
 *
 * @example
 * ```ts
 * const files = readTarball(readFileSync('sock-core-0.1.0.tgz'));
 * JSON.parse(files.get('package.json')!.toString());
 * ```
 */
export function readTarball(gzipped: Uint8Array): Map<string, Buffer> {
  return readTar(gunzipSync(gzipped));
}

/**
 * The regular files of an uncompressed ustar archive (with pax `path` records), keyed by path
 * without the first folder. Throws on a truncated or corrupt archive: a tarball we cannot read is
 * a tarball a user cannot install.
 *
 * @example
 * ```ts
 * readTar(gunzipSync(bytes)).get('dist/index.js');
 * ```
 */
export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return files;
    if (!checksumMatches(header)) throw new Error(`tar header at byte ${offset} has a bad checksum`);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const bodyStart = offset + BLOCK;
    const bodyEnd = bodyStart + size;
    if (bodyEnd > archive.length) throw new Error(`tar entry at byte ${offset} runs past the end of the archive`);
    const body = archive.subarray(bodyStart, bodyEnd);
    offset = bodyStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      paxPath = paxRecords(body).get('path');
      continue;
    }
    if (type === 'g') continue;
    const path = paxPath ?? joinPrefix(text(header, 345, 155), text(header, 0, 100));
    paxPath = undefined;
    if (type === '0' || type === '\0') files.set(stripFirstFolder(path), Buffer.from(body));
  }
  throw new Error('tar archive ends without its end-of-archive blocks');
}

function text(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function octal(header: Buffer, start: number, length: number): number {
  const digits = text(header, start, length).trim();
  if (!/^[0-7]*$/.test(digits)) throw new Error(`tar header field at ${start} is not octal: ${JSON.stringify(digits)}`);
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

// The checksum is the byte sum of the header with its own field read as spaces.
function checksumMatches(header: Buffer): boolean {
  let sum = 0;
  for (let index = 0; index < BLOCK; index += 1) sum += index >= 148 && index < 156 ? 0x20 : (header[index] ?? 0);
  return sum === octal(header, 148, 8);
}

function joinPrefix(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}

function stripFirstFolder(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

// Records are "<length> <key>=<value>\n", the length counting the whole record.
function paxRecords(body: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(body.subarray(offset, space).toString('ascii'), 10);
    if (!Number.isInteger(length) || length <= 0) throw new Error('tar pax record has a bad length');
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals !== -1) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}
