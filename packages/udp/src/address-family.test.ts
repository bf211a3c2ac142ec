import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { literalLookup } from './address-family.js';

describe('literalLookup', () => {
  it('answers an IPv4 or IPv6 literal at once, with its family', () => {
    const answers: unknown[] = [];
    literalLookup('127.0.0.1', 4, (error, address, family) => answers.push([error, address, family]));
    literalLookup('::1', 6, (error, address, family) => answers.push([error, address, family]));
    expect(answers).toEqual([
      [null, '127.0.0.1', 4],
      [null, '::1', 6],
    ]);
  });

  it('hands a name to dns.lookup, which answers later', async () => {
    let sync = true;
    const answer = await new Promise<[string, number]>((resolve, reject) => {
      literalLookup('localhost', 4, (error, address, family) => (error === null ? resolve([address, family]) : reject(error)));
      sync = false;
    });
    expect(sync).toBe(false);
    expect(answer).toEqual(['127.0.0.1', 4]);
  });

  it('serves node:dgram: a socket created with it binds and sends to a literal', async () => {
    const receiver = createSocket({ type: 'udp4', lookup: literalLookup });
    const sender = createSocket({ type: 'udp4', lookup: literalLookup });
    try {
      await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
      const got = new Promise<string>((resolve) => receiver.once('message', (data) => resolve(data.toString())));
      const sent = await new Promise<number>((resolve, reject) =>
        sender.send('hi', receiver.address().port, '127.0.0.1', (error, bytes) => (error === null ? resolve(bytes) : reject(error))),
      );
      expect(sent).toBe(2);
      expect(await got).toBe('hi');
    } finally {
      await Promise.all([receiver, sender].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
    }
  });
});
