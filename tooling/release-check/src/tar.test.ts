import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTar, readTarball } from './tar.js';

function header(fields: { name: string; size: number; type: string; prefix?: string }): Buffer {
  const block = Buffer.alloc(512);
  block.write(fields.name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 'ascii');
  block.write(`${fields.size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  block.write(fields.type, 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  if (fields.prefix !== undefined) block.write(fields.prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function entry(name: string, body: string, type = '0', prefix?: string): Buffer {
  const data = Buffer.from(body);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header({ name, size: data.length, type, ...(prefix === undefined ? {} : { prefix }) }), data, padding]);
}

function paxPath(path: string): Buffer {
  const record = (length: number): string => `${length} path=${path}\n`;
  let length = record(0).length;
  while (record(length).length !== length) length = record(length).length;
  return entry('PaxHeader', record(length), 'x');
}

const END = Buffer.alloc(1024);

describe('readTar', () => {
  it('returns regular files without the first folder and skips directories', () => {
    const archive = Buffer.concat([entry('package/', '', '5'), entry('package/package.json', '{"name":"x"}'), entry('package/dist/a.js', 'a'), END]);
    const files = readTar(archive);
    expect([...files.keys()]).toEqual(['package.json', 'dist/a.js']);
    expect(files.get('package.json')?.toString()).toBe('{"name":"x"}');
  });

  it('joins the ustar prefix and honours a pax path for the next entry only', () => {
    const deep = `package/${'d/'.repeat(60)}file.js`;
    const archive = Buffer.concat([
      entry('file.js', 'prefixed', '0', `package/${'p/'.repeat(10)}`.slice(0, -1)),
      paxPath(deep),
      entry('truncated-name', 'long'),
      entry('package/after.js', 'after'),
      END,
    ]);
    const files = readTar(archive);
    expect(files.get(`${'p/'.repeat(10)}file.js`)?.toString()).toBe('prefixed');
    expect(files.get(`${'d/'.repeat(60)}file.js`)?.toString()).toBe('long');
    expect(files.get('after.js')?.toString()).toBe('after');
  });

  it('reads a gzipped tarball', () => {
    const files = readTarball(gzipSync(Buffer.concat([entry('package/README.md', '# x'), END])));
    expect(files.get('README.md')?.toString()).toBe('# x');
  });

  it('refuses a corrupt header, a truncated body and a missing end', () => {
    const corrupt = entry('package/a.js', 'a');
    corrupt[0] = 0x41;
    expect(() => readTar(Buffer.concat([corrupt, END]))).toThrow(/checksum/);
    expect(() => readTar(entry('package/a.js', 'x'.repeat(600)).subarray(0, 1024))).toThrow(/past the end/);
    expect(() => readTar(entry('package/a.js', 'a'))).toThrow(/end-of-archive/);
  });
});
